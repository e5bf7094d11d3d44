/**
 * Byte-range locks of one file (MS-FSA 2.1.5.8 lock, 2.1.5.9 unlock, 2.1.4.10 conflict test).
 *
 * Locks belong to an owner, which for SMB2 is the open (no PID); the lock key is kept for completeness and is 0
 * for SMB2. Rules, as MS-FSA 2.1.4.10 states them:
 * - the range {offset 0, length 0} never conflicts, and a lock on it never overlaps anything;
 * - two ranges overlap when each starts at or before the other's last byte, the last byte being
 *   offset + length - 1; so a zero-length range at X > 0 overlaps exactly the locks holding both byte X-1 and X;
 * - an overlapping exclusive lock of another owner conflicts with everything; the owner's own exclusive lock lets
 *   its reads, writes and shared locks through but not a second exclusive lock;
 * - an overlapping shared lock conflicts with writes and exclusive locks, even of its own owner.
 * A lock that cannot be granted fails with STATUS_LOCK_NOT_GRANTED when the caller asked to fail immediately
 * (MS-SMB2 3.3.5.14.2); otherwise it waits, and is retried whenever a lock of the file goes away. A read or write
 * that meets a conflicting lock fails with STATUS_FILE_LOCK_CONFLICT (MS-FSA 2.1.5.2, 2.1.5.3). Samba answers SMB2
 * lock failures with LOCK_NOT_GRANTED too (it maps FILE_LOCK_CONFLICT from its lock layer).
 *
 * Unlock must name exactly the offset and length of a lock held by the same owner; when several match, an
 * exclusive one is removed first (MS-FSA 2.1.5.9); otherwise STATUS_RANGE_NOT_LOCKED.
 * @module
 */

import { VfsError, VfsStatus } from './status.js'

/** A range and its mode; offsets and lengths are unsigned 64-bit values. */
export interface LockRange {
  offset: bigint
  length: bigint
  exclusive: boolean
}

/** A held lock. */
export interface HeldLock extends LockRange {
  owner: number
  key: number
}

/** A lock request that may be waiting. `promise` never rejects; it resolves to an NTSTATUS. */
export interface LockRequest {
  /** True when the request already has its final status (granted or refused without waiting). */
  readonly settled: boolean
  /** The final status once settled (STATUS_SUCCESS, LOCK_NOT_GRANTED, CANCELLED, ...). */
  readonly status: number | undefined
  /** Resolves with the final status. */
  readonly promise: Promise<number>
  /** Cancels a waiting request (its partial locks are released); resolves it with `status`. False when settled. */
  cancel(status?: number): boolean
}

const U64_MAX = (1n << 64n) - 1n

/** MS-FSA 2.1.5.8: a range whose last byte lies beyond 2^64-1 is STATUS_INVALID_LOCK_RANGE. */
export function checkLockRange(offset: bigint, length: bigint): void {
  if (offset < 0n || length < 0n || offset > U64_MAX || length > U64_MAX) {
    throw new VfsError(VfsStatus.InvalidParameter, 'lock offset/length out of u64 range')
  }
  if (length !== 0n && offset + length - 1n > U64_MAX) {
    throw new VfsError(VfsStatus.InvalidLockRange, `lock range ${offset}+${length} overflows 64 bits`)
  }
}

interface Waiter {
  owner: number
  key: number
  ranges: LockRange[]
  next: number
  acquired: HeldLock[]
  settle: (status: number) => void
}

class Settled implements LockRequest {
  readonly settled = true
  readonly promise: Promise<number>
  constructor(readonly status: number) {
    this.promise = Promise.resolve(status)
  }
  cancel(): boolean {
    return false
  }
}

/** The locks of one file and the requests waiting for them. */
export class ByteRangeLocks {
  private locks: HeldLock[] = []
  private waiters: Waiter[] = []

  /**
   * MS-FSA 2.1.4.10: does the access {offset, length} by `owner` conflict with a held lock?
   * @param isExclusive true for writes and exclusive locks
   * @param lockIntent true for lock requests, false for reads and writes
   */
  conflicts(owner: number, offset: bigint, length: bigint, isExclusive: boolean, lockIntent: boolean, key = 0): boolean {
    if (offset === 0n && length === 0n) return false
    const last1 = offset + length - 1n
    for (const lock of this.locks) {
      if (lock.offset === 0n && lock.length === 0n) continue
      const last2 = lock.offset + lock.length - 1n
      if (!(offset <= last2 && last1 >= lock.offset)) continue
      if (lock.exclusive) {
        if (lock.owner !== owner || lock.key !== key) return true
        if (lockIntent && isExclusive) return true
      } else if (isExclusive) {
        return true
      }
    }
    return false
  }

  /** STATUS_FILE_LOCK_CONFLICT check for a read (MS-FSA 2.1.5.2). */
  readConflicts(owner: number, offset: bigint, length: bigint): boolean {
    return length !== 0n && this.conflicts(owner, offset, length, false, false)
  }

  /** STATUS_FILE_LOCK_CONFLICT check for a write (MS-FSA 2.1.5.3). */
  writeConflicts(owner: number, offset: bigint, length: bigint): boolean {
    return length !== 0n && this.conflicts(owner, offset, length, true, false)
  }

