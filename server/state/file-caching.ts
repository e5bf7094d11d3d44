/**
 * Per-file caching state: oplocks and leases of every open of a file, the breaks that creates, writes, byte-range
 * locks and sharing violations cause, the acknowledgments, and the break timeouts. This is the part of MS-FSA
 * 2.1.4.12 (check for an oplock break) and 2.1.5.18 (request an oplock) that the SMB2 server needs, with MS-SMB2
 * 3.3.4.6/3.3.4.7 (sending breaks) and 3.3.5.22 (acknowledgments) on top.
 *
 * How the SMB layer uses it for a CREATE:
 *   1. `prepareOpen(req)` sends the breaks the new open causes and returns `wait` (a promise) when the create must
 *      wait for acknowledgments: the SMB layer answers STATUS_PENDING (interim response) and continues when it
 *      resolves. It never rejects: a break ends by ack, by timeout (35 s, as if acknowledged to none), by the
 *      holder closing, or by purging a disconnected holder. After it resolves, call `prepareOpen` again until it
 *      returns `wait: null` (another break may have started meanwhile).
 *   2. It checks share modes (VFS). On a sharing violation it calls `breakForSharingViolation`; if that returns a
 *      promise it waits and checks again (holders of handle caching may close their cached handles), else it fails
 *      with STATUS_SHARING_VIOLATION.
 *   3. `grantOpen(req)` registers the open and returns the granted oplock level / lease state and epoch.
 * WRITE and LOCK call `onWrite`/`onByteRangeLock`; CLOSE calls `closeOpen`; OPLOCK_BREAK calls `ackOplock` or
 * `ackLease`. Notifications go out through the `BreakSink` the SMB layer implements.
 *
 * Behaviour chosen after smbtorture (Samba source4/torture/smb2/oplock.c, lease.c), where MS-FSA leaves room:
 * - a second open breaks an exclusive/batch oplock to level II (to none when it overwrites), and waits for the ack;
 * - writes and byte-range locks break every level II oplock on the file to none, the writer's own included
 *   (oplock.brl1/brl3, levelii500), but never the writer's own exclusive/batch oplock (brl2);
 * - a new open strips Write caching from other lease keys (RWH -> RH, RW -> R) and waits for the ack; overwrite
 *   breaks other keys to none but does not wait for that (lease.breaking4/5); a create arriving while a Write break
 *   is outstanding waits for it, and a break requested meanwhile is queued and sent after the ack one step at a
 *   time, Handle before Read (RH -> R -> none), the waiters waiting for the whole chain (lease.breaking3);
 * - a sharing violation strips Handle caching (and the violating create waits); a write or lock by another key
 *   breaks R;
 * - lease vs oplock (lease.oplock tables): a lease holding H leaves a new oplock request with none; a lease without
 *   H lets it have level II; an oplock holder leaves a new lease request with R only.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { Clock, TimerHandle } from './clock.js'
import { systemClock } from './clock.js'
import type { Guid, LeaseRecord } from './global-tables.js'
import {
  LeaseBreakFlags,
  LeaseFlags,
  LeaseState,
  LeaseTable,
  checkLeaseAck,
  leaseBreakNeedsAck,
  normalizeRequestedLeaseState,
  upgradeTarget,
} from './lease-table.js'
import type { Lease } from './lease-table.js'
import { DEFAULT_OPLOCK_ACK_OPTIONS, OplockLevel, checkOplockAck, isExclusiveOplock } from './oplock.js'
import type { OplockAckOptions, OplockState } from './oplock.js'

const R = LeaseState.Read
const H = LeaseState.Handle
const W = LeaseState.Write

/** MS-SMB2 3.3.2.1/3.3.2.5: oplock and lease break acknowledgment timers; Windows and Samba use 35 s. */
export const DEFAULT_BREAK_TIMEOUT_MS = 35_000

export interface OplockBreakNotice {
  openId: bigint
  clientGuid: Guid
  /** OplockLevel of the notification (MS-SMB2 2.2.23.1): II or NONE. */
  newLevel: number
  /** Whether an acknowledgment is expected (breaks from exclusive/batch). */
  ackRequired: boolean
}

