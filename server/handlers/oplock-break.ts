/**
 * OPLOCK_BREAK acknowledgments (MS-SMB2 3.3.5.22.1 oplock, 3.3.5.22.2 lease) through the caching manager, and the
 * response with the level the open now holds.
 * @module
 */
import type { LeaseBreakAcknowledgment, OplockBreakAcknowledgment } from '../../dissect/smb2/commands/oplock-break.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'

export async function oplockBreak(req: OplockBreakAcknowledgment | LeaseBreakAcknowledgment, ctx: RequestContext) {
  if ('leaseKey' in req) {
    const r = ctx.server.caching.ackLease(ctx.conn.clientGuid, req.leaseKey, req.leaseState)
    if (r.status !== NtStatus.Success) throw new SmbError(r.status, undefined, r.rule)
    return { flags: 0, leaseKey: req.leaseKey, leaseState: r.leaseState, leaseDuration: 0n }
  }
  const open = ctx.open
  if (!open) throw new SmbError(NtStatus.FileClosed)
  const r = ctx.server.caching.ackOplock(open.persistentId, req.oplockLevel)
  if (r.status !== NtStatus.Success) throw new SmbError(r.status, undefined, r.rule)
  ctx.server.tables.updateOpen(open.persistentId, { oplockLevel: r.oplockLevel })
  return { oplockLevel: r.oplockLevel, fileId: req.fileId }
}
