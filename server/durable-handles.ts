/**
 * Durable, persistent and resilient handles on the SMB side (MS-SMB2 3.3.5.9.6/3.3.5.9.7 DHnQ/DHnC,
 * 3.3.5.9.10/3.3.5.9.12 DH2Q/DH2C, 3.3.7.1 connection loss, 3.3.5.5.3 PreviousSessionId, 3.3.2.2 scavenger,
 * 3.3.5.15.9 resiliency), driving the rules in server/state/durable.ts:
 *
 * - `grant`: after the caching grant of a new open, decide durability, update the global record (written to the
 *   --state-dir store before the response when persistent) and build the DHnQ/DH2Q response context;
 * - `detachLocalOpens`: when a session goes (connection lost, LOGOFF, PreviousSessionId), the opens the state
 *   layer kept become *disconnected*: their VFS handle stays open (bytes, byte-range locks and position survive),
 *   they leave the connection's tables and the scavenger counts down Open.DurableOpenTimeout;
 * - `reconnect`: DHnC/DH2C on a new connection/session finds the open, runs the reconnect checks and re-attaches it
 *   with a new volatile id (the persistent FileId stays); after a restart, a persistent open is re-opened in the VFS
 *   from its stored record (path, access, share mode, locks);
 * - `purge` / `expire`: a disconnected durable open that another client's open had to break, or whose timeout
 *   passed, is closed (a later reconnect gets STATUS_OBJECT_NAME_NOT_FOUND).
 * @module
 */
import type { CreateRequest } from '../dissect/smb2/commands/create.js'
import { findCreateContext, type CreateContextInput } from '../dissect/smb2/create-contexts/index.js'
import { CreateAction } from '../dissect/smb2/constants/create.js'
import { Capabilities } from '../dissect/smb2/constants/flags.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { createResponse } from './create-response.js'
import { leaseRequestOf, leaseResponseContext } from './leasing.js'
import { ServerOpen } from './open.js'
import type { RequestContext } from './request.js'
import type { SmbServer } from './server.js'
import type { Session } from './session.js'
import type { DiskShare } from './share.js'
import { SmbError } from './smb-error.js'
import {
  ReplayCache,
  channelSequenceDone,
  checkChannelSequence,
  type ChannelSequenceCommand,
  DHANDLE_FLAG_PERSISTENT,
  checkReconnectV1,
  checkReconnectV2,
  classifyDurableContexts,
  grantDurableV1,
  grantDurableV2,
  normalizeName,
  type CachingOutcome,
  type DurableConfig,
  type DurablePlan,
  type ReconnectResult,
} from './state/durable.js'
import { DurableKind, type OpenGlobal } from './state/global-tables.js'
import type { GrantedLease } from './state/file-caching.js'
import { OplockLevel } from './state/oplock.js'
import { Disposition } from './vfs/constants.js'
import type { VfsOpen } from './vfs/open-table.js'

/** SMB2_FLAGS_REPLAY_OPERATION (MS-SMB2 2.2.1.2). */
const REPLAY_OPERATION = 0x2000_0000

/** A durable open whose connection is gone: what is needed to give it back (or close it). */
interface Disconnected {
  persistentId: bigint
  vfs: VfsOpen
  share: DiskShare
  fileKey: string
}

export class DurableHandles {
  private readonly disconnected = new Map<bigint, Disconnected>()
  private readonly pending = new Set<Promise<unknown>>()
  /** CREATE replay detection keyed by (ClientGuid, CreateGuid) (MS-SMB2 3.3.5.9.10). */
  readonly replayCache: ReplayCache
  /** The CreateAction and response contexts a replay-eligible open was created with (a replay answers the same). */
  private readonly replayAnswers = new Map<bigint, { createAction: number; contexts: CreateContextInput[] }>()
  readonly cfg: DurableConfig

  constructor(private readonly server: SmbServer) {
    this.replayCache = new ReplayCache(server.tables)
    const d = server.config.durable
    this.cfg = {
      v1TimeoutMs: d.v1TimeoutMs,
      v2DefaultTimeoutMs: d.defaultTimeoutMs,
      v2MaxTimeoutMs: d.maxTimeoutMs,
      persistentHandles: true,
      // Samba answers a reconnect by another user with OBJECT_NAME_NOT_FOUND (smbXsrv_open.c); so do we.
      ownerMismatchStatus: NtStatus.ObjectNameNotFound,
    }
  }

