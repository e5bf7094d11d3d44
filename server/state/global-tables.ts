/**
 * Global and local protocol state, after Samba's smbXsrv split (source3/librpc/idl/smbXsrv.idl:
 * smbXsrv_session_global0, smbXsrv_tcon_global0, smbXsrv_open_global0) and MS-SMB2 3.3.1.5 (GlobalSessionTable,
 * GlobalOpenTable).
 *
 * A *global* record outlives the connection that made it: a reconnecting client finds its old session by SessionId
 * (PreviousSessionId, MS-SMB2 3.3.5.5.3) and its old open by the persistent FileId (DHnC, 3.3.5.9.7) or CreateGuid
 * (DH2C, 3.3.5.9.12). A *local* object lives on one connection, carries the volatile ids and points at its global
 * record. Global records that must survive a restart of the server (persistent handles and their sessions and tree
 * connects) are written through to a `DurableStore` before the caller tells the client the handle is persistent.
 * @module
 */
import type { Clock } from './clock.js'
import { systemClock } from './clock.js'
import { IdAllocator } from './ids.js'
import type { DurableStore } from './durable-store.js'

/** GUIDs are canonical lower-case strings `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (dissect/ convention). */
export type Guid = string

/** Kind of durability granted to an open (MS-SMB2 3.3.1.10 Open.IsDurable / IsResilient / IsPersistent). */
export const DurableKind = {
  None: 'none',
  V1: 'v1', // DHnQ, MS-SMB2 3.3.5.9.6
  V2: 'v2', // DH2Q without the persistent flag, 3.3.5.9.10
  Persistent: 'persistent', // DH2Q with SMB2_DHANDLE_FLAG_PERSISTENT on a CA share, 3.3.5.9.10
  Resilient: 'resilient', // FSCTL_LMR_REQUEST_RESILIENCY, 3.3.5.15.9
} as const
export type DurableKind = (typeof DurableKind)[keyof typeof DurableKind]

export const isDurableKind = (k: DurableKind): boolean => k !== DurableKind.None

/** Identity of the authenticated user (MS-SMB2 3.3.1.8 Session.SecurityContext; Open.DurableOwner is its `sid`). */
export interface SessionOwner {
  user: string
  domain: string
  /** A stable id for the principal: a SID string when we have one, else `S-1-22-1-<user>`-like. */
  sid: string
}

export type SessionState = 'in-progress' | 'valid' | 'expired' | 'disconnected'

/** MS-SMB2 3.3.1.8 Session, global part (Samba smbXsrv_session_global0). Version tag for the durable store. */
export interface SessionGlobal {
  version: 1
  sessionId: bigint
  owner: SessionOwner | null
  clientGuid: Guid
  /** Negotiated dialect (0x0202 ... 0x0311) of the connection that created the session. */
  dialect: number
  signingRequired: boolean
  encryptData: boolean
  /** Name of the session key material in a key store (never the key itself). */
  sessionKeyRef: string | null
  /** Connection ids bound to the session (multichannel, MS-SMB2 3.3.5.5.2); empty while disconnected. */
  channels: number[]
  state: SessionState
  createdAt: number
  /** When the authentication expires (MS-SMB2 3.3.1.8 Session.ExpirationTime); null = never. */
  expiresAt: number | null
  /** Set when the last channel went away. */
  disconnectedAt: number | null
}

/** MS-SMB2 3.3.1.9 TreeConnect, global part (Samba smbXsrv_tcon_global0). */
export interface TreeConnectGlobal {
  version: 1
  treeId: number
  sessionId: bigint
  shareName: string
  maximalAccess: number
  encryptData: boolean
  /** Share.IsCA (continuous availability): persistent handles may be granted only here (3.3.5.9.10). */
  continuousAvailability: boolean
  createdAt: number
}

/** A byte-range lock held by an open (MS-SMB2 3.3.5.14); kept so a reconnected durable open still holds it. */
export interface ByteRangeLockRecord {
  offset: bigint
  length: bigint
  exclusive: boolean
}

/**
 * The lease an open belongs to, as last synchronised from the caching manager (MS-SMB2 3.3.1.13 Lease): enough to
 * rebuild the lease after a restart and to answer a reconnect with the right state and epoch.
 */
export interface LeaseRecord {
  key: Guid
  version: 1 | 2
  state: number
  epoch: number
  parentLeaseKey: Guid | null
}

