import { describe, expect, it } from 'vitest'
import { NtStatus, statusName } from '../../dissect/smb2/constants/status.js'
import { DurableKind } from './global-tables.js'
import type { OpenGlobal } from './global-tables.js'
import {
  DEFAULT_DURABLE_CONFIG,
  DHANDLE_FLAG_PERSISTENT,
  ReplayCache,
  channelSequenceDone,
  checkChannelSequence,
  checkDisconnectedPersistentConflict,
  checkReconnectV1,
  checkReconnectV2,
  classifyDurableContexts,
  grantDurableV1,
  grantDurableV2,
  negotiateDurableTimeout,
} from './durable.js'
import type { CachingOutcome, DurableContexts } from './durable.js'
import { LeaseState, parseLeaseState } from './lease-table.js'
import { OplockLevel } from './oplock.js'
import { ALICE, BOB, CLIENT_A, CLIENT_B, CREATE_1, CREATE_2, LEASE_1, LEASE_2, makeWorld } from './test-world.js'

const S = (code: number) => statusName(code)

describe('classifyDurableContexts (MS-SMB2 3.3.5.9.6/7/10/12)', () => {
  const dhnc = { persistentId: 1n }
  const dh2q = { timeoutMs: 0, flags: 0, createGuid: CREATE_1 }
  const dh2c = { persistentId: 1n, createGuid: CREATE_1, flags: 0 }
  const table: Array<[string, DurableContexts, number, string]> = [
    ['DHnQ alone -> request v1 (3.3.5.9.6)', { dhnq: true }, 0x0210, 'request-v1'],
    ['DHnQ + DH2Q -> INVALID_PARAMETER (3.3.5.9.10)', { dhnq: true, dh2q }, 0x0300, 'STATUS_INVALID_PARAMETER'],
    ['DHnC + DHnQ -> reconnect v1, DHnQ ignored (3.3.5.9.7)', { dhnq: true, dhnc }, 0x0210, 'reconnect-v1'],
    ['DHnC + DH2Q -> INVALID_PARAMETER (3.3.5.9.7)', { dhnc, dh2q }, 0x0300, 'STATUS_INVALID_PARAMETER'],
    ['DHnC + DH2C -> INVALID_PARAMETER (3.3.5.9.7)', { dhnc, dh2c }, 0x0300, 'STATUS_INVALID_PARAMETER'],
    ['DH2C + DH2Q -> INVALID_PARAMETER (3.3.5.9.12)', { dh2c, dh2q }, 0x0300, 'STATUS_INVALID_PARAMETER'],
    ['DH2C + DHnQ -> INVALID_PARAMETER (3.3.5.9.12)', { dh2c, dhnq: true }, 0x0300, 'STATUS_INVALID_PARAMETER'],
    ['DH2Q alone on 3.0 -> request v2 (3.3.5.9.10)', { dh2q }, 0x0300, 'request-v2'],
    ['DH2C alone on 3.1.1 -> reconnect v2 (3.3.5.9.12)', { dh2c }, 0x0311, 'reconnect-v2'],
    ['DH2Q on 2.1 -> ignored, v2 contexts are SMB 3.x only (2.2.13.2.11)', { dh2q }, 0x0210, 'none'],
    ['DHnQ + DH2Q on 2.1 -> v1 (DH2Q ignored)', { dhnq: true, dh2q }, 0x0210, 'request-v1'],
    ['nothing -> none', {}, 0x0311, 'none'],
  ]
  it.each(table)('%s', (_name, ctx, dialect, expected) => {
    const p = classifyDurableContexts(ctx, dialect)
    expect(p.kind === 'error' ? S(p.status) : p.kind).toBe(expected)
  })

  it('DH2Q carries the persistent flag and a lower-cased CreateGuid', () => {
    const p = classifyDurableContexts({ dh2q: { timeoutMs: 5, flags: DHANDLE_FLAG_PERSISTENT, createGuid: CREATE_1.toUpperCase() } }, 0x0300)
    expect(p).toEqual({ kind: 'request-v2', timeoutMs: 5, persistent: true, createGuid: CREATE_1 })
  })
})

