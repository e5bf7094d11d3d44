/**
 * SMB path handling: from a share-relative SMB path (backslashes, maybe empty for the share root, maybe with a
 * `:stream:$DATA` suffix) to a real absolute path that is guaranteed to lie inside the share root.
 *
 * Two steps:
 * 1. `parseSmbPath` checks the syntax (MS-FSCC 2.1.5): invalid characters, empty, `.` and over-long components,
 *    reserved DOS device names, stream suffixes, and `..` components, which are folded lexically and refused with
 *    STATUS_OBJECT_PATH_SYNTAX_BAD when they would climb above the share root (Samba's check_path_syntax rule).
 *    A leading backslash is STATUS_INVALID_PARAMETER (MS-SMB2 3.3.5.9) unless the caller allows it (rename targets).
 * 2. `PathJail.resolve` walks the components on disk. Each component is looked up by exact name first and then by
 *    a case-insensitive scan of the directory, as Samba does on a case-sensitive disk; the scan result is cached per
 *    directory and dropped when the directory's mtime moves or when this layer changes the directory itself.
 *    A symlink is followed only when its fully resolved target lies inside the share root (Samba's
 *    "wide links = no"); otherwise the open fails with STATUS_ACCESS_DENIED.
 *
 * Race handling: the walk uses lstat and realpath, so a local user who swaps a directory for a symlink between the
 * walk and the open could redirect the open. Every open therefore uses O_NOFOLLOW on the final component and is
 * re-checked afterwards through the descriptor itself (`verifyDescriptor`: /proc/self/fd on Linux, else a realpath
 * plus device/inode comparison). What remains is a window in which O_CREAT or mkdir through a swapped intermediate
 * directory creates an entry outside the share before the re-check notices; the caller then removes that entry
 * and fails with STATUS_ACCESS_DENIED. SMB clients cannot create symlinks through this layer, so exploiting the
 * window needs local write access to the shared directory.
 * @module
 */

import { lstatSync, promises as fsp, readlinkSync, statSync, type BigIntStats } from 'node:fs'
import path from 'node:path'
import { VfsError, VfsStatus, toVfsError } from './status.js'
import { compareNames, upcase } from './wildcard.js'

/** The result of parsing an SMB path. */
export interface ParsedPath {
  /** Path components after folding `..`; empty for the share root. */
  components: string[]
  /** The path ended in a backslash (MS-FSA: the caller wants a directory). */
  trailingSeparator: boolean
  /** Present when the last component carried a stream suffix: `name:stream:type`. */
  stream?: { name: string; type: '' | '$DATA' | '$INDEX_ALLOCATION' }
}

export interface ParseOptions {
  /** Accept (and drop) one leading backslash, as rename and link targets may carry one. Default false. */
  allowLeadingSeparator?: boolean
  /** Accept reserved DOS device names (CON, NUL, COM1, ...). Default false. */
  allowDeviceNames?: boolean
}

