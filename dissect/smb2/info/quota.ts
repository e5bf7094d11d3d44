/**
 * Quota information (InfoType QUOTA): MS-FSCC 2.4 FILE_QUOTA_INFORMATION (the QUERY_INFO output and the
 * SET_INFO input, a NextEntryOffset chain), FILE_GET_QUOTA_INFORMATION, and MS-SMB2 2.2.37.1
 * SMB2_QUERY_QUOTA_INFO (the QUERY_INFO input buffer).
 * @module
 */
import { Reader, Writer, filetime, i64, lengthOf, struct, u32, type Codec, type Ctx, type Infer, type Input } from '../../wire/index.js'
import { Sid, sidFilling } from '../security/sid.js'
import { chainCodec, nextEntryOffset } from './chain.js'

/** MS-FSCC 2.4 — one FILE_QUOTA_INFORMATION entry (SidLength bytes of SID close it). */
export const FileQuotaEntry = struct('FileQuotaEntry', {
  nextEntryOffset: nextEntryOffset(),
  sidLength: lengthOf('sid', u32),
  changeTime: filetime,
  quotaUsed: i64,
  quotaThreshold: i64,
  quotaLimit: i64,
}, { sid: sidFilling })
export type FileQuotaEntry = Infer<typeof FileQuotaEntry>
/** FileQuotaInformation: entries 8-byte aligned. */
export const FileQuotaInformation = chainCodec(FileQuotaEntry, { align: 8, minEntrySize: 48 })

/** MS-FSCC 2.4 — one FILE_GET_QUOTA_INFORMATION entry. */
export const FileGetQuotaEntry = struct('FileGetQuotaEntry', {
  nextEntryOffset: nextEntryOffset(),
  sidLength: lengthOf('sid', u32),
}, { sid: sidFilling })
export type FileGetQuotaEntry = Infer<typeof FileGetQuotaEntry>
export type FileGetQuotaEntryInput = Input<typeof FileGetQuotaEntry>
export const FileGetQuotaInformation = chainCodec(FileGetQuotaEntry, { align: 8, minEntrySize: 16 })

/** MS-SMB2 2.2.37.1 — SMB2_QUERY_QUOTA_INFO. */
export interface QueryQuotaInfo {
  returnSingle: number
  restartScan: number
  reserved: number
  sidListLength: number
  startSidLength: number
  startSidOffset: number
  /** The FILE_GET_QUOTA_INFORMATION entries in the first SidListLength bytes of SidBuffer. */
  sidList: FileGetQuotaEntry[]
  /** The SID StartSidLength/StartSidOffset point at (offset counted from the start of SidBuffer), or null. */
  startSid: string | null
}
export interface QueryQuotaInfoInput {
  returnSingle: number
  restartScan: number
  reserved?: number
  sidListLength?: number
  startSidLength?: number
  startSidOffset?: number
  sidList?: FileGetQuotaEntryInput[]
  startSid?: string | null
}

const SID_BUFFER = 16

export const QueryQuotaInfo: Codec<QueryQuotaInfo, QueryQuotaInfoInput> = {
  name: 'QueryQuotaInfo',
  read(r: Reader, ctx: Ctx) {
    const start = r.pos
    const returnSingle = r.field('returnSingle', () => r.u8())
    const restartScan = r.field('restartScan', () => r.u8())
    const reserved = r.field('reserved', () => r.u16())
    const sidListLength = r.field('sidListLength', () => r.u32())
    const startSidLength = r.field('startSidLength', () => r.u32())
    const startSidOffset = r.field('startSidOffset', () => r.u32())
    let end = r.pos
    let sidList: FileGetQuotaEntry[] = []
    if (sidListLength > 0) {
      if (sidListLength > r.end - (start + SID_BUFFER)) r.fail(`SidListLength ${sidListLength} runs past the buffer`, start + 4)
      const w = r.window(start + SID_BUFFER, sidListLength)
      w.path.push('sidList')
      sidList = FileGetQuotaInformation.read(w, ctx)
      end = Math.max(end, start + SID_BUFFER + sidListLength)
    }
    let startSid: string | null = null
    if (startSidLength > 0) {
      const at = start + SID_BUFFER + startSidOffset
      if (startSidOffset > r.end - (start + SID_BUFFER) || startSidLength > r.end - at) {
        r.fail(`StartSid [${startSidOffset}, +${startSidLength}) runs past the buffer`, start + 8)
      }
      const w = r.window(at, startSidLength)
      w.path.push('startSid')
      startSid = sidFilling.read(w, ctx, { length: startSidLength })
      end = Math.max(end, at + startSidLength)
    }
    r.seek(end)
    return { returnSingle, restartScan, reserved, sidListLength, startSidLength, startSidOffset, sidList, startSid }
  },
  write(w: Writer, v: QueryQuotaInfoInput, ctx: Ctx) {
    const start = w.pos
    w.u8(v.returnSingle)
    w.u8(v.restartScan)
    w.u16(v.reserved ?? 0)
    w.u32(0)
    w.u32(0)
    w.u32(0)
    const listStart = w.pos
    FileGetQuotaInformation.write(w, v.sidList ?? [], ctx)
    const listLen = w.pos - listStart
    let sidLen = 0
    const sidOffset = v.startSidOffset ?? listLen
    if (v.startSid) {
      w.moveTo(listStart + sidOffset)
      const s = w.pos
      Sid.write(w, v.startSid, ctx)
      sidLen = w.pos - s
    }
    w.patch(start + 4, (pw) => {
      pw.u32(v.sidListLength ?? listLen)
      pw.u32(v.startSidLength ?? sidLen)
      pw.u32(v.startSid ? sidOffset : (v.startSidOffset ?? 0))
    })
  },
}
