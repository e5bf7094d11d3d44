/**
 * Durable store for global records (sessions, tree connects, opens) that must outlive a connection or a restart.
 *
 * Records are stored as JSON with a `version` tag (the record format, as Samba's smbXsrv_*_globalB blobs carry
 * one). Readers see only the latest format: `migrateOpen` upgrades older records on read, and opening a SQLite
 * store rewrites every old row once. 64-bit values are stored losslessly as decimal strings
 * (`{"$bigint":"18446744073709551615"}`), never as JSON numbers.
 *
 * Two implementations of one interface: `SqliteDurableStore` (better-sqlite3, under `--state-dir`) for persistent
 * handles, and `MemoryDurableStore` for non-persistent durable opens and tests.
 *
 * Durability: the SQLite database runs in WAL mode with `synchronous=FULL`. Every put is its own transaction (or
 * part of the caller's `transaction`), and better-sqlite3 is synchronous, so when `putOpen` returns the record is
 * on disk. FULL rather than NORMAL because in WAL mode NORMAL only survives a process crash: a power loss or OS
 * crash can roll back the last commits, and a persistent handle (MS-SMB2 3.3.5.9.10) is a promise to the client
 * that the open survives exactly such failures. The cost is one fsync of the WAL per commit, paid once per
 * persistent create/update, which is rare next to reads and writes of file data.
 * @module
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { OpenGlobal, SessionGlobal, TreeConnectGlobal, Guid, DurableKind } from './global-tables.js'

export interface DurableStore {
  putSession(s: SessionGlobal): void
  getSession(sessionId: bigint): SessionGlobal | undefined
  deleteSession(sessionId: bigint): void
  listSessions(): SessionGlobal[]
  putTree(t: TreeConnectGlobal): void
  getTree(treeId: number): TreeConnectGlobal | undefined
  deleteTree(treeId: number): void
  listTrees(): TreeConnectGlobal[]
  putOpen(o: OpenGlobal): void
  getOpen(persistentId: bigint): OpenGlobal | undefined
  deleteOpen(persistentId: bigint): void
  listOpens(): OpenGlobal[]
  /** Runs `fn` atomically: all of its puts/deletes become durable together, or none does. */
  transaction<T>(fn: () => T): T
  close(): void
}

// ---- JSON encoding -----------------------------------------------------------------------------------------

/** JSON text of a record; bigints become `{"$bigint":"<decimal>"}`. */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString(10) } : v))
}

export function decodeRecord(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v)
      const big = (v as { $bigint?: unknown }).$bigint
      if (keys.length === 1 && typeof big === 'string' && /^-?\d+$/.test(big)) return BigInt(big)
    }
    return v
  })
}

// ---- record versions and migration -------------------------------------------------------------------------

/**
 * Open record format 1: the first shape (style.md example 9), kept only so old stores can still be read. It had no
 * tree/session link, no lease version, no channel sequence, no locks or position, and a single `leaseKey`.
 */
export interface OpenGlobalV1 {
  version: 1
  persistentId: bigint
  createGuid: Guid | null
  clientGuid: Guid
  leaseKey: Guid | null
  owner: string
  path: string
  durableTimeoutMs: number
  disconnectedAt: number | null
  /** Format 1 had only persistent records in the store. */
  shareName?: string
  fileId?: bigint
}

export class RecordFormatError extends Error {}

/** Reads an open record of any known format and returns it in the latest format (2). */
export function migrateOpen(raw: unknown): OpenGlobal {
  const r = raw as { version?: unknown }
  if (r === null || typeof r !== 'object') throw new RecordFormatError('open record is not an object')
  if (r.version === 2) return raw as OpenGlobal
  if (r.version === 1) {
    const v1 = raw as OpenGlobalV1
    return {
      version: 2,
      persistentId: v1.persistentId,
      volatileId: null,
      sessionId: null,
      treeId: null,
      owner: v1.owner,
      clientGuid: v1.clientGuid,
      createGuid: v1.createGuid,
      appInstanceId: null,
      // Format 1 did not record the lease state: start from none; the reconnect re-grants what the file allows.
      lease: v1.leaseKey ? { key: v1.leaseKey, version: 1, state: 0, epoch: 0, parentLeaseKey: null } : null,
      oplockLevel: v1.leaseKey ? 0xff : 0x09,
      durable: 'persistent' satisfies DurableKind,
      durableTimeoutMs: v1.durableTimeoutMs,
      disconnectedAt: v1.disconnectedAt,
      shareName: v1.shareName ?? '',
      path: v1.path,
      fileId: v1.fileId ?? 0n,
      desiredAccess: 0,
      shareAccess: 0,
      createOptions: 0,
      byteRangeLocks: [],
      position: 0n,
      channelSequence: 0,
      outstandingRequestCount: 0,
      outstandingPreRequestCount: 0,
      replayEligible: false,
      lockSequences: {},
      revision: 1,
      createdAt: v1.disconnectedAt ?? 0,
    }
  }
  throw new RecordFormatError(`unknown open record version ${String(r.version)}`)
}

