/**
 * The table of open files (MS-FSA Open and File objects) shared by every share of one server.
 *
 * A `FileNode` is one file or directory on disk, identified by device and inode (so two names of the same file,
 * hard links or an inside symlink, meet in one node). It holds what MS-FSA keeps per File: the list of opens,
 * delete-pending state, byte-range locks, and the file's current real path (updated when this layer renames it or
 * one of its parent directories). A `VfsOpen` is one successful create: granted access, share access, options,
 * file position, the host file handle, and the state the SMB layer keeps per handle (enumeration cursor, sticky
 * times). Opens know nothing about connections or sessions: `owner` is an opaque label used for the per-owner open
 * limit, and the SMB layer can move an open to a new owner when a durable handle is reclaimed.
 *
 * `checkShareAccess` is MS-FSA 2.1.5.1.2.2: only opens that read, write, execute or delete take part, in both
 * directions. Registration of an open happens synchronously right after the check, so no other create can slip in
 * between (JavaScript runs one callback at a time).
 * @module
 */

import type { HostFile } from './host-file.js'
import { Access, DATA_ACCESS, ShareAccess } from './constants.js'
import { ByteRangeLocks } from './byte-range-locks.js'
import type { DirectoryCursor } from './dir-enum.js'
import { VfsError, VfsStatus } from './status.js'
import path from 'node:path'

/** A directory entry: the name an open came through (MS-FSA Open.Link) and that entry's own identity. */
export interface LinkRef {
  /** Absolute path of the entry (a symlink's own path when the open followed an inside symlink). */
  path: string
  /** Device and inode of the entry itself (lstat), to check the path still names it before deleting. */
  dev: bigint
  ino: bigint
}

/** One file or directory with at least one open (MS-FSA File). */
export class FileNode {
  readonly opens = new Set<VfsOpen>()
  readonly locks = new ByteRangeLocks()
  /** MS-FSA File.PendingDelete: set by FileDispositionInformation or by closing a delete-on-close open. */
  deletePending = false
  /** The entry the pending delete removes (the link of the open that asked for it). */
  deleteLink: LinkRef | undefined
  /** The open whose close removes the entry at once (FILE_DISPOSITION_POSIX_SEMANTICS). */
  posixDeleteBy: VfsOpen | undefined
  /** An allocation size a client asked for that exceeds the blocks on disk (kept while the file is open). */
  allocationSize: bigint | undefined
  /**
   * Ranges of a sparse file that FSCTL_SET_ZERO_DATA deallocated or a write past the end skipped, as
   * FSCTL_QUERY_ALLOCATED_RANGES reports them (kept while the file is open; Node cannot punch holes or ask the disk
   * where they are, see LocalShare.allocatedRanges).
   */
  holes: Array<{ start: bigint; end: bigint }> = []
  /** FILE_ATTRIBUTE_SPARSE_FILE as last seen by this layer (undefined until needed). */
  sparse: boolean | undefined
  /** True while this layer is deleting the file (new opens see STATUS_DELETE_PENDING). */
  deleting = false
  /** Birth time of the inode (for metadata-store generation checks), when the disk records one. */
  birthNs: bigint | undefined

  constructor(
    readonly key: string,
    readonly dev: bigint,
    readonly ino: bigint,
    /** Current real absolute path (follows renames done through this layer). */
    public absPath: string,
    readonly isDirectory: boolean,
  ) {}

  /** The on-disk name of the file. */
  get name(): string {
    return path.basename(this.absPath)
  }
}

/** Sticky-time state of an open (MS-FSA Open.UserSetModificationTime and friends). */
export interface StickyTimes {
  lastWrite: boolean
  change: boolean
  lastAccess: boolean
}