const B = OplockLevel.Batch
const L = OplockLevel.Lease
const outcome = (req: number, reqLease: string | null, got: number, gotLease: string | null, isDirectory = false): CachingOutcome => ({
  requestedOplockLevel: req,
  requestedLeaseState: reqLease === null ? null : parseLeaseState(reqLease),
  grantedOplockLevel: got,
  grantedLeaseState: gotLease === null ? null : parseLeaseState(gotLease),
  isDirectory,
})

describe('durable v1 grant (MS-SMB2 3.3.5.9.6)', () => {
  const table: Array<[string, CachingOutcome, string]> = [
    ['batch requested and granted -> durable', outcome(B, null, B, null), 'v1'],
    ['batch requested, level II granted -> not durable (no handle caching)', outcome(B, null, OplockLevel.II, null), 'none'],
    ['level II requested -> DHnQ ignored', outcome(OplockLevel.II, null, OplockLevel.II, null), 'none'],
    ['exclusive requested -> DHnQ ignored', outcome(OplockLevel.Exclusive, null, OplockLevel.Exclusive, null), 'none'],
    ['lease RWH requested, RH granted -> durable', outcome(L, 'RWH', L, 'RH'), 'v1'],
    ['lease RH requested, R granted -> not durable', outcome(L, 'RH', L, 'R'), 'none'],
    ['lease RW requested (no H) -> DHnQ ignored', outcome(L, 'RW', L, 'RW'), 'none'],
    ['lease on a directory -> DHnQ ignored', outcome(L, 'RH', L, 'RH', true), 'none'],
  ]
  it.each(table)('%s', (_n, o, expected) => {
    const g = grantDurableV1(o)
    expect(g.durable).toBe(expected)
    if (expected === 'v1') expect(g.timeoutMs).toBe(DEFAULT_DURABLE_CONFIG.v1TimeoutMs)
  })
})

describe('durable v2 grant (MS-SMB2 3.3.5.9.10)', () => {
  const ca = { continuousAvailability: true, connectionPersistentCapability: true }
  const notCa = { continuousAvailability: false, connectionPersistentCapability: true }
  const noCap = { continuousAvailability: true, connectionPersistentCapability: false }
  const none = outcome(OplockLevel.None, null, OplockLevel.None, null)
  const table: Array<[string, { timeoutMs: number; persistent: boolean }, CachingOutcome, typeof ca, string]> = [
    ['batch granted, no flag -> v2', { timeoutMs: 0, persistent: false }, outcome(B, null, B, null), notCa, 'v2'],
    ['no oplock, no flag -> ignored', { timeoutMs: 0, persistent: false }, none, ca, 'none'],
    ['persistent flag on a CA share with the capability, no oplock -> persistent', { timeoutMs: 0, persistent: true }, none, ca, 'persistent'],
    ['persistent flag on a non-CA share with batch -> plain v2', { timeoutMs: 0, persistent: true }, outcome(B, null, B, null), notCa, 'v2'],
    ['persistent flag on a non-CA share, no oplock -> none', { timeoutMs: 0, persistent: true }, none, notCa, 'none'],
    ['persistent flag, CA share, capability not negotiated, no oplock -> none', { timeoutMs: 0, persistent: true }, none, noCap, 'none'],
    ['handle lease granted -> v2', { timeoutMs: 0, persistent: false }, outcome(L, 'RH', L, 'RH'), notCa, 'v2'],
    ['directory -> none', { timeoutMs: 0, persistent: true }, outcome(L, 'RH', L, 'RH', true), ca, 'none'],
  ]
  it.each(table)('%s', (_n, q, o, share, expected) => {
    expect(grantDurableV2(q, o, share).durable).toBe(expected)
  })

  it.each([
    [0, 60_000],
    [1, 1],
    [120_000, 120_000],
    [300_000, 300_000],
    [0xffff_ffff, 300_000],
  ])('Timeout %d negotiates to %d ms (0 -> default, capped at the maximum)', (asked, got) => {
    expect(negotiateDurableTimeout(asked)).toBe(got)
    expect(grantDurableV2({ timeoutMs: asked, persistent: false }, outcome(B, null, B, null), ca).timeoutMs).toBe(got)
  })
})

