/**
 * Durable-handle rules as pure functions over the global records: which durable create contexts may appear
 * together, when durability is granted (DHnQ v1, DH2Q v2, persistent), the reconnect checks (DHnC, DH2C) with the
 * exact statuses MS-SMB2 asks for, the replay cache keyed by (ClientGuid, CreateGuid), ChannelSequence checks, and
 * what happens to a session's opens on LOGOFF, on connection loss and on PreviousSessionId.
 *
 * Every rule cites its MS-SMB2 section. Where Samba (the interop peer we test against) differs from the document,
 * the document wins unless a config knob says otherwise, and the difference is written next to the rule.
 *
 * Conflicting opens while a durable open is disconnected: a lease or oplock break cannot be delivered to a client
 * that has no connection, so the disconnected durable open is purged (closed and removed from the global table)
 * before the new open proceeds; a reconnect afterwards fails with STATUS_OBJECT_NAME_NOT_FOUND. This is Samba's
 * behaviour (smbtorture smb2.durable-open.oplock / .lease: "the second open succeeds, the reconnect fails") and
 * matches MS-SMB2 3.3.4.6/3.3.4.7, which close opens whose break cannot be sent. Persistent opens are not purged:
 * their break completes at once as if acknowledged, and a create that conflicts with a disconnected persistent open
 * holding no batch oplock / handle lease gets STATUS_FILE_NOT_AVAILABLE (MS-SMB2 3.3.5.9). The purge itself is done
 * by `CachingManager` (file-caching.ts), which owns the break machinery.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { DurableKind, isDurableKind } from './global-tables.js'
import type { GlobalTables, Guid, OpenGlobal, SessionOwner } from './global-tables.js'
import { LeaseState } from './lease-table.js'
import { OplockLevel } from './oplock.js'

/** A verdict with the rule that produced it (tests and logs show the rule). */
export interface Verdict {
  status: NtStatus
  rule: string
}

const ok = (rule: string): Verdict => ({ status: NtStatus.Success, rule })
const fail = (status: NtStatus, rule: string): Verdict => ({ status, rule })

export interface DurableConfig {
  /** Open.DurableOpenTimeout for DHnQ (v1). Samba uses 60 s; Windows 16 minutes (MS-SMB2 3.3.5.9.6 footnote). */
  v1TimeoutMs: number
  /** DH2Q with Timeout 0: "an implementation-specific value" (MS-SMB2 3.3.5.9.10); 60 s as Windows and Samba. */
  v2DefaultTimeoutMs: number
  /** Cap on a client's DH2Q Timeout; Samba caps at 300 s (smbtorture expects 300000 for a UINT32_MAX request). */
  v2MaxTimeoutMs: number
  /** Whether the server offers SMB2_GLOBAL_CAP_PERSISTENT_HANDLES at all. */
  persistentHandles: boolean
  /**
   * Status for a reconnect by a different user. MS-SMB2 3.3.5.9.7/3.3.5.9.12 say STATUS_ACCESS_DENIED; Samba
   * answers STATUS_OBJECT_NAME_NOT_FOUND (smbXsrv_open.c, smb2srv_open_recreate).
   */
  ownerMismatchStatus: NtStatus
}

export const DEFAULT_DURABLE_CONFIG: DurableConfig = {
  v1TimeoutMs: 60_000,
  v2DefaultTimeoutMs: 60_000,
  v2MaxTimeoutMs: 300_000,
  persistentHandles: true,
  ownerMismatchStatus: NtStatus.AccessDenied,
}

const ZERO_GUID = '00000000-0000-0000-0000-000000000000'

/** SMB2_DHANDLE_FLAG_PERSISTENT (MS-SMB2 2.2.13.2.11). */
export const DHANDLE_FLAG_PERSISTENT = 0x0000_0002

// ---- which durable contexts ---------------------------------------------------------------------------------

/** The durable create contexts a CREATE request carries (decoded by the SMB layer). */
export interface DurableContexts {
  /** DHnQ (MS-SMB2 2.2.13.2.3). */
  dhnq?: boolean
  /** DHnC (2.2.13.2.4): the FileId of the open to reclaim. */
  dhnc?: { persistentId: bigint; volatileId?: bigint } | null
  /** DH2Q (2.2.13.2.11). */
  dh2q?: { timeoutMs: number; flags: number; createGuid: Guid } | null
  /** DH2C (2.2.13.2.12). */
  dh2c?: { persistentId: bigint; volatileId?: bigint; createGuid: Guid; flags: number } | null
}