/** Content of a Lease Break Notification (MS-SMB2 2.2.23.2). */
export interface LeaseBreakNotice {
  clientGuid: Guid
  leaseKey: Guid
  version: 1 | 2
  currentState: number
  newState: number
  /** NewEpoch (v2 leases; 0 for v1). */
  newEpoch: number
  /** SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED or 0. */
  flags: number
  /** Opens of the lease, so the SMB layer can pick a connection (Lease.LeaseOpens). */
  openIds: bigint[]
}

/** Implemented by the SMB layer. */
export interface BreakSink {
  oplockBreak(n: OplockBreakNotice): void
  leaseBreak(n: LeaseBreakNotice): void
  /**
   * Disconnected durable (non-persistent) opens that had to be broken but whose owner cannot be told: they are
   * closed. The SMB layer removes their global records, closes their VFS handles and cancels their scavenger
   * entries; a later reconnect fails with STATUS_OBJECT_NAME_NOT_FOUND.
   */
  purged(openIds: bigint[], reason: string): void
  /**
   * Disconnected persistent opens whose caching was lowered without a notification (their owner cannot be told and
   * persistent opens are not purged). Optional: the SMB layer writes `snapshot(openId)` into the open's record.
   */
  lowered?(openIds: bigint[], reason: string): void
}

export interface CachingConfig {
  breakTimeoutMs: number
  oplockAck: OplockAckOptions
}

export const DEFAULT_CACHING_CONFIG: CachingConfig = {
  breakTimeoutMs: DEFAULT_BREAK_TIMEOUT_MS,
  oplockAck: DEFAULT_OPLOCK_ACK_OPTIONS,
}

export interface LeaseRequest {
  key: Guid
  state: number
  version: 1 | 2
  parentLeaseKey?: Guid | null
  /** Epoch of a v2 request. */
  epoch?: number
}

export interface OpenRequest {
  /** The open's persistent id (its identity everywhere in server/state). */
  openId: bigint
  /** Identity of the file on disk (e.g. `${share}:${inode}`); all opens of one file share it. */
  fileKey: string
  clientGuid: Guid
  isDirectory?: boolean
  /** An open without data access (attributes/synchronize only): it breaks nothing and gets no caching. */
  statOpen?: boolean
  /** CreateDisposition FILE_SUPERSEDE, FILE_OVERWRITE or FILE_OVERWRITE_IF. */
  overwrite?: boolean
  requestedOplockLevel: number
  lease?: LeaseRequest | null
  persistent?: boolean
}

export interface GrantedLease {
  key: Guid
  state: number
  epoch: number
  /** LeaseFlags of the response context. */
  flags: number
  version: 1 | 2
  parentLeaseKey: Guid | null
}

export type GrantResult =
  | { status: typeof NtStatus.Success; oplockLevel: number; lease: GrantedLease | null }
  | { status: Exclude<NtStatus, typeof NtStatus.Success>; rule: string }

interface Gate {
  promise: Promise<void>
  resolve: () => void
}

