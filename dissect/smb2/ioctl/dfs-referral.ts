/**
 * MS-DFSC 2.2.2–2.2.5 — DFS referral request and response, carried by FSCTL_DFS_GET_REFERRALS and
 * FSCTL_DFS_GET_REFERRALS_EX (MS-SMB2 2.2.31, 3.3.5.15.2). Referral entries of versions 1 to 4 are decoded
 * with their strings (share name; DFS path, alternate path and network address; or, for name-list
 * referrals, the special name and expanded names). String offsets are relative to the start of each
 * entry; decoded values keep them, and encoding places strings where they say (faithful) or, when they are
 * absent, in a string buffer after the last entry (canonical).
 * @module
 */
import { Reader, Writer, guid, type Codec, type Ctx } from '../../wire/index.js'
import { flagNamer } from '../constants/names.js'

/** REQ_GET_DFS_REFERRAL (MS-DFSC 2.2.2). */
export interface DfsReferralRequest {
  maxReferralLevel: number
  /** The path to resolve, without the terminating NUL. */
  requestFileName: string
}

function readSz(r: Reader, end: number): string {
  const start = r.pos
  for (;;) {
    if (r.pos + 2 > end) r.fail('string is not NUL-terminated', start)
    if (r.u16() === 0) break
  }
  const len = r.pos - 2 - start
  r.seek(start)
  const s = r.utf16(len)
  r.skip(2)
  return s
}
function writeSz(w: Writer, s: string): void {
  w.utf16(s)
  w.u16(0)
}

export const DfsReferralRequestCodec: Codec<DfsReferralRequest> = {
  name: 'DfsReferralRequest',
  read(r) {
    const maxReferralLevel = r.field('maxReferralLevel', () => r.u16())
    const requestFileName = r.field('requestFileName', () => readSz(r, r.end))
    return { maxReferralLevel, requestFileName }
  },
  write(w, v) {
    w.u16(v.maxReferralLevel)
    writeSz(w, v.requestFileName)
  },
}

/** RequestFlags of REQ_GET_DFS_REFERRAL_EX. */
export const DfsRequestFlags = { SiteName: 0x0001 } as const

/** REQ_GET_DFS_REFERRAL_EX (MS-DFSC 2.2.3). */
export interface DfsReferralRequestEx {
  maxReferralLevel: number
  requestFlags: number
  requestDataLength: number
  requestFileName: string
  /** Present when RequestFlags has SITE_NAME. */
  siteName: string | null
}
export type DfsReferralRequestExInput = Omit<DfsReferralRequestEx, 'requestDataLength' | 'requestFlags'> & { requestDataLength?: number; requestFlags?: number }

export const DfsReferralRequestExCodec: Codec<DfsReferralRequestEx, DfsReferralRequestExInput> = {
  name: 'DfsReferralRequestEx',
  read(r) {
    const maxReferralLevel = r.field('maxReferralLevel', () => r.u16())
    const requestFlags = r.field('requestFlags', () => r.u16())
    const requestDataLength = r.field('requestDataLength', () => r.u32())
    if (requestDataLength > r.remaining) r.fail(`RequestDataLength ${requestDataLength} runs past the buffer (${r.remaining} bytes)`)
    const d = r.window(r.pos, requestDataLength)
    d.path.push('requestData')
    const nameLen = d.field('requestFileNameLength', () => d.u16())
    const requestFileName = d.field('requestFileName', () => d.utf16(nameLen))
    let siteName: string | null = null
    if (requestFlags & DfsRequestFlags.SiteName) {
      const siteLen = d.field('siteNameLength', () => d.u16())
      siteName = d.field('siteName', () => d.utf16(siteLen))
    }
    r.skip(requestDataLength)
    return { maxReferralLevel, requestFlags, requestDataLength, requestFileName, siteName }
  },
  write(w, v) {
    w.u16(v.maxReferralLevel)
    w.u16(v.requestFlags ?? (v.siteName !== null ? DfsRequestFlags.SiteName : 0))
    const lenAt = w.pos
    w.u32(0)
    const start = w.pos
    const name = Buffer.from(v.requestFileName, 'utf16le')
    w.u16(name.length)
    w.bytes(name)
    if (v.siteName !== null) {
      const site = Buffer.from(v.siteName, 'utf16le')
      w.u16(site.length)
      w.bytes(site)
    }
    const len = v.requestDataLength ?? w.pos - start
    w.patch(lenAt, (pw) => pw.u32(len))
  },
}

/** ReferralHeaderFlags of RESP_GET_DFS_REFERRAL. */
export const DfsReferralHeaderFlags = {
  ReferralServers: 0x0000_0001,
  StorageServers: 0x0000_0002,
  TargetFailback: 0x0000_0004,
} as const
export const dfsReferralHeaderFlagNames = flagNamer(DfsReferralHeaderFlags)

