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
    const server = ctx.server
    const r = server.caching.ackLease(ctx.conn.clientGuid, req.leaseKey, req.leaseState)
    if (r.status !== NtStatus.Success) throw new SmbError(r.status, undefined, r.rule)
    // MS-SMB2 3.3.5.22.2: the opens of the lease are no longer replay eligible; their records follow the lease.
    const l = server.caching.lease(ctx.conn.clientGuid, req.leaseKey)
    for (const id of l?.opens ?? []) {
      server.durableHandles.markIneligible(id)
      const g = server.tables.opens.get(id)
      if (g?.lease && l) server.tables.updateOpen(id, { lease: { ...g.lease, state: l.state, epoch: l.epoch } })
    }
    return { flags: 0, leaseKey: req.leaseKey, leaseState: r.leaseState, leaseDuration: 0n }
  }
  const open = ctx.open
  if (!open) throw new SmbError(NtStatus.FileClosed)
  const r = ctx.server.caching.ackOplock(open.persistentId, req.oplockLevel)
  if (r.status !== NtStatus.Success) throw new SmbError(r.status, undefined, r.rule)
  // MS-SMB2 3.3.5.22.1: Open.IsReplayEligible = FALSE. The open may have been closed while the ack was pending.
  ctx.server.durableHandles.markIneligible(open.persistentId)
  if (ctx.server.tables.opens.has(open.persistentId)) ctx.server.tables.updateOpen(open.persistentId, { oplockLevel: r.oplockLevel })
  return { oplockLevel: r.oplockLevel, fileId: req.fileId }
}
