import { describe, expect, it } from 'vitest'
import { statusName } from '../../dissect/smb2/constants/status.js'
import { FakeClock } from './clock.js'
import { CachingManager, DEFAULT_BREAK_TIMEOUT_MS } from './file-caching.js'
import type { BreakSink, LeaseBreakNotice, OplockBreakNotice, OpenRequest } from './file-caching.js'
import { LeaseBreakFlags, LeaseFlags, leaseStateName, parseLeaseState } from './lease-table.js'
import { OplockLevel } from './oplock.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { CLIENT_A, CLIENT_B, LEASE_1, LEASE_2 } from './test-world.js'

const S = (c: number) => statusName(c)
const LEASE_3 = '1e000000-0000-0000-0000-000000000003'

class RecordingSink implements BreakSink {
  oplocks: OplockBreakNotice[] = []
  leases: LeaseBreakNotice[] = []
  purges: bigint[][] = []
  oplockBreak(n: OplockBreakNotice) {
    this.oplocks.push(n)
  }
  leaseBreak(n: LeaseBreakNotice) {
    this.leases.push(n)
  }
  purged(ids: bigint[]) {
    this.purges.push(ids)
  }
  clear() {
    this.oplocks = []
    this.leases = []
    this.purges = []
  }
}

function setup() {
  const clock = new FakeClock()
  const sink = new RecordingSink()
  const m = new CachingManager(sink, clock)
  let next = 1n
  const FILE = 'share:42'
  /** prepare + grant without waiting (for opens that break nothing that needs an ack). */
  function open(o: Partial<OpenRequest> & { requestedOplockLevel: number }): bigint {
    const req: OpenRequest = { openId: next++, fileKey: FILE, clientGuid: CLIENT_A, ...o }
    const { wait } = m.prepareOpen(req)
    if (wait) throw new Error('unexpected wait')
    const g = m.grantOpen(req)
    if (g.status !== 0) throw new Error(`grant failed ${S(g.status)}`)
    return req.openId
  }
  const lease = (state: string, key = LEASE_1, clientGuid = CLIENT_A, version: 1 | 2 = 2) => ({
    requestedOplockLevel: OplockLevel.Lease,
    clientGuid,
    lease: { key, state: parseLeaseState(state), version, epoch: 0 },
  })
  return { clock, sink, m, open, lease, FILE, nextId: () => next++ }
}

/** Resolves to true when `p` settles within the current macrotask turn. */
async function settled(p: Promise<void> | null): Promise<boolean> {
  if (!p) return true
  let done = false
  void p.then(() => (done = true))
  await new Promise((r) => setImmediate(r))
  return done
}