export type DurablePlan =
  | { kind: 'none' }
  | { kind: 'request-v1' }
  | { kind: 'request-v2'; timeoutMs: number; persistent: boolean; createGuid: Guid }
  | { kind: 'reconnect-v1'; persistentId: bigint }
  | { kind: 'reconnect-v2'; persistentId: bigint; createGuid: Guid; persistent: boolean }
  | { kind: 'error'; status: NtStatus; rule: string }

/**
 * Classifies the durable contexts of a CREATE. v2 contexts are "only valid for the SMB 3.x dialect family"
 * (MS-SMB2 2.2.13.2.11/12); on 2.x connections they are ignored, as unknown contexts are.
 */
export function classifyDurableContexts(c: DurableContexts, dialect: number): DurablePlan {
  const smb3 = dialect >= 0x0300
  const dh2q = smb3 ? c.dh2q ?? null : null
  const dh2c = smb3 ? c.dh2c ?? null : null
  const dhnq = !!c.dhnq
  const dhnc = c.dhnc ?? null
  if (dhnc) {
    // 3.3.5.9.7: DHnQ alongside is ignored; DH2Q or DH2C alongside: SHOULD fail with STATUS_INVALID_PARAMETER.
    if (dh2q || dh2c) return { kind: 'error', status: NtStatus.InvalidParameter, rule: 'MS-SMB2 3.3.5.9.7: DHnC with DH2Q/DH2C' }
    return { kind: 'reconnect-v1', persistentId: dhnc.persistentId }
  }
  if (dh2c) {
    // 3.3.5.9.12 (and 3.3.5.9.10): DH2C with DHnQ or DH2Q fails with STATUS_INVALID_PARAMETER.
    if (dhnq || dh2q) return { kind: 'error', status: NtStatus.InvalidParameter, rule: 'MS-SMB2 3.3.5.9.12: DH2C with DHnQ/DH2Q' }
    return {
      kind: 'reconnect-v2',
      persistentId: dh2c.persistentId,
      createGuid: dh2c.createGuid.toLowerCase(),
      persistent: (dh2c.flags & DHANDLE_FLAG_PERSISTENT) !== 0,
    }
  }
  if (dh2q) {
    // 3.3.5.9.10: DH2Q with DHnQ (or a reconnect context) fails with STATUS_INVALID_PARAMETER.
    if (dhnq) return { kind: 'error', status: NtStatus.InvalidParameter, rule: 'MS-SMB2 3.3.5.9.10: DH2Q with DHnQ' }
    return {
      kind: 'request-v2',
      timeoutMs: dh2q.timeoutMs >>> 0,
      persistent: (dh2q.flags & DHANDLE_FLAG_PERSISTENT) !== 0,
      createGuid: dh2q.createGuid.toLowerCase(),
    }
  }
  if (dhnq) return { kind: 'request-v1' }
  return { kind: 'none' }
}

// ---- grant --------------------------------------------------------------------------------------------------

/** What the CREATE asked for and what the oplock/lease machinery granted (the durable grant depends on both). */
export interface CachingOutcome {
  requestedOplockLevel: number
  /** LeaseState asked for in RqLs (v1 or v2), or null when no lease context was sent. */
  requestedLeaseState: number | null
  grantedOplockLevel: number
  /** Granted lease state (when the open got a lease). */
  grantedLeaseState: number | null
  isDirectory: boolean
}

export interface DurableGrant {
  durable: DurableKind
  timeoutMs: number
  verdict: Verdict
}

const none = (rule: string): DurableGrant => ({ durable: DurableKind.None, timeoutMs: 0, verdict: ok(rule) })

const grantedHandleCaching = (o: CachingOutcome): boolean =>
  o.grantedOplockLevel === OplockLevel.Batch ||
  (o.grantedOplockLevel === OplockLevel.Lease && ((o.grantedLeaseState ?? 0) & LeaseState.Handle) !== 0)

/**
 * DHnQ (MS-SMB2 3.3.5.9.6): ignored unless the client asked for a batch oplock or a lease with Handle caching;
 * ignored for a lease on a directory. Durability is then granted when the open actually holds a batch oplock or a
 * lease with Handle caching (as Samba does; a durable open without them could not be preserved on disconnect,
 * 3.3.7.1).
 */