/** ReferralEntryFlags of a V3/V4 entry. */
export const DfsReferralEntryFlags = {
  NameListReferral: 0x0002,
  TargetSetBoundary: 0x0004,
} as const

export interface DfsReferralEntry {
  versionNumber: number
  size: number
  /** 0 non-root targets, 1 root targets. */
  serverType: number
  referralEntryFlags: number
  /** V1: the share name, inline. */
  shareName?: string
  /** V2 only. */
  proximity?: number
  /** V2–V4. */
  timeToLive?: number
  dfsPathOffset?: number
  dfsAlternatePathOffset?: number
  networkAddressOffset?: number
  dfsPath?: string
  dfsAlternatePath?: string
  networkAddress?: string
  /** V3/V4 (MUST be zero). */
  serviceSiteGuid?: string
  /** V3/V4 name-list referrals (domain and DC referrals). */
  specialNameOffset?: number
  numberOfExpandedNames?: number
  expandedNameOffset?: number
  specialName?: string
  expandedNames?: string[]
}
export type DfsReferralEntryInput = Omit<DfsReferralEntry, 'size'> & { size?: number }

export interface DfsReferralResponse {
  /** Bytes of the request path the referral covers. */
  pathConsumed: number
  numberOfReferrals: number
  referralHeaderFlags: number
  referralEntries: DfsReferralEntry[]
}
export type DfsReferralResponseInput = Omit<DfsReferralResponse, 'numberOfReferrals' | 'referralEntries'> & {
  numberOfReferrals?: number
  referralEntries: DfsReferralEntryInput[]
}

function readEntry(r: Reader, bufEnd: number, furthest: { pos: number }): DfsReferralEntry {
  const start = r.pos
  const versionNumber = r.field('versionNumber', () => r.u16())
  const size = r.field('size', () => r.u16())
  const serverType = r.field('serverType', () => r.u16())
  const referralEntryFlags = r.field('referralEntryFlags', () => r.u16())
  if (size < 8 || size > bufEnd - start) r.fail(`referral Size ${size} is outside [8, ${bufEnd - start}]`, start + 2)
  const e: DfsReferralEntry = { versionNumber, size, serverType, referralEntryFlags }
  const str = (key: string, off: number): string => {
    if (off < 8 || start + off >= bufEnd) r.fail(`${key} ${off} points outside the response`, start)
    const s = new Reader(r.buf, start + off, bufEnd, r.spans)
    s.path.push(...r.path, key)
    const v = readSz(s, bufEnd)
    if (s.pos > furthest.pos) furthest.pos = s.pos
    return v
  }
  if (versionNumber === 1) {
    e.shareName = r.field('shareName', () => readSz(r, start + size))
  } else if (versionNumber === 2) {
    e.proximity = r.field('proximity', () => r.u32())
    e.timeToLive = r.field('timeToLive', () => r.u32())
    e.dfsPathOffset = r.field('dfsPathOffset', () => r.u16())
    e.dfsAlternatePathOffset = r.field('dfsAlternatePathOffset', () => r.u16())
    e.networkAddressOffset = r.field('networkAddressOffset', () => r.u16())
    e.dfsPath = str('dfsPath', e.dfsPathOffset)
    e.dfsAlternatePath = str('dfsAlternatePath', e.dfsAlternatePathOffset)
    e.networkAddress = str('networkAddress', e.networkAddressOffset)
  } else if (versionNumber === 3 || versionNumber === 4) {
    e.timeToLive = r.field('timeToLive', () => r.u32())
    if (referralEntryFlags & DfsReferralEntryFlags.NameListReferral) {
      e.specialNameOffset = r.field('specialNameOffset', () => r.u16())
      e.numberOfExpandedNames = r.field('numberOfExpandedNames', () => r.u16())
      e.expandedNameOffset = r.field('expandedNameOffset', () => r.u16())
      e.specialName = str('specialName', e.specialNameOffset)
      const names: string[] = []
      if (e.numberOfExpandedNames > 0) {
        if (e.expandedNameOffset < 8 || start + e.expandedNameOffset >= bufEnd) r.fail(`expandedNameOffset ${e.expandedNameOffset} points outside the response`, start)
        const s = new Reader(r.buf, start + e.expandedNameOffset, bufEnd, r.spans)
        s.path.push(...r.path, 'expandedNames')
        for (let i = 0; i < e.numberOfExpandedNames; i++) names.push(readSz(s, bufEnd))
        if (s.pos > furthest.pos) furthest.pos = s.pos
      }
      e.expandedNames = names
    } else {
      e.dfsPathOffset = r.field('dfsPathOffset', () => r.u16())
      e.dfsAlternatePathOffset = r.field('dfsAlternatePathOffset', () => r.u16())
      e.networkAddressOffset = r.field('networkAddressOffset', () => r.u16())
      e.serviceSiteGuid = r.field('serviceSiteGuid', () => r.guid())
      e.dfsPath = str('dfsPath', e.dfsPathOffset)
      e.dfsAlternatePath = str('dfsAlternatePath', e.dfsAlternatePathOffset)
      e.networkAddress = str('networkAddress', e.networkAddressOffset)
    }
  }
  r.seek(start + size)
  if (r.pos > furthest.pos) furthest.pos = r.pos
  return e
}