/** MS-SMB2 3.3.1.10 Open, global part (Samba smbXsrv_open_global0), record format version 2. */
export interface OpenGlobal {
  version: 2
  /** Open.DurableFileId: the persistent half of SMB2_FILEID, unique while this record exists. */
  persistentId: bigint
  /** Volatile half of the current local open; null while disconnected. */
  volatileId: bigint | null
  sessionId: bigint | null
  treeId: number | null
  /** Open.DurableOwner: the owner's `sid`. */
  owner: string
  clientGuid: Guid
  createGuid: Guid | null
  appInstanceId: Guid | null
  lease: LeaseRecord | null
  /** SMB2 oplock level byte (0x00 none, 0x01 II, 0x08 exclusive, 0x09 batch, 0xFF lease). */
  oplockLevel: number
  durable: DurableKind
  /** Open.DurableOpenTimeout in milliseconds. */
  durableTimeoutMs: number
  /** When the open lost its connection/session (ms); null while connected. */
  disconnectedAt: number | null
  shareName: string
  /** Share-relative path as the client named it (Open.FileName). */
  path: string
  /** The file's identity on disk (inode or the VFS's file id), to find other opens of the same file. */
  fileId: bigint
  desiredAccess: number
  shareAccess: number
  createOptions: number
  byteRangeLocks: ByteRangeLockRecord[]
  /** Current file position (FilePositionInformation, MS-FSCC 2.4.35). */
  position: bigint
  /** MS-SMB2 3.3.1.10 Open.ChannelSequence / OutstandingRequestCount / OutstandingPreRequestCount (3.3.5.2.10). */
  channelSequence: number
  outstandingRequestCount: number
  outstandingPreRequestCount: number
  /** Open.IsReplayEligible (3.3.5.9.10): a replayed create with the same CreateGuid gets this open back. */
  replayEligible: boolean
  /** Open.LockSequenceArray (3.3.5.14, resilient/persistent opens): bucket index (1..64) -> sequence number. */
  lockSequences: Record<number, number>
  /** Bumped by every update; lets a reader tell two states of one record apart. */
  revision: number
  createdAt: number
}

export type OpenInit = Omit<
  OpenGlobal,
  | 'version'
  | 'persistentId'
  | 'volatileId'
  | 'revision'
  | 'createdAt'
  | 'disconnectedAt'
  | 'channelSequence'
  | 'outstandingRequestCount'
  | 'outstandingPreRequestCount'
  | 'byteRangeLocks'
  | 'position'
  | 'lockSequences'
  | 'replayEligible'
> &
  Partial<Pick<OpenGlobal, 'replayEligible' | 'channelSequence'>>

export type SessionInit = Pick<SessionGlobal, 'clientGuid' | 'dialect'> &
  Partial<Pick<SessionGlobal, 'owner' | 'signingRequired' | 'encryptData' | 'sessionKeyRef' | 'expiresAt'>> & {
    connectionId: number
  }

export type TreeConnectInit = Omit<TreeConnectGlobal, 'version' | 'treeId' | 'createdAt'>

/** An open as one connection sees it (MS-SMB2 Session.OpenTable entry, keyed by FileId.Volatile). */
export interface LocalOpen {
  volatileId: bigint
  persistentId: bigint
  connectionId: number
  sessionId: bigint
  treeId: number
  readonly global: OpenGlobal
}

/** Per-connection table of local opens; lookups check both halves of the FileId (MS-SMB2 3.3.5.22.1, 3.3.5.10). */
export class LocalOpenTable<T extends LocalOpen = LocalOpen> {
  private readonly byVolatile = new Map<bigint, T>()
  constructor(readonly connectionId: number) {}

  add(open: T): void {
    this.byVolatile.set(open.volatileId, open)
  }

  /** The open whose FileId is exactly (persistent, volatile), or undefined (the caller answers STATUS_FILE_CLOSED). */
  lookup(persistentId: bigint, volatileId: bigint): T | undefined {
    const o = this.byVolatile.get(volatileId)
    return o && o.persistentId === persistentId ? o : undefined
  }

  remove(volatileId: bigint): T | undefined {
    const o = this.byVolatile.get(volatileId)
    this.byVolatile.delete(volatileId)
    return o
  }

  ofSession(sessionId: bigint): T[] {
    return [...this.byVolatile.values()].filter((o) => o.sessionId === sessionId)
  }

  /** Every open in the table. */
  all(): T[] {
    return [...this.byVolatile.values()]
  }

  get size(): number {
    return this.byVolatile.size
  }
}

export interface GlobalTablesOptions {
  ids?: IdAllocator
  clock?: Clock
  /** Write-through store for records that must survive a restart (persistent opens and what they hang on). */
  store?: DurableStore
}

const guidKey = (clientGuid: Guid, createGuid: Guid) => `${clientGuid.toLowerCase()}/${createGuid.toLowerCase()}`

/**
 * The server's global tables. Every mutation of an open that is persistent (or of the session/tree it belongs to)
 * is written to the store synchronously before the method returns, so the caller may tell the client.
 */
