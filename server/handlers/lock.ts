/**
 * LOCK (MS-SMB2 3.3.5.14; MS-FSA 2.1.5.8/2.1.5.9): a series of unlocks, or a series of locks that either fail at
 * once (SMB2_LOCKFLAG_FAIL_IMMEDIATELY) or wait asynchronously (STATUS_PENDING) until granted or cancelled.
 * @module
 */
import type { LockRequest } from '../../dissect/smb2/commands/lock.js'
import { LockFlags } from '../../dissect/smb2/constants/lock.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { checkLockSequence } from '../lock-sequence.js'

const S = LockFlags.SharedLock
const X = LockFlags.ExclusiveLock
const F = LockFlags.FailImmediately
const LOCK_FLAGS = new Set<number>([S, X, S | F, X | F])

export async function lock(req: LockRequest, ctx: RequestContext) {
  const open = ctx.o
  if (req.locks.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'LockCount is zero')
  if (open.pipe || !open.vfs || open.tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidParameter)
  // MS-SMB2 3.3.5.14: a replayed LOCK/UNLOCK on a resilient or durable open succeeds without being redone.
  const seq = checkLockSequence(open, req.lockSequence, ctx.conn.dialect, ctx.conn.serverCapabilities)
  if (seq.replay) return {}
  await performLock(req, ctx)
  seq.done()
  return {}
}

async function performLock(req: LockRequest, ctx: RequestContext): Promise<void> {
  const open = ctx.o
  const vfs = open.tree.share.kind === 'disk' ? open.tree.share.vfs : undefined
  const vopen = open.vfs
  if (!vfs || !vopen) throw new SmbError(NtStatus.InvalidParameter)
  // MS-SMB2 3.3.5.14: the first element decides whether this is a series of unlocks or of locks.
  if (req.locks[0]!.flags & LockFlags.Unlock) {
    for (const l of req.locks) {
      if (l.flags !== LockFlags.Unlock) throw new SmbError(NtStatus.InvalidParameter, undefined, 'mixed unlock and lock elements')
      vfs.unlock(vopen, l.offset, l.length)
    }
    ctx.server.durableHandles.locksChanged(open)
    return
  }
  for (const l of req.locks) {
    if (!LOCK_FLAGS.has(l.flags)) throw new SmbError(NtStatus.InvalidParameter, undefined, `lock flags 0x${l.flags.toString(16)}`)
  }
  // MS-SMB2 3.3.5.14.2: several locks in one request must all fail immediately (no partial blocking).
  const failImmediately = req.locks.every((l) => l.flags & F)
  if (req.locks.length > 1 && !failImmediately) throw new SmbError(NtStatus.InvalidParameter, undefined, 'blocking request with several locks')
  ctx.server.caching.onByteRangeLock(open.persistentId)
  const r = vfs.lock(vopen, req.locks.map((l) => ({ offset: l.offset, length: l.length, exclusive: (l.flags & X) !== 0 })), { failImmediately })
  let status = r.status
  if (!r.settled) {
    const waiter = { cancel: (s?: number) => r.cancel(s ?? NtStatus.Cancelled) }
    open.waitingLocks.add(waiter)
    // CANCEL answers STATUS_CANCELLED; a handle, tree or session going away answers STATUS_RANGE_NOT_LOCKED (as Samba).
    ctx.goAsync((why) => r.cancel(why === 'cancel' ? NtStatus.Cancelled : NtStatus.RangeNotLocked))
    try {
      status = await r.promise
    } finally {
      open.waitingLocks.delete(waiter)
    }
  }
  if (status !== NtStatus.Success) throw new SmbError(status ?? NtStatus.LockNotGranted)
  ctx.server.durableHandles.locksChanged(open)
}
