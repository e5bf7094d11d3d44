import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { LockFlags } from '../dissect/smb2/constants/lock.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { TestClient } from './test-helpers/client.js'
import { PASSWORD, USER, startServer, type Harness } from './test-helpers/harness.js'

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
})