export function grantDurableV1(o: CachingOutcome, cfg: DurableConfig = DEFAULT_DURABLE_CONFIG): DurableGrant {
  const askedHandle = (o.requestedLeaseState ?? 0) & LeaseState.Handle
  if (o.requestedOplockLevel !== OplockLevel.Batch && !(o.requestedOplockLevel === OplockLevel.Lease && askedHandle)) {
    return none('MS-SMB2 3.3.5.9.6: no batch oplock or handle lease requested, DHnQ ignored')
  }
  if (o.isDirectory) return none('MS-SMB2 3.3.5.9.6: lease on a directory, DHnQ ignored')
  if (!grantedHandleCaching(o)) return none('MS-SMB2 3.3.5.9.6: granted neither batch nor handle lease')
  return { durable: DurableKind.V1, timeoutMs: cfg.v1TimeoutMs, verdict: ok('MS-SMB2 3.3.5.9.6: durable v1 granted') }
}

/** Negotiated DH2Q timeout: 0 -> the server default; otherwise capped at the server maximum (3.3.5.9.10). */
export function negotiateDurableTimeout(requestedMs: number, cfg: DurableConfig = DEFAULT_DURABLE_CONFIG): number {
  const t = requestedMs >>> 0
  return t === 0 ? cfg.v2DefaultTimeoutMs : Math.min(t, cfg.v2MaxTimeoutMs)
}

export interface DurableV2Request {
  timeoutMs: number
  persistent: boolean
}

export interface ShareDurability {
  /** TreeConnect.Share.IsCA. */
  continuousAvailability: boolean
  /** Connection.ServerCapabilities includes SMB2_GLOBAL_CAP_PERSISTENT_HANDLES (3.3.5.4). */
  connectionPersistentCapability: boolean
}

/**
 * DH2Q (MS-SMB2 3.3.5.9.10): without the persistent flag, ignored unless a batch oplock or a handle lease was
 * requested. Open.IsPersistent only when the flag is set, the share is CA and the connection negotiated
 * SMB2_GLOBAL_CAP_PERSISTENT_HANDLES. The response context is skipped (no durability) when the open is not
 * persistent and holds neither a batch oplock nor a handle lease. Directories are skipped.
 */
export function grantDurableV2(
  q: DurableV2Request,
  o: CachingOutcome,
  share: ShareDurability,
  cfg: DurableConfig = DEFAULT_DURABLE_CONFIG,
): DurableGrant {
  const askedHandle = (o.requestedLeaseState ?? 0) & LeaseState.Handle
  if (!q.persistent && o.requestedOplockLevel !== OplockLevel.Batch && !(o.requestedOplockLevel === OplockLevel.Lease && askedHandle)) {
    return none('MS-SMB2 3.3.5.9.10: not persistent, no batch oplock or handle lease requested, DH2Q ignored')
  }
  if (o.isDirectory) return none('MS-SMB2 3.3.5.9.10: directory, no durability')
  const persistent =
    q.persistent && share.continuousAvailability && share.connectionPersistentCapability && cfg.persistentHandles
  if (!persistent && !grantedHandleCaching(o)) {
    return none('MS-SMB2 3.3.5.9.10: not persistent and granted neither batch nor handle lease, no DH2Q response')
  }
  return {
    durable: persistent ? DurableKind.Persistent : DurableKind.V2,
    timeoutMs: negotiateDurableTimeout(q.timeoutMs, cfg),
    verdict: ok(persistent ? 'MS-SMB2 3.3.5.9.10: persistent handle granted' : 'MS-SMB2 3.3.5.9.10: durable v2 granted'),
  }
}

// ---- reconnect ----------------------------------------------------------------------------------------------

/** The reconnecting CREATE as the checks need it. */
export interface ReconnectRequest {
  /** ClientGuid of the connection that received the request. */
  clientGuid: Guid
  /** Session.SecurityContext of the request's session (compared with Open.DurableOwner). */
  owner: SessionOwner
  /** Lease context of the request (RqLs v1 or v2), or null. */
  lease: { key: Guid; version: 1 | 2 } | null
  /** File name in the CREATE request's Buffer. */
  fileName: string
  now: number
}

export interface ReconnectResult extends Verdict {
  open?: OpenGlobal
  /** A persistent open still attached to a session: the caller detaches the old local open first. */
  takeOver?: boolean
}