describe('oplocks (MS-FSA 2.1.5.18, MS-SMB2 3.3.4.6; smbtorture smb2.oplock)', () => {
  it('batch1: a second open breaks batch to II, waits for the ack, then gets none/II', async () => {
    const { m, sink, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    expect(m.openInfo(h1)?.oplockLevel).toBe(OplockLevel.Batch)
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(sink.oplocks).toEqual([{ openId: h1, clientGuid: CLIENT_A, newLevel: OplockLevel.II, ackRequired: true }])
    expect(await settled(wait)).toBe(false)
    const ack = m.ackOplock(h1, OplockLevel.II)
    expect([S(ack.status), ack.oplockLevel]).toEqual(['STATUS_SUCCESS', OplockLevel.II])
    expect(await settled(wait)).toBe(true)
    const g = m.grantOpen({ openId: 99n, fileKey: FILE, clientGuid: CLIENT_B, requestedOplockLevel: OplockLevel.Batch })
    expect(g.status === 0 && g.oplockLevel).toBe(OplockLevel.II)
  })

  it('an overwriting open breaks batch to none', () => {
    const { m, sink, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true })
    expect(sink.oplocks[0]?.newLevel).toBe(OplockLevel.None)
    expect(m.ackOplock(h1, OplockLevel.None).oplockLevel).toBe(OplockLevel.None)
  })

  it('no ack within 35 s: the break completes to none and the waiting create goes on', async () => {
    const { m, clock, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    clock.advance(DEFAULT_BREAK_TIMEOUT_MS - 1)
    expect(await settled(wait)).toBe(false)
    clock.advance(1)
    expect(await settled(wait)).toBe(true)
    expect(m.openInfo(h1)?.oplockLevel).toBe(OplockLevel.None)
    // A late ack finds no break pending.
    expect(S(m.ackOplock(h1, OplockLevel.II).status)).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
  })

  it('closing the handle answers the break (the batch holder closed instead of acking)', async () => {
    const { m, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    m.closeOpen(h1)
    expect(await settled(wait)).toBe(true)
  })

  it('brl1/brl3: after the break to II, a byte-range lock by the holder breaks its own II to none (no ack)', async () => {
    const { m, sink, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    m.ackOplock(h1, OplockLevel.II)
    await wait
    m.grantOpen({ openId: 50n, fileKey: FILE, clientGuid: CLIENT_B, requestedOplockLevel: OplockLevel.None })
    sink.clear()
    m.onByteRangeLock(h1)
    expect(sink.oplocks).toEqual([{ openId: h1, clientGuid: CLIENT_A, newLevel: OplockLevel.None, ackRequired: false }])
    expect(m.openInfo(h1)?.oplockLevel).toBe(OplockLevel.None)
    sink.clear()
    m.onByteRangeLock(h1)
    expect(sink.oplocks).toEqual([]) // nothing left to break
  })

  it('brl2: a lock by the only (batch) open breaks nothing', () => {
    const { m, sink, open } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    m.onByteRangeLock(h1)
    m.onWrite(h1)
    expect(sink.oplocks).toEqual([])
    expect(m.openInfo(h1)?.oplockLevel).toBe(OplockLevel.Batch)
  })

  it('levelii500: a write breaks the writer\'s own II to none; acknowledging that is INVALID_OPLOCK_PROTOCOL', () => {
    const { m, sink, open } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.II })
    expect(m.openInfo(h1)?.oplockLevel).toBe(OplockLevel.II)
    m.onWrite(h1)
    expect(sink.oplocks).toEqual([{ openId: h1, clientGuid: CLIENT_A, newLevel: OplockLevel.None, ackRequired: false }])
    expect(S(m.ackOplock(h1, OplockLevel.None).status)).toBe('STATUS_INVALID_OPLOCK_PROTOCOL')
  })

  it('the status for an ack without a pending break is configurable (MS-SMB2 text: INVALID_DEVICE_STATE)', () => {
    const clock = new FakeClock()
    const m = new CachingManager(new RecordingSink(), clock, { oplockAck: { noBreakStatus: NtStatus.InvalidDeviceState } })
    m.grantOpen({ openId: 1n, fileKey: 'f', clientGuid: CLIENT_A, requestedOplockLevel: OplockLevel.Batch })
    expect(S(m.ackOplock(1n, OplockLevel.II).status)).toBe('STATUS_INVALID_DEVICE_STATE')
  })

  describe('acknowledgment rules (MS-SMB2 3.3.5.22.1), batch breaking to II unless noted', () => {
    it.each([
      ['ack II -> SUCCESS, II', OplockLevel.II, false, 'STATUS_SUCCESS', OplockLevel.II],
      ['ack NONE -> SUCCESS, NONE', OplockLevel.None, false, 'STATUS_SUCCESS', OplockLevel.None],
      ['ack EXCLUSIVE -> INVALID_OPLOCK_PROTOCOL, oplock gone', OplockLevel.Exclusive, false, 'STATUS_INVALID_OPLOCK_PROTOCOL', OplockLevel.None],
      ['ack BATCH -> INVALID_OPLOCK_PROTOCOL, oplock gone', OplockLevel.Batch, false, 'STATUS_INVALID_OPLOCK_PROTOCOL', OplockLevel.None],
      ['ack LEASE -> INVALID_PARAMETER, oplock gone', OplockLevel.Lease, false, 'STATUS_INVALID_PARAMETER', OplockLevel.None],
      ['break to NONE acked with II -> SUCCESS, NONE', OplockLevel.II, true, 'STATUS_SUCCESS', OplockLevel.None],
    ] as const)('%s', async (_n, ackLevel, overwrite, status, level) => {
      const { m, open, FILE } = setup()
      const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
      const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite })
      const r = m.ackOplock(h1, ackLevel)
      expect([S(r.status), r.oplockLevel]).toEqual([status, level])
      expect(m.openInfo(h1)?.oplockLevel).toBe(level)
      expect(await settled(wait)).toBe(true)
    })

    it('unknown open -> FILE_CLOSED', () => {
      const { m } = setup()
      expect(S(m.ackOplock(12345n, OplockLevel.II).status)).toBe('STATUS_FILE_CLOSED')
    })
  })

  it('no oplocks on directories or for stat opens; II for a second opener', () => {
    const { m, open, FILE } = setup()
    const d = open({ requestedOplockLevel: OplockLevel.Batch, isDirectory: true, fileKey: 'share:dir' })
    expect(m.openInfo(d)?.oplockLevel).toBe(OplockLevel.None)
    const s = open({ requestedOplockLevel: OplockLevel.Batch, statOpen: true })
    expect(m.openInfo(s)?.oplockLevel).toBe(OplockLevel.None)
    const h1 = open({ requestedOplockLevel: OplockLevel.None, clientGuid: CLIENT_B })
    void h1
    const h2 = open({ requestedOplockLevel: OplockLevel.Batch })
    expect(m.openInfo(h2)?.oplockLevel).toBe(OplockLevel.II)
    void FILE
  })
})

