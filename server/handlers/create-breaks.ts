/**
 * When a CREATE breaks other opens' oplocks (MS-FSA 2.1.5.1.2 with 2.1.4.12), kept apart from create.ts:
 *
 * - A stat open (Samba's is_oplock_stat_open: only FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES and SYNCHRONIZE) of an
 *   existing file neither breaks nor receives an oplock; one that creates or overwrites the file is an ordinary open
 *   (smbtorture smb2.oplock.statopen1, batch9, batch13, exclusive5).
 * - The share-mode check comes before the break: a create that meets a delete-pending file, or a sharing violation
 *   that no holder of handle caching (batch oplock, lease with H) could resolve by closing, breaks nothing
 *   (smb2.oplock.exclusive1, exclusive3, doc). A batch holder is broken so that it may close its cached handle.
 * @module
 */
import type { CreateRequest } from '../../dissect/smb2/commands/create.js'
import { CreateAction } from '../../dissect/smb2/constants/create.js'
import type { RequestContext } from '../request.js'
import { Access } from '../vfs/constants.js'

const STAT_ACCESS = Access.FileReadAttributes | Access.FileWriteAttributes | Access.Synchronize

/** True when the (generic-mapped) access asks for nothing but attributes and SYNCHRONIZE. */
export function isAttributeOnly(desired: number): boolean {
  return (desired & ~STAT_ACCESS) === 0
}

/**
 * A stat open asks for nothing beyond attributes and SYNCHRONIZE; towards lease holders READ_CONTROL counts as
 * well (Samba is_oplock_stat_open / is_lease_stat_open; smbtorture oplock.statopen1, lease.statopen4).
 */
export function isStatOpen(desired: number, leaseHolders: boolean): boolean {
  return isAttributeOnly(leaseHolders ? desired & ~Access.ReadControl : desired)
}

/** Whether the open counts as a stat open for oplocks and leases once the create is done (it opened an existing file). */
export function isOplockStatOpen(desired: number, createAction: number, leaseHolders = false): boolean {
  return isStatOpen(desired, leaseHolders) && createAction === CreateAction.Opened
}

/** False when the create must not break anything before the VFS create (it will fail, or share modes block it). */
export async function breaksBeforeCreate(req: CreateRequest, ctx: RequestContext, fileKey: string): Promise<boolean> {
  const share = ctx.t.share
  if (share.kind !== 'disk') return false
  const pre = await share.vfs.shareCheck(req.name, req.desiredAccess >>> 0, req.shareAccess, fileKey)
  if (pre.deletePending) return false
  if (pre.conflicts.length === 0) return true
  const conflicting = new Set(pre.conflicts)
  for (const o of ctx.server.opens.values()) {
    if (o.vfs && conflicting.has(o.vfs) && ctx.server.caching.holdsHandleCaching(o.persistentId)) return true
  }
  return false
}

/**
 * False when no file or directory is open at all (none through a session, none kept for a durable reconnect):
 * then a CREATE has nothing to break and no share mode to meet, and the path need not be resolved twice (a client
 * copying many files in, one at a time).
 */
export function anyFileOpen(ctx: RequestContext): boolean {
  return ctx.server.openTable.size.opens > 0
}