const sameName = (a: string, b: string) => normalizeName(a) === normalizeName(b)
/** File names compare case-insensitively with either slash (Open.FileName is share-relative). */
export function normalizeName(n: string): string {
  return n.replace(/\//g, '\\').replace(/^\\+/, '').toLowerCase()
}

export const durableDeadline = (o: OpenGlobal): number | null =>
  o.disconnectedAt === null ? null : o.disconnectedAt + o.durableTimeoutMs

export const durableExpired = (o: OpenGlobal, now: number): boolean => {
  const d = durableDeadline(o)
  return d !== null && now >= d
}

function leaseChecks(o: OpenGlobal, q: ReconnectRequest, section: string): Verdict | null {
  if (o.lease === null && q.lease !== null) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${section}: Open.Lease is NULL and a lease context is present`)
  }
  if (o.lease !== null && q.lease === null) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${section}: Open.Lease is not NULL and no lease context is present`)
  }
  if (o.lease !== null && q.lease !== null && o.lease.key.toLowerCase() !== q.lease.key.toLowerCase()) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${section}: Open.Lease.LeaseKey does not match the request's LeaseKey`)
  }
  return null
}

/** DHnC (MS-SMB2 3.3.5.9.7), checks in the document's order. `open` is the GlobalOpenTable hit by FileId.Persistent. */
export function checkReconnectV1(
  open: OpenGlobal | undefined,
  q: ReconnectRequest,
  cfg: DurableConfig = DEFAULT_DURABLE_CONFIG,
): ReconnectResult {
  const S = '3.3.5.9.7'
  if (!open) return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: no open with that FileId.Persistent`)
  if (open.lease !== null && open.clientGuid !== q.clientGuid.toLowerCase()) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.Lease is not NULL and Open.ClientGuid differs`)
  }
  if (open.lease === null && q.lease !== null) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.Lease is NULL and a lease context is present`)
  }
  if (!isDurableKind(open.durable)) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.IsDurable and Open.IsResilient are FALSE`)
  }
  if (open.sessionId !== null || open.disconnectedAt === null) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.Session is not NULL (open still connected)`)
  }
  if (durableExpired(open, q.now)) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: durable timeout elapsed (3.3.2.2 scavenger)`)
  }
  const lease = leaseChecks(open, q, S)
  if (lease) return lease
  // The name is compared once the lease key matched (smbtorture durable-open.reopen2-lease: no lease context or
  // another key -> OBJECT_NAME_NOT_FOUND whatever the name; the right key and another name -> INVALID_PARAMETER).
  if (open.lease !== null && !sameName(open.path, q.fileName)) {
    return fail(NtStatus.InvalidParameter, `MS-SMB2 ${S}: Open.Lease.FileName does not match the request's file name`)
  }
  if (open.owner !== q.owner.sid) {
    return fail(cfg.ownerMismatchStatus, `MS-SMB2 ${S}: Open.DurableOwner is not the session's user`)
  }
  return { ...ok(`MS-SMB2 ${S}: reconnect allowed`), open }
}

export interface ReconnectV2Request extends ReconnectRequest {
  persistentId: bigint
  createGuid: Guid
  /** SMB2_DHANDLE_FLAG_PERSISTENT in DH2C.Flags. */
  persistent: boolean
  share: ShareDurability
}