describe('leases (MS-SMB2 3.3.4.7, 3.3.5.9.8/11, 3.3.5.22.2; smbtorture smb2.lease)', () => {
  it('request: legal states are granted as asked; H, W and HW alone are not leases', () => {
    for (const [asked, got] of [
      ['', ''],
      ['R', 'R'],
      ['RH', 'RH'],
      ['RW', 'RW'],
      ['RWH', 'RWH'],
      ['H', ''],
      ['W', ''],
      ['WH', ''],
    ]) {
      const { m, open, lease } = setup()
      const h = open(lease(asked!))
      expect(leaseStateName(m.openInfo(h)!.leaseState!), `asked ${asked}`).toBe(got)
    }
  })

  it('directories get at most RH', () => {
    const { m, open, lease } = setup()
    const h = open({ ...lease('RWH'), isDirectory: true, fileKey: 'share:dir' })
    expect(leaseStateName(m.openInfo(h)!.leaseState!)).toBe('RH')
  })

  // smbtorture smb2.lease.upgrade2: [held, requested, result] for a second open with the same key.
  const UPGRADE2: Array<[string, string, string]> = [
    ['', '', ''], ['', 'R', 'R'], ['', 'RH', 'RH'], ['', 'RW', 'RW'], ['', 'RWH', 'RWH'],
    ['R', '', 'R'], ['R', 'R', 'R'], ['R', 'RH', 'RH'], ['R', 'RW', 'RW'], ['R', 'RWH', 'RWH'],
    ['RH', '', 'RH'], ['RH', 'R', 'RH'], ['RH', 'RH', 'RH'], ['RH', 'RW', 'RH'], ['RH', 'RWH', 'RWH'],
    ['RW', '', 'RW'], ['RW', 'R', 'RW'], ['RW', 'RH', 'RW'], ['RW', 'RW', 'RW'], ['RW', 'RWH', 'RWH'],
    ['RWH', '', 'RWH'], ['RWH', 'R', 'RWH'], ['RWH', 'RH', 'RWH'], ['RWH', 'RW', 'RWH'], ['RWH', 'RWH', 'RWH'],
  ]
  it.each(UPGRADE2)('upgrade2: hold %s, same key asks %s -> %s', (held, asked, result) => {
    const { m, open, lease } = setup()
    const h1 = open(lease(held))
    const h2 = open(lease(asked))
    expect(leaseStateName(m.openInfo(h2)!.leaseState!)).toBe(result)
    expect(m.openInfo(h1)!.leaseState).toBe(m.openInfo(h2)!.leaseState) // one lease, shared by both opens
  })

  it('v2 epochs: a new lease answers epoch+1, a break announces epoch+2', async () => {
    const { m, sink, FILE } = setup()
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_A })
    const g = m.grantOpen({ openId: 1n, fileKey: FILE, clientGuid: CLIENT_A, requestedOplockLevel: OplockLevel.Lease, lease: { key: LEASE_1, state: parseLeaseState('RWH'), version: 2, epoch: 0x4711 } })
    expect(g.status === 0 && g.lease?.epoch).toBe(0x4712)
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, lease: { key: LEASE_2, state: 7, version: 2 } })
    expect(sink.leases[0]).toMatchObject({ currentState: 7, newState: parseLeaseState('RH'), newEpoch: 0x4713, flags: LeaseBreakFlags.AckRequired })
  })

  it('v1 leases carry epoch 0', () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('RWH', LEASE_1, CLIENT_A, 1))
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(sink.leases[0]?.newEpoch).toBe(0)
  })

  it('break: key1 RWH, key2 asks RWH -> key1 breaks RWH->RH (ack required), key2 gets RH after the ack', async () => {
    const { m, sink, open, lease, FILE } = setup()
    const h1 = open(lease('RWH'))
    const req2 = { openId: 2000n, fileKey: FILE, ...lease('RWH', LEASE_2, CLIENT_B) }
    const { wait } = m.prepareOpen(req2)
    expect(sink.leases).toHaveLength(1)
    expect(sink.leases[0]).toMatchObject({ clientGuid: CLIENT_A, leaseKey: LEASE_1, currentState: 7, newState: 3, flags: 1, openIds: [h1] })
    expect(await settled(wait)).toBe(false)
    const ack = m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('RH'))
    expect(S(ack.status)).toBe('STATUS_SUCCESS')
    expect(await settled(wait)).toBe(true)
    const g = m.grantOpen(req2)
    expect(g.status === 0 && leaseStateName(g.lease!.state)).toBe('RH')
    // A third key asking RWH breaks nobody (RH is shared) and also gets RH.
    sink.clear()
    const h3 = open(lease('RWH', LEASE_3, CLIENT_B))
    expect(sink.leases).toEqual([])
    expect(leaseStateName(m.openInfo(h3)!.leaseState!)).toBe('RH')
  })

  it('lease ack rules (3.3.5.22.2)', () => {
    const { m, open, lease, FILE } = setup()
    open(lease('RWH'))
    expect(S(m.ackLease(CLIENT_A, LEASE_2, 0).status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect(S(m.ackLease(CLIENT_B, LEASE_1, 0).status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND') // looked up by ClientGuid
    expect(S(m.ackLease(CLIENT_A, LEASE_1, 0).status)).toBe('STATUS_UNSUCCESSFUL') // not breaking
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(S(m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('RWH')).status)).toBe('STATUS_REQUEST_NOT_ACCEPTED')
    expect(S(m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('RW')).status)).toBe('STATUS_REQUEST_NOT_ACCEPTED')
    const ok = m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('R')) // lower than offered is fine
    expect([S(ok.status), leaseStateName(ok.leaseState)]).toEqual(['STATUS_SUCCESS', 'R'])
  })

  it('breaks from R alone need no ack and take effect at once (3.3.4.7)', () => {
    const { m, sink, open, lease } = setup()
    const h1 = open(lease('R'))
    const h2 = open({ requestedOplockLevel: OplockLevel.None, clientGuid: CLIENT_B })
    m.onWrite(h2)
    expect(sink.leases).toEqual([expect.objectContaining({ currentState: 1, newState: 0, flags: 0 })])
    expect(m.openInfo(h1)?.leaseState).toBe(0)
  })

  it('no ack within 35 s: the lease goes to none, waiting creates continue', async () => {
    const { m, clock, open, lease, FILE } = setup()
    const h1 = open(lease('RWH'))
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    clock.advance(34_999)
    expect(await settled(wait)).toBe(false)
    clock.advance(1)
    expect(await settled(wait)).toBe(true)
    expect(m.openInfo(h1)?.leaseState).toBe(0)
    expect(S(m.ackLease(CLIENT_A, LEASE_1, 0).status)).toBe('STATUS_UNSUCCESSFUL')
  })

  it('an open with the same key while its lease is breaking gets the current state flagged BREAK_IN_PROGRESS', () => {
    const { m, FILE, open, lease } = setup()
    open(lease('RWH'))
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    const g = m.grantOpen({ openId: 77n, fileKey: FILE, ...lease('RWH') })
    expect(g.status === 0 && g.lease).toMatchObject({ state: 7, flags: LeaseFlags.BreakInProgress })
  })

  it('a lease key names one file: using it for another file is INVALID_PARAMETER (3.3.5.9.8)', () => {
    const { m, open, lease } = setup()
    open(lease('RH'))
    const g = m.grantOpen({ openId: 88n, fileKey: 'share:other', ...lease('RH') })
    expect(S(g.status)).toBe('STATUS_INVALID_PARAMETER')
  })

  it('a sharing violation strips Handle caching from other keys and waits for the ack', async () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('RH'))
    expect(m.breakForSharingViolation({ fileKey: FILE, clientGuid: CLIENT_A, lease: { key: LEASE_1, state: 3, version: 2 } })).toBeNull()
    const wait = m.breakForSharingViolation({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(sink.leases[0]).toMatchObject({ currentState: 3, newState: 1, flags: 1 })
    expect(await settled(wait)).toBe(false)
    m.ackLease(CLIENT_A, LEASE_1, 1)
    expect(await settled(wait)).toBe(true)
  })

  it('overwrite breaks other keys to none', () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('RH'))
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true })
    expect(sink.leases[0]).toMatchObject({ currentState: 3, newState: 0, flags: 1 })
  })

  it('breaking3: a queued break is sent after the ack, one step at a time (RWH->RH, RH->R, R->none); waiters wait for the chain', async () => {
    const { m, sink, FILE } = setup()
    const l1 = { key: LEASE_1, state: 7, version: 2 as const, epoch: 0x11 }
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_A, lease: l1 })
    const g1 = m.grantOpen({ openId: 1n, fileKey: FILE, clientGuid: CLIENT_A, requestedOplockLevel: OplockLevel.Lease, lease: l1 })
    expect(g1.status === 0 && g1.lease).toMatchObject({ state: 7, epoch: 0x12 })
    const w2 = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B }).wait
    expect(sink.leases.map((n) => [leaseStateName(n.currentState), leaseStateName(n.newState), n.newEpoch, n.flags])).toEqual([['RWH', 'RH', 0x13, 1]])
    const same = m.grantOpen({ openId: 2n, fileKey: FILE, clientGuid: CLIENT_A, requestedOplockLevel: OplockLevel.Lease, lease: l1 })
    expect(same.status === 0 && same.lease).toMatchObject({ state: 7, flags: LeaseFlags.BreakInProgress, epoch: 0x13 })
    m.closeOpen(2n)
    const w3 = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true }).wait
    expect(sink.leases).toHaveLength(1) // no immediate break to none
    expect(await settled(w2)).toBe(false)
    expect(await settled(w3)).toBe(false)
    expect(S(m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('RH')).status)).toBe('STATUS_SUCCESS')
    expect(sink.leases[1]).toMatchObject({ currentState: 3, newState: 1, newEpoch: 0x13, flags: 1 })
    expect(await settled(w2)).toBe(false)
    expect(await settled(w3)).toBe(false)
    expect(S(m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('R')).status)).toBe('STATUS_SUCCESS')
    // Every step of the chain keeps the epoch of the first notification (smbtorture lease.v2_breaking3).
    expect(sink.leases[2]).toMatchObject({ currentState: 1, newState: 0, newEpoch: 0x13, flags: 0 })
    expect(await settled(w2)).toBe(true)
    expect(await settled(w3)).toBe(true)
  })

  it('breaking4: an overwrite breaks RH to none (ack required) but does not wait; a second one breaks nothing more', () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('RH'))
    expect(m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true }).wait).toBeNull()
    expect(sink.leases).toEqual([expect.objectContaining({ currentState: 3, newState: 0, flags: 1 })])
    expect(m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true }).wait).toBeNull()
    expect(sink.leases).toHaveLength(1)
    const g = m.grantOpen({ openId: 70n, fileKey: FILE, ...lease('') })
    expect(g.status === 0 && g.lease).toMatchObject({ state: 3, flags: LeaseFlags.BreakInProgress })
    expect(S(m.ackLease(CLIENT_A, LEASE_1, 0).status)).toBe('STATUS_SUCCESS')
  })

  it('breaking5: R breaks to none without an ack; an unsolicited ack is UNSUCCESSFUL', () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('R'))
    expect(m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B, overwrite: true }).wait).toBeNull()
    expect(sink.leases).toEqual([expect.objectContaining({ currentState: 1, newState: 0, flags: 0 })])
    const g = m.grantOpen({ openId: 71n, fileKey: FILE, ...lease('') })
    expect(g.status === 0 && g.lease).toMatchObject({ state: 0, flags: 0 })
    expect(S(m.ackLease(CLIENT_A, LEASE_1, 0).status)).toBe('STATUS_UNSUCCESSFUL')
  })

  it('a write by another key while a W break is outstanding is queued and follows the ack', () => {
    const { m, sink, open, lease, FILE } = setup()
    open(lease('RWH'))
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    const h2 = 500n
    m.grantOpen({ openId: h2, fileKey: FILE, clientGuid: CLIENT_B, requestedOplockLevel: OplockLevel.None })
    m.onWrite(h2)
    expect(sink.leases).toHaveLength(1) // held back while the first break is outstanding
    m.ackLease(CLIENT_A, LEASE_1, parseLeaseState('RH'))
    expect(sink.leases[1]).toMatchObject({ currentState: 3, newState: 1, flags: 1 })
  })

  it('directory leases break on changes inside, except the lease named as ParentLeaseKey', () => {
    const { m, sink, open, lease } = setup()
    open({ ...lease('RH', LEASE_1), isDirectory: true, fileKey: 'share:dir' })
    open({ ...lease('RH', LEASE_2, CLIENT_B), isDirectory: true, fileKey: 'share:dir' })
    m.onDirectoryChange('share:dir', { clientGuid: CLIENT_A, parentLeaseKey: LEASE_1 })
    expect(sink.leases.map((n) => n.leaseKey)).toEqual([LEASE_2])
  })

  it('the last close removes the lease; the key can then be used again from scratch', () => {
    const { m, open, lease } = setup()
    const h = open(lease('RWH'))
    m.closeOpen(h)
    expect(m.lease(CLIENT_A, LEASE_1)).toBeUndefined()
    const h2 = open({ ...lease('R'), fileKey: 'share:other' })
    expect(m.openInfo(h2)?.leaseState).toBe(1)
  })
})