  /** Number of disconnected opens held for a reconnect. */
  get size(): number {
    return this.disconnected.size
  }

  isDisconnected(persistentId: bigint): boolean {
    return this.disconnected.has(persistentId)
  }

  // ---- create ---------------------------------------------------------------------------------------------

  /** The durable plan of a CREATE (MS-SMB2 3.3.5.9: which durable contexts, and whether they may go together). */
  plan(req: CreateRequest, dialect: number): DurablePlan {
    const c = req.createContexts
    const dhnq = findCreateContext(c, 'DHnQ')
    const dhnc = findCreateContext(c, 'DHnC')
    const dh2q = findCreateContext(c, 'DH2Q')
    const dh2c = findCreateContext(c, 'DH2C')
    const v = (x: typeof dhnq) => (x?.known ? (x.value as any) : undefined)
    return classifyDurableContexts(
      {
        dhnq: !!dhnq,
        dhnc: dhnc ? { persistentId: v(dhnc).data.persistent, volatileId: v(dhnc).data.volatile } : null,
        dh2q: dh2q ? { timeoutMs: v(dh2q).timeout, flags: v(dh2q).flags, createGuid: v(dh2q).createGuid } : null,
        dh2c: dh2c ? { persistentId: v(dh2c).fileId.persistent, volatileId: v(dh2c).fileId.volatile, createGuid: v(dh2c).createGuid, flags: v(dh2c).flags } : null,
      },
      dialect,
    )
  }

  /**
   * Decides durability for a new open after its caching grant (MS-SMB2 3.3.5.9.6, 3.3.5.9.10), records it in the
   * global table (a persistent open is in the store when this returns) and returns the response context, if any.
   */
  grant(
    ctx: RequestContext,
    open: ServerOpen,
    plan: DurablePlan,
    outcome: CachingOutcome,
    lease: GrantedLease | null,
  ): CreateContextInput | undefined {
    const { server, conn } = ctx
    const tree = open.tree
    let kind: DurableKind = DurableKind.None
    let timeoutMs = 0
    let ctxOut: CreateContextInput | undefined
    if (plan.kind === 'request-v1') {
      const g = grantDurableV1(outcome, this.cfg)
      kind = g.durable
      timeoutMs = g.timeoutMs
      if (kind !== DurableKind.None) ctxOut = { tag: 'DHnQ', known: true, spec: '2.2.14.2.3', value: {} }
    } else if (plan.kind === 'request-v2') {
      const ca = tree.share.kind === 'disk' && tree.share.config.ca
      const g = grantDurableV2({ timeoutMs: plan.timeoutMs, persistent: plan.persistent }, outcome, {
        continuousAvailability: ca,
        connectionPersistentCapability: (conn.serverCapabilities & Capabilities.PersistentHandles) !== 0,
      }, this.cfg)
      kind = g.durable
      timeoutMs = g.timeoutMs
      if (kind !== DurableKind.None) {
        ctxOut = { tag: 'DH2Q', known: true, spec: '2.2.14.2.12', value: { timeout: timeoutMs, flags: kind === DurableKind.Persistent ? DHANDLE_FLAG_PERSISTENT : 0 } }
      }
    }
    const patch: Partial<OpenGlobal> = {
      oplockLevel: outcome.grantedOplockLevel,
      lease: lease ? { key: lease.key, version: lease.version, state: lease.state, epoch: lease.epoch, parentLeaseKey: lease.parentLeaseKey } : null,
    }
    if (kind !== DurableKind.None) {
      patch.durable = kind
      patch.durableTimeoutMs = timeoutMs
    }
    server.tables.updateOpen(open.persistentId, patch)
    return ctxOut
  }