/** MS-FSCC 2.1.5.2: characters never allowed in a file name (wildcards included, as names are not patterns). */
const INVALID_NAME_CHARS = /[\u0000-\u001f"*/<>?|\\:]/
const MAX_COMPONENT_LENGTH = 255
const DEVICE_NAMES = new Set([
  'CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$',
  ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
  ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
  'COM\u00b9', 'COM\u00b2', 'COM\u00b3', 'LPT\u00b9', 'LPT\u00b2', 'LPT\u00b3',
])

/** True for the reserved DOS device names, with or without an extension (`NUL.txt`), ignoring case. */
export function isDeviceName(component: string): boolean {
  const base = component.split('.')[0]!.replace(/[ ]+$/, '')
  return DEVICE_NAMES.has(upcase(base))
}

/** Checks one file name component (MS-FSCC 2.1.5.2); throws STATUS_OBJECT_NAME_INVALID. */
export function checkComponent(name: string, allowDeviceNames = false): void {
  if (name.length === 0) throw new VfsError(VfsStatus.ObjectNameInvalid, 'empty path component')
  if (name.length > MAX_COMPONENT_LENGTH) throw new VfsError(VfsStatus.ObjectNameInvalid, 'component longer than 255')
  if (name === '.') throw new VfsError(VfsStatus.ObjectNameInvalid, 'component "."')
  if (INVALID_NAME_CHARS.test(name)) throw new VfsError(VfsStatus.ObjectNameInvalid, `invalid character in ${JSON.stringify(name)}`)
  if (!allowDeviceNames && isDeviceName(name)) throw new VfsError(VfsStatus.ObjectNameInvalid, `reserved device name ${name}`)
}

/**
 * Parses a share-relative SMB path. Throws `VfsError` with:
 * STATUS_INVALID_PARAMETER (leading backslash, MS-SMB2 3.3.5.9), STATUS_OBJECT_NAME_INVALID (syntax, MS-FSCC 2.1.5),
 * STATUS_OBJECT_PATH_SYNTAX_BAD (`..` above the share root).
 */
export function parseSmbPath(raw: string, opts: ParseOptions = {}): ParsedPath {
  let s = raw
  if (s.startsWith('\\') || s.startsWith('/')) {
    if (!opts.allowLeadingSeparator || s.startsWith('/')) {
      throw new VfsError(VfsStatus.InvalidParameter, 'path starts with a separator')
    }
    s = s.slice(1)
  }
  if (s.includes('\u0000')) throw new VfsError(VfsStatus.ObjectNameInvalid, 'NUL in path')
  if (s.length === 0) return { components: [], trailingSeparator: false }
  let trailingSeparator = false
  if (s.endsWith('\\')) {
    trailingSeparator = true
    s = s.slice(0, -1)
    if (s.length === 0 || s.endsWith('\\')) throw new VfsError(VfsStatus.ObjectNameInvalid, 'empty path component')
  }
  const parts = s.split('\\')
  let stream: ParsedPath['stream']
  const last = parts[parts.length - 1]!
  const colon = last.indexOf(':')
  if (colon >= 0) {
    if (trailingSeparator) throw new VfsError(VfsStatus.ObjectNameInvalid, 'stream suffix before a trailing separator')
    parts[parts.length - 1] = last.slice(0, colon)
    stream = parseStreamSuffix(last.slice(colon + 1))
  }
  const components: string[] = []
  for (const part of parts) {
    if (part === '..') {
      if (components.length === 0) throw new VfsError(VfsStatus.ObjectPathSyntaxBad, '".." above the share root')
      components.pop()
      continue
    }
    checkComponent(part, opts.allowDeviceNames)
    components.push(part)
  }
  if (stream && components.length === 0) throw new VfsError(VfsStatus.ObjectNameInvalid, 'stream suffix on the share root')
  return stream ? { components, trailingSeparator, stream } : { components, trailingSeparator }
}

/** MS-FSCC 2.1.5.3: `stream` or `stream:$TYPE` (the part after the first colon). */
function parseStreamSuffix(suffix: string): NonNullable<ParsedPath['stream']> {
  const pieces = suffix.split(':')
  if (pieces.length > 2) throw new VfsError(VfsStatus.ObjectNameInvalid, 'too many colons')
  const name = pieces[0]!
  const typeRaw = pieces.length === 2 ? pieces[1]! : ''
  if (pieces.length === 2 && typeRaw.length === 0) throw new VfsError(VfsStatus.ObjectNameInvalid, 'empty stream type')
  if (name.length === 0 && typeRaw.length === 0) throw new VfsError(VfsStatus.ObjectNameInvalid, 'empty stream name')
  if (name.length > 0) {
    if (name.length > MAX_COMPONENT_LENGTH || /[\u0000-\u001f"*/<>?|\\:]/.test(name)) {
      throw new VfsError(VfsStatus.ObjectNameInvalid, 'invalid stream name')
    }
  }
  const type = upcase(typeRaw)
  if (type === '' || type === '$DATA') return { name, type: type as '' | '$DATA' }
  if (type === '$INDEX_ALLOCATION') {
    // MS-FSA 2.1.5.1 phase 5: only the unnamed or $I30 index stream exists.
    if (name !== '' && upcase(name) !== '$I30') throw new VfsError(VfsStatus.InvalidParameter, 'bad $INDEX_ALLOCATION stream')
    return { name: '', type: '$INDEX_ALLOCATION' }
  }
  throw new VfsError(VfsStatus.ObjectNameInvalid, `unknown stream type ${typeRaw}`)
}

/** Which symlinks the walk follows. */
export type SymlinkPolicy = 'inside' | 'never'

export interface PathJailOptions {
  /** 'inside' (default): follow symlinks whose resolved target stays inside the root; 'never': refuse all. */
  symlinks?: SymlinkPolicy
  /** Directories whose case-insensitive listing is cached (LRU). Default 512. */
  cacheSize?: number
}

/** The outcome of walking a parsed path. */
export interface Resolved {
  /** The target exists (after following an inside symlink). */
  exists: boolean
  /** Real absolute path of the target, or of the entry to create when it does not exist. */
  absPath: string
  /** Real absolute path of the parent directory ('' for the share root itself). */
  parentAbs: string
  /** On-disk name of the final component (its actual case), or the requested name when absent. */
  leafName: string
  /** The target's stat (bigint), when it exists. */
  stat?: BigIntStats
  /** The directory entry as found (a symlink's own path when the target was reached through one). */
  linkAbs: string
  /** lstat of that entry (equals `stat` unless it is a symlink), when it exists. */
  linkStat?: BigIntStats
  /** True when the path names the share root. */
  isRoot: boolean
}

interface DirListing {
  mtimeNs: bigint
  builtAtNs: bigint
  byUpper: Map<string, string[]>
  /** The listing is known to be exact at `mtimeNs` (it followed this server's own change, see noteCreated). */
  exact?: boolean
}

/** Resolves SMB paths inside one share root; see the module comment. */
export class PathJail {
  private readonly cache = new Map<string, DirListing>()
  private readonly cacheSize: number
  private readonly symlinks: SymlinkPolicy

  /** @param rootAbs the real (symlink-free) absolute path of the share root; use `PathJail.create` to compute it. */
  constructor(
    readonly rootAbs: string,
    opts: PathJailOptions = {},
  ) {
    this.cacheSize = opts.cacheSize ?? 512
    this.symlinks = opts.symlinks ?? 'inside'
  }

  /** Resolves `root` with realpath and checks that it is a directory. */
  static async create(root: string, opts: PathJailOptions = {}): Promise<PathJail> {
    const rootAbs = await fsp.realpath(path.resolve(root))
    const st = await fsp.stat(rootAbs)
    if (!st.isDirectory()) throw new Error(`share root ${root} is not a directory`)
    return new PathJail(rootAbs, opts)
  }

  /** True when `abs` is the root or below it (a purely lexical test on real paths). */
  contains(abs: string): boolean {
    if (abs === this.rootAbs) return true
    const prefix = this.rootAbs.endsWith(path.sep) ? this.rootAbs : this.rootAbs + path.sep
    return abs.startsWith(prefix)
  }

  /** The share-relative SMB path (backslashes, '' for the root) of a real path inside the root, else undefined. */
  relative(abs: string): string | undefined {
    if (!this.contains(abs)) return undefined
    const rel = path.relative(this.rootAbs, abs)
    return rel.split(path.sep).join('\\')
  }

  /** Forgets the cached listing of one directory (call after creating, deleting or renaming inside it). */
  invalidate(dirAbs: string): void {
    this.cache.delete(dirAbs)
  }

  /**
   * Records that this server just created `name` in `dirAbs`: a cached listing that was exact before is kept
   * exact by adding the name and taking the directory's new mtime (one stat, done synchronously: microseconds),
   * instead of being read again from disk. Without it a directory filling up (a client copying many files in)
   * would be read and sorted once per create. The one change this can miss is another process creating a
   * case-variant name in the same mtime tick as ours; that name is then found only by its exact spelling until
   * the directory changes again.
   */
  noteCreated(dirAbs: string, name: string): void {
    const cached = this.cache.get(dirAbs)
    if (!cached) return
    let mtimeNs: bigint
    try {
      mtimeNs = statSync(dirAbs, { bigint: true }).mtimeNs
    } catch {
      this.cache.delete(dirAbs)
      return
    }
    const trusted = cached.exact || cached.builtAtNs - cached.mtimeNs > 10_000_000n
    if (!trusted) {
      this.cache.delete(dirAbs)
      return
    }
    const key = upcase(name)
    const list = cached.byUpper.get(key)
    if (!list) cached.byUpper.set(key, [name])
    else if (!list.includes(name)) {
      list.push(name)
      list.sort(compareNames)
    }
    cached.mtimeNs = mtimeNs
    cached.exact = true
  }

  /**
   * Walks `components` from the root. Throws STATUS_OBJECT_PATH_NOT_FOUND when an intermediate component is missing
   * or not a directory, STATUS_ACCESS_DENIED for symlinks leading outside the root (or any symlink under the
   * 'never' policy), and mapped errno statuses for other failures. A missing final component is not an error:
   * the result has `exists: false`.
   */
  async resolve(components: readonly string[]): Promise<Resolved> {
    let cur = this.rootAbs
    if (components.length === 0) {
      const st = this.statAbs(this.rootAbs, 'path')
      return { exists: true, absPath: this.rootAbs, parentAbs: '', leafName: '', stat: st, linkAbs: this.rootAbs, linkStat: st, isRoot: true }
    }
    for (let i = 0; i < components.length; i++) {
      const isLast = i === components.length - 1
      // The exact name, synchronously; the case-insensitive listing (maybe a readdir) only when it is missing.
      const found = this.lookupExact(cur, components[i]!) ?? (await this.lookupFolded(cur, components[i]!))
      if (found === undefined) {
        if (!isLast) throw new VfsError(VfsStatus.ObjectPathNotFound, `no directory ${components[i]}`)
        const abs = path.join(cur, components[i]!)
        return { exists: false, absPath: abs, parentAbs: cur, leafName: components[i]!, linkAbs: abs, isRoot: false }
      }
      const actual = found.name
      const entryAbs = path.join(cur, actual)
      const linkStat = found.stat ?? this.lstatAbs(entryAbs, isLast ? 'name' : 'path')
      let st = linkStat
      let target = entryAbs
      if (st.isSymbolicLink()) {
        target = await this.followSymlink(entryAbs)
        st = this.statAbs(target, isLast ? 'name' : 'path')
      }
      if (!isLast) {
        if (!st.isDirectory()) throw new VfsError(VfsStatus.ObjectPathNotFound, `${actual} is not a directory`)
        cur = target
        continue
      }
      // A symlink's target may sit in another directory: report the real parent and name.
      const parentAbs = target === entryAbs ? cur : path.dirname(target)
      const leafName = target === entryAbs ? actual : path.basename(target)
      return { exists: true, absPath: target, parentAbs, leafName, stat: st, linkAbs: entryAbs, linkStat, isRoot: target === this.rootAbs }
    }
    throw new Error('unreachable')
  }

  /** Resolves a symlink fully and checks the target lies inside the root. */
  private async followSymlink(linkAbs: string): Promise<string> {
    if (this.symlinks === 'never') throw new VfsError(VfsStatus.AccessDenied, `symlink ${linkAbs} refused by policy`)
    let real: string
    try {
      real = await fsp.realpath(linkAbs)
    } catch (e) {
      // Dangling or looping links are refused rather than reported missing: creating through them would follow.
      throw new VfsError(VfsStatus.AccessDenied, `unresolvable symlink ${linkAbs}: ${(e as Error).message}`)
    }
    if (!this.contains(real)) throw new VfsError(VfsStatus.AccessDenied, `symlink ${linkAbs} leads outside the share`)
    return real
  }

  /**
   * Finds the on-disk name of `name` in directory `dirAbs`: the exact name when it exists, else the first
   * case-insensitive match in upcase order, else undefined.
   */
  async lookupName(dirAbs: string, name: string): Promise<string | undefined> {
    return (this.lookupExact(dirAbs, name) ?? (await this.lookupFolded(dirAbs, name)))?.name
  }

  /**
   * The entry `name` of `dirAbs` by its exact spelling, with its lstat, or undefined. Synchronous: metadata of a
   * local directory entry comes from the kernel's caches in microseconds, several times less than a thread-pool
   * round trip; a missing name returns undefined without an exception.
   */
  private lookupExact(dirAbs: string, name: string): { name: string; stat: BigIntStats } | undefined {
    try {
      const stat = lstatSync(path.join(dirAbs, name), { bigint: true, throwIfNoEntry: false })
      return stat ? { name, stat } : undefined
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTDIR') throw new VfsError(VfsStatus.ObjectPathNotFound, `${dirAbs} is not a directory`)
      if (code !== 'ENOENT') throw toVfsError(e, 'path', 'lookup')
      return undefined
    }
  }

  /** The first case-insensitive match of `name` in `dirAbs` (upcase order), from the cached listing. */
  private async lookupFolded(dirAbs: string, name: string): Promise<{ name: string; stat?: BigIntStats } | undefined> {
    const st = this.statAbs(dirAbs, 'path')
    const listing = this.cachedListing(dirAbs, st) ?? (await this.readListing(dirAbs, st))
    const actual = listing.byUpper.get(upcase(name))?.[0]
    return actual === undefined ? undefined : { name: actual }
  }

  /** The cached upcase → names map of a directory when it is still valid for the directory's stat `st`. */
  private cachedListing(dirAbs: string, st: BigIntStats): DirListing | undefined {
    const cached = this.cache.get(dirAbs)
    // A listing built within the same clock tick as the last change could miss a later change in that tick
    // ("racy" entries, as git calls them): trust it only when the mtime is older than the build time by 10 ms.
    if (cached && cached.mtimeNs === st.mtimeNs && (cached.exact || cached.builtAtNs - st.mtimeNs > 10_000_000n)) {
      this.cache.delete(dirAbs)
      this.cache.set(dirAbs, cached)
      return cached
    }
    return undefined
  }

  /** Reads a directory into a fresh listing (cached) for its stat `st`. */
  private async readListing(dirAbs: string, st: BigIntStats): Promise<DirListing> {
    let names: string[]
    try {
      names = await fsp.readdir(dirAbs)
    } catch (e) {
      throw toVfsError(e, 'path', 'readdir')
    }
    names.sort(compareNames)
    const byUpper = new Map<string, string[]>()
    for (const n of names) {
      const key = upcase(n)
      const list = byUpper.get(key)
      if (list) list.push(n)
      else byUpper.set(key, [n])
    }
    const listing = { mtimeNs: st.mtimeNs, builtAtNs: BigInt(Date.now()) * 1_000_000n, byUpper }
    this.cache.set(dirAbs, listing)
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!)
    return listing
  }

  /**
   * Checks, after an open, that the descriptor refers to a file inside the root and (when given) to the expected
   * device and inode. Returns the real path of the open file. Throws STATUS_ACCESS_DENIED otherwise.
   */
  async verifyDescriptor(fd: number, stat: BigIntStats, expectedAbs: string): Promise<string> {
    let real: string | undefined
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      real = undefined
    }
    if (real === undefined) {
      // No /proc: compare the identity of the expected path with the descriptor's.
      const st = await fsp.stat(expectedAbs, { bigint: true }).catch(() => undefined)
      if (!st || st.dev !== stat.dev || st.ino !== stat.ino) {
        throw new VfsError(VfsStatus.AccessDenied, `descriptor does not match ${expectedAbs}`)
      }
      real = await fsp.realpath(expectedAbs)
    }
    if (!this.contains(real)) throw new VfsError(VfsStatus.AccessDenied, `opened file ${real} lies outside the share`)
    return real
  }

  private lstatAbs(abs: string, context: 'name' | 'path'): BigIntStats {
    try {
      return lstatSync(abs, { bigint: true })
    } catch (e) {
      throw toVfsError(e, context, 'lstat')
    }
  }

  private statAbs(abs: string, context: 'name' | 'path'): BigIntStats {
    try {
      return statSync(abs, { bigint: true })
    } catch (e) {
      throw toVfsError(e, context, 'stat')
    }
  }
}
