/**
 * File metadata the POSIX disk cannot hold by itself, and the conversions between POSIX and MS-FSCC views:
 *
 * - FILETIME (100 ns intervals since 1601-01-01 UTC, MS-DTYP 2.3.3) ↔ POSIX nanoseconds since 1970.
 * - DOS attributes (READONLY, HIDDEN, SYSTEM, ARCHIVE, TEMPORARY, OFFLINE, NOT_CONTENT_INDEXED, SPARSE_FILE),
 *   persisted per file; DIRECTORY is derived from the file type and NORMAL is reported when nothing else is set.
 * - Timestamps: creation time is the inode's birth time (statx) when the disk has one; otherwise it is persisted
 *   when this layer creates or first opens the file (until then, the older of mtime and ctime is reported). Explicitly set times keep their exact FILETIME value: utimes() takes seconds as a double (and the
 *   kernel may round further), so the store remembers "FILETIME x was set when the file's mtime read y ns" and
 *   reports x while the mtime still reads y. ChangeTime cannot be set on POSIX at all and is kept the same way,
 *   keyed to the ctime observed after the set. A later change of the file makes the real value visible again.
 *
 * `MetadataStore` keeps these records in a small SQLite file (better-sqlite3) under the server's `--state-dir`,
 * never inside a share, keyed by device and inode, so records follow renames and hard links and survive a
 * restart. An inode number can be reused after a file is deleted behind the server's back; a record whose saved
 * birth time differs from the file's is discarded as stale. Without a birth time that check is impossible and a
 * reused inode can inherit stale attributes (documented limitation).
 * @module
 */

import Database from 'better-sqlite3'
import type { BigIntStats } from 'node:fs'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { FileAttribute, FILE_ATTRIBUTE_SETTABLE } from './constants.js'

/** FILETIME of the POSIX epoch (1970-01-01T00:00:00Z). */
export const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n

/** MS-FSA 2.1.5.15.2: a FileBasicInformation time of 0 leaves the time alone. */
export const TIME_NO_CHANGE = 0n
/** MS-FSA 2.1.5.15.2: -1 leaves the time alone and stops this open from updating it automatically. */
export const TIME_FREEZE = -1n
/** MS-FSA 2.1.5.15.2: -2 lets this open update the time automatically again. */
export const TIME_UNFREEZE = -2n

/** POSIX nanoseconds since 1970 → FILETIME (truncated to 100 ns). */
export function nsToFiletime(ns: bigint): bigint {
  const t = ns >= 0n ? ns / 100n : -((-ns + 99n) / 100n)
  const ft = t + FILETIME_UNIX_EPOCH
  return ft < 0n ? 0n : ft
}

/** FILETIME → POSIX nanoseconds since 1970. */
export function filetimeToNs(ft: bigint): bigint {
  return (ft - FILETIME_UNIX_EPOCH) * 100n
}

/** FILETIME → seconds since 1970 as a double (what utimes() takes; sub-microsecond precision is lost). */
export function filetimeToSeconds(ft: bigint): number {
  const ns = filetimeToNs(ft)
  return Number(ns / 1000n) / 1e6
}

/** Date → FILETIME. */
export function dateToFiletime(d: Date): bigint {
  return BigInt(d.getTime()) * 10_000n + FILETIME_UNIX_EPOCH
}

/** FILETIME → Date (millisecond precision). */
export function filetimeToDate(ft: bigint): Date {
  return new Date(Number((ft - FILETIME_UNIX_EPOCH) / 10_000n))
}

/** FILETIME of the current time. */
export function nowFiletime(): bigint {
  return nsToFiletime(BigInt(Date.now()) * 1_000_000n)
}

/** Interprets a 64-bit time field from the wire as signed (FILE_BASIC_INFORMATION uses LARGE_INTEGER). */
export function signedTime(v: bigint): bigint {
  return v >= 1n << 63n ? v - (1n << 64n) : v
}