// ---- reconnect scenarios ------------------------------------------------------------------------------------

interface Scenario {
  name: string
  /** How the original open was made. */
  open: { durable?: OpenGlobal['durable']; lease?: { key: string; version: 1 | 2 } | null; oplockLevel?: number }
  /** What happens before the reconnect. */
  disconnect?: boolean
  advanceMs?: number
  /** The reconnect request. */
  req?: Partial<{ clientGuid: string; owner: typeof ALICE; lease: { key: string; version: 1 | 2 } | null; fileName: string; persistentId: 'same' | 'unknown'; createGuid: string; persistent: boolean; ca: boolean }>
  expect: string
  cfg?: Partial<typeof DEFAULT_DURABLE_CONFIG>
}

function runV1(sc: Scenario) {
  const w = makeWorld()
  const s = w.login()
  const o = w.open(s, { durable: sc.open.durable ?? DurableKind.V1, lease: sc.open.lease ?? null, oplockLevel: sc.open.oplockLevel })
  if (sc.disconnect !== false) w.tables.disconnectOpen(o.persistentId)
  if (sc.advanceMs) w.clock.advance(sc.advanceMs)
  const r = sc.req ?? {}
  const found = r.persistentId === 'unknown' ? undefined : w.tables.opens.get(o.persistentId)
  return checkReconnectV1(
    found,
    {
      clientGuid: r.clientGuid ?? CLIENT_A,
      owner: r.owner ?? ALICE,
      lease: r.lease === undefined ? sc.open.lease ?? null : r.lease,
      fileName: r.fileName ?? 'dir\\file.txt',
      now: w.clock.now(),
    },
    { ...DEFAULT_DURABLE_CONFIG, ...sc.cfg },
  )
}

const LEASED = { key: LEASE_1, version: 2 as const }

describe('DHnC reconnect (MS-SMB2 3.3.5.9.7)', () => {
  const table: Scenario[] = [
    { name: 'batch durable, disconnect, reconnect as the same user -> SUCCESS', open: {}, expect: 'STATUS_SUCCESS' },
    { name: 'unknown FileId.Persistent -> OBJECT_NAME_NOT_FOUND', open: {}, req: { persistentId: 'unknown' }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'open still connected (Open.Session not NULL) -> OBJECT_NAME_NOT_FOUND', open: {}, disconnect: false, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'another user (Open.DurableOwner) -> ACCESS_DENIED', open: {}, req: { owner: BOB }, expect: 'STATUS_ACCESS_DENIED' },
    {
      name: 'another user with Samba status -> OBJECT_NAME_NOT_FOUND',
      open: {},
      req: { owner: BOB },
      cfg: { ownerMismatchStatus: NtStatus.ObjectNameNotFound },
      expect: 'STATUS_OBJECT_NAME_NOT_FOUND',
    },
    { name: 'non-durable open -> OBJECT_NAME_NOT_FOUND', open: { durable: DurableKind.None }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'durable timeout elapsed -> OBJECT_NAME_NOT_FOUND', open: {}, advanceMs: 60_000, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'just before the timeout -> SUCCESS', open: {}, advanceMs: 59_999, expect: 'STATUS_SUCCESS' },
    { name: 'lease durable from another ClientGuid -> OBJECT_NAME_NOT_FOUND', open: { lease: LEASED }, req: { clientGuid: CLIENT_B }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'oplock durable from another ClientGuid -> SUCCESS (the check needs a lease)', open: {}, req: { clientGuid: CLIENT_B }, expect: 'STATUS_SUCCESS' },
    { name: 'lease durable without a lease context -> OBJECT_NAME_NOT_FOUND', open: { lease: LEASED }, req: { lease: null }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease durable with another lease key -> OBJECT_NAME_NOT_FOUND', open: { lease: LEASED }, req: { lease: { key: LEASE_2, version: 2 } }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'oplock durable with a lease context -> OBJECT_NAME_NOT_FOUND', open: {}, req: { lease: LEASED }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease durable naming another file -> INVALID_PARAMETER', open: { lease: LEASED }, req: { fileName: 'other.txt' }, expect: 'STATUS_INVALID_PARAMETER' },
    { name: 'lease durable naming the file with other case and slashes -> SUCCESS', open: { lease: LEASED }, req: { fileName: '/DIR/File.TXT' }, expect: 'STATUS_SUCCESS' },
    { name: 'v2 open reconnected with DHnC -> SUCCESS (Samba: v1 reconnect of a v2 handle is valid)', open: { durable: DurableKind.V2 }, expect: 'STATUS_SUCCESS' },
  ]
  it.each(table.map((t) => [t.name, t] as const))('%s', (_n, sc) => {
    const r = runV1(sc)
    expect(S(r.status), r.rule).toBe(sc.expect)
    expect(r.rule).toMatch(/^MS-SMB2 3\.3\.5\.9\.7/)
  })
})