  /**
   * FSCTL_LMR_REQUEST_RESILIENCY (MS-SMB2 3.3.5.15.9): SMB 2.1 and later; the NETWORK_RESILIENCY_REQUEST must be
   * there and its Timeout within the server's maximum; then Open.IsResilient and Open.ResiliencyTimeout (0 picks the
   * server default). A resilient open survives a lost connection whatever its caching (3.3.7.1). An open that is
   * already durable or persistent keeps that kind and takes the timeout.
   */
  requestResiliency(open: ServerOpen, dialect: number, timeoutMs: number | null): void {
    if (dialect < 0x0210) throw new SmbError(NtStatus.InvalidDeviceRequest, undefined, 'resiliency needs SMB 2.1')
    if (timeoutMs === null) throw new SmbError(NtStatus.InvalidParameter, undefined, 'NETWORK_RESILIENCY_REQUEST too short')
    if (timeoutMs > this.cfg.v2MaxTimeoutMs) throw new SmbError(NtStatus.InvalidParameter, undefined, 'resiliency timeout above the server maximum')
    const g = this.server.tables.opens.get(open.persistentId)
    if (!g) throw new SmbError(NtStatus.FileClosed)
    const timeout = timeoutMs === 0 ? this.cfg.v2DefaultTimeoutMs : timeoutMs
    this.server.tables.updateOpen(open.persistentId, {
      durable: g.durable === DurableKind.None ? DurableKind.Resilient : g.durable,
      durableTimeoutMs: timeout,
    })
  }

  /**
   * A LOCK changed the byte-range locks of `open`: a persistent open's record (and so the --state-dir store) gets
   * them before the response goes out, so a restart gives them back with the open.
   */
  locksChanged(open: ServerOpen): void {
    const g = this.server.tables.opens.get(open.persistentId)
    if (!g || g.durable !== DurableKind.Persistent || !open.vfs || open.tree.share.kind !== 'disk') return
    const locks = open.tree.share.vfs.heldLocks(open.vfs).map((l) => ({ offset: l.offset, length: l.length, exclusive: l.exclusive }))
    this.server.tables.updateOpen(open.persistentId, { byteRangeLocks: locks })
  }

  /**
   * A SET_INFO FilePositionInformation moved `open`'s position: a persistent open's record gets it before the
   * response, so a SIGKILL and restart give it back (a disconnect records it anyway).
   */
  positionChanged(open: ServerOpen): void {
    const g = this.server.tables.opens.get(open.persistentId)
    if (!g || g.durable !== DurableKind.Persistent || !open.vfs) return
    this.server.tables.updateOpen(open.persistentId, { position: open.vfs.position })
  }

  // ---- sessions going away --------------------------------------------------------------------------------

  /**
   * The local side of a session going away. The state layer (SessionManager.logoff/connectionLost or
   * handlePreviousSession) has already decided which opens stay: those whose global record is still there and
   * disconnected are kept (VFS handle open, scavenger armed); every other open of the session is closed.
   */
  async detachLocalOpens(session: Session): Promise<void> {
    for (const o of session.opens.all()) {
      const g = this.server.tables.opens.get(o.persistentId)
      if (g && g.disconnectedAt !== null && o.vfs && o.tree.share.kind === 'disk') this.keep(o, g)
      else await this.server.closeOpen(o)
    }
  }

  private keep(o: ServerOpen, g: OpenGlobal): void {
    const server = this.server
    o.closed = true
    for (const n of o.notifies) n.cancel(NtStatus.NotifyCleanup)
    for (const l of o.waitingLocks) l.cancel(NtStatus.RangeNotLocked)
    o.session.opens.remove(o.volatileId)
    server.opens.delete(o.persistentId)
    const share = o.tree.share as DiskShare
    const vfs = o.vfs!
    // What a restart or reconnect needs: caching state, locks and position (MS-SMB2 3.3.1.10).
    const snap = server.caching.snapshot(o.persistentId)
    server.tables.updateOpen(o.persistentId, {
      ...(snap ? { oplockLevel: snap.oplockLevel, lease: snap.lease } : {}),
      byteRangeLocks: share.vfs.heldLocks(vfs).map((l) => ({ offset: l.offset, length: l.length, exclusive: l.exclusive })),
      position: vfs.position,
    })
    server.caching.setConnected(o.persistentId, false)
    this.disconnected.set(o.persistentId, { persistentId: o.persistentId, vfs, share, fileKey: o.fileKey })
    server.scavenger.track(o.persistentId, g.disconnectedAt! + g.durableTimeoutMs)
    server.log.debug('durable open disconnected', { persistentId: o.persistentId.toString(16), durable: g.durable, timeoutMs: g.durableTimeoutMs })
  }

  // ---- expiry and purge -----------------------------------------------------------------------------------