function migrateSession(raw: unknown): SessionGlobal {
  const r = raw as { version?: unknown }
  if (r?.version === 1) return raw as SessionGlobal
  throw new RecordFormatError(`unknown session record version ${String(r?.version)}`)
}

function migrateTree(raw: unknown): TreeConnectGlobal {
  const r = raw as { version?: unknown }
  if (r?.version === 1) return raw as TreeConnectGlobal
  throw new RecordFormatError(`unknown tree record version ${String(r?.version)}`)
}

/** Deep copy through the JSON encoding: what a store returns never aliases what the caller keeps mutating. */
const clone = <T>(v: T): T => decodeRecord(encodeRecord(v)) as T

// ---- in-memory store ----------------------------------------------------------------------------------------

/** Same contract as the SQLite store, kept in memory (records are copied in and out, as a database would). */
export class MemoryDurableStore implements DurableStore {
  private readonly sessions = new Map<bigint, string>()
  private readonly trees = new Map<number, string>()
  private readonly opens = new Map<bigint, string>()

  putSession(s: SessionGlobal): void {
    this.sessions.set(s.sessionId, encodeRecord(s))
  }
  getSession(id: bigint): SessionGlobal | undefined {
    const t = this.sessions.get(id)
    return t === undefined ? undefined : migrateSession(decodeRecord(t))
  }
  deleteSession(id: bigint): void {
    this.sessions.delete(id)
  }
  listSessions(): SessionGlobal[] {
    return [...this.sessions.values()].map((t) => migrateSession(decodeRecord(t)))
  }
  putTree(t: TreeConnectGlobal): void {
    this.trees.set(t.treeId, encodeRecord(t))
  }
  getTree(id: number): TreeConnectGlobal | undefined {
    const t = this.trees.get(id)
    return t === undefined ? undefined : migrateTree(decodeRecord(t))
  }
  deleteTree(id: number): void {
    this.trees.delete(id)
  }
  listTrees(): TreeConnectGlobal[] {
    return [...this.trees.values()].map((t) => migrateTree(decodeRecord(t)))
  }
  putOpen(o: OpenGlobal): void {
    this.opens.set(o.persistentId, encodeRecord(o))
  }
  /** Stores a raw record of any format (tests of migration). */
  putRawOpen(persistentId: bigint, record: unknown): void {
    this.opens.set(persistentId, encodeRecord(record))
  }
  getOpen(id: bigint): OpenGlobal | undefined {
    const t = this.opens.get(id)
    return t === undefined ? undefined : migrateOpen(decodeRecord(t))
  }
  deleteOpen(id: bigint): void {
    this.opens.delete(id)
  }
  listOpens(): OpenGlobal[] {
    return [...this.opens.values()].map((t) => migrateOpen(decodeRecord(t)))
  }
  transaction<T>(fn: () => T): T {
    const saved = [new Map(this.sessions), new Map(this.trees), new Map(this.opens)] as const
    try {
      return fn()
    } catch (e) {
      this.restore(this.sessions, saved[0])
      this.restore(this.trees, saved[1])
      this.restore(this.opens, saved[2])
      throw e
    }
  }
  private restore<K>(m: Map<K, string>, from: Map<K, string>): void {
    m.clear()
    for (const [k, v] of from) m.set(k, v)
  }
  close(): void {}
}

// ---- SQLite store -------------------------------------------------------------------------------------------

type Kind = 'session' | 'tree' | 'open'
const LATEST: Record<Kind, number> = { session: 1, tree: 1, open: 2 }
const SCHEMA_VERSION = 1

export interface SqliteStoreOptions {
  /** `synchronous` pragma; FULL by default (see the module comment for why). */
  synchronous?: 'FULL' | 'NORMAL'
}

