import { describe, expect, it } from 'vitest'
import { statusName } from '../../dissect/smb2/constants/status.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import { DurableKind } from './global-tables.js'
import { SessionManager } from './sessions.js'
import { ALICE, BOB, CLIENT_A, CLIENT_B, makeWorld } from './test-world.js'

const S = (c: number) => statusName(c)

function setup(cfg: ConstructorParameters<typeof SessionManager>[1] = {}) {
  const w = makeWorld()
  const sm = new SessionManager(w.tables, cfg)
  const login = (owner = ALICE, clientGuid = CLIENT_A, conn = 1) => {
    const s = sm.begin(conn, clientGuid, 0x0311)
    sm.complete(s.sessionId, { owner })
    const t = w.tables.createTreeConnect({ sessionId: s.sessionId, shareName: 'share', maximalAccess: 0x1f01ff, encryptData: false, continuousAvailability: true })
    return { sessionId: s.sessionId, treeId: t.treeId }
  }
  return { w, sm, login }
}

describe('session state machine (MS-SMB2 3.3.5.5, 3.3.5.2.9)', () => {
  it('in progress until authentication completes; only SESSION_SETUP may use it meanwhile', () => {
    const { sm } = setup()
    const s = sm.begin(1, CLIENT_A, 0x0311)
    expect(s.state).toBe('in-progress')
    expect(S(sm.verify(s.sessionId, Smb2Command.SessionSetup).status)).toBe('STATUS_SUCCESS')
    expect(S(sm.verify(s.sessionId, Smb2Command.TreeConnect).status)).toBe('STATUS_USER_SESSION_DELETED')
    sm.complete(s.sessionId, { owner: ALICE })
    expect(S(sm.verify(s.sessionId, Smb2Command.TreeConnect).status)).toBe('STATUS_SUCCESS')
    expect(S(sm.verify(s.sessionId, Smb2Command.TreeConnect, 2).status)).toBe('STATUS_USER_SESSION_DELETED') // other connection
    expect(S(sm.verify(0x1234n, Smb2Command.Read).status)).toBe('STATUS_USER_SESSION_DELETED')
  })

  it('expiry: NETWORK_SESSION_EXPIRED except for SESSION_SETUP, LOGOFF and CLOSE; reauth revives and keeps opens', () => {
    const { w, sm, login } = setup({ expiryMs: 60_000 })
    const s = login()
    const o = w.open(s)
    w.clock.advance(59_999)
    expect(S(sm.verify(s.sessionId, Smb2Command.Read).status)).toBe('STATUS_SUCCESS')
    w.clock.advance(1)
    expect(S(sm.verify(s.sessionId, Smb2Command.Read).status)).toBe('STATUS_NETWORK_SESSION_EXPIRED')
    expect(S(sm.verify(s.sessionId, Smb2Command.Close).status)).toBe('STATUS_SUCCESS')
    expect(S(sm.verify(s.sessionId, Smb2Command.SessionSetup).status)).toBe('STATUS_SUCCESS')
    expect(S(sm.reauthenticate(s.sessionId, BOB).status)).toBe('STATUS_ACCESS_DENIED')
    expect(S(sm.reauthenticate(s.sessionId, ALICE).status)).toBe('STATUS_SUCCESS')
    expect(S(sm.verify(s.sessionId, Smb2Command.Read).status)).toBe('STATUS_SUCCESS')
    expect(w.tables.opens.get(o.persistentId)?.sessionId).toBe(s.sessionId)
  })

  it('binding a second channel (3.3.5.5.2)', () => {
    const { w, sm, login } = setup()
    const s = login()
    expect(S(sm.bind(s.sessionId, { connectionId: 2, dialect: 0x0210, clientGuid: CLIENT_A }).status)).toBe('STATUS_REQUEST_NOT_ACCEPTED')
    expect(S(sm.bind(s.sessionId, { connectionId: 2, dialect: 0x0300, clientGuid: CLIENT_A }).status)).toBe('STATUS_INVALID_PARAMETER')
    const strict = new SessionManager(sm.tables, { bindRequiresSameClientGuid: true })
    expect(S(strict.bind(s.sessionId, { connectionId: 2, dialect: 0x0311, clientGuid: CLIENT_B }).status)).toBe('STATUS_USER_SESSION_DELETED')
    expect(S(sm.bind(s.sessionId, { connectionId: 2, dialect: 0x0311, clientGuid: CLIENT_A, isGuestOrAnonymous: true }).status)).toBe('STATUS_NOT_SUPPORTED')
    expect(S(sm.bind(s.sessionId, { connectionId: 2, dialect: 0x0311, clientGuid: CLIENT_A }).status)).toBe('STATUS_SUCCESS')
    expect(w.tables.sessions.get(s.sessionId)?.channels).toEqual([1, 2])
    expect(S(sm.verify(s.sessionId, Smb2Command.Read, 2).status)).toBe('STATUS_SUCCESS')
  })

  it('per-session open limit -> INSUFFICIENT_RESOURCES', () => {
    const { w, sm, login } = setup({ maxOpensPerSession: 2 })
    const s = login()
    w.open(s, { createGuid: null })
    expect(S(sm.canOpen(s.sessionId).status)).toBe('STATUS_SUCCESS')
    w.open(s, { createGuid: null })
    expect(S(sm.canOpen(s.sessionId).status)).toBe('STATUS_INSUFFICIENT_RESOURCES')
  })
})

