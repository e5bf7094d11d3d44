/**
 * The pieces together, the way the SMB2 CREATE/CLOSE/disconnect handlers will drive them: a durable v2 open with a
 * lease, a lost connection, and then either a reconnect in time, a conflicting open by another client (purge), or
 * the scavenger.
 */
import { describe, expect, it } from 'vitest'
import { statusName } from '../../dissect/smb2/constants/status.js'
import { CachingManager } from './file-caching.js'
import type { BreakSink } from './file-caching.js'
import { ReplayCache, checkReconnectV2, classifyDurableContexts, grantDurableV2 } from './durable.js'
import { DurableKind } from './global-tables.js'
import { parseLeaseState } from './lease-table.js'
import { OplockLevel } from './oplock.js'
import { Scavenger, expireFromTables } from './scavenger.js'
import { SessionManager } from './sessions.js'
import { ALICE, CLIENT_A, CLIENT_B, CREATE_1, LEASE_1, makeWorld } from './test-world.js'

function server() {
  const w = makeWorld()
  const sessions = new SessionManager(w.tables)
  const purged: bigint[] = []
  let scavenger!: Scavenger
  const sink: BreakSink = {
    oplockBreak: () => {},
    leaseBreak: () => {},
    purged: (ids) => {
      for (const id of ids) {
        w.tables.removeOpen(id)
        scavenger.untrack(id)
        purged.push(id)
      }
    },
  }
  const caching = new CachingManager(sink, w.clock)
  scavenger = new Scavenger((id) => {
    caching.closeOpen(id)
    expireFromTables(w.tables, id, w.clock.now())
  }, w.clock)
  scavenger.start()
  const replay = new ReplayCache(w.tables)

  /** CREATE with DH2Q + RqLs v2 RWH, as the handler would run it. */
  async function createDurable(clientGuid: string, owner = ALICE, conn = 1) {
    const s = sessions.begin(conn, clientGuid, 0x0311)
    sessions.complete(s.sessionId, { owner })
    const t = w.tables.createTreeConnect({ sessionId: s.sessionId, shareName: 'share', maximalAccess: 0x1f01ff, encryptData: false, continuousAvailability: false })
    const plan = classifyDurableContexts({ dh2q: { timeoutMs: 0, flags: 0, createGuid: CREATE_1 } }, 0x0311)
    if (plan.kind !== 'request-v2') throw new Error('plan')
    const r = replay.begin(clientGuid, plan.createGuid, false, `${conn}:1`)
    if (r.kind !== 'new') throw new Error(`replay ${r.kind}`)
    const lease = { key: LEASE_1, state: parseLeaseState('RWH'), version: 2 as const, epoch: 0 }
    const fileKey = 'share:1001'
    let { wait } = caching.prepareOpen({ fileKey, clientGuid, lease })
    while (wait) {
      await wait
      ;({ wait } = caching.prepareOpen({ fileKey, clientGuid, lease }))
    }
    const o = w.tables.createOpen({
      sessionId: s.sessionId,
      treeId: t.treeId,
      owner: owner.sid,
      clientGuid,
      createGuid: plan.createGuid,
      appInstanceId: null,
      lease: null,
      oplockLevel: OplockLevel.None,
      durable: DurableKind.None,
      durableTimeoutMs: 0,
      shareName: 'share',
      path: 'dir\\file.txt',
      fileId: 1001n,
      desiredAccess: 0x12019f,
      shareAccess: 7,
      createOptions: 0,
    })
    const g = caching.grantOpen({ openId: o.persistentId, fileKey, clientGuid, requestedOplockLevel: OplockLevel.Lease, lease })
    if (g.status !== 0) throw new Error(statusName(g.status))
    const d = grantDurableV2(
      { timeoutMs: plan.timeoutMs, persistent: plan.persistent },
      { requestedOplockLevel: OplockLevel.Lease, requestedLeaseState: lease.state, grantedOplockLevel: g.oplockLevel, grantedLeaseState: g.lease?.state ?? null, isDirectory: false },
      { continuousAvailability: false, connectionPersistentCapability: false },
    )
    w.tables.updateOpen(o.persistentId, {
      durable: d.durable,
      durableTimeoutMs: d.timeoutMs,
      oplockLevel: g.oplockLevel,
      lease: g.lease ? { key: g.lease.key, version: g.lease.version, state: g.lease.state, epoch: g.lease.epoch, parentLeaseKey: null } : null,
    })
    replay.complete(clientGuid, plan.createGuid, o.persistentId)
    return { o, grant: g, durable: d, sessionId: s.sessionId }
  }

  function dropConnection(conn: number) {
    const r = sessions.connectionLost(conn, (o) => caching.holdsHandleCaching(o.persistentId))
    for (const o of r.disconnected) {
      caching.setConnected(o.persistentId, false)
      scavenger.track(o.persistentId, o.disconnectedAt! + o.durableTimeoutMs)
    }
    for (const o of r.closed) caching.closeOpen(o.persistentId)
    return r
  }

  function reconnect(persistentId: bigint, clientGuid = CLIENT_A) {
    const s = sessions.begin(9, clientGuid, 0x0311)
    sessions.complete(s.sessionId, { owner: ALICE })
    const v = checkReconnectV2(
      { byPersistentId: (id) => w.tables.opens.get(id), byCreateGuid: (g) => w.tables.findAnyByCreateGuid(g) },
      {
        persistentId,
        createGuid: CREATE_1,
        persistent: false,
        share: { continuousAvailability: false, connectionPersistentCapability: false },
        clientGuid,
        owner: ALICE,
        lease: { key: LEASE_1, version: 2 },
        fileName: 'dir\\file.txt',
        now: w.clock.now(),
      },
    )
    if (v.status === 0) {
      w.tables.reattachOpen(persistentId, s.sessionId, 0)
      caching.setConnected(persistentId, true)
      scavenger.untrack(persistentId)
    }
    return v
  }

  return { w, caching, scavenger, purged, createDurable, dropConnection, reconnect }
}