/** The durable store in `<stateDir>/state.sqlite`. */
export class SqliteDurableStore implements DurableStore {
  readonly path: string
  private readonly db: Database.Database
  private readonly stmts: {
    put: Database.Statement<[Kind, string, number, string]>
    get: Database.Statement<[Kind, string], { version: number; body: string }>
    del: Database.Statement<[Kind, string]>
    list: Database.Statement<[Kind], { id: string; version: number; body: string }>
  }

  /** Opens (creating if needed) the database in `stateDir`, then migrates every old-format row to the latest. */
  static open(stateDir: string, opts: SqliteStoreOptions = {}): SqliteDurableStore {
    mkdirSync(stateDir, { recursive: true })
    return new SqliteDurableStore(join(stateDir, 'state.sqlite'), opts)
  }

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`)
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
    `)
    const schema = this.db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema'`).get()
    if (!schema) this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION))
    else if (Number(schema.value) > SCHEMA_VERSION) {
      this.db.close()
      throw new RecordFormatError(`state database schema ${schema.value} is newer than this program (${SCHEMA_VERSION})`)
    }
    this.stmts = {
      put: this.db.prepare(`INSERT OR REPLACE INTO records (kind, id, version, body) VALUES (?, ?, ?, ?)`),
      get: this.db.prepare(`SELECT version, body FROM records WHERE kind = ? AND id = ?`),
      del: this.db.prepare(`DELETE FROM records WHERE kind = ? AND id = ?`),
      list: this.db.prepare(`SELECT id, version, body FROM records WHERE kind = ? ORDER BY id`),
    }
    this.migrateAll()
  }

  /** Rewrites every row whose format is older than the latest, in one transaction. Returns how many changed. */
  migrateAll(): number {
    let n = 0
    this.transaction(() => {
      for (const kind of ['session', 'tree', 'open'] as const) {
        for (const row of this.stmts.list.all(kind)) {
          if (row.version === LATEST[kind]) continue
          const rec = this.migrate(kind, decodeRecord(row.body))
          this.stmts.put.run(kind, row.id, LATEST[kind], encodeRecord(rec))
          n++
        }
      }
    })
    return n
  }

  private migrate(kind: Kind, raw: unknown): unknown {
    if (kind === 'open') return migrateOpen(raw)
    if (kind === 'session') return migrateSession(raw)
    return migrateTree(raw)
  }

  private put(kind: Kind, id: string, rec: { version: number }): void {
    this.stmts.put.run(kind, id, rec.version, encodeRecord(rec))
  }

  private get<T>(kind: Kind, id: string): T | undefined {
    const row = this.stmts.get.get(kind, id)
    return row ? (this.migrate(kind, decodeRecord(row.body)) as T) : undefined
  }

  private list<T>(kind: Kind): T[] {
    return this.stmts.list.all(kind).map((row) => this.migrate(kind, decodeRecord(row.body)) as T)
  }

  /** Writes a record exactly as given (any format); for tests of migration and of old databases. */
  putRaw(kind: Kind, id: bigint | number, record: { version: number; [field: string]: unknown }): void {
    this.put(kind, id.toString(10), record)
  }

  putSession(s: SessionGlobal): void {
    this.put('session', s.sessionId.toString(10), s)
  }
  getSession(id: bigint): SessionGlobal | undefined {
    return this.get('session', id.toString(10))
  }
  deleteSession(id: bigint): void {
    this.stmts.del.run('session', id.toString(10))
  }
  listSessions(): SessionGlobal[] {
    return this.list('session')
  }
  putTree(t: TreeConnectGlobal): void {
    this.put('tree', t.treeId.toString(10), t)
  }
  getTree(id: number): TreeConnectGlobal | undefined {
    return this.get('tree', id.toString(10))
  }
  deleteTree(id: number): void {
    this.stmts.del.run('tree', id.toString(10))
  }
  listTrees(): TreeConnectGlobal[] {
    return this.list('tree')
  }
  putOpen(o: OpenGlobal): void {
    this.put('open', o.persistentId.toString(10), o)
  }
  getOpen(id: bigint): OpenGlobal | undefined {
    return this.get('open', id.toString(10))
  }
  deleteOpen(id: bigint): void {
    this.stmts.del.run('open', id.toString(10))
  }
  listOpens(): OpenGlobal[] {
    return this.list('open')
  }

  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn()
    return this.db.transaction(fn)()
  }

  /** The pragmas in force (for tests and diagnostics). */
  pragmas(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    }
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

export { clone as cloneRecord }