function runV2(sc: Scenario) {
  const w = makeWorld()
  const s = w.login(ALICE, CLIENT_A, { ca: true })
  const o = w.open(s, { durable: sc.open.durable ?? DurableKind.V2, lease: sc.open.lease ?? null, oplockLevel: sc.open.oplockLevel, createGuid: CREATE_1 })
  if (sc.disconnect !== false) w.tables.disconnectOpen(o.persistentId)
  if (sc.advanceMs) w.clock.advance(sc.advanceMs)
  const r = sc.req ?? {}
  return checkReconnectV2(
    { byPersistentId: (id) => w.tables.opens.get(id), byCreateGuid: (g) => w.tables.findAnyByCreateGuid(g) },
    {
      persistentId: r.persistentId === 'unknown' ? o.persistentId ^ 0x5555n : o.persistentId,
      createGuid: r.createGuid ?? CREATE_1,
      persistent: r.persistent ?? o.durable === DurableKind.Persistent,
      share: { continuousAvailability: r.ca ?? true, connectionPersistentCapability: true },
      clientGuid: r.clientGuid ?? CLIENT_A,
      owner: r.owner ?? ALICE,
      lease: r.lease === undefined ? sc.open.lease ?? null : r.lease,
      fileName: r.fileName ?? 'dir\\file.txt',
      now: w.clock.now(),
    },
  )
}

