/**
 * `SmbServer`: the bundled SMB 2.0.2–3.1.1 file server. It owns what outlives one connection (Samba's split):
 * the global tables (sessions, tree connects, opens), the shares (one `LocalShare` per share over one server-wide
 * open table, notify hub and metadata store), the caching manager (oplocks now, leases and durable handles next),
 * the scavenger, the user database and the listeners. Connections hold the per-connection objects.
 *
 * Shutdown (`close`): stop listening, disconnect clients (their opens close, so delete-on-close and locks are
 * settled), dispose the shares and flush the stores.
 * @module
 */
import { BufferPool } from './buffer-pool.js'
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { OplockBreakNotification } from '../dissect/smb2/commands/oplock-break.js'
import { makeHeader, UNSOLICITED_MESSAGE_ID } from '../dissect/smb2/header.js'
import { UserDb } from './auth/user-db.js'
import type { ServerConfig } from './config.js'
import { Connection } from './connection.js'
import { dispatchTransport } from './dispatch.js'
import { pipeFactory, type SrvsvcShare } from './ipc/srvsvc.js'
import type { DcerpcPipeServer } from './ipc/dcerpc-server.js'
import { Logger } from './log.js'
import type { ServerOpen } from './open.js'
import type { Session } from './session.js'
import { dropChannels, rememberEndedSession } from './session-binding.js'
import { IPC_SHARE, type ShareEntry } from './share.js'
import { DisconnectError } from './smb-error.js'
import { DurableHandles } from './durable-handles.js'
import { sendLeaseBreak } from './leasing.js'
import { CachingManager, type BreakSink } from './state/file-caching.js'
import { GlobalTables } from './state/global-tables.js'
import { SqliteDurableStore, type DurableStore } from './state/durable-store.js'
import { Scavenger, expireFromTables } from './state/scavenger.js'
import { SessionManager } from './state/sessions.js'
import { MetadataStore } from './vfs/attributes.js'
import { LocalShare } from './vfs/local-fs.js'
import { NotifyHub } from './vfs/notify.js'
import { OpenTable } from './vfs/open-table.js'
import type { TreeConnect } from './tree.js'

export interface ServerDeps {
  log?: Logger
}

export class SmbServer {
  readonly log: Logger
  /** ServerGuid (MS-SMB2 3.3.1.5). */
  readonly guid = randomUUID()
  readonly startTime = Date.now()
  readonly users: UserDb
  readonly tables: GlobalTables
  readonly sessionManager: SessionManager
  readonly caching: CachingManager
  readonly scavenger: Scavenger
  /** Disconnected durable opens, grants and reconnects (server/durable-handles.ts). */
  readonly durableHandles: DurableHandles
  readonly openTable: OpenTable
  readonly notifyHub = new NotifyHub()
  /** Recycled buffers for large WRITE messages (see buffer-pool.ts). */
  readonly ioBuffers: BufferPool
  readonly metadata: MetadataStore
  readonly shares = new Map<string, ShareEntry>()
  readonly connections = new Set<Connection>()
  /** Local opens by persistent id (break delivery, resume keys, copy-chunk sources). */
  readonly opens = new Map<bigint, ServerOpen>()
  readonly pipes: (name: string) => DcerpcPipeServer | undefined
  /** FSCTL_SRV_REQUEST_RESUME_KEY keys (opaque random bytes) and the opens they name. */
  private readonly resumeKeys = new Map<string, ServerOpen>()
  private readonly resumeKeyByOpen = new WeakMap<ServerOpen, Buffer>()
  private readonly listeners: Server[] = []
  private readonly store: DurableStore | undefined
  private closing: Promise<void> | undefined
  private idleTimer: NodeJS.Timeout | undefined

