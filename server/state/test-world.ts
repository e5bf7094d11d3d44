/**
 * Test fixtures for server/state: a small "world" of global tables on a fake clock with an in-memory (or SQLite)
 * store, and helpers that open files the way the SMB layer will. Used by the *.test.ts files beside it.
 * @module
 */
import { FakeClock } from './clock.js'
import { GlobalTables, DurableKind } from './global-tables.js'
import type { OpenGlobal, SessionOwner, DurableKind as DurableKindT } from './global-tables.js'
import { MemoryDurableStore } from './durable-store.js'
import type { DurableStore } from './durable-store.js'

export const ALICE: SessionOwner = { user: 'alice', domain: 'WG', sid: 'S-1-5-21-7-7-7-1001' }
export const BOB: SessionOwner = { user: 'bob', domain: 'WG', sid: 'S-1-5-21-7-7-7-1002' }
export const CLIENT_A = 'aaaaaaaa-0000-0000-0000-00000000000a'
export const CLIENT_B = 'bbbbbbbb-0000-0000-0000-00000000000b'
export const CREATE_1 = 'c0000000-0000-0000-0000-000000000001'
export const CREATE_2 = 'c0000000-0000-0000-0000-000000000002'
export const LEASE_1 = '1e000000-0000-0000-0000-000000000001'
export const LEASE_2 = '1e000000-0000-0000-0000-000000000002'

export interface World {
  clock: FakeClock
  store: DurableStore
  tables: GlobalTables
  /** A valid session of `owner` on connection `conn` with one tree connect on `share`. */
  login(owner?: SessionOwner, clientGuid?: string, opts?: { conn?: number; ca?: boolean }): { sessionId: bigint; treeId: number }
  /** An open on `path` in the session. */
  open(
    s: { sessionId: bigint; treeId: number },
    o?: Partial<{
      path: string
      fileId: bigint
      durable: DurableKindT
      lease: { key: string; version: 1 | 2; state?: number; epoch?: number } | null
      oplockLevel: number
      createGuid: string | null
      clientGuid: string
      owner: SessionOwner
      timeoutMs: number
    }>,
  ): OpenGlobal
}

export function makeWorld(store: DurableStore = new MemoryDurableStore(), clock = new FakeClock()): World {
  const tables = new GlobalTables({ clock, store })
  const ownerOfSession = new Map<bigint, SessionOwner>()
  const clientOfSession = new Map<bigint, string>()
  return {
    clock,
    store,
    tables,
    login(owner = ALICE, clientGuid = CLIENT_A, opts = {}) {
      const s = tables.createSession({ connectionId: opts.conn ?? 1, clientGuid, dialect: 0x0311 })
      tables.updateSession(s.sessionId, { owner, state: 'valid' })
      const t = tables.createTreeConnect({
        sessionId: s.sessionId,
        shareName: 'share',
        maximalAccess: 0x1f01ff,
        encryptData: false,
        continuousAvailability: opts.ca ?? false,
      })
      ownerOfSession.set(s.sessionId, owner)
      clientOfSession.set(s.sessionId, clientGuid)
      return { sessionId: s.sessionId, treeId: t.treeId }
    },
    open(s, o = {}) {
      const lease = o.lease ? { state: 3, epoch: 1, parentLeaseKey: null, ...o.lease } : null
      return tables.createOpen({
        sessionId: s.sessionId,
        treeId: s.treeId,
        owner: (o.owner ?? ownerOfSession.get(s.sessionId) ?? ALICE).sid,
        clientGuid: o.clientGuid ?? clientOfSession.get(s.sessionId) ?? CLIENT_A,
        createGuid: o.createGuid === undefined ? CREATE_1 : o.createGuid,
        appInstanceId: null,
        lease,
        oplockLevel: o.oplockLevel ?? (lease ? 0xff : 0x09),
        durable: o.durable ?? DurableKind.V2,
        durableTimeoutMs: o.timeoutMs ?? 60_000,
        shareName: 'share',
        path: o.path ?? 'dir\\file.txt',
        fileId: o.fileId ?? 1001n,
        desiredAccess: 0x12019f,
        shareAccess: 7,
        createOptions: 0,
      })
    },
  }
}