describe('leases against oplocks (smbtorture smb2.lease.oplock tables)', () => {
  // [held lease, requested oplock, lease broken to, oplock granted]
  const HELD_LEASE: Array<[string, 's' | 'x' | 'b', string, 's' | '']> = [
    ['R', 's', 'R', 's'], ['R', 'x', 'R', 's'], ['R', 'b', 'R', 's'],
    ['RH', 's', 'RH', ''], ['RH', 'x', 'RH', ''], ['RH', 'b', 'RH', ''],
    ['RW', 's', 'R', 's'], ['RW', 'x', 'R', 's'], ['RW', 'b', 'R', 's'],
    ['RWH', 's', 'RH', ''], ['RWH', 'x', 'RH', ''], ['RWH', 'b', 'RH', ''],
  ]
  const lvl = (c: string) => (c === 's' ? OplockLevel.II : c === 'x' ? OplockLevel.Exclusive : c === 'b' ? OplockLevel.Batch : OplockLevel.None)

  it.each(HELD_LEASE)('hold lease %s, request oplock %s -> lease %s, oplock %s', async (held, req, brokenTo, granted) => {
    const { m, open, lease, FILE } = setup()
    const h1 = open(lease(held))
    const req2: OpenRequest = { openId: 900n, fileKey: FILE, clientGuid: CLIENT_B, requestedOplockLevel: lvl(req) }
    const { wait } = m.prepareOpen(req2)
    const l = m.lease(CLIENT_A, LEASE_1)!
    if (l.breaking) m.ackLease(CLIENT_A, LEASE_1, l.breakToState) // the torture handler acks what is offered
    await wait
    const g = m.grantOpen(req2)
    expect(leaseStateName(m.openInfo(h1)!.leaseState!)).toBe(brokenTo)
    expect(g.status === 0 && g.oplockLevel).toBe(lvl(granted))
  })

  // [held oplock, requested lease, oplock broken to, lease granted]
  const HELD_OPLOCK: Array<['s' | 'x' | 'b', string, 's', string]> = [
    ['s', 'R', 's', 'R'], ['s', 'RH', 's', 'R'], ['s', 'RW', 's', 'R'], ['s', 'RHW', 's', 'R'],
    ['x', 'R', 's', 'R'], ['x', 'RH', 's', 'R'], ['x', 'RW', 's', 'R'], ['x', 'RHW', 's', 'R'],
    ['b', 'R', 's', 'R'], ['b', 'RH', 's', 'R'], ['b', 'RW', 's', 'R'], ['b', 'RHW', 's', 'R'],
  ]
  it.each(HELD_OPLOCK)('hold oplock %s, request lease %s -> oplock %s, lease %s', async (held, req, brokenTo, granted) => {
    const { m, open, lease, FILE } = setup()
    const h1 = open({ requestedOplockLevel: lvl(held) })
    const req2: OpenRequest = { openId: 901n, fileKey: FILE, ...lease(req, LEASE_2, CLIENT_B) }
    const { wait } = m.prepareOpen(req2)
    if (m.openInfo(h1)?.oplockState === 'breaking') m.ackOplock(h1, OplockLevel.II)
    await wait
    const g = m.grantOpen(req2)
    expect(m.openInfo(h1)?.oplockLevel).toBe(lvl(brokenTo))
    expect(g.status === 0 && leaseStateName(g.lease!.state)).toBe(leaseStateName(parseLeaseState(granted)))
  })
})