/** DH2C (MS-SMB2 3.3.5.9.12), checks in the document's order (as the Windows protocol test model reads them). */
export function checkReconnectV2(
  lookup: { byPersistentId(id: bigint): OpenGlobal | undefined; byCreateGuid(guid: Guid): OpenGlobal | undefined },
  q: ReconnectV2Request,
  cfg: DurableConfig = DEFAULT_DURABLE_CONFIG,
): ReconnectResult {
  const S = '3.3.5.9.12'
  let open = lookup.byPersistentId(q.persistentId)
  if (!open) {
    // A persistent reconnect may also find the open by CreateGuid (e.g. after a server restart renumbered nothing
    // but the client lost the FileId).
    if (q.persistent && q.share.continuousAvailability && q.share.connectionPersistentCapability) {
      open = lookup.byCreateGuid(q.createGuid)
    }
    if (!open) return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: no open with that FileId.Persistent (or CreateGuid)`)
  }
  if (open.lease !== null && open.clientGuid !== q.clientGuid.toLowerCase()) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.Lease is not NULL and Open.ClientGuid differs`)
  }
  if (open.durable === DurableKind.Persistent && !q.persistent) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.IsPersistent and SMB2_DHANDLE_FLAG_PERSISTENT not set`)
  }
  // A v1 (DHnQ) open has no CreateGuid: it matches the all-zero GUID (Samba stores zeros; smbtorture
  // durable-open.reopen2-lease reclaims a DHnQ open with DH2C and a zero CreateGuid).
  if ((open.createGuid ?? ZERO_GUID) !== q.createGuid.toLowerCase()) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.CreateGuid does not match the request's CreateGuid`)
  }
  if (!isDurableKind(open.durable)) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.IsDurable and Open.IsResilient are FALSE`)
  }
  const connected = open.sessionId !== null || open.disconnectedAt === null
  if (connected && open.durable !== DurableKind.Persistent) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: Open.Session is not NULL (open still connected)`)
  }
  if (!connected && durableExpired(open, q.now)) {
    return fail(NtStatus.ObjectNameNotFound, `MS-SMB2 ${S}: durable timeout elapsed`)
  }
  const lease = leaseChecks(open, q, S)
  if (lease) return lease
  if (open.lease !== null && !sameName(open.path, q.fileName)) {
    return fail(NtStatus.InvalidParameter, `MS-SMB2 ${S}: Open.Lease.FileName does not match the request's file name`)
  }
  if (open.owner !== q.owner.sid) {
    return fail(cfg.ownerMismatchStatus, `MS-SMB2 ${S}: Open.DurableOwner is not the session's user`)
  }
  return { ...ok(`MS-SMB2 ${S}: reconnect allowed`), open, takeOver: connected }
}

// ---- conflicting create against a disconnected persistent open ----------------------------------------------

/**
 * MS-SMB2 3.3.5.9: a CREATE (not a reconnect) on SMB 3.x for a file name that a disconnected persistent open holds
 * without a batch oplock or a handle lease SHOULD fail with STATUS_FILE_NOT_AVAILABLE (the owner may come back).
 */
export function checkDisconnectedPersistentConflict(
  opensOfName: readonly OpenGlobal[],
  q: { dialect: number; leaseStateOf(open: OpenGlobal): number },
): Verdict {
  if (q.dialect < 0x0300) return ok('MS-SMB2 3.3.5.9: not SMB 3.x')
  for (const o of opensOfName) {
    if (o.durable !== DurableKind.Persistent || o.disconnectedAt === null) continue
    if (o.oplockLevel === OplockLevel.Batch) continue
    if (o.oplockLevel === OplockLevel.Lease && q.leaseStateOf(o) & LeaseState.Handle) continue
    return fail(NtStatus.FileNotAvailable, 'MS-SMB2 3.3.5.9: disconnected persistent open holds the file')
  }
  return ok('MS-SMB2 3.3.5.9: no disconnected persistent open in the way')
}

// ---- replay cache -------------------------------------------------------------------------------------------

export type ReplayLookup =
  | { kind: 'new' }
  | { kind: 'replay'; open: OpenGlobal }
  | { kind: 'error'; status: NtStatus; rule: string }

/**
 * Create replay detection keyed by (ClientGuid, CreateGuid) (MS-SMB2 3.3.5.9.10; Samba smbXsrv_open.c
 * smb2srv_open_lookup_replay_cache). A create reserves its CreateGuid while it runs; when it succeeds the open is
 * "replay eligible" (OpenGlobal.replayEligible) and a replayed create (SMB2_FLAGS_REPLAY_OPERATION) gets the same
 * open back instead of a second one.
 */
export class ReplayCache {
  private readonly pending = new Map<string, string>()

  constructor(private readonly tables: GlobalTables) {}

  private key(clientGuid: Guid, createGuid: Guid) {
    return `${clientGuid.toLowerCase()}/${createGuid.toLowerCase()}`
  }