/** What a create granted: everything the SMB layer keeps per handle lives here or in its own records. */
export class VfsOpen {
  /** MS-FSA Open.Mode (FileModeInformation bits, MS-FSCC 2.4.31). */
  mode: number
  /** FilePositionInformation (MS-FSCC 2.4.35). */
  position = 0n
  /** Delete the file when this open is closed (FILE_DELETE_ON_CLOSE or FILE_DISPOSITION_ON_CLOSE). */
  deleteOnClose: boolean
  /** Sticky timestamps set through this open (MS-FSA 2.1.5.15.2). */
  readonly sticky: StickyTimes = { lastWrite: false, change: false, lastAccess: false }
  /** Directory enumeration state (MS-FSA 2.1.5.6). */
  cursor: DirectoryCursor | undefined
  /** Serialises queries on the cursor (two QUERY_DIRECTORY requests in flight must not interleave). */
  cursorBusy: Promise<unknown> = Promise.resolve()
  /** Set once closed; every operation on a closed open fails with STATUS_FILE_CLOSED. */
  closed = false
  /** This open renamed its file: the ARCHIVE attribute change is reported when it closes (as Windows does). */
  renamedFile = false

  constructor(
    /** Unique id in the open table (not the SMB FileId; the SMB layer maps its ids to opens). */
    readonly id: number,
    readonly node: FileNode,
    /** Opaque owner label for the open limit (a session, a durable record, ...). */
    public owner: string,
    /** MS-FSA Open.GrantedAccess (generic bits mapped, MAXIMUM_ALLOWED resolved). */
    readonly grantedAccess: number,
    /** MS-FSA Open.SharingMode. */
    readonly shareAccess: number,
    /** CreateOptions of the create. */
    readonly createOptions: number,
    /** Host handle; for opens without data access on files the server could not read, an O_PATH handle. */
    readonly handle: HostFile,
    /** Name of the share the open came through. */
    readonly shareName: string,
    /** The directory entry the open came through (updated by renames). */
    readonly link: LinkRef,
    mode: number,
    deleteOnClose: boolean,
  ) {
    this.mode = mode
    this.deleteOnClose = deleteOnClose
  }

  get isDirectory(): boolean {
    return this.node.isDirectory
  }

  /** True when the granted access includes all bits of `mask`. */
  has(mask: number): boolean {
    return (this.grantedAccess & mask) === mask
  }

  /** True when the granted access includes any bit of `mask`. */
  hasAny(mask: number): boolean {
    return (this.grantedAccess & mask) !== 0
  }
}

/**
 * MS-FSA 2.1.5.1.2.2: does an open asking for `access` with `share` conflict with `existing`?
 * Returns true when it must fail with STATUS_SHARING_VIOLATION.
 */
export function shareConflict(existing: { grantedAccess: number; shareAccess: number }, access: number, share: number): boolean {
  if ((access & DATA_ACCESS) === 0) return false
  const ea = existing.grantedAccess
  if ((ea & DATA_ACCESS) === 0) return false
  const es = existing.shareAccess
  if (!(es & ShareAccess.Read) && access & (Access.FileReadData | Access.FileExecute)) return true
  if (!(es & ShareAccess.Write) && access & (Access.FileWriteData | Access.FileAppendData)) return true
  if (!(es & ShareAccess.Delete) && access & Access.Delete) return true
  if (!(share & ShareAccess.Read) && ea & (Access.FileReadData | Access.FileExecute)) return true
  if (!(share & ShareAccess.Write) && ea & (Access.FileWriteData | Access.FileAppendData)) return true
  if (!(share & ShareAccess.Delete) && ea & Access.Delete) return true
  return false
}

export interface OpenTableOptions {
  /** Maximum opens per owner (STATUS_TOO_MANY_OPENED_FILES beyond). Default 4096. */
  maxOpensPerOwner?: number
}

/** Nodes by device:inode and opens by id, for all shares of a server. */
export class OpenTable {
  private readonly nodes = new Map<string, FileNode>()
  private readonly opens = new Map<number, VfsOpen>()
  private readonly perOwner = new Map<string, number>()
  private nextId = 1
  readonly maxOpensPerOwner: number

  constructor(opts: OpenTableOptions = {}) {
    this.maxOpensPerOwner = opts.maxOpensPerOwner ?? 4096
  }

  /** The node of an open file, if any open (or deletion) keeps it alive. */
  node(key: string): FileNode | undefined {
    return this.nodes.get(key)
  }