  /** The scavenger expired the open (its global record and caching state are already gone): close the file. */
  expire(persistentId: bigint): void {
    const d = this.disconnected.get(persistentId)
    if (!d) return
    this.disconnected.delete(persistentId)
    this.track(d.share.vfs.close(d.vfs).catch(() => undefined))
  }

  /**
   * Disconnected opens that had to be broken (the caching manager already dropped their caching state): close them
   * and remove their global records, so the reconnect fails with STATUS_OBJECT_NAME_NOT_FOUND.
   */
  purge(ids: bigint[]): void {
    for (const id of ids) {
      this.server.scavenger.untrack(id)
      const d = this.disconnected.get(id)
      if (d) {
        this.disconnected.delete(id)
        this.server.tables.removeOpen(id)
        this.track(d.share.vfs.close(d.vfs).catch(() => undefined))
        continue
      }
      const o = this.server.opens.get(id)
      if (o) this.track(this.server.closeOpen(o))
      else this.server.tables.removeOpen(id)
    }
  }

  /**
   * After a sharing violation: the conflicting opens that are disconnected durable (not persistent) opens are
   * purged (their owner cannot be asked to close them; Samba does the same). Resolves true when any was.
   */
  async purgeConflicts(conflicts: readonly VfsOpen[]): Promise<boolean> {
    const ids: bigint[] = []
    for (const d of this.disconnected.values()) {
      if (!conflicts.includes(d.vfs)) continue
      const g = this.server.tables.opens.get(d.persistentId)
      if (g?.durable === DurableKind.Persistent) continue
      this.server.caching.closeOpen(d.persistentId)
      ids.push(d.persistentId)
    }
    if (!ids.length) return false
    this.purge(ids)
    await this.settle()
    return true
  }

  /** Waits for the closes that purges and expiries started (a create about to check share modes). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending])
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
  }

  /** Server shutdown: close the file handles of disconnected opens (their records stay for a restart). */
  async closeAll(): Promise<void> {
    for (const d of [...this.disconnected.values()]) {
      this.disconnected.delete(d.persistentId)
      await d.share.vfs.close(d.vfs).catch(() => undefined)
    }
    await this.settle()
  }

  // ---- application instance ---------------------------------------------------------------------------------

  /**
   * SMB2_CREATE_APP_INSTANCE_ID with DH2Q on SMB 3.x (MS-SMB2 3.3.5.9.13): an open of the same file by the same
   * user carrying the same AppInstanceId (a failed-over instance of the application) is closed before the new open
   * goes on, without a break (smbtorture durable-v2-open.app-instance). Returns the AppInstanceId to record.
   */
  async closeAppInstance(req: CreateRequest, ctx: RequestContext, plan: DurablePlan): Promise<string | null> {
    const c = findCreateContext(req.createContexts, 'AppInstanceId')
    if (!c?.known || plan.kind !== 'request-v2' || ctx.conn.dialect < 0x0300) return null
    const id = String((c.value as { appInstanceId: string }).appInstanceId).toLowerCase()
    const share = ctx.t.share.name.toLowerCase()
    const owner = ctx.s.identity?.sid ?? ''
    for (const g of [...this.server.tables.opens.values()]) {
      if (g.appInstanceId !== id || g.shareName.toLowerCase() !== share || g.owner !== owner) continue
      if (normalizeName(g.path) !== normalizeName(req.name)) continue
      const local = this.server.opens.get(g.persistentId)
      if (local) await this.server.closeOpen(local)
      else if (this.disconnected.has(g.persistentId)) {
        this.server.caching.closeOpen(g.persistentId)
        this.purge([g.persistentId])
      }
    }
    await this.settle()
    return id
  }

  // ---- channel sequence -----------------------------------------------------------------------------------