/** An explicitly set time and the POSIX time value it is tied to. */
export interface PinnedTime {
  /** The FILETIME the client set. */
  filetime: bigint
  /** The POSIX ns value (mtime, atime or ctime) the file showed right after the set. */
  posixNs: bigint
}

/** What the store keeps for one file. */
export interface MetaRecord {
  /** DOS attributes (without DIRECTORY); undefined means "defaults" (ARCHIVE for files, none for directories). */
  attributes?: number
  /** Creation time override, or the first-seen time on disks without birth times. */
  creationTime?: bigint
  lastWrite?: PinnedTime
  lastAccess?: PinnedTime
  change?: PinnedTime
  /** Birth time (ns) of the inode when the record was written; a mismatch later means the inode was reused. */
  birthNs?: bigint
}

/** The key of a file in the store and in the open table. */
export function fileKey(st: { dev: bigint; ino: bigint }): string {
  return `${st.dev}:${st.ino}`
}

/** Birth time of a stat in ns, or undefined when the disk does not record one. */
export function birthNsOf(st: BigIntStats): bigint | undefined {
  return st.birthtimeNs > 0n ? st.birthtimeNs : undefined
}

interface Row {
  key: string
  attributes: number | null
  creation_time: string | null
  write_ft: string | null
  write_ns: string | null
  access_ft: string | null
  access_ns: string | null
  change_ft: string | null
  change_ns: string | null
  birth_ns: string | null
}

const big = (s: string | null): bigint | undefined => (s === null ? undefined : BigInt(s))
const str = (b: bigint | undefined): string | null => (b === undefined ? null : b.toString())

/**
 * Persistent per-file metadata (see the module comment). All methods are synchronous (better-sqlite3); each call
 * is a single indexed statement on a tiny table, and reads are served from an in-memory cache.
 */
export class MetadataStore {
  private readonly db: Database.Database
  /** Read cache (insertion-ordered, trimmed to `cacheLimit`); null caches "no record". */
  private readonly cache = new Map<string, MetaRecord | null>()
  private readonly cacheLimit = 100_000
  private readonly stmtGet: Database.Statement<[string], Row>
  private readonly stmtPut: Database.Statement<Row>
  private readonly stmtDel: Database.Statement<[string]>

