import { describe, expect, it } from 'vitest'
import { ByteRangeLocks, checkLockRange } from './byte-range-locks.js'
import { VfsError, VfsStatus } from './status.js'

const A = 1
const B = 2
const X = (offset: number | bigint, length: number | bigint) => ({ offset: BigInt(offset), length: BigInt(length), exclusive: true })
const S = (offset: number | bigint, length: number | bigint) => ({ offset: BigInt(offset), length: BigInt(length), exclusive: false })
const now = { failImmediately: true }

describe('lock conflicts (MS-FSA 2.1.4.10, 2.1.5.8)', () => {
  /** [held by A, requested by owner, expected status]. */
  const table: Array<[string, ReturnType<typeof X>, number, ReturnType<typeof X>, number]> = [
    ['other owner, exclusive over exclusive', X(0, 10), B, X(5, 10), VfsStatus.LockNotGranted],
    ['other owner, shared over exclusive', X(0, 10), B, S(5, 1), VfsStatus.LockNotGranted],
    ['other owner, exclusive over shared', S(0, 10), B, X(9, 1), VfsStatus.LockNotGranted],
    ['other owner, shared over shared', S(0, 10), B, S(0, 10), VfsStatus.Success],
    ['other owner, adjacent', X(0, 10), B, X(10, 10), VfsStatus.Success],
    ['same owner, exclusive over own exclusive', X(0, 10), A, X(0, 10), VfsStatus.LockNotGranted],
    ['same owner, shared over own exclusive', X(0, 10), A, S(0, 10), VfsStatus.Success],
    ['same owner, exclusive over own shared', S(0, 10), A, X(0, 10), VfsStatus.LockNotGranted],
    ['zero-length inside another owner\'s exclusive lock', X(0, 10), B, X(5, 0), VfsStatus.LockNotGranted],
    ['zero-length at the start of a lock', X(5, 10), B, X(5, 0), VfsStatus.Success],
    ['zero-length just past the end', X(0, 10), B, X(10, 0), VfsStatus.Success],
    ['{0,0} never conflicts', X(0, 10), B, X(0, 0), VfsStatus.Success],
    ['a {0,0} lock overlaps nothing', X(0, 0), B, X(0, 10), VfsStatus.Success],
    ['locks at the top of the 64-bit space', X(0xffff_ffff_ffff_fff0n, 16), B, X(0xffff_ffff_ffff_ffffn, 1), VfsStatus.LockNotGranted],
  ]
  it.each(table)('%s', (_name, held, owner, req, expected) => {
    const l = new ByteRangeLocks()
    expect(l.lock(A, [held], now).status).toBe(VfsStatus.Success)
    expect(l.lock(owner, [req], now).status).toBe(expected)
  })

  it('refuses ranges that overflow 64 bits with STATUS_INVALID_LOCK_RANGE', () => {
    const l = new ByteRangeLocks()
    expect(() => l.lock(A, [X(0xffff_ffff_ffff_ffffn, 2)], now)).toThrow(VfsError)
    try {
      checkLockRange(2n, 0xffff_ffff_ffff_ffffn)
      expect.unreachable()
    } catch (e) {
      expect((e as VfsError).status).toBe(VfsStatus.InvalidLockRange)
    }
    expect(() => checkLockRange(0xffff_ffff_ffff_ffffn, 1n)).not.toThrow()
    expect(() => checkLockRange(0xffff_ffff_ffff_ffffn, 0n)).not.toThrow()
  })

  it('read/write checks (MS-FSA 2.1.5.2/2.1.5.3)', () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(0, 10), S(100, 10)], now)
    // Another open: reads blocked by exclusive only, writes by both.
    expect(l.readConflicts(B, 5n, 1n)).toBe(true)
    expect(l.readConflicts(B, 100n, 5n)).toBe(false)
    expect(l.writeConflicts(B, 105n, 1n)).toBe(true)
    expect(l.writeConflicts(B, 10n, 90n)).toBe(false)
    // The owner: its exclusive lock lets it read and write, its shared lock blocks its own writes.
    expect(l.readConflicts(A, 0n, 10n)).toBe(false)
    expect(l.writeConflicts(A, 0n, 10n)).toBe(false)
    expect(l.writeConflicts(A, 100n, 1n)).toBe(true)
    // Zero-length I/O never conflicts.
    expect(l.writeConflicts(B, 5n, 0n)).toBe(false)
  })
})