  /**
   * MS-SMB2 3.3.5.2.10 (SMB 3.x): a request naming an open carries the client's ChannelSequence; a stale one fails
   * WRITE, SET_INFO and IOCTL with STATUS_FILE_NOT_AVAILABLE, a newer one is adopted. Called by the dispatcher once
   * the open is resolved; `channelSequenceEnd` when the request completes. The counters live on the open's global
   * record in memory (only a new ChannelSequence is written through).
   */
  channelSequenceBegin(ctx: RequestContext, command: number): void {
    const open = ctx.open
    if (!open || ctx.conn.dialect < 0x0300) return
    const g = this.server.tables.opens.get(open.persistentId)
    if (!g) return
    // Open.IsReplayEligible = FALSE once the client names the open in a request that is not a replay: it has seen
    // the create's response (as Samba purges its replay cache; smbtorture replay6).
    if (!(ctx.header.flags & REPLAY_OPERATION) && g.replayEligible) this.replayCache.markIneligible(open.persistentId)
    const sequence = ctx.header.status & 0xffff
    const isReplay = (ctx.header.flags & REPLAY_OPERATION) !== 0
    if (sequence === g.channelSequence && !isReplay) {
      // The common case (the sequence the open already has, no replay): count it without building a verdict.
      g.outstandingRequestCount++
      ctx.sequenceCounted = { persistentId: open.persistentId, sequence }
      return
    }
    const kind: ChannelSequenceCommand = command === 0x09 ? 'write' : command === 0x11 ? 'set-info' : command === 0x0b ? 'ioctl' : 'other'
    const v = checkChannelSequence(g, sequence, isReplay, kind)
    if (v.status !== NtStatus.Success) throw new SmbError(v.status, undefined, v.rule)
    if (v.update) {
      if (v.update.channelSequence !== g.channelSequence) this.server.tables.updateOpen(open.persistentId, { channelSequence: v.update.channelSequence })
      g.outstandingRequestCount = v.update.outstandingRequestCount
      g.outstandingPreRequestCount = v.update.outstandingPreRequestCount
    }
    if (v.counted) ctx.sequenceCounted = { persistentId: open.persistentId, sequence }
  }

  channelSequenceEnd(ctx: RequestContext): void {
    const c = ctx.sequenceCounted
    if (!c) return
    ctx.sequenceCounted = undefined
    const g = this.server.tables.opens.get(c.persistentId)
    if (!g) return
    const next = channelSequenceDone(g, c.sequence)
    g.outstandingRequestCount = next.outstandingRequestCount
    g.outstandingPreRequestCount = next.outstandingPreRequestCount
  }

  // ---- replay ---------------------------------------------------------------------------------------------

  /**
   * A CREATE with DH2Q on SMB 3.x (MS-SMB2 3.3.5.9.10): looks the CreateGuid up in the replay cache. Returns the
   * response for a replay of a create that already succeeded (the same open), throws for a CreateGuid in use or
   * still being created, or returns undefined and reserves the CreateGuid (call `replayDone` afterwards).
   */
  async replayLookup(req: CreateRequest, ctx: RequestContext, createGuid: string, requestId: string) {
    const { server, conn } = ctx
    const isReplay = (ctx.header.flags & REPLAY_OPERATION) !== 0
    const r = this.replayCache.begin(conn.clientGuid, createGuid, isReplay, requestId)
    if (r.kind === 'new') return undefined
    if (r.kind === 'error') throw new SmbError(r.status, undefined, r.rule)
    let open = server.opens.get(r.open.persistentId)
    const g0 = r.open
    if (!open && g0.disconnectedAt !== null && ctx.t.share.kind === 'disk' && g0.shareName.toLowerCase() === ctx.t.share.name.toLowerCase() && g0.owner === (ctx.s.identity?.sid ?? '')) {
      // The replay arrives on a new connection after the old one was lost: the (persistent or durable) open is
      // given back to this session, as a DH2C would (smbtorture replay5).
      open = (await this.attach(g0, ctx)).open
    }
    if (!open || open.closed || !open.vfs || open.tree.share.kind !== 'disk' || open.session !== ctx.session) {
      throw new SmbError(NtStatus.FileNotAvailable, undefined, 'replayed create: the original open is not usable on this session')
    }
    const answer = this.replayAnswers.get(open.persistentId)
    const g = open.global
    // The replay must ask for the same kind of caching: a lease (with the same key) for a lease open, no lease
    // for an oplock open; otherwise STATUS_ACCESS_DENIED (smbtorture replay-dhv2-oplock-lease, -lease3, as Samba).
    const rqLease = req.requestedOplockLevel === OplockLevel.Lease ? leaseRequestOf(req.createContexts, conn.dialect) : null
    if (g.lease ? rqLease !== null && rqLease.key !== g.lease.key : rqLease !== null) {
      throw new SmbError(NtStatus.AccessDenied, undefined, 'replayed create asks for other caching than the original')
    }
    const info = await open.tree.share.vfs.queryInfo(open.vfs)
    let contexts = (answer?.contexts ?? []).filter((c) => c.tag !== 'RqLs')
    let oplockLevel: number = OplockLevel.Lease
    if (!g.lease) {
      // An oplock open answers the oplock level the replay asked for (at most the one held), and DH2Q only when
      // that level could carry durability (smbtorture replay-dhv2-oplock2); the open itself is unchanged.
      const held = server.caching.openInfo(open.persistentId)?.oplockLevel ?? g.oplockLevel
      oplockLevel = Math.min(req.requestedOplockLevel, held)
      if (oplockLevel !== OplockLevel.Batch && g.durable !== DurableKind.Persistent) contexts = contexts.filter((c) => c.tag !== 'DH2Q')
    }
    const l = g.lease ? server.caching.lease(g.clientGuid, g.lease.key) : undefined
    if (g.lease && l) {
      contexts.push(leaseResponseContext({ key: l.leaseKey, state: l.state, epoch: l.epoch, flags: l.breaking ? 0x02 : 0, version: l.version, parentLeaseKey: l.parentLeaseKey }))
    }
    ctx.createdOpen = open
    return createResponse(open, info, { oplockLevel, createAction: answer?.createAction ?? CreateAction.Opened, createContexts: contexts })
  }