describe('breaks to disconnected holders', () => {
  it('a disconnected durable (non-persistent) batch holder is purged; the new open proceeds at once', () => {
    const { m, sink, open, FILE } = setup()
    const h1 = open({ requestedOplockLevel: OplockLevel.Batch })
    m.setConnected(h1, false)
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(wait).toBeNull()
    expect(sink.purges).toEqual([[h1]])
    expect(sink.oplocks).toEqual([])
    expect(m.openInfo(h1)).toBeUndefined()
    const g = m.grantOpen({ openId: 2n, fileKey: FILE, clientGuid: CLIENT_B, requestedOplockLevel: OplockLevel.Batch })
    expect(g.status === 0 && g.oplockLevel).toBe(OplockLevel.Batch)
  })

  it('a disconnected lease holder is purged (smb2.durable-open.lease: the reconnect then fails)', () => {
    const { m, sink, open, lease, FILE } = setup()
    const h1 = open(lease('RWH'))
    m.setConnected(h1, false)
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(sink.purges).toEqual([[h1]])
    expect(m.lease(CLIENT_A, LEASE_1)).toBeUndefined()
  })

  it('a disconnected persistent holder is not purged: its caching is lowered without a notification', () => {
    const { m, sink, open, lease, FILE } = setup()
    const h1 = open({ ...lease('RWH'), persistent: true })
    m.setConnected(h1, false)
    const { wait } = m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(wait).toBeNull()
    expect(sink.purges).toEqual([])
    expect(sink.leases).toEqual([])
    expect(leaseStateName(m.openInfo(h1)!.leaseState!)).toBe('RH')
  })

  it('holdsHandleCaching follows MS-SMB2 3.3.7.1 (batch or handle lease, held, not breaking)', () => {
    const { m, open, lease, FILE } = setup()
    const b = open({ requestedOplockLevel: OplockLevel.Batch })
    expect(m.holdsHandleCaching(b)).toBe(true)
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(m.holdsHandleCaching(b)).toBe(false) // breaking
    const { m: m2, open: open2 } = setup()
    expect(m2.holdsHandleCaching(open2(lease('RH')))).toBe(true)
    expect(m2.holdsHandleCaching(open2({ ...lease('R', LEASE_2), fileKey: 'share:x' }))).toBe(false)
  })
})