  /** The node for `key`, created when the file has no node yet. */
  nodeFor(key: string, dev: bigint, ino: bigint, absPath: string, isDirectory: boolean): FileNode {
    let n = this.nodes.get(key)
    if (!n) {
      n = new FileNode(key, dev, ino, absPath, isDirectory)
      this.nodes.set(key, n)
    }
    return n
  }

  /** Throws STATUS_TOO_MANY_OPENED_FILES when `owner` is at its limit. */
  checkLimit(owner: string): void {
    if ((this.perOwner.get(owner) ?? 0) >= this.maxOpensPerOwner) {
      throw new VfsError(VfsStatus.TooManyOpenedFiles, `owner ${owner} has ${this.maxOpensPerOwner} opens`)
    }
  }

  /** Opens of `node` that conflict with the requested access and share mode (MS-FSA 2.1.5.1.2.2). */
  conflictsWith(node: FileNode, access: number, share: number): VfsOpen[] {
    const out: VfsOpen[] = []
    for (const o of node.opens) if (shareConflict(o, access, share)) out.push(o)
    return out
  }

  /** Allocates the id of a new open. */
  allocateId(): number {
    return this.nextId++
  }

  /** Adds an open to its node and the table. */
  register(open: VfsOpen): void {
    open.node.opens.add(open)
    this.opens.set(open.id, open)
    this.perOwner.set(open.owner, (this.perOwner.get(open.owner) ?? 0) + 1)
  }

  /** Removes an open; the node stays until `dropNodeIfIdle`. */
  unregister(open: VfsOpen): void {
    if (!this.opens.delete(open.id)) return
    open.node.opens.delete(open)
    const n = (this.perOwner.get(open.owner) ?? 1) - 1
    if (n <= 0) this.perOwner.delete(open.owner)
    else this.perOwner.set(open.owner, n)
  }

  /** Moves an open to another owner (durable reconnect); throws when the new owner is at its limit. */
  reassign(open: VfsOpen, owner: string): void {
    if (open.owner === owner) return
    this.checkLimit(owner)
    const n = (this.perOwner.get(open.owner) ?? 1) - 1
    if (n <= 0) this.perOwner.delete(open.owner)
    else this.perOwner.set(open.owner, n)
    open.owner = owner
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1)
  }

  /** Forgets a node with no opens and no deletion in progress. */
  dropNodeIfIdle(node: FileNode): void {
    if (node.opens.size === 0 && !node.deleting && this.nodes.get(node.key) === node) this.nodes.delete(node.key)
  }

  /** The open with this id. */
  get(id: number): VfsOpen | undefined {
    return this.opens.get(id)
  }

  /** All opens (optionally of one owner). */
  list(owner?: string): VfsOpen[] {
    const all = [...this.opens.values()]
    return owner === undefined ? all : all.filter((o) => o.owner === owner)
  }

  /** Number of opens of an owner. */
  countFor(owner: string): number {
    return this.perOwner.get(owner) ?? 0
  }

  /** Opens whose entry lies strictly below directory `dirAbs` (MS-FSA rename: a directory with open children). */
  opensBelow(dirAbs: string): VfsOpen[] {
    const prefix = dirAbs.endsWith(path.sep) ? dirAbs : dirAbs + path.sep
    const out: VfsOpen[] = []
    for (const o of this.opens.values()) if (o.link.path.startsWith(prefix) || o.node.absPath.startsWith(prefix)) out.push(o)
    return out
  }

  /**
   * After a rename of the entry `oldAbs` to `newAbs`: moves every node path, open entry and pending-delete entry
   * at or below `oldAbs`.
   */
  renamed(oldAbs: string, newAbs: string): void {
    const move = (p: string): string =>
      p === oldAbs ? newAbs : p.startsWith(oldAbs + path.sep) ? newAbs + p.slice(oldAbs.length) : p
    for (const n of this.nodes.values()) {
      n.absPath = move(n.absPath)
      if (n.deleteLink) n.deleteLink.path = move(n.deleteLink.path)
    }
    for (const o of this.opens.values()) o.link.path = move(o.link.path)
  }

  /** Number of nodes and opens (diagnostics and tests). */
  get size(): { nodes: number; opens: number } {
    return { nodes: this.nodes.size, opens: this.opens.size }
  }
}