  /** The reserved create finished: success makes the open replay-eligible, failure frees the CreateGuid. */
  replayDone(clientGuid: string, createGuid: string, requestId: string, result: { persistentId: bigint; createAction: number; contexts: CreateContextInput[] } | null): void {
    if (!result) {
      this.replayCache.abort(clientGuid, createGuid, requestId)
      return
    }
    this.replayCache.complete(clientGuid, createGuid, result.persistentId)
    this.replayAnswers.set(result.persistentId, { createAction: result.createAction, contexts: result.contexts })
  }

  /** Open.IsReplayEligible = FALSE (a break acknowledgment shows the client saw the create's response). */
  markIneligible(persistentId: bigint): void {
    this.replayCache.markIneligible(persistentId)
  }

  /** An open closed: forget its replay answer. */
  forget(persistentId: bigint): void {
    this.replayAnswers.delete(persistentId)
  }

  // ---- reconnect ------------------------------------------------------------------------------------------

  /** DHnC / DH2C (MS-SMB2 3.3.5.9.7, 3.3.5.9.12): reclaim a disconnected open on this session and tree. */
  async reconnect(req: CreateRequest, ctx: RequestContext, plan: Extract<DurablePlan, { kind: 'reconnect-v1' | 'reconnect-v2' }>) {
    const { server, conn } = ctx
    const session = ctx.s
    const tree = ctx.t
    if (tree.share.kind !== 'disk') throw new SmbError(NtStatus.ObjectNameNotFound)
    const share = tree.share
    const lease = leaseRequestOf(req.createContexts, conn.dialect)
    const id = session.identity
    const base = {
      clientGuid: conn.clientGuid,
      owner: { user: id?.user ?? '', domain: id?.domain ?? '', sid: id?.sid ?? '' },
      lease: lease ? { key: lease.key, version: lease.version } : null,
      fileName: req.name,
      now: Date.now(),
    }
    const tables = server.tables
    let v: ReconnectResult
    if (plan.kind === 'reconnect-v1') {
      v = checkReconnectV1(tables.opens.get(plan.persistentId), base, this.cfg)
    } else {
      v = checkReconnectV2(
        { byPersistentId: (pid) => tables.opens.get(pid), byCreateGuid: (g) => tables.findByCreateGuid(conn.clientGuid, g) ?? tables.findAnyByCreateGuid(g) },
        {
          ...base,
          persistentId: plan.persistentId,
          createGuid: plan.createGuid,
          persistent: plan.persistent,
          share: {
            continuousAvailability: share.config.ca,
            connectionPersistentCapability: (conn.serverCapabilities & Capabilities.PersistentHandles) !== 0,
          },
        },
        this.cfg,
      )
    }
    if (v.status !== NtStatus.Success || !v.open) throw new SmbError(v.status, undefined, v.rule)
    let g = v.open
    if (g.shareName.toLowerCase() !== share.name.toLowerCase()) throw new SmbError(NtStatus.ObjectNameNotFound, undefined, 'open belongs to another share')
    if (v.takeOver) {
      // A persistent open still attached to a (dead) session: detach it first (MS-SMB2 3.3.5.9.12).
      const old = server.opens.get(g.persistentId)
      if (old) {
        tables.disconnectOpen(g.persistentId)
        this.keep(old, tables.opens.get(g.persistentId)!)
        g = tables.opens.get(g.persistentId)!
      }
    }
    const { open, vfs } = await this.attach(g, ctx)
    g = open.global
    const d = { vfs }
    server.log.debug('durable open reconnected', { persistentId: g.persistentId.toString(16), rule: v.rule })

    const contexts: CreateContextInput[] = []
    const l = g.lease ? server.caching.lease(g.clientGuid, g.lease.key) : undefined
    if (g.lease) {
      contexts.push(
        leaseResponseContext({
          key: g.lease.key,
          state: l ? l.state : g.lease.state,
          epoch: l ? l.epoch : g.lease.epoch,
          flags: (l?.breaking ? 0x02 : 0) | (g.lease.parentLeaseKey ? 0x04 : 0),
          version: lease?.version ?? g.lease.version,
          parentLeaseKey: g.lease.parentLeaseKey,
        }),
      )
    }
    // Samba answers a DHnC that came with a DHnQ with a DHnQ response too.
    if (plan.kind === 'reconnect-v1' && findCreateContext(req.createContexts, 'DHnQ')) contexts.push({ tag: 'DHnQ', known: true, spec: '2.2.14.2.3', value: {} })
    const info = await share.vfs.queryInfo(d.vfs)
    const caching = server.caching.openInfo(g.persistentId)
    return createResponse(open, info, { oplockLevel: g.lease ? OplockLevel.Lease : (caching?.oplockLevel ?? g.oplockLevel), createAction: CreateAction.Opened, createContexts: contexts })
  }