  /**
   * Called before running a create that carries DH2Q. `requestId` identifies this request (e.g. connection id +
   * MessageId) so a second look-up by the same request is not mistaken for a concurrent one.
   */
  begin(clientGuid: Guid, createGuid: Guid, isReplay: boolean, requestId: string): ReplayLookup {
    const open = this.tables.findByCreateGuid(clientGuid, createGuid)
    if (open && open.replayEligible) {
      // 3.3.5.9.10: an Open found and SMB2_FLAGS_REPLAY_OPERATION not set -> STATUS_DUPLICATE_OBJECTID.
      if (!isReplay) {
        return { kind: 'error', status: NtStatus.DuplicateObjectId, rule: 'MS-SMB2 3.3.5.9.10: CreateGuid in use, not a replay' }
      }
      return { kind: 'replay', open }
    }
    const k = this.key(clientGuid, createGuid)
    const holder = this.pending.get(k)
    if (holder !== undefined && holder !== requestId) {
      // The original create (or an earlier replay) is still running: the client retries later (Samba).
      return { kind: 'error', status: NtStatus.FileNotAvailable, rule: 'Samba replay cache: original create still pending' }
    }
    this.pending.set(k, requestId)
    return { kind: 'new' }
  }

  /** The create succeeded: release the reservation and mark the open replay-eligible. */
  complete(clientGuid: Guid, createGuid: Guid, persistentId: bigint): void {
    this.pending.delete(this.key(clientGuid, createGuid))
    const o = this.tables.opens.get(persistentId)
    if (o && !o.replayEligible) this.tables.updateOpen(persistentId, { replayEligible: true })
  }

  /** The create failed: drop the reservation. */
  abort(clientGuid: Guid, createGuid: Guid, requestId: string): void {
    const k = this.key(clientGuid, createGuid)
    if (this.pending.get(k) === requestId) this.pending.delete(k)
  }

  /**
   * Open.IsReplayEligible = FALSE: the client has shown it saw the create's response (an oplock/lease break
   * acknowledgment, MS-SMB2 3.3.5.22.1/3.3.5.22.2, or, as Samba does, any request naming the FileId).
   */
  markIneligible(persistentId: bigint): void {
    const o = this.tables.opens.get(persistentId)
    if (o && o.replayEligible && o.durable !== DurableKind.Persistent) this.tables.updateOpen(persistentId, { replayEligible: false })
  }
}

// ---- channel sequence ---------------------------------------------------------------------------------------

export type ChannelSequenceCommand = 'write' | 'set-info' | 'ioctl' | 'other'

export interface ChannelSequenceState {
  channelSequence: number
  outstandingRequestCount: number
  outstandingPreRequestCount: number
}

export interface ChannelSequenceVerdict extends Verdict {
  /** New counter values to store on the open (absent when unchanged). */
  update?: ChannelSequenceState
  /** Whether the request was counted (then `channelSequenceDone` must be called when it completes). */
  counted: boolean
}

/**
 * MS-SMB2 3.3.5.2.10 (verifying the channel sequence number, SMB 3.x): equal -> count the request; newer (16-bit
 * difference <= 0x7FFF) -> move the outstanding count to "pre" and adopt the new sequence; older -> WRITE, SET_INFO
 * and IOCTL fail with STATUS_FILE_NOT_AVAILABLE. A replayed request with the current sequence while requests of an
 * older sequence are still outstanding also fails with STATUS_FILE_NOT_AVAILABLE.
 */
export function checkChannelSequence(
  s: ChannelSequenceState,
  channelSequence: number,
  isReplay: boolean,
  command: ChannelSequenceCommand,
): ChannelSequenceVerdict {
  const seq = channelSequence & 0xffff
  const guarded = command !== 'other'
  if (seq === s.channelSequence) {
    if (isReplay && s.outstandingPreRequestCount > 0 && guarded) {
      return { ...fail(NtStatus.FileNotAvailable, 'MS-SMB2 3.3.5.2.10: replay while older requests are outstanding'), counted: false }
    }
    return {
      ...ok('MS-SMB2 3.3.5.2.10: same channel sequence'),
      // Only the three counters: `s` is usually a whole open record, too big to copy on every request.
      update: { channelSequence: s.channelSequence, outstandingRequestCount: s.outstandingRequestCount + 1, outstandingPreRequestCount: s.outstandingPreRequestCount },
      counted: true,
    }
  }
  if (((seq - s.channelSequence) & 0xffff) <= 0x7fff) {
    return {
      ...ok('MS-SMB2 3.3.5.2.10: newer channel sequence adopted'),
      update: {
        channelSequence: seq,
        outstandingPreRequestCount: s.outstandingPreRequestCount + s.outstandingRequestCount,
        outstandingRequestCount: 1,
      },
      counted: true,
    }
  }
  if (guarded) return { ...fail(NtStatus.FileNotAvailable, 'MS-SMB2 3.3.5.2.10: stale channel sequence'), counted: false }
  return { ...ok('MS-SMB2 3.3.5.2.10: stale sequence, command not guarded'), counted: false }
}