  private constructor(
    readonly config: ServerConfig,
    deps: ServerDeps,
    metadata: MetadataStore,
    store: DurableStore | undefined,
  ) {
    this.log = deps.log ?? new Logger(config.log)
    this.users = new UserDb(config.users)
    this.metadata = metadata
    this.store = store
    this.tables = new GlobalTables({ store })
    this.sessionManager = new SessionManager(this.tables, {
      expiryMs: config.limits.sessionExpiryMs > 0 ? config.limits.sessionExpiryMs : null,
      maxOpensPerSession: config.limits.maxOpensPerSession,
    })
    this.openTable = new OpenTable({ maxOpensPerOwner: config.limits.maxOpensPerSession })
    this.ioBuffers = new BufferPool(1024 * 1024, config.limits.maxMessageSize)
    this.caching = new CachingManager(this.breakSink())
    this.scavenger = new Scavenger((id) => {
      this.caching.closeOpen(id)
      expireFromTables(this.tables, id, Date.now())
      this.durableHandles.expire(id)
    })
    this.durableHandles = new DurableHandles(this)
    this.pipes = pipeFactory({ netbiosName: config.netbiosName, shares: () => this.shareList() })
  }

  /** Opens the shares and the stores; `listen` starts serving. */
  static async create(config: ServerConfig, deps: ServerDeps = {}): Promise<SmbServer> {
    const metadata = MetadataStore.open(config.stateDir)
    const store = config.stateDir ? SqliteDurableStore.open(config.stateDir) : undefined
    const s = new SmbServer(config, deps, metadata, store)
    for (const sc of config.shares) {
      const vfs = await LocalShare.open({
        name: sc.name,
        root: sc.path,
        metadata,
        openTable: s.openTable,
        notifyHub: s.notifyHub,
        readOnly: sc.readOnly,
      })
      s.shares.set(sc.name.toLowerCase(), { kind: 'disk', name: sc.name, config: sc, vfs })
    }
    s.shares.set('ipc$', IPC_SHARE)
    if (store) {
      // Persistent opens of a previous run come back disconnected, waiting for DH2C or their timeout.
      const loaded = s.tables.loadFromStore()
      s.scavenger.trackAll(s.tables)
      if (loaded.opens) s.log.info('persistent handles restored from the state directory', loaded)
    }
    s.scavenger.start()
    return s
  }

