import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { LockFlags } from '../dissect/smb2/constants/lock.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { CtlCode } from '../dissect/smb2/ioctl/ctl-codes.js'
import { Capabilities } from '../dissect/smb2/constants/flags.js'
import { TestClient } from './test-helpers/client.js'
import { PASSWORD, USER, startServer, type Harness } from './test-helpers/harness.js'

/** The lock sequence tests: an exclusive fail-immediately lock of bytes 100-199, bucket 1 number 1. */
const X = LockFlags.ExclusiveLock | LockFlags.FailImmediately
const range = (flags: number) => [{ offset: 100n, length: 100n, flags }]
const b1s1 = { lockSequenceIndex: 1, lockSequenceNumber: 1 }

let h: Harness
beforeAll(async () => {
  h = await startServer()
})
afterAll(async () => h.close())

describe('LOCK (MS-SMB2 3.3.5.14)', () => {
  it('a blocking lock goes async, CANCEL completes it with STATUS_CANCELLED, the range stays unlocked', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const f1 = await c.open('lock.dat')
    const f2 = await c.open('lock.dat')
    await c.write(f1, 0n, Buffer.alloc(100))
    expect((await c.lock(f1, [{ offset: 0n, length: 10n, flags: LockFlags.ExclusiveLock }])).status).toBe(NtStatus.Success)
    const messageId = c.peekNextMessageId()
    const pending = c.lock(f2, [{ offset: 0n, length: 10n, flags: LockFlags.ExclusiveLock }])
    const interim = await c.interimOf(messageId)
    expect(interim?.status).toBe(NtStatus.Pending)
    c.cancel({ messageId, asyncId: interim!.header.asyncId })
    const r = await pending
    expect(r.statusName).toBe('STATUS_CANCELLED')
    expect((await c.lock(f2, [{ offset: 0n, length: 10n, flags: LockFlags.Unlock }])).statusName).toBe('STATUS_RANGE_NOT_LOCKED')
    expect((await c.lock(f1, [{ offset: 0n, length: 10n, flags: LockFlags.Unlock }])).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('a blocking lock is granted when the holder unlocks', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const f1 = await c.open('lock2.dat')
    const f2 = await c.open('lock2.dat')
    await c.lock(f1, [{ offset: 0n, length: 10n, flags: LockFlags.ExclusiveLock }])
    const messageId = c.peekNextMessageId()
    const pending = c.lock(f2, [{ offset: 5n, length: 10n, flags: LockFlags.SharedLock }])
    expect((await c.interimOf(messageId))?.status).toBe(NtStatus.Pending)
    await c.lock(f1, [{ offset: 0n, length: 10n, flags: LockFlags.Unlock }])
    const r = await pending
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.header.flags & 2).toBe(2)
    expect(r.header.credits).toBe(0)
    c.end()
    void Smb2Command
  })

  it('lock sequence replay detection: on SMB 2.1, resilient opens only (FSCTL_LMR_REQUEST_RESILIENCY)', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { dialects: [0x0210] })
    const f = await c.open('resilient.dat')
    // Not resilient: the second identical lock is performed again and conflicts.
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_SUCCESS')
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
    expect((await c.lock(f, range(LockFlags.Unlock), b1s1)).statusName).toBe('STATUS_SUCCESS')
    // A timeout above MaxResiliencyTimeout is refused; a short input too.
    const req = (ms: number) => { const b = Buffer.alloc(8); b.writeUInt32LE(ms, 0); return b }
    expect((await c.ioctl(f, CtlCode.FSCTL_LMR_REQUEST_RESILIENCY, req(3_600_000), 0)).statusName).toBe('STATUS_INVALID_PARAMETER')
    expect((await c.ioctl(f, CtlCode.FSCTL_LMR_REQUEST_RESILIENCY, Buffer.alloc(4), 0)).statusName).toBe('STATUS_INVALID_PARAMETER')
    expect((await c.ioctl(f, CtlCode.FSCTL_LMR_REQUEST_RESILIENCY, req(1000), 0)).statusName).toBe('STATUS_SUCCESS')
    // Resilient: a replay (same bucket, same number) succeeds without being redone, even an unlock.
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_SUCCESS')
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_SUCCESS')
    expect((await c.lock(f, range(LockFlags.Unlock), b1s1)).statusName).toBe('STATUS_SUCCESS')
    // Still locked: a new number in the bucket is performed, fails, and leaves the bucket empty.
    const b1s2 = { lockSequenceIndex: 1, lockSequenceNumber: 2 }
    expect((await c.lock(f, range(X), b1s2)).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
    expect((await c.lock(f, range(X), b1s2)).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
    // Bucket 65 is not a bucket: no replay detection.
    const b65 = { lockSequenceIndex: 65, lockSequenceNumber: 1 }
    expect((await c.lock(f, range(LockFlags.Unlock), b65)).statusName).toBe('STATUS_SUCCESS')
    expect((await c.lock(f, range(LockFlags.Unlock), b65)).statusName).toBe('STATUS_RANGE_NOT_LOCKED')
    c.end()
  })

  it('lock sequence replay detection: on SMB 3.x with MULTI_CHANNEL negotiated, every open (smbtorture lock.replay_smb3_specification_multi)', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    expect(c.serverCapabilities & Capabilities.MultiChannel).toBe(Capabilities.MultiChannel)
    const f = await c.open('plain-multi.dat')
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_SUCCESS')
    // The same bucket and number again: a replay, answered without being performed.
    expect((await c.lock(f, range(X), b1s1)).statusName).toBe('STATUS_SUCCESS')
    // Bucket 0 is not a bucket: performed, and it conflicts.
    expect((await c.lock(f, range(X), { lockSequenceIndex: 0, lockSequenceNumber: 1 })).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
    c.end()
  })
})