describe('DH2C reconnect (MS-SMB2 3.3.5.9.12)', () => {
  const leaseRH = { lease: LEASED }
  const table: Scenario[] = [
    { name: 'v2 open with lease RH, disconnect, reconnect -> SUCCESS', open: leaseRH, expect: 'STATUS_SUCCESS' },
    { name: 'v2 open with lease RH then disconnect then reconnect with wrong CreateGuid -> OBJECT_NAME_NOT_FOUND', open: leaseRH, req: { createGuid: CREATE_2 }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'v2 open reconnected while still connected -> OBJECT_NAME_NOT_FOUND', open: {}, disconnect: false, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'persistent open still connected -> SUCCESS (take over)', open: { durable: DurableKind.Persistent }, disconnect: false, expect: 'STATUS_SUCCESS' },
    { name: 'persistent open, DH2C without the persistent flag -> OBJECT_NAME_NOT_FOUND', open: { durable: DurableKind.Persistent }, req: { persistent: false }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'persistent open found by CreateGuid when the FileId is unknown (CA share) -> SUCCESS', open: { durable: DurableKind.Persistent }, req: { persistentId: 'unknown' }, expect: 'STATUS_SUCCESS' },
    { name: 'unknown FileId on a non-CA share -> OBJECT_NAME_NOT_FOUND', open: { durable: DurableKind.Persistent }, req: { persistentId: 'unknown', ca: false }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'unknown FileId without the persistent flag -> OBJECT_NAME_NOT_FOUND', open: {}, req: { persistentId: 'unknown' }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease open from another ClientGuid -> OBJECT_NAME_NOT_FOUND', open: leaseRH, req: { clientGuid: CLIENT_B }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease open, other lease key -> OBJECT_NAME_NOT_FOUND', open: leaseRH, req: { lease: { key: LEASE_2, version: 2 } }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease open, no lease context -> OBJECT_NAME_NOT_FOUND', open: leaseRH, req: { lease: null }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'oplock open, lease context -> OBJECT_NAME_NOT_FOUND', open: {}, req: { lease: LEASED }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'lease open naming another file -> INVALID_PARAMETER', open: leaseRH, req: { fileName: 'x' }, expect: 'STATUS_INVALID_PARAMETER' },
    { name: 'another user -> ACCESS_DENIED', open: {}, req: { owner: BOB }, expect: 'STATUS_ACCESS_DENIED' },
    { name: 'after the durable timeout -> OBJECT_NAME_NOT_FOUND', open: {}, advanceMs: 60_000, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    { name: 'non-durable open -> OBJECT_NAME_NOT_FOUND', open: { durable: DurableKind.None }, expect: 'STATUS_OBJECT_NAME_NOT_FOUND' },
  ]
  it.each(table.map((t) => [t.name, t] as const))('%s', (_n, sc) => {
    const r = runV2(sc)
    expect(S(r.status), r.rule).toBe(sc.expect)
    expect(r.rule).toMatch(/^MS-SMB2 3\.3\.5\.9\.12/)
  })

  it('a persistent take-over is flagged so the caller detaches the old local open', () => {
    const r = runV2({ name: '', open: { durable: DurableKind.Persistent }, disconnect: false, expect: '' })
    expect(r.takeOver).toBe(true)
  })
})

describe('create against a disconnected persistent open (MS-SMB2 3.3.5.9)', () => {
  it('FILE_NOT_AVAILABLE when it holds no batch oplock or handle lease; fine otherwise', () => {
    const w = makeWorld()
    const s = w.login(ALICE, CLIENT_A, { ca: true })
    const o = w.open(s, { durable: DurableKind.Persistent, oplockLevel: OplockLevel.None })
    const q = { dialect: 0x0300, leaseStateOf: () => LeaseState.None }
    expect(S(checkDisconnectedPersistentConflict([o], q).status)).toBe('STATUS_SUCCESS') // still connected
    w.tables.disconnectOpen(o.persistentId)
    expect(S(checkDisconnectedPersistentConflict([o], q).status)).toBe('STATUS_FILE_NOT_AVAILABLE')
    expect(S(checkDisconnectedPersistentConflict([o], { ...q, dialect: 0x0210 }).status)).toBe('STATUS_SUCCESS')
    w.tables.updateOpen(o.persistentId, { oplockLevel: OplockLevel.Batch })
    expect(S(checkDisconnectedPersistentConflict([o], q).status)).toBe('STATUS_SUCCESS')
  })
})

describe('replay cache keyed by (ClientGuid, CreateGuid) (MS-SMB2 3.3.5.9.10)', () => {
  function setup() {
    const w = makeWorld()
    const s = w.login()
    return { w, s, rc: new ReplayCache(w.tables) }
  }

  it('a replayed create gets the same open back; a non-replay with the same CreateGuid is DUPLICATE_OBJECTID', () => {
    const { w, s, rc } = setup()
    expect(rc.begin(CLIENT_A, CREATE_1, false, 'c1:5')).toEqual({ kind: 'new' })
    const o = w.open(s, { createGuid: CREATE_1 })
    rc.complete(CLIENT_A, CREATE_1, o.persistentId)
    const replay = rc.begin(CLIENT_A, CREATE_1, true, 'c2:9')
    expect(replay.kind === 'replay' && replay.open).toBe(o)
    const dup = rc.begin(CLIENT_A, CREATE_1, false, 'c2:10')
    // Compared by code: the shared table currently spells it STATUS_DUPLICATE_OBJECT_ID (MS-ERREF: ..._OBJECTID).
    expect(dup.kind === 'error' && dup.status).toBe(0xc000_022a)
  })

  it('the same CreateGuid from another client is a different create', () => {
    const { w, s, rc } = setup()
    rc.begin(CLIENT_A, CREATE_1, false, 'r1')
    rc.complete(CLIENT_A, CREATE_1, w.open(s).persistentId)
    expect(rc.begin(CLIENT_B, CREATE_1, true, 'r2')).toEqual({ kind: 'new' })
  })

  it('a replay while the original is still running gets FILE_NOT_AVAILABLE (Samba), the holder itself continues', () => {
    const { rc } = setup()
    expect(rc.begin(CLIENT_A, CREATE_1, false, 'orig')).toEqual({ kind: 'new' })
    const r = rc.begin(CLIENT_A, CREATE_1, true, 'replay')
    expect(r.kind === 'error' && S(r.status)).toBe('STATUS_FILE_NOT_AVAILABLE')
    expect(rc.begin(CLIENT_A, CREATE_1, false, 'orig')).toEqual({ kind: 'new' })
    rc.abort(CLIENT_A, CREATE_1, 'orig')
    expect(rc.begin(CLIENT_A, CREATE_1, true, 'replay')).toEqual({ kind: 'new' })
  })

  it('after the open is no longer replay-eligible a replay is a new create', () => {
    const { w, s, rc } = setup()
    rc.begin(CLIENT_A, CREATE_1, false, 'r1')
    const o = w.open(s)
    rc.complete(CLIENT_A, CREATE_1, o.persistentId)
    rc.markIneligible(o.persistentId)
    expect(o.replayEligible).toBe(false)
    expect(rc.begin(CLIENT_A, CREATE_1, true, 'r2')).toEqual({ kind: 'new' })
  })
})

describe('ChannelSequence (MS-SMB2 3.3.5.2.10)', () => {
  const st = (channelSequence: number, cur = 0, pre = 0) => ({ channelSequence, outstandingRequestCount: cur, outstandingPreRequestCount: pre })
  it.each([
    ['equal -> counted', st(5, 2), 5, false, 'write', 'STATUS_SUCCESS', st(5, 3)],
    ['newer -> adopted, outstanding moves to pre', st(5, 2, 1), 6, false, 'write', 'STATUS_SUCCESS', st(6, 1, 3)],
    ['newer across the 16-bit wrap', st(0xffff, 1), 0x0000, false, 'ioctl', 'STATUS_SUCCESS', st(0, 1, 1)],
    ['0x7FFF ahead is still newer', st(0, 0), 0x7fff, false, 'write', 'STATUS_SUCCESS', st(0x7fff, 1, 0)],
    ['0x8000 ahead is older -> write fails', st(0, 0), 0x8000, false, 'write', 'STATUS_FILE_NOT_AVAILABLE', undefined],
    ['older SET_INFO -> FILE_NOT_AVAILABLE', st(10), 9, false, 'set-info', 'STATUS_FILE_NOT_AVAILABLE', undefined],
    ['older READ -> not guarded', st(10), 9, false, 'other', 'STATUS_SUCCESS', undefined],
    ['replay with current sequence while older requests are outstanding -> FILE_NOT_AVAILABLE', st(6, 1, 2), 6, true, 'write', 'STATUS_FILE_NOT_AVAILABLE', undefined],
    ['replay with current sequence, nothing older outstanding -> counted', st(6, 1, 0), 6, true, 'write', 'STATUS_SUCCESS', st(6, 2, 0)],
  ] as const)('%s', (_n, s, seq, replay, cmd, status, update) => {
    const v = checkChannelSequence(s, seq, replay, cmd)
    expect(S(v.status)).toBe(status)
    expect(v.update).toEqual(update)
  })

  it('completion decrements the bucket the request belongs to', () => {
    let s = st(6, 1, 2)
    s = channelSequenceDone(s, 6)
    expect(s).toEqual(st(6, 0, 2))
    s = channelSequenceDone(s, 5)
    expect(s).toEqual(st(6, 0, 1))
  })
})