export class GlobalTables {
  readonly sessions = new Map<bigint, SessionGlobal>()
  readonly trees = new Map<number, TreeConnectGlobal>()
  readonly opens = new Map<bigint, OpenGlobal>()
  private readonly byCreateGuid = new Map<string, bigint>()
  private readonly volatileInUse = new Set<bigint>()
  readonly ids: IdAllocator
  readonly clock: Clock
  readonly store: DurableStore | undefined

  constructor(opts: GlobalTablesOptions = {}) {
    this.ids = opts.ids ?? new IdAllocator()
    this.clock = opts.clock ?? systemClock
    this.store = opts.store
  }

  // ---- sessions ---------------------------------------------------------------------------------------------

  createSession(init: SessionInit): SessionGlobal {
    const sessionId = this.ids.next64((id) => this.sessions.has(id) || !!this.store?.getSession(id))
    const s: SessionGlobal = {
      version: 1,
      sessionId,
      owner: init.owner ?? null,
      clientGuid: init.clientGuid.toLowerCase(),
      dialect: init.dialect,
      signingRequired: init.signingRequired ?? false,
      encryptData: init.encryptData ?? false,
      sessionKeyRef: init.sessionKeyRef ?? null,
      channels: [init.connectionId],
      state: 'in-progress',
      createdAt: this.clock.now(),
      expiresAt: init.expiresAt ?? null,
      disconnectedAt: null,
    }
    this.sessions.set(sessionId, s)
    return s
  }

  updateSession(sessionId: bigint, patch: Partial<Omit<SessionGlobal, 'version' | 'sessionId'>>): SessionGlobal {
    const s = this.sessions.get(sessionId)
    if (!s) throw new Error(`no session 0x${sessionId.toString(16)}`)
    Object.assign(s, patch)
    if (this.sessionIsPersisted(sessionId)) this.store?.putSession(s)
    return s
  }

  removeSession(sessionId: bigint): void {
    this.sessions.delete(sessionId)
    for (const t of [...this.trees.values()]) if (t.sessionId === sessionId) this.removeTreeConnect(t.treeId)
    this.store?.deleteSession(sessionId)
  }

  // ---- tree connects ----------------------------------------------------------------------------------------

  createTreeConnect(init: TreeConnectInit): TreeConnectGlobal {
    const treeId = this.ids.next32((id) => this.trees.has(id) || !!this.store?.getTree(id))
    const t: TreeConnectGlobal = { version: 1, treeId, ...init, createdAt: this.clock.now() }
    this.trees.set(treeId, t)
    return t
  }

  removeTreeConnect(treeId: number): void {
    this.trees.delete(treeId)
    this.store?.deleteTree(treeId)
  }

  // ---- opens ------------------------------------------------------------------------------------------------

  private persistentIdInUse = (id: bigint): boolean => this.opens.has(id) || !!this.store?.getOpen(id)

  /** Allocates a volatile id unique across all live local opens of this server. */
  allocateVolatileId(): bigint {
    const v = this.ids.next64((id) => this.volatileInUse.has(id))
    this.volatileInUse.add(v)
    return v
  }

  releaseVolatileId(v: bigint): void {
    this.volatileInUse.delete(v)
  }

  /**
   * Creates the global record of a new open with fresh persistent and volatile ids. When the open is persistent
   * the record (and its session and tree connect) is in the store when this returns.
   */
  createOpen(init: OpenInit): OpenGlobal {
    const persistentId = this.ids.next64(this.persistentIdInUse)
    const volatileId = this.allocateVolatileId()
    const o: OpenGlobal = {
      version: 2,
      ...init,
      clientGuid: init.clientGuid.toLowerCase(),
      createGuid: init.createGuid?.toLowerCase() ?? null,
      persistentId,
      volatileId,
      disconnectedAt: null,
      byteRangeLocks: [],
      position: 0n,
      channelSequence: init.channelSequence ?? 0,
      outstandingRequestCount: 0,
      outstandingPreRequestCount: 0,
      replayEligible: init.replayEligible ?? false,
      lockSequences: {},
      revision: 1,
      createdAt: this.clock.now(),
    }
    this.opens.set(persistentId, o)
    if (o.createGuid) this.byCreateGuid.set(guidKey(o.clientGuid, o.createGuid), persistentId)
    this.persistIfNeeded(o)
    return o
  }

  /** Applies `patch`, bumps the revision and writes through when the open is persistent. */
  updateOpen(persistentId: bigint, patch: Partial<Omit<OpenGlobal, 'version' | 'persistentId' | 'revision'>>): OpenGlobal {
    const o = this.opens.get(persistentId)
    if (!o) throw new Error(`no open 0x${persistentId.toString(16)}`)
    if ('createGuid' in patch || 'clientGuid' in patch) {
      if (o.createGuid) this.byCreateGuid.delete(guidKey(o.clientGuid, o.createGuid))
    }
    Object.assign(o, patch)
    o.revision += 1
    if (o.createGuid) this.byCreateGuid.set(guidKey(o.clientGuid, o.createGuid), persistentId)
    this.persistIfNeeded(o)
    return o
  }