/** A counted request completed: decrement the counter it belongs to (by the sequence it carried). */
export function channelSequenceDone(s: ChannelSequenceState, requestSequence: number): ChannelSequenceState {
  if ((requestSequence & 0xffff) === s.channelSequence && s.outstandingRequestCount > 0) {
    return { channelSequence: s.channelSequence, outstandingRequestCount: s.outstandingRequestCount - 1, outstandingPreRequestCount: s.outstandingPreRequestCount }
  }
  if (s.outstandingPreRequestCount > 0) {
    return { channelSequence: s.channelSequence, outstandingRequestCount: s.outstandingRequestCount, outstandingPreRequestCount: s.outstandingPreRequestCount - 1 }
  }
  return s
}

// ---- sessions going away ------------------------------------------------------------------------------------

export type DetachReason = 'logoff' | 'connection-lost' | 'previous-session'

export interface DetachResult {
  /** Opens kept for reconnect (now disconnected); the caller arms the scavenger for them. */
  disconnected: OpenGlobal[]
  /** Opens removed from the global table; the caller closes their file handles and drops their caching state. */
  closed: OpenGlobal[]
}

/**
 * Detaches every open of a session.
 * - logoff (MS-SMB2 3.3.5.6): opens with Open.IsDurable or IsResilient are kept (Session/Connection/TreeConnect
 *   set to NULL); the rest are closed.
 * - connection-lost (3.3.7.1): persistent and resilient opens are kept; a durable open is kept only while it still
 *   holds a batch oplock or a lease with Handle caching (`holdsHandleCaching`); the rest are closed.
 * - previous-session (3.3.5.5.3, the client says the old session is dead): durable opens are kept for the
 *   reconnect that follows, the rest are closed.
 */
export function detachSessionOpens(
  tables: GlobalTables,
  sessionId: bigint,
  reason: DetachReason,
  now: number,
  holdsHandleCaching: (o: OpenGlobal) => boolean = () => true,
): DetachResult {
  const out: DetachResult = { disconnected: [], closed: [] }
  for (const o of tables.opensOfSession(sessionId)) {
    let keep = isDurableKind(o.durable)
    if (reason === 'connection-lost' && (o.durable === DurableKind.V1 || o.durable === DurableKind.V2)) {
      keep = holdsHandleCaching(o)
    }
    if (keep) out.disconnected.push(tables.disconnectOpen(o.persistentId, now))
    else {
      tables.removeOpen(o.persistentId)
      out.closed.push(o)
    }
  }
  return out
}

export interface PreviousSessionResult extends DetachResult {
  verdict: Verdict
  /** The old session was found and torn down. */
  removed: boolean
}

/**
 * PreviousSessionId on SESSION_SETUP (MS-SMB2 3.3.5.5.3): when it names another session of the same user, that
 * session is torn down: its durable opens become disconnected (the client reconnects them next), the rest close,
 * and the session and its tree connects leave the global tables. A different user's session is left alone.
 */
export function handlePreviousSession(
  tables: GlobalTables,
  q: { previousSessionId: bigint; sessionId: bigint; owner: SessionOwner; now: number },
): PreviousSessionResult {
  const S = '3.3.5.5.3'
  const empty = { disconnected: [], closed: [] }
  if (q.previousSessionId === 0n || q.previousSessionId === q.sessionId) {
    return { ...empty, removed: false, verdict: ok(`MS-SMB2 ${S}: no previous session named`) }
  }
  const old = tables.sessions.get(q.previousSessionId)
  if (!old) return { ...empty, removed: false, verdict: ok(`MS-SMB2 ${S}: previous session not found`) }
  if (!old.owner || old.owner.sid !== q.owner.sid) {
    return { ...empty, removed: false, verdict: ok(`MS-SMB2 ${S}: previous session belongs to another user`) }
  }
  const r = detachSessionOpens(tables, q.previousSessionId, 'previous-session', q.now)
  tables.removeSession(q.previousSessionId)
  return { ...r, removed: true, verdict: ok(`MS-SMB2 ${S}: previous session torn down`) }
}