  /** Re-attaches a disconnected open to the request's session and tree (new volatile id, same persistent id). */
  private async attach(g0: OpenGlobal, ctx: RequestContext): Promise<{ open: ServerOpen; vfs: VfsOpen }> {
    const server = this.server
    const session = ctx.s
    const tree = ctx.t
    const share = tree.share as DiskShare
    let d = this.disconnected.get(g0.persistentId)
    if (!d) d = await this.reopenFromRecord(g0, share, ctx)
    this.disconnected.delete(g0.persistentId)
    server.scavenger.untrack(g0.persistentId)
    share.vfs.reassign(d.vfs, session.owner)
    const g = server.tables.reattachOpen(g0.persistentId, session.id, tree.id)
    server.caching.setConnected(g.persistentId, true)
    const open = new ServerOpen(g, session, tree, d.vfs, undefined, d.fileKey)
    session.opens.add(open)
    server.opens.set(open.persistentId, open)
    ctx.createdOpen = open
    return { open, vfs: d.vfs }
  }

  /**
   * A persistent open loaded from the store after a restart has no VFS handle: open the file again with the
   * access and share mode it had, restore its byte-range locks and position, and re-register its caching state.
   */
  private async reopenFromRecord(g: OpenGlobal, share: DiskShare, ctx: RequestContext): Promise<Disconnected> {
    const server = this.server
    let r
    try {
      r = await share.vfs.create({
        path: g.path,
        desiredAccess: g.desiredAccess,
        shareAccess: g.shareAccess,
        disposition: Disposition.Open,
        createOptions: g.createOptions,
        owner: ctx.s.owner,
      })
    } catch (e) {
      server.log.info('persistent open could not be re-opened', { path: g.path, error: (e as Error).message })
      throw new SmbError(NtStatus.ObjectNameNotFound, undefined, 'persistent open: file cannot be re-opened')
    }
    const vfs = r.open
    if (g.byteRangeLocks.length) share.vfs.restoreLocks(vfs, g.byteRangeLocks)
    if (g.position) share.vfs.setPosition(vfs, g.position)
    server.caching.restoreOpen({
      openId: g.persistentId,
      fileKey: vfs.node.key,
      clientGuid: g.clientGuid,
      oplockLevel: g.oplockLevel,
      lease: g.lease,
      persistent: g.durable === DurableKind.Persistent,
      connected: false,
      isDirectory: vfs.isDirectory,
    })
    return { persistentId: g.persistentId, vfs, share, fileKey: vfs.node.key }
  }
}