describe('restore and snapshot (reconnect after restart)', () => {
  it('snapshot reports what the open holds (the break target while breaking)', () => {
    const { m, open, lease, FILE } = setup()
    const h = open(lease('RWH'))
    expect(m.snapshot(h)).toEqual({ oplockLevel: OplockLevel.Lease, lease: { key: LEASE_1, version: 2, state: 7, epoch: 1, parentLeaseKey: null } })
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(m.snapshot(h)?.lease?.state).toBe(parseLeaseState('RH'))
  })

  it('restoreOpen rebuilds a lease without grant rules; a later conflicting open breaks it normally', () => {
    const { m, sink, FILE } = setup()
    const r = m.restoreOpen({
      openId: 10n,
      fileKey: FILE,
      clientGuid: CLIENT_A,
      oplockLevel: OplockLevel.Lease,
      lease: { key: LEASE_1, version: 2, state: 7, epoch: 9, parentLeaseKey: null },
      persistent: true,
      connected: true,
    })
    expect(S(r.status)).toBe('STATUS_SUCCESS')
    expect(m.openInfo(10n)?.leaseState).toBe(7)
    m.prepareOpen({ fileKey: FILE, clientGuid: CLIENT_B })
    expect(sink.leases[0]).toMatchObject({ currentState: 7, newState: 3, newEpoch: 10 })
  })

  it('a disconnected persistent holder lowered without notice is reported through `lowered`', () => {
    const clock = new FakeClock()
    const lowered: bigint[][] = []
    const sink = Object.assign(new RecordingSink(), { lowered: (ids: bigint[]) => lowered.push(ids) })
    const m = new CachingManager(sink, clock)
    m.restoreOpen({ openId: 1n, fileKey: 'f', clientGuid: CLIENT_A, oplockLevel: OplockLevel.Batch, lease: null, persistent: true, connected: false })
    m.prepareOpen({ fileKey: 'f', clientGuid: CLIENT_B })
    expect(lowered).toEqual([[1n]])
    expect(m.snapshot(1n)?.oplockLevel).toBe(OplockLevel.II)
  })
})