function gate(): Gate {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

interface CachingOpen {
  openId: bigint
  fileKey: string
  clientGuid: Guid
  lease: Lease | null
  /** For non-lease opens: NONE/II/EXCLUSIVE/BATCH; for lease opens: Lease. */
  oplockLevel: number
  oplockState: OplockState
  breakTo: number
  pendingBreakTo: number | null
  connected: boolean
  persistent: boolean
  statOpen: boolean
  /** Written to (or truncated, extended) through this open: its close is a change of the parent directory. */
  modified: boolean
}

interface BreakTimer {
  timer: TimerHandle
  gate: Gate
  /**
   * Whether creates wait for this break: breaks that take Write caching away (and exclusive/batch oplock breaks)
   * do; breaks of Read/Handle caching caused by an overwrite do not (smbtorture lease.breaking3/4/5).
   */
  blocking: boolean
}

export class CachingManager {
  readonly leases = new LeaseTable()
  private readonly opens = new Map<bigint, CachingOpen>()
  private readonly byFile = new Map<string, Set<CachingOpen>>()
  private readonly oplockBreaks = new Map<CachingOpen, BreakTimer>()
  private readonly leaseBreaks = new Map<Lease, BreakTimer>()
  private readonly cfg: CachingConfig

  constructor(
    private readonly sink: BreakSink,
    private readonly clock: Clock = systemClock,
    cfg: Partial<CachingConfig> = {},
  ) {
    this.cfg = { ...DEFAULT_CACHING_CONFIG, ...cfg }
  }

  // ---- queries ------------------------------------------------------------------------------------------------

  /** The oplock level and lease state an open holds now (for responses, logs and 3.3.7.1). */
  openInfo(openId: bigint): { oplockLevel: number; oplockState: OplockState; leaseState: number | null; connected: boolean } | undefined {
    const o = this.opens.get(openId)
    if (!o) return undefined
    return {
      oplockLevel: o.oplockLevel,
      oplockState: o.lease ? (o.lease.breaking ? 'breaking' : o.lease.state ? 'held' : 'none') : o.oplockState,
      leaseState: o.lease ? o.lease.state : null,
      connected: o.connected,
    }
  }

  /**
   * What the open holds now, in the shape of the global record's fields (OpenGlobal.oplockLevel / .lease): the SMB
   * layer stores it when the open disconnects so a restart or reconnect can restore it.
   */
  snapshot(openId: bigint): { oplockLevel: number; lease: LeaseRecord | null } | undefined {
    const o = this.opens.get(openId)
    if (!o) return undefined
    const l = o.lease
    return {
      oplockLevel: o.oplockLevel,
      lease: l ? { key: l.leaseKey, version: l.version, state: l.breaking ? l.breakToState : l.state, epoch: l.epoch, parentLeaseKey: l.parentLeaseKey } : null,
    }
  }

  lease(clientGuid: Guid, leaseKey: Guid): Lease | undefined {
    return this.leases.get(clientGuid, leaseKey)
  }

  /**
   * MS-SMB2 3.3.7.1: a durable open is preserved on disconnect when it holds (state Held, not breaking) a batch
   * oplock or a lease with Handle caching.
   */
  holdsHandleCaching(openId: bigint): boolean {
    const o = this.opens.get(openId)
    if (!o) return false
    if (o.lease) return (o.lease.state & H) !== 0 && !o.lease.breaking
    return o.oplockLevel === OplockLevel.Batch && o.oplockState === 'held'
  }

  private fileOpens(fileKey: string): CachingOpen[] {
    return [...(this.byFile.get(fileKey) ?? [])]
  }

  // ---- create -------------------------------------------------------------------------------------------------

  /**
   * Sends the breaks a new open of `req.fileKey` causes and returns a promise when the create must wait for them:
   * exclusive/batch oplock breaks and lease breaks that take Write caching away, including ones already in
   * progress for other reasons. Returns `wait: null` when the create can go on at once.
   */
  prepareOpen(req: Pick<OpenRequest, 'fileKey' | 'clientGuid' | 'lease' | 'statOpen' | 'overwrite'> & { openId?: bigint; shareConflict?: boolean }): {
    wait: Promise<void> | null
  } {
    if (req.statOpen) return { wait: null }
    const myLease = req.lease ? LeaseTable.id({ clientGuid: req.clientGuid, leaseKey: req.lease.key }) : null
    const waits: Promise<void>[] = []
    for (const o of this.fileOpens(req.fileKey)) {
      if (o.openId === req.openId || o.lease) continue
      // A create that will fail its share-mode check breaks batch oplocks (the holder may close its cached handle)
      // but not exclusive ones (MS-FSA 2.1.5.1.2; smbtorture oplock.exclusive1/3).
      if (req.shareConflict && o.oplockLevel === OplockLevel.Exclusive) continue
      if (isExclusiveOplock(o.oplockLevel)) this.breakOplock(o, req.overwrite ? OplockLevel.None : OplockLevel.II)
      else if (o.oplockLevel === OplockLevel.II && req.overwrite) this.breakOplock(o, OplockLevel.None)
      const t = this.oplockBreaks.get(o)
      if (t) waits.push(t.gate.promise)
    }
    for (const l of this.leases.ofFile(req.fileKey)) {
      if (LeaseTable.id(l) === myLease) continue
      // The create will fail its share-mode check: breakForSharingViolation breaks Handle caching instead.
      if (req.shareConflict) continue
      this.breakLease(l, req.overwrite ? LeaseState.None : l.state & ~W)
      const t = this.leaseBreaks.get(l)
      if (t?.blocking) waits.push(t.gate.promise)
    }
    return { wait: waits.length ? Promise.all(waits).then(() => undefined) : null }
  }

  /**
   * After a sharing violation against existing opens: strip Handle caching from other lease keys (their holders may
   * close cached handles), MS-FSA 2.1.5.1.2 / 2.1.4.12. Returns the promise to wait on before re-checking share
   * modes, or null when no break is outstanding (the create fails with STATUS_SHARING_VIOLATION).
   */
  breakForSharingViolation(req: Pick<OpenRequest, 'fileKey' | 'clientGuid' | 'lease'>): Promise<void> | null {
    const myLease = req.lease ? LeaseTable.id({ clientGuid: req.clientGuid, leaseKey: req.lease.key }) : null
    const waits: Promise<void>[] = []
    for (const l of this.leases.ofFile(req.fileKey)) {
      if (LeaseTable.id(l) === myLease) continue
      if (l.state & H || (l.breaking && l.breakToState & H)) this.breakLease(l, l.state & ~H)
      const t = this.leaseBreaks.get(l)
      if (t) waits.push(t.gate.promise)
    }
    for (const o of this.fileOpens(req.fileKey)) {
      const t = this.oplockBreaks.get(o)
      if (t) waits.push(t.gate.promise)
    }
    return waits.length ? Promise.all(waits).then(() => undefined) : null
  }

  /** Registers the open and decides its oplock level or lease state (after `prepareOpen`'s wait). */
  grantOpen(req: OpenRequest): GrantResult {
    if (this.opens.has(req.openId)) return { status: NtStatus.InvalidParameter, rule: 'open already registered' }
    const isDirectory = !!req.isDirectory
    const statOpen = !!req.statOpen
    // Stat opens cause no breaks, but a lease they hold counts like any other (smbtorture lease.statopen).
    const others = this.fileOpens(req.fileKey).filter((o) => !o.statOpen || o.lease)
    const entry: CachingOpen = {
      openId: req.openId,
      fileKey: req.fileKey,
      clientGuid: req.clientGuid.toLowerCase(),
      lease: null,
      oplockLevel: OplockLevel.None,
      oplockState: 'none',
      breakTo: OplockLevel.None,
      pendingBreakTo: null,
      connected: true,
      persistent: !!req.persistent,
      statOpen,
      modified: false,
    }

    if (req.requestedOplockLevel === OplockLevel.Lease && req.lease) {
      const rq = req.lease
      const id = LeaseTable.id({ clientGuid: req.clientGuid, leaseKey: rq.key })
      let l = this.leases.get(req.clientGuid, rq.key)
      // MS-SMB2 3.3.5.9.8/3.3.5.9.11: a lease key names one file; using it for another fails.
      if (l && l.fileKey !== req.fileKey) {
        return { status: NtStatus.InvalidParameter, rule: 'MS-SMB2 3.3.5.9.8: lease key already used for another file' }
      }
      let flags = 0
      if (l && l.breaking) {
        // Same key while its break is outstanding: the current state, flagged, no upgrade (Samba lease.breaking*).
        flags |= LeaseFlags.BreakInProgress
      } else {
        // A stat open holds a lease like any other (smbtorture lease.statopen, durable-open.stat-open); it only breaks nothing.
        const requested = normalizeRequestedLeaseState(rq.state, isDirectory)
        const foreign = others.filter((o) => !(o.lease && LeaseTable.id(o.lease) === id))
        // An existing lease is upgraded only to a state it can hold together with the other opens: an upgrade
        // that would need Write caching while other opens are present changes nothing (smbtorture lease.upgrade3,
        // lease.break last step of each row), it is not granted in part.
        let target = requested
        if (l) {
          const up = upgradeTarget(l.state, requested)
          target = foreign.length > 0 && up & W && up !== l.state ? l.state : up
        }
        if (foreign.length > 0) target &= ~W // Write caching needs every open to share the key (MS-FSA 2.1.5.18.2)
        if (foreign.some((o) => !o.lease && o.oplockLevel !== OplockLevel.None)) target &= ~H // lease.oplock tables
        if (!(target & R)) target = LeaseState.None
        if (!l) {
          l = this.leases.add({
            clientGuid: req.clientGuid,
            leaseKey: rq.key,
            fileKey: req.fileKey,
            version: rq.version,
            parentLeaseKey: rq.parentLeaseKey ?? null,
            // A new v2 lease starts at the client's epoch and counts the grant as a change (smbtorture
            // lease.v2_request: epoch + 1).
            epoch: rq.version === 2 ? ((rq.epoch ?? 0) + (target ? 1 : 0)) & 0xffff : 0,
            state: target,
            breaking: false,
            breakToState: target,
            pendingBreakTo: null,
            opens: new Set(),
            isDirectory,
          })
        } else if (target !== l.state) {
          l.state = target
          if (l.version === 2) l.epoch = (l.epoch + 1) & 0xffff
        }
      }
      l.opens.add(req.openId)
      entry.lease = l
      entry.oplockLevel = OplockLevel.Lease
      this.register(entry)
      if (l.parentLeaseKey) flags |= LeaseFlags.ParentLeaseKeySet
      return {
        status: NtStatus.Success,
        oplockLevel: OplockLevel.Lease,
        lease: { key: l.leaseKey, state: l.state, epoch: l.epoch, flags, version: l.version, parentLeaseKey: l.parentLeaseKey },
      }
    }

    let level: number = OplockLevel.None
    const rqLevel = req.requestedOplockLevel
    if (!isDirectory && !statOpen && (rqLevel === OplockLevel.II || isExclusiveOplock(rqLevel))) {
      if (others.length === 0) level = rqLevel
      else if (others.some((o) => o.lease && o.lease.state & H)) level = OplockLevel.None
      else if (others.some((o) => !o.lease && isExclusiveOplock(o.oplockLevel))) level = OplockLevel.None
      else level = OplockLevel.II
    }
    entry.oplockLevel = level
    entry.oplockState = level === OplockLevel.None ? 'none' : 'held'
    this.register(entry)
    return { status: NtStatus.Success, oplockLevel: level, lease: null }
  }

  /**
   * Re-registers an open the manager does not know (a durable/persistent open loaded from the store after a restart,
   * or reconnected after its caching entry was dropped) with the oplock level or lease it held, without grant
   * rules or breaks. An open of the same lease key already on the file shares its lease.
   */
  restoreOpen(r: {
    openId: bigint
    fileKey: string
    clientGuid: Guid
    oplockLevel: number
    lease: LeaseRecord | null
    persistent: boolean
    connected: boolean
    isDirectory?: boolean
  }): { status: NtStatus; rule: string } {
    const existing = this.opens.get(r.openId)
    if (existing) {
      existing.connected = r.connected
      return { status: NtStatus.Success, rule: 'already registered' }
    }
    const entry: CachingOpen = {
      openId: r.openId,
      fileKey: r.fileKey,
      clientGuid: r.clientGuid.toLowerCase(),
      lease: null,
      oplockLevel: r.lease ? OplockLevel.Lease : r.oplockLevel,
      oplockState: r.lease || r.oplockLevel === OplockLevel.None ? 'none' : 'held',
      breakTo: OplockLevel.None,
      pendingBreakTo: null,
      connected: r.connected,
      persistent: r.persistent,
      statOpen: false,
      modified: false,
    }
    if (r.lease) {
      let l = this.leases.get(r.clientGuid, r.lease.key)
      if (l && l.fileKey !== r.fileKey) {
        return { status: NtStatus.InvalidParameter, rule: 'MS-SMB2 3.3.5.9.8: lease key already used for another file' }
      }
      l ??= this.leases.add({
        clientGuid: r.clientGuid,
        leaseKey: r.lease.key,
        fileKey: r.fileKey,
        version: r.lease.version,
        parentLeaseKey: r.lease.parentLeaseKey,
        epoch: r.lease.epoch,
        state: r.lease.state,
        breaking: false,
        breakToState: r.lease.state,
        pendingBreakTo: null,
        opens: new Set(),
        isDirectory: !!r.isDirectory,
      })
      l.opens.add(r.openId)
      entry.lease = l
    }
    this.register(entry)
    return { status: NtStatus.Success, rule: 'restored' }
  }

  private register(o: CachingOpen): void {
    this.opens.set(o.openId, o)
    let set = this.byFile.get(o.fileKey)
    if (!set) this.byFile.set(o.fileKey, (set = new Set()))
    set.add(o)
  }

  // ---- data operations ----------------------------------------------------------------------------------------

  /** A WRITE (or SET_INFO end-of-file) through `openId`: level II oplocks break to none, other keys' R leases too. */
  onWrite(openId: bigint): void {
    const me = this.opens.get(openId)
    if (me) me.modified = true
    this.breakReaders(openId)
  }

  /** Whether `openId` wrote to its file (the CLOSE handler reports that close as a change in the parent). */
  wasModified(openId: bigint): boolean {
    return this.opens.get(openId)?.modified === true
  }

  /** Number of directory leases held (directory-change reporting costs nothing while there are none). */
  get directoryLeaseCount(): number {
    return this.leases.directories.size
  }

  /** The files (directories) that hold a directory lease. */
  directoryLeaseFiles(): string[] {
    return [...new Set([...this.leases.directories].map((l) => l.fileKey))]
  }

  /** A byte-range LOCK through `openId`: same breaks as a write (MS-FSA 2.1.4.12; smbtorture oplock.brl1-3). */
  onByteRangeLock(openId: bigint): void {
    this.breakReaders(openId)
  }

  private breakReaders(openId: bigint): void {
    const me = this.opens.get(openId)
    if (!me) return
    for (const o of this.fileOpens(me.fileKey)) {
      if (!o.lease && o.oplockLevel === OplockLevel.II) this.breakOplock(o, OplockLevel.None)
    }
    for (const l of this.leases.ofFile(me.fileKey)) {
      if (l === me.lease) continue
      if (l.state & R || l.breaking) this.breakLease(l, LeaseState.None)
    }
  }

  /**
   * A change inside directory `dirFileKey` (create, delete, rename of a child): Read caching of directory leases
   * breaks, except the lease whose key the changing open named as its ParentLeaseKey (MS-SMB2 3.3.5.9.11).
   */
  onDirectoryChange(dirFileKey: string, by: { clientGuid: Guid; parentLeaseKey: Guid | null }): void {
    for (const l of this.leases.ofFile(dirFileKey)) {
      if (by.parentLeaseKey && l.clientGuid === by.clientGuid.toLowerCase() && l.leaseKey === by.parentLeaseKey.toLowerCase()) continue
      if (l.state & R) this.breakLease(l, LeaseState.None)
    }
  }

  // ---- open life cycle ----------------------------------------------------------------------------------------

  /** CLOSE (or purge): the open leaves; a lease with no opens left leaves the table; its breaks are resolved. */
  closeOpen(openId: bigint): void {
    const o = this.opens.get(openId)
    if (!o) return
    this.opens.delete(openId)
    const set = this.byFile.get(o.fileKey)
    set?.delete(o)
    if (set && set.size === 0) this.byFile.delete(o.fileKey)
    this.finishOplockBreak(o)
    if (o.lease) {
      const l = o.lease
      l.opens.delete(openId)
      if (l.opens.size === 0) {
        this.finishLeaseBreak(l)
        this.leases.remove(l)
      }
    }
  }

  /** The open's connection went away (durable open kept) or came back (reconnect). */
  setConnected(openId: bigint, connected: boolean): void {
    const o = this.opens.get(openId)
    if (o) o.connected = connected
  }

  // ---- breaks -------------------------------------------------------------------------------------------------

  private breakOplock(o: CachingOpen, target: number): void {
    if (o.lease || o.oplockLevel === OplockLevel.None) return
    if (o.oplockState === 'breaking') {
      if (target < o.breakTo) o.pendingBreakTo = Math.min(o.pendingBreakTo ?? o.breakTo, target)
      return
    }
    if (target >= o.oplockLevel) return
    if (!o.connected) {
      if (this.undeliverable([o], `oplock break to ${target}`)) return
      o.oplockLevel = target
      o.oplockState = target === OplockLevel.None ? 'none' : 'held'
      this.sink.lowered?.([o.openId], `oplock lowered to ${target} while disconnected`)
      return
    }
    if (o.oplockLevel === OplockLevel.II) {
      // II -> none needs no acknowledgment (MS-SMB2 2.2.24.1).
      o.oplockLevel = OplockLevel.None
      o.oplockState = 'none'
      this.sink.oplockBreak({ openId: o.openId, clientGuid: o.clientGuid, newLevel: OplockLevel.None, ackRequired: false })
      return
    }
    o.oplockState = 'breaking'
    o.breakTo = target
    const g = gate()
    const timer = this.clock.setTimer(this.cfg.breakTimeoutMs, () => {
      // MS-SMB2 3.3.6.1: no acknowledgment in time -> the oplock is gone.
      o.oplockLevel = OplockLevel.None
      o.oplockState = 'none'
      o.pendingBreakTo = null
      this.finishOplockBreak(o)
    })
    this.oplockBreaks.set(o, { timer, gate: g, blocking: true })
    this.sink.oplockBreak({ openId: o.openId, clientGuid: o.clientGuid, newLevel: target, ackRequired: true })
  }

  private finishOplockBreak(o: CachingOpen): void {
    const t = this.oplockBreaks.get(o)
    if (!t) return
    this.oplockBreaks.delete(o)
    t.timer.cancel()
    if (o.oplockState === 'breaking') o.oplockState = o.oplockLevel === OplockLevel.None ? 'none' : 'held'
    t.gate.resolve()
  }

  /**
   * Breaks lease `l` down to (at most) `targetIn`. `carry` continues an earlier break's gate (a queued break sent
   * after an ack): creates that waited for the first break keep waiting until the chain ends, as smbtorture
   * lease.breaking3 sees (the pending opens complete only after the last step).
   */
  private breakLease(l: Lease, targetIn: number, carry?: BreakTimer): void {
    if (l.breaking) {
      const target = l.breakToState & targetIn
      if (target !== l.breakToState) l.pendingBreakTo = (l.pendingBreakTo ?? l.breakToState) & target
      return
    }
    const target = l.state & targetIn
    if (target === l.state) {
      carry?.gate.resolve()
      return
    }
    const opens = [...l.opens].map((id) => this.opens.get(id)).filter((o): o is CachingOpen => !!o)
    if (opens.length > 0 && opens.every((o) => !o.connected)) {
      if (this.undeliverable(opens, `lease break to ${target}`)) {
        carry?.gate.resolve()
        return
      }
      l.state = target
      if (l.version === 2) l.epoch = (l.epoch + 1) & 0xffff
      this.sink.lowered?.([...l.opens], `lease lowered to ${target} while disconnected`)
      carry?.gate.resolve()
      return
    }
    const current = l.state
    // The steps of a queued break chain (RWH -> RH, ack, RH -> R, ack, R -> none) carry the epoch of its first
    // notification (smbtorture lease.v2_breaking3).
    if (l.version === 2 && !carry) l.epoch = (l.epoch + 1) & 0xffff
    const notice: LeaseBreakNotice = {
      clientGuid: l.clientGuid,
      leaseKey: l.leaseKey,
      version: l.version,
      currentState: current,
      newState: target,
      newEpoch: l.version === 2 ? l.epoch : 0,
      flags: 0,
      openIds: [...l.opens],
    }
    if (!leaseBreakNeedsAck(current)) {
      // MS-SMB2 3.3.4.7: a break from Read-only is sent without SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED and
      // takes effect at once.
      l.state = target
      this.sink.leaseBreak(notice)
      carry?.gate.resolve()
      return
    }
    l.breaking = true
    l.breakToState = target
    notice.flags = LeaseBreakFlags.AckRequired
    const g = carry?.gate ?? gate()
    const timer = this.clock.setTimer(this.cfg.breakTimeoutMs, () => {
      // MS-SMB2 3.3.6.5 / brief: no acknowledgment in time -> complete as if acknowledged to none.
      l.state = LeaseState.None
      l.pendingBreakTo = null
      this.finishLeaseBreak(l)
    })
    this.leaseBreaks.set(l, { timer, gate: g, blocking: carry?.blocking ?? (current & W) !== 0 })
    this.sink.leaseBreak(notice)
  }

  /** Ends the outstanding break of `l`; with `keepGate` the gate is returned unresolved (for a queued break). */
  private finishLeaseBreak(l: Lease, keepGate = false): BreakTimer | undefined {
    const t = this.leaseBreaks.get(l)
    l.breaking = false
    l.breakToState = l.state
    if (!t) return undefined
    this.leaseBreaks.delete(l)
    t.timer.cancel()
    if (!keepGate) t.gate.resolve()
    return t
  }

  /**
   * A break whose holders are all disconnected. Non-persistent durable opens are purged (returns true when nothing
   * is left to break). Persistent opens keep going: the caller lowers their caching without a notification.
   */
  private undeliverable(holders: CachingOpen[], reason: string): boolean {
    const purge = holders.filter((o) => !o.persistent)
    if (purge.length) {
      for (const o of purge) this.closeOpen(o.openId)
      this.sink.purged(
        purge.map((o) => o.openId),
        `${reason}: holder disconnected (MS-SMB2 3.3.4.6/3.3.4.7; Samba purges disconnected durable opens)`,
      )
    }
    return purge.length === holders.length
  }

  // ---- acknowledgments ----------------------------------------------------------------------------------------

  /** OPLOCK_BREAK acknowledgment (MS-SMB2 3.3.5.22.1). A missing open is STATUS_FILE_CLOSED. */
  ackOplock(openId: bigint, ackLevel: number): { status: NtStatus; rule: string; oplockLevel: number } {
    const o = this.opens.get(openId)
    if (!o) return { status: NtStatus.FileClosed, rule: 'MS-SMB2 3.3.5.22.1: no such open', oplockLevel: OplockLevel.None }
    if (o.lease) {
      return { status: NtStatus.InvalidDeviceState, rule: 'MS-SMB2 3.3.5.22.1: open holds a lease, not an oplock', oplockLevel: OplockLevel.Lease }
    }
    const v = checkOplockAck({ level: o.oplockLevel, state: o.oplockState, breakTo: o.breakTo }, ackLevel, this.cfg.oplockAck)
    if (!v.completesBreak) return { status: v.status, rule: v.rule, oplockLevel: o.oplockLevel }
    o.oplockLevel = v.newLevel
    o.oplockState = v.newLevel === OplockLevel.None ? 'none' : 'held'
    const pending = o.pendingBreakTo
    o.pendingBreakTo = null
    this.finishOplockBreak(o)
    if (pending !== null && pending < o.oplockLevel) this.breakOplock(o, pending)
    return { status: v.status, rule: v.rule, oplockLevel: v.newLevel }
  }

  /** Lease Break Acknowledgment (MS-SMB2 3.3.5.22.2), looked up by the connection's ClientGuid. */
  ackLease(clientGuid: Guid, leaseKey: Guid, ackState: number): { status: NtStatus; rule: string; leaseState: number } {
    const l = this.leases.get(clientGuid, leaseKey)
    const v = checkLeaseAck(l, ackState)
    if (!l || v.status !== NtStatus.Success) return { status: v.status, rule: v.rule, leaseState: l?.state ?? LeaseState.None }
    l.state = ackState
    const acked = ackState
    const pending = l.pendingBreakTo
    l.pendingBreakTo = null
    const carry = this.finishLeaseBreak(l, pending !== null)
    if (pending !== null) {
      // A queued break goes down one step at a time: Handle caching goes before Read caching (RH -> R -> none),
      // which is what smbtorture lease.breaking3 observes.
      let step = pending
      if (l.state & H && !(pending & H) && !(pending & R) && l.state & R) step = l.state & R
      if (step !== pending) l.pendingBreakTo = pending
      this.breakLease(l, step, carry)
    }
    // The response names the acknowledged state, even when a queued break took the lease further at once.
    return { status: v.status, rule: v.rule, leaseState: acked }
  }
}
