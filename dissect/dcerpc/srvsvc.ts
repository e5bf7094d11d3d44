/**
 * MS-SRVS — the srvsvc interface (UUID 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0) calls a file server answers for
 * share browsing: NetrShareEnum (opnum 15, MS-SRVS 3.1.4.8), NetrShareGetInfo (opnum 16, 3.1.4.10) and
 * NetrServerGetInfo (opnum 21, 3.1.4.17), with the SHARE_INFO levels 0, 1, 2 and 501 (2.2.4.22–2.2.4.26) and
 * SERVER_INFO_100/101 (2.2.4.40–2.2.4.41). Stub data in NDR (ndr.ts).
 * @module
 */
import { DecodeError } from '../wire/index.js'
import type { SyntaxId } from './pdu.js'
import { NdrReader, NdrWriter } from './ndr.js'

export const SRVSVC_SYNTAX: SyntaxId = { uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', versionMajor: 3, versionMinor: 0 }

export const SrvsvcOpnum = {
  NetrShareEnum: 15,
  NetrShareGetInfo: 16,
  NetrServerGetInfo: 21,
} as const

/** MS-SRVS 2.2.2.4 — share types. */
export const ShareTypeCode = {
  DiskTree: 0x0000_0000,
  PrintQueue: 0x0000_0001,
  Device: 0x0000_0002,
  Ipc: 0x0000_0003,
  Special: 0x8000_0000,
} as const

/** A share in any of the SHARE_INFO levels (fields a level lacks are ignored on encode, absent on decode). */
export interface ShareInfo {
  name: string | null
  type?: number
  comment?: string | null
  permissions?: number
  maxUses?: number
  currentUses?: number
  path?: string | null
  password?: string | null
  /** Level 501: shi501_flags (client-side caching). */
  flags?: number
}

export const SUPPORTED_SHARE_LEVELS = [0, 1, 2, 501] as const

function writeShareScalars(n: NdrWriter, level: number, s: ShareInfo): void {
  n.embeddedString(s.name)
  if (level === 0) return
  n.u32(s.type ?? 0)
  n.embeddedString(s.comment ?? null)
  if (level === 1) return
  if (level === 501) {
    n.u32(s.flags ?? 0)
    return
  }
  n.u32(s.permissions ?? 0)
  n.u32(s.maxUses ?? 0xffff_ffff)
  n.u32(s.currentUses ?? 0)
  n.embeddedString(s.path ?? null)
  n.embeddedString(s.password ?? null)
}

function readShareScalars(n: NdrReader, level: number): ShareInfo {
  const s: ShareInfo = { name: null }
  n.embeddedString((v) => (s.name = v))
  if (level === 0) return s
  s.type = n.u32()
  n.embeddedString((v) => (s.comment = v))
  if (level === 1) return s
  if (level === 501) {
    s.flags = n.u32()
    return s
  }
  s.permissions = n.u32()
  s.maxUses = n.u32()
  s.currentUses = n.u32()
  n.embeddedString((v) => (s.path = v))
  n.embeddedString((v) => (s.password = v))
  return s
}

function checkLevel(level: number, n: NdrReader): void {
  if (!(SUPPORTED_SHARE_LEVELS as readonly number[]).includes(level)) {
    throw new DecodeError(`share info level ${level} is not supported`, n.r.pos, n.r.path)
  }
}

/** MS-SRVS 3.1.4.8 — NetrShareEnum request (opnum 15). */
export interface NetrShareEnumRequest {
  serverName: string | null
  /** InfoStruct.Level. */
  level: number
  /** Whether the client sent a container (it usually sends an empty one). */
  preferedMaximumLength: number
  resumeHandle: number | null
}

export function decodeNetrShareEnumRequest(stub: Buffer): NetrShareEnumRequest {
  const n = new NdrReader(stub, 'NetrShareEnum')
  const serverName = n.uniqueString()
  const level = n.u32()
  const disc = n.u32()
  if (disc !== level) throw new DecodeError(`union discriminant ${disc} differs from level ${level}`, n.r.pos, n.r.path)
  if (n.pointer()) {
    // The container the client sent: EntriesRead and a (normally null) array we do not need.
    n.u32()
    if (n.pointer()) {
      const count = n.u32()
      const known = (SUPPORTED_SHARE_LEVELS as readonly number[]).includes(level)
      if (!known) throw new DecodeError(`share info level ${level} with entries`, n.r.pos, n.r.path)
      for (let i = 0; i < count; i++) readShareScalars(n, level)
      n.flush()
    }
  }
  const preferedMaximumLength = n.u32()
  const resumeHandle = n.pointer() ? n.u32() : null
  return { serverName, level, preferedMaximumLength, resumeHandle }
}

export function encodeNetrShareEnumRequest(v: NetrShareEnumRequest): Buffer {
  const n = new NdrWriter()
  n.uniqueString(v.serverName)
  n.u32(v.level)
  n.u32(v.level)
  n.pointer(true)
  n.u32(0)
  n.pointer(false)
  n.u32(v.preferedMaximumLength)
  if (n.pointer(v.resumeHandle !== null)) n.u32(v.resumeHandle!)
  return n.finish()
}

/** MS-SRVS 3.1.4.8 — NetrShareEnum response. */
export interface NetrShareEnumResponse {
  level: number
  shares: ShareInfo[]
  totalEntries: number
  resumeHandle: number | null
  /** WERROR (0 = success). */
  result: number
}

export function encodeNetrShareEnumResponse(v: NetrShareEnumResponse, firstReferentId?: number): Buffer {
  const n = new NdrWriter(firstReferentId)
  n.u32(v.level)
  n.u32(v.level)
  if (n.pointer(true)) {
    n.u32(v.shares.length)
    if (n.pointer(v.shares.length > 0)) {
      n.u32(v.shares.length)
      for (const s of v.shares) writeShareScalars(n, v.level, s)
      n.flush()
    }
  }
  n.u32(v.totalEntries)
  if (n.pointer(v.resumeHandle !== null)) n.u32(v.resumeHandle!)
  n.u32(v.result)
  return n.finish()
}

export function decodeNetrShareEnumResponse(stub: Buffer): NetrShareEnumResponse {
  const n = new NdrReader(stub, 'NetrShareEnumResponse')
  const level = n.u32()
  checkLevel(level, n)
  const disc = n.u32()
  if (disc !== level) throw new DecodeError(`union discriminant ${disc} differs from level ${level}`, n.r.pos, n.r.path)
  const shares: ShareInfo[] = []
  if (n.pointer()) {
    const count = n.u32()
    if (n.pointer()) {
      const max = n.u32()
      if (max !== count) throw new DecodeError(`array size ${max} differs from count ${count}`, n.r.pos, n.r.path)
      for (let i = 0; i < count; i++) shares.push(readShareScalars(n, level))
      n.flush()
    }
  }
  const totalEntries = n.u32()
  const resumeHandle = n.pointer() ? n.u32() : null
  const result = n.u32()
  return { level, shares, totalEntries, resumeHandle, result }
}

/** MS-SRVS 3.1.4.10 — NetrShareGetInfo request (opnum 16). */
export interface NetrShareGetInfoRequest {
  serverName: string | null
  netName: string
  level: number
}

export function decodeNetrShareGetInfoRequest(stub: Buffer): NetrShareGetInfoRequest {
  const n = new NdrReader(stub, 'NetrShareGetInfo')
  const serverName = n.uniqueString()
  const netName = n.string()
  const level = n.u32()
  return { serverName, netName, level }
}

export function encodeNetrShareGetInfoRequest(v: NetrShareGetInfoRequest): Buffer {
  const n = new NdrWriter()
  n.uniqueString(v.serverName)
  n.string(v.netName)
  n.u32(v.level)
  return n.finish()
}

/** MS-SRVS 3.1.4.10 — NetrShareGetInfo response: the SHARE_INFO union (null when the call failed) and WERROR. */
export interface NetrShareGetInfoResponse {
  level: number
  share: ShareInfo | null
  result: number
}

export function encodeNetrShareGetInfoResponse(v: NetrShareGetInfoResponse): Buffer {
  const n = new NdrWriter()
  n.u32(v.level)
  if (n.pointer(v.share !== null)) {
    writeShareScalars(n, v.level, v.share!)
    n.flush()
  }
  n.u32(v.result)
  return n.finish()
}

export function decodeNetrShareGetInfoResponse(stub: Buffer): NetrShareGetInfoResponse {
  const n = new NdrReader(stub, 'NetrShareGetInfoResponse')
  const level = n.u32()
  let share: ShareInfo | null = null
  if (n.pointer()) {
    checkLevel(level, n)
    share = readShareScalars(n, level)
    n.flush()
  }
  const result = n.u32()
  return { level, share, result }
}

/** MS-SRVS 3.1.4.17 — NetrServerGetInfo request (opnum 21). */
export interface NetrServerGetInfoRequest {
  serverName: string | null
  level: number
}

export function decodeNetrServerGetInfoRequest(stub: Buffer): NetrServerGetInfoRequest {
  const n = new NdrReader(stub, 'NetrServerGetInfo')
  const serverName = n.uniqueString()
  const level = n.u32()
  return { serverName, level }
}

export function encodeNetrServerGetInfoRequest(v: NetrServerGetInfoRequest): Buffer {
  const n = new NdrWriter()
  n.uniqueString(v.serverName)
  n.u32(v.level)
  return n.finish()
}

/** MS-SRVS 2.2.4.40/41 — SERVER_INFO_100 / SERVER_INFO_101. */
export interface ServerInfo {
  platformId: number
  name: string | null
  versionMajor?: number
  versionMinor?: number
  type?: number
  comment?: string | null
}

export interface NetrServerGetInfoResponse {
  level: number
  info: ServerInfo | null
  result: number
}

export function encodeNetrServerGetInfoResponse(v: NetrServerGetInfoResponse): Buffer {
  const n = new NdrWriter()
  n.u32(v.level)
  if (n.pointer(v.info !== null)) {
    const i = v.info!
    n.u32(i.platformId)
    n.embeddedString(i.name)
    if (v.level === 101) {
      n.u32(i.versionMajor ?? 0)
      n.u32(i.versionMinor ?? 0)
      n.u32(i.type ?? 0)
      n.embeddedString(i.comment ?? null)
    }
    n.flush()
  }
  n.u32(v.result)
  return n.finish()
}

export function decodeNetrServerGetInfoResponse(stub: Buffer): NetrServerGetInfoResponse {
  const n = new NdrReader(stub, 'NetrServerGetInfoResponse')
  const level = n.u32()
  let info: ServerInfo | null = null
  if (n.pointer()) {
    const i: ServerInfo = { platformId: n.u32(), name: null }
    n.embeddedString((s) => (i.name = s))
    if (level === 101) {
      i.versionMajor = n.u32()
      i.versionMinor = n.u32()
      i.type = n.u32()
      n.embeddedString((s) => (i.comment = s))
    }
    n.flush()
    info = i
  }
  const result = n.u32()
  return { level, info, result }
}

/** MS-ERREF 2.2 — the WERROR codes these calls answer with. */
export const WError = {
  Success: 0x0000_0000,
  AccessDenied: 0x0000_0005,
  InvalidLevel: 0x0000_007c,
  InvalidParameter: 0x0000_0057,
  /** NERR_NetNameNotFound. */
  NetNameNotFound: 0x0000_0906,
} as const
