/**
 * The trace record (design.md's record shape) of a live response, built from the message the connection
 * already decoded, so the report's `actual` reads like its `expected` (the captured record) without running a
 * second dissector over the live traffic.
 * @module
 */
import { commandName } from '../dissect/smb2/constants/command.js'
import { headerFlagNames, Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { statusName } from '../dissect/smb2/constants/status.js'
import { fileIdString, hex32, hex64, type SmbRecord } from '../dissect/trace/record.js'
import type { LiveMessage } from './session/connection.js'
import type { Comparable } from './compare/rules.js'

/** Just what the comparison reads, without the record's formatting work. */
export function liveComparable(m: LiveMessage): Comparable {
  const h = m.header
  return {
    cmdCode: h.command,
    status: statusName(h.status),
    statusCode: hex32(h.status),
    encrypted: m.encrypted,
    signed: (h.flags & Smb2Flags.Signed) !== 0,
    body: m.body,
  }
}

export function liveRecord(m: LiveMessage, conn: string, captured?: SmbRecord): SmbRecord {
  const h = m.header
  const rec: SmbRecord = {
    frame: m.frame ?? 0,
    time: m.at / 1000,
    conn,
    dir: h.flags & Smb2Flags.ServerToRedir ? 'response' : 'request',
    proto: 'smb2',
    cmd: commandName(h.command),
    cmdCode: h.command,
    messageId: hex64(h.messageId),
    sessionId: hex64(h.sessionId),
    treeId: hex32(h.treeId),
    flags: headerFlagNames(h.flags),
    creditCharge: h.creditCharge,
    credits: h.credits,
    signed: (h.flags & Smb2Flags.Signed) !== 0,
    encrypted: m.encrypted,
  }
  if (h.flags & Smb2Flags.AsyncCommand) rec.asyncId = hex64(h.asyncId)
  if (rec.dir === 'response') {
    rec.status = statusName(h.status)
    rec.statusCode = hex32(h.status)
  }
  if (m.decoded.error) rec.error = m.decoded.error.message
  rec.body = m.body
  const fid = (m.body as { fileId?: { persistent: bigint; volatile: bigint } } | undefined)?.fileId
  if (fid && typeof fid.persistent === 'bigint') rec.fileId = fileIdString(fid)
  if (captured?.path !== undefined) rec.path = captured.path
  if (captured?.share !== undefined) rec.share = captured.share
  if (m.signatureOk !== undefined) rec.signature = m.signatureOk ? 'valid' : 'invalid'
  return rec
}
