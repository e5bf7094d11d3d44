import { describe, expect, it } from 'vitest'
import { FakeClock } from './clock.js'
import { DurableKind } from './global-tables.js'
import { Scavenger, expireFromTables } from './scavenger.js'
import { checkReconnectV2 } from './durable.js'
import { ALICE, CLIENT_A, CREATE_1, makeWorld } from './test-world.js'

describe('Scavenger (MS-SMB2 3.3.2.2 / 3.3.6.2)', () => {
  it('expires in deadline order, each at its own time, via its own timer', () => {
    const clock = new FakeClock()
    const fired: Array<[bigint, number]> = []
    const sc = new Scavenger((id) => fired.push([id, clock.now()]), clock)
    const t0 = clock.now()
    sc.start()
    sc.track(3n, t0 + 3000)
    sc.track(1n, t0 + 1000)
    sc.track(2n, t0 + 2000)
    clock.advance(999)
    expect(fired).toEqual([])
    clock.advance(1)
    expect(fired).toEqual([[1n, t0 + 1000]])
    clock.advance(5000)
    expect(fired).toEqual([
      [1n, t0 + 1000],
      [2n, t0 + 2000],
      [3n, t0 + 3000],
    ])
    expect(sc.size).toBe(0)
    expect(clock.pending).toBe(0)
  })

  it('untrack (reconnect) and re-track (new disconnect) replace the old deadline', () => {
    const clock = new FakeClock()
    const fired: bigint[] = []
    const sc = new Scavenger((id) => fired.push(id), clock)
    sc.start()
    sc.track(1n, clock.now() + 1000)
    sc.untrack(1n)
    sc.track(2n, clock.now() + 1000)
    sc.track(2n, clock.now() + 5000) // disconnected again later
    clock.advance(4999)
    expect(fired).toEqual([])
    clock.advance(1)
    expect(fired).toEqual([2n])
  })

  it('runDue works without timers (explicit sweeps)', () => {
    const clock = new FakeClock()
    const sc = new Scavenger(() => {}, clock)
    sc.track(7n, clock.now() + 10)
    expect(sc.runDue()).toEqual([])
    clock.advance(10)
    expect(sc.runDue()).toEqual([7n])
  })

  it('end to end: a disconnected v2 open is gone after its timeout and the reconnect fails', () => {
    const w = makeWorld()
    const s = w.login()
    const o = w.open(s, { durable: DurableKind.V2, timeoutMs: 30_000 })
    const sc = new Scavenger((id) => expireFromTables(w.tables, id, w.clock.now()), w.clock)
    sc.start()
    w.tables.disconnectOpen(o.persistentId)
    expect(sc.trackAll(w.tables)).toBe(1)
    w.clock.advance(30_000)
    expect(w.tables.opens.has(o.persistentId)).toBe(false)
    const r = checkReconnectV2(
      { byPersistentId: (id) => w.tables.opens.get(id), byCreateGuid: () => undefined },
      {
        persistentId: o.persistentId,
        createGuid: CREATE_1,
        persistent: false,
        share: { continuousAvailability: false, connectionPersistentCapability: false },
        clientGuid: CLIENT_A,
        owner: ALICE,
        lease: null,
        fileName: o.path,
        now: w.clock.now(),
      },
    )
    expect(r.status).toBe(0xc000_0034) // STATUS_OBJECT_NAME_NOT_FOUND
  })

  it('expireFromTables leaves an open alone when a reconnect won the race', () => {
    const w = makeWorld()
    const s = w.login()
    const o = w.open(s, { timeoutMs: 10 })
    w.tables.disconnectOpen(o.persistentId)
    w.tables.reattachOpen(o.persistentId, s.sessionId, s.treeId)
    w.clock.advance(100)
    expect(expireFromTables(w.tables, o.persistentId, w.clock.now())).toBe(false)
    expect(w.tables.opens.has(o.persistentId)).toBe(true)
  })
})