describe('durable v2 + lease life cycle', () => {
  it('granted v2 durable with RWH and the default 60 s timeout', async () => {
    const s = server()
    const { grant, durable } = await s.createDurable(CLIENT_A)
    expect(grant.status === 0 && grant.lease?.state).toBe(7)
    expect(durable).toMatchObject({ durable: 'v2', timeoutMs: 60_000 })
  })

  it('disconnect, reconnect within the timeout -> SUCCESS, the lease is still RWH', async () => {
    const s = server()
    const { o } = await s.createDurable(CLIENT_A)
    const r = s.dropConnection(1)
    expect(r.disconnected.map((x) => x.persistentId)).toEqual([o.persistentId])
    s.w.clock.advance(59_000)
    expect(statusName(s.reconnect(o.persistentId).status)).toBe('STATUS_SUCCESS')
    expect(s.caching.openInfo(o.persistentId)).toMatchObject({ leaseState: 7, connected: true })
    s.w.clock.advance(10_000)
    expect(s.w.tables.opens.has(o.persistentId)).toBe(true) // the scavenger forgot it
  })

  it('disconnect, another client opens the file -> the durable open is purged, the reconnect fails', async () => {
    const s = server()
    const { o } = await s.createDurable(CLIENT_A)
    s.dropConnection(1)
    await s.createDurable(CLIENT_B, ALICE, 2)
    expect(s.purged).toEqual([o.persistentId])
    expect(statusName(s.reconnect(o.persistentId).status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })

  it('disconnect and wait past the timeout -> the scavenger removes it, the reconnect fails', async () => {
    const s = server()
    const { o } = await s.createDurable(CLIENT_A)
    s.dropConnection(1)
    s.w.clock.advance(60_000)
    expect(s.w.tables.opens.has(o.persistentId)).toBe(false)
    expect(s.caching.openInfo(o.persistentId)).toBeUndefined()
    expect(statusName(s.reconnect(o.persistentId).status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })
})