  private constructor(file: string) {
    this.db = new Database(file)
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS file_meta (
      key TEXT PRIMARY KEY,
      attributes INTEGER,
      creation_time TEXT,
      write_ft TEXT, write_ns TEXT,
      access_ft TEXT, access_ns TEXT,
      change_ft TEXT, change_ns TEXT,
      birth_ns TEXT
    )`)
    this.db.exec(`CREATE TABLE IF NOT EXISTS meta_info (name TEXT PRIMARY KEY, value TEXT)`)
    this.db.prepare(`INSERT OR IGNORE INTO meta_info (name, value) VALUES ('schema', '1')`).run()
    this.stmtGet = this.db.prepare('SELECT * FROM file_meta WHERE key = ?')
    this.stmtPut = this.db.prepare(`INSERT OR REPLACE INTO file_meta
      (key, attributes, creation_time, write_ft, write_ns, access_ft, access_ns, change_ft, change_ns, birth_ns)
      VALUES (@key, @attributes, @creation_time, @write_ft, @write_ns, @access_ft, @access_ns, @change_ft, @change_ns, @birth_ns)`)
    this.stmtDel = this.db.prepare('DELETE FROM file_meta WHERE key = ?')
  }

  /** Opens (or creates) the store in `stateDir/vfs-metadata.sqlite`; without a directory, an in-memory store. */
  static open(stateDir?: string): MetadataStore {
    if (!stateDir) return new MetadataStore(':memory:')
    mkdirSync(stateDir, { recursive: true })
    return new MetadataStore(path.join(stateDir, 'vfs-metadata.sqlite'))
  }

  /** True when records survive a restart (a state directory was given). */
  get persistent(): boolean {
    return this.db.name !== ':memory:'
  }

  /**
   * The record of `key`, or undefined. `birthNs` is the file's current birth time: a record written for an
   * earlier inode with the same number is deleted and not returned.
   */
  get(key: string, birthNs: bigint | undefined): MetaRecord | undefined {
    let rec = this.cache.get(key)
    if (rec === undefined) {
      const row = this.stmtGet.get(key)
      rec = row ? rowToRecord(row) : null
      this.remember(key, rec)
    }
    if (rec === null) return undefined
    if (rec.birthNs !== undefined && birthNs !== undefined && rec.birthNs !== birthNs) {
      this.delete(key)
      return undefined
    }
    return rec
  }

  /** Replaces the record of `key`. */
  put(key: string, rec: MetaRecord): void {
    this.stmtPut.run(recordToRow(key, rec))
    this.remember(key, { ...rec })
  }

  private remember(key: string, rec: MetaRecord | null): void {
    this.cache.delete(key)
    this.cache.set(key, rec)
    if (this.cache.size > this.cacheLimit) this.cache.delete(this.cache.keys().next().value!)
  }

  /** Applies `change` to the current record (or an empty one) and stores the result. */
  update(key: string, birthNs: bigint | undefined, change: (rec: MetaRecord) => void): MetaRecord {
    const rec: MetaRecord = { ...(this.get(key, birthNs) ?? {}) }
    if (rec.birthNs === undefined && birthNs !== undefined) rec.birthNs = birthNs
    change(rec)
    this.put(key, rec)
    return rec
  }

  /** Forgets a file (after it was deleted). */
  delete(key: string): void {
    this.stmtDel.run(key)
    this.remember(key, null)
  }

  /** Number of stored records (for tests and diagnostics). */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM file_meta').get() as { n: number }).n
  }

  close(): void {
    this.db.close()
  }
}

function rowToRecord(r: Row): MetaRecord {
  const rec: MetaRecord = {}
  if (r.attributes !== null) rec.attributes = r.attributes
  if (r.creation_time !== null) rec.creationTime = BigInt(r.creation_time)
  if (r.write_ft !== null && r.write_ns !== null) rec.lastWrite = { filetime: BigInt(r.write_ft), posixNs: BigInt(r.write_ns) }
  if (r.access_ft !== null && r.access_ns !== null) rec.lastAccess = { filetime: BigInt(r.access_ft), posixNs: BigInt(r.access_ns) }
  if (r.change_ft !== null && r.change_ns !== null) rec.change = { filetime: BigInt(r.change_ft), posixNs: BigInt(r.change_ns) }
  const b = big(r.birth_ns)
  if (b !== undefined) rec.birthNs = b
  return rec
}

function recordToRow(key: string, rec: MetaRecord): Row {
  return {
    key,
    attributes: rec.attributes ?? null,
    creation_time: str(rec.creationTime),
    write_ft: str(rec.lastWrite?.filetime),
    write_ns: str(rec.lastWrite?.posixNs),
    access_ft: str(rec.lastAccess?.filetime),
    access_ns: str(rec.lastAccess?.posixNs),
    change_ft: str(rec.change?.filetime),
    change_ns: str(rec.change?.posixNs),
    birth_ns: str(rec.birthNs),
  }
}

/** The four MS-FSCC timestamps of a file, as FILETIMEs. */
export interface FileTimes {
  creationTime: bigint
  lastAccessTime: bigint
  lastWriteTime: bigint
  changeTime: bigint
}

/**
 * The timestamps to report for a file: pinned values while the POSIX times still read what they read when the
 * client set them, the POSIX times otherwise; creation time from the override, the birth time or the record.
 */
export function effectiveTimes(st: BigIntStats, rec: MetaRecord | undefined): FileTimes {
  const pinned = (p: PinnedTime | undefined, ns: bigint): bigint =>
    p !== undefined && p.posixNs === ns ? p.filetime : nsToFiletime(ns)
  const birth = birthNsOf(st)
  const creationTime =
    rec?.creationTime ?? (birth !== undefined ? nsToFiletime(birth) : nsToFiletime(st.mtimeNs < st.ctimeNs ? st.mtimeNs : st.ctimeNs))
  return {
    creationTime,
    lastAccessTime: pinned(rec?.lastAccess, st.atimeNs),
    lastWriteTime: pinned(rec?.lastWrite, st.mtimeNs),
    changeTime: pinned(rec?.change, st.ctimeNs),
  }
}

/** Options that change how attributes are derived. */
export interface AttributeOptions {
  /** Report names starting with '.' as HIDDEN (Samba's "hide dot files"). Default false. */
  hideDotFiles?: boolean
}

/**
 * The DOS attributes to report (MS-FSCC 2.6): the stored ones (or the defaults), DIRECTORY for directories,
 * HIDDEN for dot files when asked, and NORMAL when nothing else is set.
 */
export function effectiveAttributes(isDirectory: boolean, rec: MetaRecord | undefined, name: string, opts: AttributeOptions = {}): number {
  let a = rec?.attributes ?? (isDirectory ? 0 : FileAttribute.Archive)
  a &= ~(FileAttribute.Directory | FileAttribute.Normal)
  if (isDirectory) a = (a & ~(FileAttribute.Temporary | FileAttribute.SparseFile)) | FileAttribute.Directory
  if (opts.hideDotFiles && name.startsWith('.') && name !== '.' && name !== '..') a |= FileAttribute.Hidden
  return a === 0 ? FileAttribute.Normal : a >>> 0
}

/** The attributes a create or SetInfo may store: settable bits only (MS-FSA 2.1.5.1.1, 2.1.5.15.2). */
export function storableAttributes(requested: number): number {
  return requested & FILE_ATTRIBUTE_SETTABLE
}

/** AllocationSize to report: the blocks on disk, or a larger allocation a client asked for (0 for directories). */
export function allocationOf(st: BigIntStats, override?: bigint): bigint {
  if (st.isDirectory()) return 0n
  const onDisk = st.blocks * 512n
  const alloc = override !== undefined && override > onDisk ? override : onDisk
  return alloc
}

/** Rounds up to a 4 KiB cluster. */
export function roundToCluster(n: bigint): bigint {
  return ((n + 4095n) / 4096n) * 4096n
}

/**
 * The metadata of one file as the MS-FSCC information classes need it (basic, standard, internal, network open,
 * attribute tag, all, and the directory-enumeration classes).
 */
export interface FileInfo {
  /** On-disk name (case preserved); '' for the share root. */
  fileName: string
  creationTime: bigint
  lastAccessTime: bigint
  lastWriteTime: bigint
  changeTime: bigint
  /** EndOfFile (0 for directories). */
  endOfFile: bigint
  allocationSize: bigint
  fileAttributes: number
  /** IndexNumber / FileId (MS-FSCC 2.4.20): the inode number, stable for the file's life. */
  fileId: bigint
  numberOfLinks: number
  isDirectory: boolean
  /** Always 0: extended attributes are not supported. */
  eaSize: number
  /** Always 0: reparse points are not exposed. */
  reparseTag: number
}

/** Builds a FileInfo from a stat and the stored record. */
export function describeStat(st: BigIntStats, rec: MetaRecord | undefined, name: string, opts: AttributeOptions & { allocationSize?: bigint } = {}): FileInfo {
  const isDirectory = st.isDirectory()
  const times = effectiveTimes(st, rec)
  return {
    fileName: name,
    ...times,
    endOfFile: isDirectory ? 0n : st.size,
    allocationSize: allocationOf(st, opts.allocationSize),
    fileAttributes: effectiveAttributes(isDirectory, rec, name, opts),
    fileId: st.ino,
    numberOfLinks: isDirectory ? 1 : Number(st.nlink),
    isDirectory,
    eaSize: 0,
    reparseTag: 0,
  }
}