describe('lock arrays, unlock and release', () => {
  it('rolls back the whole array when one element fails immediately', () => {
    const l = new ByteRangeLocks()
    l.lock(B, [X(50, 10)], now)
    expect(l.lock(A, [X(0, 10), X(20, 10), X(55, 1)], now).status).toBe(VfsStatus.LockNotGranted)
    expect(l.held(A)).toEqual([])
    expect(l.lock(B, [X(0, 30)], now).status).toBe(VfsStatus.Success)
  })

  it('unlocks the exact range only, exclusive first (MS-FSA 2.1.5.9)', () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(0, 10)], now)
    l.lock(A, [S(0, 10)], now) // stacked on its own exclusive lock
    expect(l.unlock(A, 0n, 5n)).toBe(VfsStatus.RangeNotLocked)
    expect(l.unlock(B, 0n, 10n)).toBe(VfsStatus.RangeNotLocked)
    expect(l.unlock(A, 0n, 10n)).toBe(VfsStatus.Success)
    expect(l.held(A)).toEqual([S(0, 10)])
    expect(l.unlock(A, 0n, 10n)).toBe(VfsStatus.Success)
    expect(l.unlock(A, 0n, 10n)).toBe(VfsStatus.RangeNotLocked)
  })

  it('a blocking lock waits and is granted when the conflicting lock goes away', async () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(0, 10)], now)
    const req = l.lock(B, [X(5, 10)], { failImmediately: false })
    expect(req.settled).toBe(false)
    expect(l.size.waiters).toBe(1)
    expect(l.unlock(A, 0n, 10n)).toBe(VfsStatus.Success)
    expect(await req.promise).toBe(VfsStatus.Success)
    expect(req.settled).toBe(true)
    expect(l.held(B)).toEqual([X(5, 10)])
    expect(req.cancel()).toBe(false)
  })

  it('a blocking lock can be cancelled; its partial locks are released', async () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(100, 1)], now)
    const req = l.lock(B, [X(0, 10), X(100, 1)], { failImmediately: false })
    expect(l.held(B)).toEqual([X(0, 10)])
    expect(req.cancel()).toBe(true)
    expect(await req.promise).toBe(VfsStatus.Cancelled)
    expect(l.held(B)).toEqual([])
    expect(l.size.waiters).toBe(0)
  })

  it('releasing an owner wakes waiters and settles the owner\'s own waits', async () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(0, 10)], now)
    const waitB = l.lock(B, [S(0, 1)], { failImmediately: false })
    const waitA = l.lock(A, [X(0, 1)], { failImmediately: false }) // conflicts with A's own exclusive lock
    l.releaseOwner(A, VfsStatus.FileClosed)
    expect(await waitA.promise).toBe(VfsStatus.FileClosed)
    expect(await waitB.promise).toBe(VfsStatus.Success)
    expect(l.held(A)).toEqual([])
  })

  it('serialises and restores the locks of an open', () => {
    const l = new ByteRangeLocks()
    l.lock(A, [X(0, 10), S(20, 5)], now)
    const saved = l.held(A)
    l.releaseOwner(A)
    expect(l.empty).toBe(true)
    expect(l.restore(7, saved)).toBe(VfsStatus.Success)
    expect(l.held(7)).toEqual(saved)
    expect(l.restore(8, [X(0, 1)])).toBe(VfsStatus.LockNotGranted)
  })
})