  /**
   * Locks `ranges` in order for `owner` (SMB2 LOCK with one or more elements). When one cannot be granted: with
   * `failImmediately` the ones taken by this request are released and the request settles with
   * STATUS_LOCK_NOT_GRANTED; otherwise it waits (holding what it has) until the rest can be taken or it is
   * cancelled. Throws STATUS_INVALID_LOCK_RANGE before taking anything when a range overflows.
   */
  lock(owner: number, ranges: readonly LockRange[], opts: { failImmediately: boolean; key?: number }): LockRequest {
    for (const r of ranges) checkLockRange(r.offset, r.length)
    const key = opts.key ?? 0
    const acquired: HeldLock[] = []
    let i = 0
    for (; i < ranges.length; i++) {
      const r = ranges[i]!
      if (this.conflicts(owner, r.offset, r.length, r.exclusive, true, key)) break
      const held: HeldLock = { ...r, owner, key }
      this.locks.push(held)
      acquired.push(held)
    }
    if (i === ranges.length) return new Settled(VfsStatus.Success)
    if (opts.failImmediately) {
      this.removeHeld(acquired)
      if (acquired.length) this.retryWaiters()
      return new Settled(VfsStatus.LockNotGranted)
    }
    return this.enqueue({ owner, key, ranges: ranges.map((r) => ({ ...r })), next: i, acquired })
  }

  private enqueue(w: Omit<Waiter, 'settle'>): LockRequest {
    let settledStatus: number | undefined
    let resolveFn!: (s: number) => void
    const promise = new Promise<number>((resolve) => {
      resolveFn = resolve
    })
    const waiter: Waiter = {
      ...w,
      settle: (s) => {
        settledStatus = s
        resolveFn(s)
      },
    }
    this.waiters.push(waiter)
    const locks = this
    return {
      get settled() {
        return settledStatus !== undefined
      },
      get status() {
        return settledStatus
      },
      promise,
      cancel(status: number = VfsStatus.Cancelled): boolean {
        if (settledStatus !== undefined) return false
        locks.dropWaiter(waiter, status)
        return true
      },
    }
  }

  private dropWaiter(w: Waiter, status: number): void {
    const idx = this.waiters.indexOf(w)
    if (idx >= 0) this.waiters.splice(idx, 1)
    this.removeHeld(w.acquired)
    w.settle(status)
    if (w.acquired.length) this.retryWaiters()
  }

  /** Tries every waiting request again, oldest first. */
  private retryWaiters(): void {
    let progress = true
    while (progress) {
      progress = false
      for (const w of [...this.waiters]) {
        while (w.next < w.ranges.length) {
          const r = w.ranges[w.next]!
          if (this.conflicts(w.owner, r.offset, r.length, r.exclusive, true, w.key)) break
          const held: HeldLock = { ...r, owner: w.owner, key: w.key }
          this.locks.push(held)
          w.acquired.push(held)
          w.next++
        }
        if (w.next === w.ranges.length) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.settle(VfsStatus.Success)
          progress = true
        }
      }
    }
  }

  private removeHeld(list: readonly HeldLock[]): void {
    if (!list.length) return
    const drop = new Set(list)
    this.locks = this.locks.filter((l) => !drop.has(l))
  }

  /** MS-FSA 2.1.5.9: removes the lock with exactly this range; STATUS_RANGE_NOT_LOCKED when there is none. */
  unlock(owner: number, offset: bigint, length: bigint, key = 0): number {
    checkLockRange(offset, length)
    let found: HeldLock | undefined
    for (const l of this.locks) {
      if (l.owner === owner && l.key === key && l.offset === offset && l.length === length) {
        found = l
        if (l.exclusive) break
      }
    }
    if (!found) return VfsStatus.RangeNotLocked
    this.locks.splice(this.locks.indexOf(found), 1)
    this.retryWaiters()
    return VfsStatus.Success
  }

  /**
   * Releases everything `owner` holds and settles its waiting requests with `waiterStatus` (used on close).
   * Other owners' waiters are retried.
   */
  releaseOwner(owner: number, waiterStatus: number = VfsStatus.Cancelled): void {
    for (const w of this.waiters.filter((x) => x.owner === owner)) {
      this.waiters.splice(this.waiters.indexOf(w), 1)
      w.settle(waiterStatus)
    }
    const before = this.locks.length
    this.locks = this.locks.filter((l) => l.owner !== owner)
    if (this.locks.length !== before || this.waiters.length) this.retryWaiters()
  }

  /** The locks `owner` holds, in the order they were taken (serialisable state for durable handles). */
  held(owner: number): LockRange[] {
    return this.locks.filter((l) => l.owner === owner).map(({ offset, length, exclusive }) => ({ offset, length, exclusive }))
  }

  /**
   * Re-establishes locks of a reconnected or re-created open. Fails with STATUS_LOCK_NOT_GRANTED (taking nothing)
   * when another owner acquired a conflicting range meanwhile.
   */
  restore(owner: number, ranges: readonly LockRange[]): number {
    const req = this.lock(owner, ranges, { failImmediately: true })
    return req.status!
  }

  /** Number of held locks and waiting requests (diagnostics). */
  get size(): { locks: number; waiters: number } {
    return { locks: this.locks.length, waiters: this.waiters.length }
  }

  /** True when the file has no locks and no waiters. */
  get empty(): boolean {
    return this.locks.length === 0 && this.waiters.length === 0
  }
}