  removeOpen(persistentId: bigint): OpenGlobal | undefined {
    const o = this.opens.get(persistentId)
    if (!o) return undefined
    this.opens.delete(persistentId)
    if (o.createGuid && this.byCreateGuid.get(guidKey(o.clientGuid, o.createGuid)) === persistentId) {
      this.byCreateGuid.delete(guidKey(o.clientGuid, o.createGuid))
    }
    if (o.volatileId !== null) this.releaseVolatileId(o.volatileId)
    this.store?.deleteOpen(persistentId)
    return o
  }

  /** GlobalOpenTable lookup by (ClientGuid, CreateGuid) (MS-SMB2 3.3.5.9.10, 3.3.5.9.12). */
  findByCreateGuid(clientGuid: Guid, createGuid: Guid): OpenGlobal | undefined {
    const id = this.byCreateGuid.get(guidKey(clientGuid, createGuid))
    return id === undefined ? undefined : this.opens.get(id)
  }

  /** Any open with this CreateGuid, whatever its ClientGuid (persistent reconnect by CreateGuid, 3.3.5.9.12). */
  findAnyByCreateGuid(createGuid: Guid): OpenGlobal | undefined {
    const g = createGuid.toLowerCase()
    for (const o of this.opens.values()) if (o.createGuid === g) return o
    return undefined
  }

  opensOfSession(sessionId: bigint): OpenGlobal[] {
    return [...this.opens.values()].filter((o) => o.sessionId === sessionId)
  }

  opensOfFile(shareName: string, fileId: bigint): OpenGlobal[] {
    return [...this.opens.values()].filter((o) => o.shareName === shareName && o.fileId === fileId)
  }

  /** Marks the open disconnected (Open.Session/Connection/TreeConnect = NULL, MS-SMB2 3.3.7.1). */
  disconnectOpen(persistentId: bigint, now = this.clock.now()): OpenGlobal {
    const o = this.opens.get(persistentId)
    if (!o) throw new Error(`no open 0x${persistentId.toString(16)}`)
    if (o.volatileId !== null) this.releaseVolatileId(o.volatileId)
    return this.updateOpen(persistentId, { volatileId: null, sessionId: null, treeId: null, disconnectedAt: now })
  }

  /** Re-attaches a disconnected open to a new session/tree with a fresh volatile id (reconnect). */
  reattachOpen(persistentId: bigint, sessionId: bigint, treeId: number): OpenGlobal {
    const volatileId = this.allocateVolatileId()
    return this.updateOpen(persistentId, { volatileId, sessionId, treeId, disconnectedAt: null })
  }

  // ---- persistence ------------------------------------------------------------------------------------------

  private sessionIsPersisted(sessionId: bigint): boolean {
    for (const o of this.opens.values()) if (o.sessionId === sessionId && o.durable === DurableKind.Persistent) return true
    return false
  }

  private persistIfNeeded(o: OpenGlobal): void {
    if (!this.store || o.durable !== DurableKind.Persistent) return
    const store = this.store
    // One transaction: the open and what it references are durable together (or not at all).
    store.transaction(() => {
      if (o.sessionId !== null) {
        const s = this.sessions.get(o.sessionId)
        if (s) store.putSession(s)
      }
      if (o.treeId !== null) {
        const t = this.trees.get(o.treeId)
        if (t) store.putTree(t)
      }
      store.putOpen(o)
    })
  }

  /**
   * Loads what a previous run left in the store (after a restart). Every loaded open is disconnected as of `now`
   * (its old connection is gone) and every loaded session is 'disconnected' with no channels, so reconnects
   * (DH2C, PreviousSessionId) can find them and the scavenger can expire them.
   */
  loadFromStore(now = this.clock.now()): { sessions: number; trees: number; opens: number } {
    if (!this.store) return { sessions: 0, trees: 0, opens: 0 }
    const sessions = this.store.listSessions()
    const trees = this.store.listTrees()
    const opens = this.store.listOpens()
    for (const s of sessions) {
      s.channels = []
      if (s.state !== 'expired') s.state = 'disconnected'
      s.disconnectedAt ??= now
      this.sessions.set(s.sessionId, s)
    }
    for (const t of trees) this.trees.set(t.treeId, t)
    for (const o of opens) {
      o.volatileId = null
      o.sessionId = null
      o.treeId = null
      o.disconnectedAt ??= now
      this.opens.set(o.persistentId, o)
      if (o.createGuid) this.byCreateGuid.set(guidKey(o.clientGuid, o.createGuid), o.persistentId)
      this.store.putOpen(o)
    }
    return { sessions: sessions.length, trees: trees.length, opens: opens.length }
  }
}