  /** Starts listening on the configured address (port 0 picks a free one); resolves with the address. */
  async listen(host = this.config.host, port = this.config.port): Promise<AddressInfo> {
    // pauseOnConnect: a connection adopts the socket's handle before it reads (socket-reader.ts).
    const srv = createServer({ noDelay: true, pauseOnConnect: true }, (sock) => this.accept(sock))
    this.listeners.push(srv)
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(port, host, () => {
        srv.off('error', reject)
        resolve()
      })
    })
    srv.on('error', (e) => this.log.error('listener error', { error: e.message }))
    if (!this.idleTimer) {
      this.idleTimer = setInterval(() => this.sweepIdle(), Math.min(60_000, Math.max(1000, this.config.limits.idleTimeoutMs / 4)))
      this.idleTimer.unref()
    }
    return srv.address() as AddressInfo
  }

  get address(): AddressInfo | undefined {
    return this.listeners[0]?.address() as AddressInfo | undefined
  }

  private accept(sock: Socket): void {
    if (this.closing) {
      sock.destroy()
      return
    }
    if (this.connections.size >= this.config.limits.maxConnections) {
      this.log.warn('connection limit reached, refusing', { remote: sock.remoteAddress, limit: this.config.limits.maxConnections })
      sock.destroy()
      return
    }
    const conn = new Connection(this, sock)
    this.connections.add(conn)
    conn.log.debug('connected', { remote: conn.remote })
  }

  /** Closes connections idle for longer than the configured limit (no session: a quarter of it). */
  private sweepIdle(): void {
    const now = Date.now()
    const limit = this.config.limits.idleTimeoutMs
    for (const c of this.connections) {
      const idle = now - c.lastActivity
      const busy = c.asyncs.size > 0
      if ((c.sessions.size === 0 && idle > Math.max(limit / 4, 1000)) || (!busy && idle > limit)) {
        c.log.info('idle timeout, disconnecting', { idleMs: idle })
        c.close('idle')
      }
    }
  }

  /** Processes one transport message of `conn` (called in order by the connection). */
  async dispatch(conn: Connection, msg: Buffer): Promise<void> {
    try {
      await dispatchTransport(this, conn, msg)
    } catch (e) {
      if (e instanceof DisconnectError) {
        conn.log.info('disconnecting', { reason: e.message })
        conn.close(e.message)
        return
      }
      throw e
    }
  }

  /** The share of a TREE_CONNECT path's last component (case-insensitive), or undefined. */
  share(name: string): ShareEntry | undefined {
    return this.shares.get(name.toLowerCase())
  }

  shareList(): SrvsvcShare[] {
    const out: SrvsvcShare[] = []
    for (const s of this.shares.values()) {
      if (s.kind === 'disk') out.push({ name: s.name, kind: 'disk', comment: '', path: s.config.path })
    }
    out.push({ name: 'IPC$', kind: 'ipc', comment: 'IPC Service (smbscope)' })
    return out
  }

  /** The resume key of an open (MS-SMB2 3.3.5.15.7): 24 random bytes, stable for the open's life. */
  resumeKeyOf(open: ServerOpen): Buffer {
    let k = this.resumeKeyByOpen.get(open)
    if (!k) {
      k = randomBytes(24)
      this.resumeKeyByOpen.set(open, k)
      this.resumeKeys.set(k.toString('hex'), open)
    }
    return k
  }

  openByResumeKey(key: Buffer): ServerOpen | undefined {
    return this.resumeKeys.get(key.toString('hex'))
  }

  // ---- teardown of per-connection objects ------------------------------------------------------------------

  /** Closes one open: VFS handle, caching state, global record and local table entry. */
  async closeOpen(open: ServerOpen, opts: { postQuery?: boolean } = {}): Promise<Awaited<ReturnType<LocalShare['close']>> | undefined> {
    if (open.closed) return undefined
    open.closed = true
    for (const n of open.notifies) n.cancel(NtStatus.NotifyCleanup)
    for (const l of open.waitingLocks) l.cancel(NtStatus.RangeNotLocked)
    open.session.opens.remove(open.volatileId)
    this.opens.delete(open.persistentId)
    const rk = this.resumeKeyByOpen.get(open)
    if (rk) this.resumeKeys.delete(rk.toString('hex'))
    this.caching.closeOpen(open.persistentId)
    this.durableHandles.forget(open.persistentId)
    this.tables.removeOpen(open.persistentId)
    if (open.pipe) {
      open.pipe.close()
      return undefined
    }
    const share = open.tree.share
    if (share.kind !== 'disk' || !open.vfs) return undefined
    try {
      return await share.vfs.close(open.vfs, opts)
    } catch (e) {
      this.log.warn('close failed', { error: (e as Error).message })
      return undefined
    }
  }

  /** Cancels the asynchronous requests of a session (or one tree of it) on `conn`. */
  cancelAsync(session: Session, tree?: TreeConnect): void {
    // Every channel of the session (multichannel: server/session-binding.ts).
    for (const conn of new Set([session.conn, ...session.connections()])) {
      for (const ctx of [...conn.asyncs.values()]) {
        if (ctx.session !== session) continue
        if (tree && ctx.tree !== tree) continue
        ctx.cancel('teardown')
      }
    }
  }

  async disconnectTree(tree: TreeConnect): Promise<void> {
    this.cancelAsync(tree.session, tree)
    for (const o of tree.session.opens.all()) if (o.tree === tree) await this.closeOpen(o)
    tree.session.trees.delete(tree.id)
    this.tables.removeTreeConnect(tree.id)
  }

  /** LOGOFF or connection loss: the session goes; its durable opens stay disconnected (MS-SMB2 3.3.5.6, 3.3.7.1). */
  async endSession(session: Session, reason: 'logoff' | 'connection-lost'): Promise<void> {
    rememberEndedSession(this, session)
    this.cancelAsync(session)
    const conn = session.conn
    if (reason === 'logoff') this.sessionManager.logoff(session.id)
    else this.sessionManager.connectionLost(conn.id, (o) => this.caching.holdsHandleCaching(o.persistentId))
    await this.durableHandles.detachLocalOpens(session)
    for (const t of session.trees.values()) this.tables.removeTreeConnect(t.id)
    session.trees.clear()
    conn.sessions.delete(session.id)
    for (const c of session.connections()) c.sessions.delete(session.id)
    if (this.tables.sessions.has(session.id) && this.tables.opensOfSession(session.id).length === 0) this.tables.removeSession(session.id)
  }

  /** Teardowns of closed connections still running (close() waits for them before closing the stores). */
  private readonly cleanups = new Set<Promise<void>>()

  /** Called by a connection when its socket closed. */
  connectionClosed(conn: Connection): void {
    if (!this.connections.delete(conn)) return
    for (const ctx of [...conn.asyncs.values()]) ctx.cancel('teardown')
    // Sessions bound to other connections too lose only this channel (MS-SMB2 3.3.7.1; server/session-binding.ts).
    const sessions = dropChannels(this, conn)
    const cleanup = (async () => {
      for (const s of sessions) await this.endSession(s, 'connection-lost')
    })()
      .catch((e) => this.log.error('connection cleanup failed', { error: String((e as Error).stack ?? e) }))
      .finally(() => this.cleanups.delete(cleanup))
    this.cleanups.add(cleanup)
    conn.log.debug('disconnected')
  }

  // ---- oplock and lease breaks -----------------------------------------------------------------------------

  private breakSink(): BreakSink {
    return {
      oplockBreak: (n) => {
        const open = this.opens.get(n.openId)
        if (!open || open.session.conn.closed) return
        // MS-SMB2 3.3.4.6: an unsolicited response, MessageId all ones, SessionId and TreeId zero (as Samba).
        const header = makeHeader({ command: Smb2Command.OplockBreak, flags: Smb2Flags.ServerToRedir, messageId: UNSOLICITED_MESSAGE_ID })
        const body = { oplockLevel: n.newLevel, fileId: { persistent: open.persistentId, volatile: open.volatileId } }
        const s = open.session
        const encrypt = s.encryptData || open.tree.encrypt ? s : undefined
        s.conn.sendChain([{ header, body, codec: OplockBreakNotification }], encrypt)
        // The record holds the level the break goes to (the ack, or its timeout, confirms it).
        if (this.tables.opens.has(n.openId)) this.tables.updateOpen(n.openId, { oplockLevel: n.newLevel })
      },
      leaseBreak: (n) => {
        sendLeaseBreak(this, n)
        this.recordCaching(n.openIds)
      },
      lowered: (ids) => this.recordCaching(ids),
      purged: (ids, reason) => {
        this.log.debug('disconnected durable opens purged', { ids: ids.map((i) => i.toString(16)).join(','), reason })
        this.durableHandles.purge(ids)
      },
    }
  }

  /**
   * Writes the opens' caching state, as the caching manager now has it (a break in progress counts at its target),
   * into their global records: a persistent open's record in --state-dir then never claims more caching than the
   * open holds, whether the break was acknowledged, needed no acknowledgment, or happened while it was disconnected.
   */
  private recordCaching(ids: Iterable<bigint>): void {
    for (const id of ids) {
      if (!this.tables.opens.has(id)) continue
      const snap = this.caching.snapshot(id)
      if (snap) this.tables.updateOpen(id, { oplockLevel: snap.oplockLevel, lease: snap.lease })
    }
  }

  // ---- shutdown --------------------------------------------------------------------------------------------

  /** Stops listening, disconnects every client, closes every open, disposes the shares and flushes the stores. */
  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer)
    // net.Server#close calls back only once every connection is gone: stop accepting, drop clients, then wait.
    const closed = Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))))
    for (const c of this.connections) c.destroy()
    await closed
    // Sessions of destroyed sockets are torn down by connectionClosed, which their 'close' events call (the
    // listener's close callback can come first): wait for those (bounded), then for every teardown in flight
    // (they write durable records: the store must still be open).
    for (let i = 0; this.connections.size > 0 && i < 200; i++) await new Promise((r) => setTimeout(r, 5))
    while (this.cleanups.size) await Promise.allSettled([...this.cleanups])
    for (const o of [...this.opens.values()]) {
      // A durable open its session already left disconnected keeps its record (a persistent one for a restart).
      const g = this.tables.opens.get(o.persistentId)
      if (g && g.disconnectedAt !== null && o.vfs && o.tree.share.kind === 'disk') {
        o.closed = true
        this.opens.delete(o.persistentId)
        await o.tree.share.vfs.close(o.vfs).catch(() => undefined)
        continue
      }
      await this.closeOpen(o)
    }
    await this.durableHandles.closeAll()
    this.scavenger.stop()
    for (const s of this.shares.values()) if (s.kind === 'disk') await s.vfs.dispose()
    this.metadata.close()
    this.store?.close()
  }
}