/** The fixed size of an entry of this shape (what Size holds when computed). */
function entrySize(e: DfsReferralEntryInput): number {
  if (e.versionNumber === 1) return 8 + Buffer.byteLength(e.shareName ?? '', 'utf16le') + 2
  if (e.versionNumber === 2) return 22
  if (e.referralEntryFlags & DfsReferralEntryFlags.NameListReferral) return 18
  return 34
}

export const DfsReferralResponseCodec: Codec<DfsReferralResponse, DfsReferralResponseInput> = {
  name: 'DfsReferralResponse',
  read(r) {
    const pathConsumed = r.field('pathConsumed', () => r.u16())
    const numberOfReferrals = r.field('numberOfReferrals', () => r.u16())
    const referralHeaderFlags = r.field('referralHeaderFlags', () => r.u32())
    const referralEntries: DfsReferralEntry[] = []
    const end = r.end
    const furthest = { pos: r.pos }
    r.path.push('referralEntries')
    for (let i = 0; i < numberOfReferrals; i++) referralEntries.push(r.field(String(i), () => readEntry(r, end, furthest)))
    r.path.pop()
    // The string buffer follows; stop after the last string an offset points at (padding stays unread).
    r.seek(furthest.pos)
    return { pathConsumed, numberOfReferrals, referralHeaderFlags, referralEntries }
  },
  write(w, v, ctx: Ctx) {
    w.u16(v.pathConsumed)
    w.u16(v.numberOfReferrals ?? v.referralEntries.length)
    w.u32(v.referralHeaderFlags)
    const starts: number[] = []
    // Fixed parts first; string offsets are patched once the string buffer is laid out.
    const pending: Array<{ at: number; entryStart: number; strings: string[]; given?: number }> = []
    for (const e of v.referralEntries) {
      const start = w.pos
      starts.push(start)
      w.u16(e.versionNumber)
      w.u16(0) // Size, patched
      w.u16(e.serverType)
      w.u16(e.referralEntryFlags)
      if (e.versionNumber === 1) {
        writeSz(w, e.shareName ?? '')
      } else if (e.versionNumber === 2 || e.versionNumber === 3 || e.versionNumber === 4) {
        if (e.versionNumber === 2) w.u32(e.proximity ?? 0)
        w.u32(e.timeToLive ?? 0)
        if (e.versionNumber !== 2 && e.referralEntryFlags & DfsReferralEntryFlags.NameListReferral) {
          pending.push({ at: w.pos, entryStart: start, strings: [e.specialName ?? ''], given: e.specialNameOffset })
          w.u16(0)
          w.u16(e.numberOfExpandedNames ?? e.expandedNames?.length ?? 0)
          pending.push({ at: w.pos, entryStart: start, strings: e.expandedNames ?? [], given: e.expandedNameOffset })
          w.u16(0)
        } else {
          pending.push({ at: w.pos, entryStart: start, strings: [e.dfsPath ?? ''], given: e.dfsPathOffset })
          w.u16(0)
          pending.push({ at: w.pos, entryStart: start, strings: [e.dfsAlternatePath ?? ''], given: e.dfsAlternatePathOffset })
          w.u16(0)
          pending.push({ at: w.pos, entryStart: start, strings: [e.networkAddress ?? ''], given: e.networkAddressOffset })
          w.u16(0)
          if (e.versionNumber !== 2) guid.write(w, e.serviceSiteGuid ?? '00000000-0000-0000-0000-000000000000', ctx)
        }
      }
      const size = e.size ?? Math.max(entrySize(e), w.pos - start)
      if (size < w.pos - start) w.fail(`referral size ${size} is smaller than its fixed part (${w.pos - start} bytes)`)
      w.moveTo(start + size)
      w.patch(start + 2, (pw) => pw.u16(size))
    }
    let bufPos = w.pos
    for (const p of pending) {
      const at = p.given !== undefined ? p.entryStart + p.given : bufPos
      w.moveTo(at)
      for (const s of p.strings) writeSz(w, s)
      if (p.given === undefined) bufPos = w.pos
      const off = at - p.entryStart
      if (off > 0xffff) w.fail(`string offset ${off} does not fit 16 bits`)
      w.patch(p.at, (pw) => pw.u16(off))
      w.moveTo(Math.max(bufPos, w.pos))
      bufPos = Math.max(bufPos, w.pos)
    }
  },
}