describe('opens when a session goes away', () => {
  it('LOGOFF (3.3.5.6): durable opens become disconnected, the others close; the session leaves the table', () => {
    const { w, sm, login } = setup()
    const s = login()
    const durable = w.open(s, { durable: DurableKind.V2 })
    const plain = w.open(s, { durable: DurableKind.None, createGuid: null })
    w.clock.advance(5)
    const r = sm.logoff(s.sessionId)
    expect(r.disconnected.map((o) => o.persistentId)).toEqual([durable.persistentId])
    expect(r.closed.map((o) => o.persistentId)).toEqual([plain.persistentId])
    expect(durable.disconnectedAt).toBe(w.clock.now())
    expect(w.tables.opens.has(plain.persistentId)).toBe(false)
    expect(w.tables.sessions.has(s.sessionId)).toBe(false)
    expect(w.tables.trees.has(s.treeId)).toBe(false)
  })

  it('connection loss (3.3.7.1): durable opens survive only with handle caching held; persistent ones always', () => {
    const { w, sm, login } = setup()
    const s = login()
    const withCaching = w.open(s, { durable: DurableKind.V1 })
    const lostCaching = w.open(s, { durable: DurableKind.V2, createGuid: null })
    const persistent = w.open(s, { durable: DurableKind.Persistent, createGuid: null })
    const r = sm.connectionLost(1, (o) => o.persistentId === withCaching.persistentId)
    expect(new Set(r.disconnected.map((o) => o.persistentId))).toEqual(new Set([withCaching.persistentId, persistent.persistentId]))
    expect(r.closed.map((o) => o.persistentId)).toEqual([lostCaching.persistentId])
    expect(w.tables.sessions.get(s.sessionId)?.state).toBe('disconnected')
  })

  it('connection loss on one of two channels leaves the session and its opens alone', () => {
    const { w, sm, login } = setup()
    const s = login()
    sm.bind(s.sessionId, { connectionId: 2, dialect: 0x0311, clientGuid: CLIENT_A })
    const o = w.open(s, { durable: DurableKind.None, createGuid: null })
    const r = sm.connectionLost(1, () => false)
    expect(r).toEqual({ disconnected: [], closed: [] })
    expect(w.tables.opens.has(o.persistentId)).toBe(true)
    expect(w.tables.sessions.get(s.sessionId)?.channels).toEqual([2])
  })

  it('PreviousSessionId (3.3.5.5.3): same user -> old session torn down, durable opens disconnected, others closed', () => {
    const { w, sm, login } = setup()
    const old = login()
    const durable = w.open(old, { durable: DurableKind.V2 })
    const plain = w.open(old, { durable: DurableKind.None, createGuid: null })
    const fresh = sm.begin(2, CLIENT_A, 0x0311)
    const { previous } = sm.complete(fresh.sessionId, { owner: ALICE, previousSessionId: old.sessionId })
    expect(previous?.removed).toBe(true)
    expect(previous?.disconnected.map((o) => o.persistentId)).toEqual([durable.persistentId])
    expect(previous?.closed.map((o) => o.persistentId)).toEqual([plain.persistentId])
    expect(w.tables.sessions.has(old.sessionId)).toBe(false)
    expect(w.tables.opens.get(durable.persistentId)?.disconnectedAt).not.toBeNull()
  })

  it('PreviousSessionId naming another user\'s session is ignored', () => {
    const { w, sm, login } = setup()
    const old = login(BOB)
    const o = w.open(old, { owner: BOB })
    const fresh = sm.begin(2, CLIENT_A, 0x0311)
    const { previous } = sm.complete(fresh.sessionId, { owner: ALICE, previousSessionId: old.sessionId })
    expect(previous?.removed).toBe(false)
    expect(w.tables.sessions.has(old.sessionId)).toBe(true)
    expect(w.tables.opens.get(o.persistentId)?.sessionId).toBe(old.sessionId)
  })
})

describe('reaping sessions without channels', () => {
  it('removes disconnected sessions after the grace period', () => {
    const { w, sm, login } = setup()
    const s = login()
    sm.connectionLost(1, () => false)
    expect(sm.reapDisconnected(10_000)).toEqual([])
    w.clock.advance(10_000)
    expect(sm.reapDisconnected(10_000)).toEqual([s.sessionId])
    expect(w.tables.sessions.has(s.sessionId)).toBe(false)
  })
})
