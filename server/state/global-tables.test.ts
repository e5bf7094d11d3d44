import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from './clock.js'
import { DurableKind, GlobalTables, LocalOpenTable } from './global-tables.js'
import { MemoryDurableStore, SqliteDurableStore } from './durable-store.js'
import { IdAllocator } from './ids.js'
import { checkReconnectV2 } from './durable.js'
import { ALICE, CLIENT_A, CREATE_1, makeWorld } from './test-world.js'

const dirs: string[] = []
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

describe('GlobalTables', () => {
  it('writes a persistent open, its session and tree connect through to the store before returning', () => {
    const w = makeWorld()
    const s = w.login(ALICE, CLIENT_A, { ca: true })
    const o = w.open(s, { durable: DurableKind.Persistent })
    expect(w.store.getOpen(o.persistentId)).toEqual(o)
    expect(w.store.getSession(s.sessionId)?.owner).toEqual(ALICE)
    expect(w.store.getTree(s.treeId)?.continuousAvailability).toBe(true)
  })

  it('keeps non-persistent opens (durable v1/v2 included) out of the restart store', () => {
    const w = makeWorld()
    const s = w.login()
    const o1 = w.open(s, { durable: DurableKind.V2 })
    const o2 = w.open(s, { durable: DurableKind.None, createGuid: null })
    expect(w.store.getOpen(o1.persistentId)).toBeUndefined()
    expect(w.store.getOpen(o2.persistentId)).toBeUndefined()
    expect(w.store.listSessions()).toEqual([])
  })

  it('bumps the revision on every update and writes persistent updates through', () => {
    const w = makeWorld()
    const s = w.login()
    const o = w.open(s, { durable: DurableKind.Persistent })
    expect(o.revision).toBe(1)
    w.tables.updateOpen(o.persistentId, { position: 4096n })
    expect(o.revision).toBe(2)
    expect(w.store.getOpen(o.persistentId)?.position).toBe(4096n)
    w.tables.removeOpen(o.persistentId)
    expect(w.store.getOpen(o.persistentId)).toBeUndefined()
  })

  it('disconnect clears the local links; reattach hands out a new volatile id', () => {
    const w = makeWorld()
    const s = w.login()
    const o = w.open(s)
    const oldVolatile = o.volatileId
    w.clock.advance(10)
    w.tables.disconnectOpen(o.persistentId)
    expect(o).toMatchObject({ volatileId: null, sessionId: null, treeId: null, disconnectedAt: w.clock.now() })
    const s2 = w.login()
    w.tables.reattachOpen(o.persistentId, s2.sessionId, s2.treeId)
    expect(o.volatileId).not.toBeNull()
    expect(o.volatileId).not.toBe(oldVolatile)
    expect(o.disconnectedAt).toBeNull()
  })

  it('finds opens by (ClientGuid, CreateGuid) case-insensitively, and by session and file', () => {
    const w = makeWorld()
    const s = w.login()
    const o = w.open(s, { createGuid: CREATE_1.toUpperCase() })
    expect(w.tables.findByCreateGuid(CLIENT_A.toUpperCase(), CREATE_1)).toBe(o)
    expect(w.tables.findByCreateGuid('ffffffff-0000-0000-0000-000000000000', CREATE_1)).toBeUndefined()
    expect(w.tables.opensOfSession(s.sessionId)).toEqual([o])
    expect(w.tables.opensOfFile('share', 1001n)).toEqual([o])
  })

  it('never hands out a persistent id that a stored record still holds', () => {
    const store = new MemoryDurableStore()
    const script = [0x10n, 0x20n, 0x10n, 0x30n, 0x40n] // persistent, volatile, persistent (taken), persistent, volatile
    let i = 0
    const random = (n: number) => {
      const b = Buffer.alloc(8)
      b.writeBigUInt64LE(script[i++]!)
      return b.subarray(0, n)
    }
    const tables = new GlobalTables({ store, clock: new FakeClock(), ids: new IdAllocator(random) })
    const init = {
      sessionId: null,
      treeId: null,
      owner: ALICE.sid,
      clientGuid: CLIENT_A,
      createGuid: null,
      appInstanceId: null,
      lease: null,
      oplockLevel: 0,
      durable: DurableKind.Persistent,
      durableTimeoutMs: 1000,
      shareName: 'share',
      path: 'a',
      fileId: 1n,
      desiredAccess: 0,
      shareAccess: 0,
      createOptions: 0,
    }
    const first = tables.createOpen(init)
    expect(first.persistentId).toBe(0x10n)
    tables.opens.delete(first.persistentId) // forgotten in memory, still in the store (e.g. a stale load)
    const second = tables.createOpen(init)
    expect(second.persistentId).toBe(0x30n)
    expect(second.volatileId).toBe(0x40n)
  })

  it('LocalOpenTable matches both FileId halves', () => {
    const w = makeWorld()
    const s = w.login()
    const g = w.open(s)
    const local = new LocalOpenTable(1)
    local.add({ volatileId: g.volatileId!, persistentId: g.persistentId, connectionId: 1, sessionId: s.sessionId, treeId: s.treeId, global: g })
    expect(local.lookup(g.persistentId, g.volatileId!)?.global).toBe(g)
    expect(local.lookup(g.persistentId + 1n, g.volatileId!)).toBeUndefined()
    expect(local.lookup(g.persistentId, g.volatileId! + 1n)).toBeUndefined()
  })

  it('restart: persistent state reloads from SQLite as disconnected and a DH2C reconnect finds it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-restart-'))
    dirs.push(dir)
    const clock = new FakeClock()
    const before = makeWorld(SqliteDurableStore.open(dir), clock)
    const s = before.login(ALICE, CLIENT_A, { ca: true })
    const o = before.open(s, { durable: DurableKind.Persistent, lease: null, oplockLevel: 0 })
    before.store.close()

    clock.advance(5_000)
    const store = SqliteDurableStore.open(dir)
    const tables = new GlobalTables({ clock, store })
    expect(tables.loadFromStore()).toEqual({ sessions: 1, trees: 1, opens: 1 })
    const back = tables.opens.get(o.persistentId)!
    expect(back).toMatchObject({ sessionId: null, volatileId: null, disconnectedAt: clock.now() })
    expect(tables.sessions.get(s.sessionId)?.state).toBe('disconnected')
    const r = checkReconnectV2(
      { byPersistentId: (id) => tables.opens.get(id), byCreateGuid: (g) => tables.findAnyByCreateGuid(g) },
      {
        persistentId: o.persistentId,
        createGuid: CREATE_1,
        persistent: true,
        share: { continuousAvailability: true, connectionPersistentCapability: true },
        clientGuid: CLIENT_A,
        owner: ALICE,
        lease: null,
        fileName: 'dir\\file.txt',
        now: clock.now(),
      },
    )
    expect(r.status).toBe(0)
    store.close()
  })
})
