/**
 * `LocalShare`: MS-FSA semantics on one local POSIX directory (a share root).
 *
 * This is the file-system half of the server (Samba's split between the SMB layer and the FSA/VFS layer). It
 * knows nothing of SMB2 messages: it takes MS-FSA inputs (paths, desired access, share access, dispositions,
 * options, attributes, FILETIMEs) and resolves with results or rejects with a `VfsError` carrying the NTSTATUS
 * Windows or Samba would return. The SMB handlers encode the results.
 *
 * What it implements, by MS-FSA section:
 * - 2.1.5.1 open/create (`create`): parameter validation, path parsing and walking (path-jail.ts), the type of
 *   file to open, all six dispositions and the create action, access checks (read-only attribute, read-only
 *   share, POSIX permissions for MAXIMUM_ALLOWED), share-mode checks across every open of the same device and
 *   inode (open-table.ts), delete-pending and delete-on-close.
 * - 2.1.5.2/2.1.5.3 read/write with byte-range lock checks, append-only handles, write-through (O_DSYNC).
 * - 2.1.5.4 close: releases locks, cancels waits and notifications, deletes a delete-pending file on last close.
 * - 2.1.5.6 query directory (dir-enum.ts); 2.1.5.7 flush; 2.1.5.8/2.1.5.9 byte-range locks; 2.1.5.11 change
 *   notify (notify.ts).
 * - 2.1.5.15 set information: basic (times with the 0 / -1 / -2 rules, attributes), disposition (and the Ex
 *   flags POSIX_SEMANTICS, ON_CLOSE, IGNORE_READONLY_ATTRIBUTE), rename, hard link, end of file, allocation,
 *   position, mode; FSCTL_SET_SPARSE, FSCTL_SET_ZERO_DATA, FSCTL_QUERY_ALLOCATED_RANGES.
 * - Query information for the file and volume classes the SMB layer answers.
 *
 * Small metadata calls (open, stat, lstat, fstat, access, close, readlink of /proc/self/fd) and small transfers are
 * synchronous: on a local disk they are answered from the kernel's caches in a microsecond or two, where a
 * thread-pool round trip costs tens to hundreds of microseconds and was most of a CREATE's latency. Large reads
 * and writes, directory listings and syncs go to the thread pool (host-file.ts), so large files never block the
 * event loop for long. The metadata store is a synchronous SQLite statement per change (microseconds). Opens hold their own file handle
 * and do not depend on a connection, so the SMB layer can keep them across a disconnect for durable handles.
 *
 * Not implemented: named streams (only `::$DATA`; a named stream fails with STATUS_OBJECT_NAME_INVALID, as Samba
 * does without stream support), extended attributes, security descriptors, reparse points, short names, open by
 * file id (STATUS_NOT_SUPPORTED), external change notification.
 * @module
 */

import { accessSync, constants as fsc, lstatSync, promises as fsp, statSync, type BigIntStats } from 'node:fs'
import path from 'node:path'
import {
  Access,
  ShareAccess,
  ACCESS_INVALID_BITS,
  CreateAction,
  CreateOptions,
  CREATE_OPTIONS_VALID,
  Disposition,
  DispositionFlags,
  FileAttribute,
  FILE_ALL_ACCESS,
  FILE_ATTRIBUTE_SETTABLE,
  FILE_ATTRIBUTE_VALID_FLAGS,
  FILE_MODE_SETTABLE,
  FsAttribute,
  mapGenericAccess,
  MODE_OPTIONS,
  NotifyAction,
  NotifyFilter,
  USE_FILE_POINTER_POSITION,
  WRITE_TO_END_OF_FILE,
} from './constants.js'
import {
  birthNsOf,
  describeStat,
  effectiveAttributes,
  effectiveTimes,
  fileKey,
  filetimeToSeconds,
  MetadataStore,
  nowFiletime,
  nsToFiletime,
  roundToCluster,
  signedTime,
  storableAttributes,
  TIME_FREEZE,
  TIME_UNFREEZE,
  type FileInfo,
  type MetaRecord,
} from './attributes.js'
import { DirectoryCursor, queryDirectory, type QueryDirectoryParams, type QueryDirectoryResult, type DirEntry } from './dir-enum.js'
import type { LockRange, LockRequest } from './byte-range-locks.js'
import { NotifyHub, type NotifyRequest, type WatchParams } from './notify.js'
import { HostFile, SYNC_IO_LIMIT } from './host-file.js'
import { FileNode, OpenTable, VfsOpen, type LinkRef } from './open-table.js'
import { checkComponent, parseSmbPath, PathJail, type ParsedPath, type Resolved, type SymlinkPolicy } from './path-jail.js'
import { toVfsError, VfsError, VfsStatus } from './status.js'
import { namesEqual } from './wildcard.js'

/** Linux O_PATH: a handle for stat only, used when the server may not read a file a client opens for attributes. */
const O_PATH = process.platform === 'linux' ? 0o10000000 : 0
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const ZERO_CHUNK = 1 << 20


export interface LocalShareOptions {
  /** Share name (for diagnostics and the default volume label). */
  name: string
  /** The directory exported by the share. */
  root: string
  /** Server state directory: DOS attributes and set times persist in `<stateDir>/vfs-metadata.sqlite`. */
  stateDir?: string
  /** A metadata store shared with other shares (takes precedence over `stateDir`). */
  metadata?: MetadataStore
  /** The server-wide open table (share modes across shares); a private one by default. */
  openTable?: OpenTable
  /** The server-wide change-notify hub; a private one by default. */
  notifyHub?: NotifyHub
  /** A read-only share: creates and writes fail with STATUS_MEDIA_WRITE_PROTECTED. */
  readOnly?: boolean
  /** Report dot files as HIDDEN (Samba's "hide dot files"). Default false. */
  hideDotFiles?: boolean
  /** Allow DOS device names (CON, NUL, ...) as file names. Default false (STATUS_OBJECT_NAME_INVALID). */
  allowDeviceNames?: boolean
  /** Symlink policy (default 'inside': follow links that stay inside the share). */
  symlinks?: SymlinkPolicy
  /** Mode of new files before the umask (default 0o666). */
  fileMode?: number
  /** Mode of new directories before the umask (default 0o777). */
  dirMode?: number
  /** Volume label (default: the share name). */
  volumeLabel?: string
  /** Open limit per owner when this share creates its own open table (default 4096). */
  maxOpensPerOwner?: number
}

/** MS-FSA 2.1.5.1 inputs. */
export interface CreateParams {
  /** Share-relative path, backslash separated, '' for the share root (no leading backslash). */
  path: string
  /** DesiredAccess (generic bits and MAXIMUM_ALLOWED allowed). */
  desiredAccess: number
  /** ShareAccess (FILE_SHARE_READ | WRITE | DELETE). */
  shareAccess: number
  /** CreateDisposition. */
  disposition: number
  /** CreateOptions (default 0). */
  createOptions?: number
  /** FileAttributes for a new or overwritten file (default 0). */
  fileAttributes?: number
  /** AllocationSize for a new or overwritten file. */
  allocationSize?: bigint
  /** Opaque owner label (session, durable record): counts against the per-owner open limit. */
  owner: string
}

export interface CreateResult {
  open: VfsOpen
  /** MS-SMB2 2.2.14 CreateAction. */
  createAction: number
  /** The file's metadata after the create. */
  info: FileInfo
  /** The access a MAXIMUM_ALLOWED open would get (for the MxAc create context). */
  maximalAccess: number
}

/** Per-open information on top of the file's metadata (standard, position, mode, access, name classes). */
export interface OpenInfo extends FileInfo {
  deletePending: boolean
  /** FilePositionInformation. */
  currentByteOffset: bigint
  /** FileModeInformation. */
  mode: number
  /** FileAccessInformation. */
  accessFlags: number
  /** Share-relative path with a leading backslash (FileNameInformation; '\' for the root). */
  path: string
  /** FileAlignmentInformation: always 0 (byte alignment). */
  alignmentRequirement: number
}

/** FileBasicInformation as set by a client (MS-FSCC 2.4.7); times as FILETIMEs, 0 = no change, -1/-2 as MS-FSA. */
export interface BasicInfoUpdate {
  creationTime?: bigint
  lastAccessTime?: bigint
  lastWriteTime?: bigint
  changeTime?: bigint
  /** 0 or undefined = no change. */
  fileAttributes?: number
}

/** FileDispositionInformation(Ex) input (MS-FSCC 2.4.11). */
export interface DispositionUpdate {
  deleteFile: boolean
  /** FILE_DISPOSITION_POSIX_SEMANTICS: the name goes away when this open closes, other opens keep working. */
  posixSemantics?: boolean
  /** FILE_DISPOSITION_ON_CLOSE: set or clear this open's delete-on-close instead of the file's delete-pending. */
  onClose?: boolean
  /** FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE. */
  ignoreReadOnly?: boolean
}

/** Volume information for the FileFs* classes (MS-FSCC 2.5). */
export interface VolumeInfo {
  /** FileFsVolumeInformation.VolumeSerialNumber. */
  serialNumber: number
  label: string
  creationTime: bigint
  /** FileFsSizeInformation / FileFsFullSizeInformation, in allocation units. */
  totalAllocationUnits: bigint
  callerAvailableAllocationUnits: bigint
  actualAvailableAllocationUnits: bigint
  sectorsPerAllocationUnit: number
  bytesPerSector: number
  /** FileFsAttributeInformation. */
  fileSystemAttributes: number
  maximumComponentNameLength: number
  fileSystemName: string
  /** FileFsSectorSizeInformation. */
  logicalBytesPerSector: number
  physicalBytesPerSector: number
  /** FileFsDeviceInformation: FILE_DEVICE_DISK and characteristics (0). */
  deviceType: number
  characteristics: number
}

/** One FILE_STREAM_INFORMATION entry (MS-FSCC 2.4.43). */
export interface StreamInfo {
  streamName: string
  streamSize: bigint
  streamAllocationSize: bigint
}

export interface CloseResult {
  /** Metadata just before the close (when asked with `postQuery`; SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB). */
  info?: FileInfo
  /** True when this close deleted the file. */
  deleted: boolean
}

type WantType = 'file' | 'dir'

/** One share: see the module comment. Create with `LocalShare.open`. */
export class LocalShare {
  readonly name: string
  readonly jail: PathJail
  readonly metadata: MetadataStore
  readonly openTable: OpenTable
  readonly notify: NotifyHub
  readonly readOnly: boolean
  private readonly ownsMetadata: boolean
  private readonly opts: LocalShareOptions
  private readonly serial: number

  private constructor(jail: PathJail, opts: LocalShareOptions, metadata: MetadataStore, ownsMetadata: boolean) {
    this.name = opts.name
    this.jail = jail
    this.opts = opts
    this.metadata = metadata
    this.ownsMetadata = ownsMetadata
    this.openTable = opts.openTable ?? new OpenTable({ maxOpensPerOwner: opts.maxOpensPerOwner })
    this.notify = opts.notifyHub ?? new NotifyHub()
    this.readOnly = opts.readOnly ?? false
    this.serial = fnv1a32(`${jail.rootAbs}`)
  }

  /**
   * Opens a share on `opts.root`. Throws a plain Error (a configuration error, not an NTSTATUS) when the root is
   * not a directory or the state directory lies inside the share, where clients would see it.
   */
  static async open(opts: LocalShareOptions): Promise<LocalShare> {
    const jail = await PathJail.create(opts.root, { symlinks: opts.symlinks })
    if (opts.stateDir && !opts.metadata) {
      const stateAbs = path.resolve(opts.stateDir)
      const stateReal = await fsp.realpath(stateAbs).catch(() => stateAbs)
      if (jail.contains(stateReal)) throw new Error(`state directory ${opts.stateDir} lies inside share ${opts.name}`)
    }
    const metadata = opts.metadata ?? MetadataStore.open(opts.stateDir)
    return new LocalShare(jail, opts, metadata, !opts.metadata)
  }

  /** The real absolute path of the share root. */
  get rootPath(): string {
    return this.jail.rootAbs
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Create (MS-FSA 2.1.5.1)

  /**
   * MS-FSA 2.1.5.1 "Server Requests an Open of a File". Resolves with the new open and the create action, or
   * rejects with a VfsError. A STATUS_SHARING_VIOLATION error carries `detail: { conflicts: VfsOpen[] }` so the
   * SMB layer can break oplocks/leases or purge disconnected durable opens and try again.
   */
  async create(p: CreateParams): Promise<CreateResult> {
    const options = p.createOptions ?? 0
    const attrs = p.fileAttributes ?? 0
    // Phase 1: parameter validation.
    if (!Number.isInteger(p.disposition) || p.disposition < Disposition.Supersede || p.disposition > Disposition.OverwriteIf) {
      throw new VfsError(VfsStatus.InvalidParameter, `bad disposition ${p.disposition}`)
    }
    if (options & ~CREATE_OPTIONS_VALID) throw new VfsError(VfsStatus.InvalidParameter, 'undefined create options')
    if (p.shareAccess & ~0x7) throw new VfsError(VfsStatus.InvalidParameter, 'undefined share access bits')
    // DesiredAccess is checked before FileAttributes, as Windows does (smbtorture smb2.create.gentest).
    if ((p.desiredAccess >>> 0) === 0) throw new VfsError(VfsStatus.AccessDenied, 'DesiredAccess is zero')
    const desired = mapGenericAccess(p.desiredAccess)
    if (desired & ACCESS_INVALID_BITS) throw new VfsError(VfsStatus.AccessDenied, 'reserved DesiredAccess bits')
    if (desired & Access.AccessSystemSecurity) throw new VfsError(VfsStatus.PrivilegeNotHeld, 'ACCESS_SYSTEM_SECURITY')
    if (attrs & ~FILE_ATTRIBUTE_VALID_FLAGS) throw new VfsError(VfsStatus.InvalidParameter, 'undefined file attributes')
    if (options & CreateOptions.DirectoryFile && options & CreateOptions.NonDirectoryFile) {
      throw new VfsError(VfsStatus.InvalidParameter, 'DIRECTORY_FILE with NON_DIRECTORY_FILE')
    }
    if (options & CreateOptions.SynchronousIoAlert && options & CreateOptions.SynchronousIoNonalert) {
      throw new VfsError(VfsStatus.InvalidParameter, 'both SYNCHRONOUS_IO options')
    }
    if (
      options & CreateOptions.DirectoryFile &&
      p.disposition !== Disposition.Open &&
      p.disposition !== Disposition.Create &&
      p.disposition !== Disposition.OpenIf
    ) {
      throw new VfsError(VfsStatus.InvalidParameter, 'DIRECTORY_FILE with an overwriting disposition')
    }
    if (options & CreateOptions.DeleteOnClose && !(desired & (Access.Delete | Access.MaximumAllowed))) {
      throw new VfsError(VfsStatus.InvalidParameter, 'DELETE_ON_CLOSE without DELETE access')
    }
    if (options & CreateOptions.CompleteIfOplocked && options & CreateOptions.ReserveOpfilter) {
      throw new VfsError(VfsStatus.InvalidParameter, 'COMPLETE_IF_OPLOCKED with RESERVE_OPFILTER')
    }
    // The I/O manager checks the specific bit before generic mapping, so GENERIC_WRITE passes.
    if (options & CreateOptions.NoIntermediateBuffering && p.desiredAccess & Access.FileAppendData) {
      throw new VfsError(VfsStatus.InvalidParameter, 'NO_INTERMEDIATE_BUFFERING with FILE_APPEND_DATA')
    }
    if (options & CreateOptions.OpenByFileId) throw new VfsError(VfsStatus.NotSupported, 'open by file id')
    // Phase 2: volume state.
    if (
      this.readOnly &&
      (p.disposition === Disposition.Create ||
        p.disposition === Disposition.Supersede ||
        p.disposition === Disposition.Overwrite ||
        p.disposition === Disposition.OverwriteIf)
    ) {
      throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    }
    this.openTable.checkLimit(p.owner)
    // Phase 5: parse the path.
    const parsed = parseSmbPath(p.path, { allowDeviceNames: this.opts.allowDeviceNames })
    if (parsed.trailingSeparator && options & CreateOptions.NonDirectoryFile) {
      throw new VfsError(VfsStatus.ObjectNameInvalid, 'trailing backslash with NON_DIRECTORY_FILE')
    }
    if (parsed.stream && parsed.stream.name !== '') throw new VfsError(VfsStatus.ObjectNameInvalid, 'named streams are not supported')
    return this.createAttempt(p, parsed, desired, options, attrs, 0)
  }

  private async createAttempt(
    p: CreateParams,
    parsed: ParsedPath,
    desired: number,
    options: number,
    attrs: number,
    attempt: number,
  ): Promise<CreateResult> {
    // Phase 6: locate the file.
    const resolved = await this.jail.resolve(parsed.components)
    // Phase 7: the type of file to open.
    const streamType = parsed.stream?.type ?? ''
    let want: WantType
    if (options & CreateOptions.DirectoryFile) want = 'dir'
    else if (options & CreateOptions.NonDirectoryFile) want = 'file'
    else if (streamType === '$INDEX_ALLOCATION') want = 'dir'
    else if (streamType === '$DATA') want = 'file'
    else if (resolved.exists && resolved.stat!.isDirectory()) want = 'dir'
    else if (parsed.trailingSeparator) want = 'dir'
    else want = 'file'

    if (resolved.exists) {
      const st = resolved.stat!
      if (!st.isFile() && !st.isDirectory()) throw new VfsError(VfsStatus.AccessDenied, 'not a regular file or directory')
      if (want === 'dir' && !st.isDirectory()) {
        throw new VfsError(p.disposition === Disposition.Create ? VfsStatus.ObjectNameCollision : VfsStatus.NotADirectory, 'not a directory')
      }
      if (want === 'file' && st.isDirectory()) throw new VfsError(VfsStatus.FileIsADirectory, 'is a directory')
      return this.openExisting(p, resolved, desired, options, attrs, attempt, parsed)
    }
    if (p.disposition === Disposition.Open || p.disposition === Disposition.Overwrite) {
      throw new VfsError(VfsStatus.ObjectNameNotFound, `${p.path} not found`)
    }
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    return this.createNew(p, resolved, want, desired, options, attrs, attempt, parsed)
  }

  /** MS-FSA 2.1.5.1.2 "Open of an Existing File". */
  private async openExisting(
    p: CreateParams,
    resolved: Resolved,
    desired: number,
    options: number,
    attrs: number,
    attempt: number,
    parsed: ParsedPath,
  ): Promise<CreateResult> {
    const st = resolved.stat!
    const isDir = st.isDirectory()
    const key = fileKey(st)
    const known = this.openTable.node(key)
    if (known && (known.deletePending || known.deleting)) throw new VfsError(VfsStatus.DeletePending, 'delete pending')
    if (p.disposition === Disposition.Create) throw new VfsError(VfsStatus.ObjectNameCollision, `${p.path} exists`)
    if (isDir && p.disposition !== Disposition.Open && p.disposition !== Disposition.OpenIf) {
      // Existing directories cannot be overwritten or superseded.
      throw new VfsError(resolved.isRoot ? VfsStatus.AccessDenied : VfsStatus.ObjectNameCollision, 'cannot overwrite a directory')
    }
    const rec = this.metadata.get(key, birthNsOf(st))
    const stored = effectiveAttributes(isDir, rec, resolved.leafName)
    let required = desired
    let action: number = CreateAction.Opened
    let truncate = false
    if (!isDir && (p.disposition === Disposition.Overwrite || p.disposition === Disposition.OverwriteIf || p.disposition === Disposition.Supersede)) {
      if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
      if (stored & FileAttribute.Hidden && !(attrs & FileAttribute.Hidden)) {
        throw new VfsError(VfsStatus.AccessDenied, 'overwriting a HIDDEN file without HIDDEN')
      }
      if (stored & FileAttribute.System && !(attrs & FileAttribute.System)) {
        throw new VfsError(VfsStatus.AccessDenied, 'overwriting a SYSTEM file without SYSTEM')
      }
      const superseding = p.disposition === Disposition.Supersede
      required |= Access.FileWriteEa | Access.FileWriteAttributes | (superseding ? Access.Delete : Access.FileWriteData)
      truncate = true
      action = superseding ? CreateAction.Superseded : CreateAction.Overwritten
    }
    // MS-FSA 2.1.5.1.2.1: access checks.
    const readOnlyAttr = !isDir && (stored & FileAttribute.ReadOnly) !== 0
    if (readOnlyAttr && required & (Access.FileWriteData | Access.FileAppendData)) {
      throw new VfsError(VfsStatus.AccessDenied, 'read-only file')
    }
    // Stricter than MS-FSA (which asks only for DELETE): supersede rewrites the data, so a read-only file refuses it.
    if (readOnlyAttr && truncate) throw new VfsError(VfsStatus.AccessDenied, 'superseding a read-only file')
    if (resolved.isRoot && options & CreateOptions.DeleteOnClose) throw new VfsError(VfsStatus.AccessDenied, 'cannot delete the share root')
    if ((readOnlyAttr || this.readOnly) && options & CreateOptions.DeleteOnClose) {
      throw new VfsError(VfsStatus.CannotDelete, 'delete-on-close of a read-only file')
    }
    const maximal = this.maximalAccess(resolved.absPath, isDir, readOnlyAttr, resolved.parentAbs, resolved.isRoot)
    const explicit = required & ~Access.MaximumAllowed
    if (explicit & ~maximal) throw new VfsError(VfsStatus.AccessDenied, `access 0x${(explicit & ~maximal).toString(16)} denied`)
    const granted = (required & Access.MaximumAllowed ? maximal | explicit : explicit) >>> 0
    if (options & CreateOptions.DeleteOnClose && !(granted & Access.Delete)) {
      throw new VfsError(VfsStatus.AccessDenied, 'DELETE not granted for DELETE_ON_CLOSE')
    }
    const handle = this.openHandle(resolved.absPath, isDir, granted, truncate, options)
    let st2: BigIntStats
    let real: string
    try {
      st2 = handle.stat()
      if (st2.dev !== st.dev || st2.ino !== st.ino || st2.nlink === 0n) {
        // Replaced or deleted between the walk and the open: start over once.
        await handle.close().catch(() => undefined)
        if (attempt >= 2) throw new VfsError(VfsStatus.SharingViolation, 'file replaced during open')
        return this.createAttempt(p, parsed, desired, options, attrs, attempt + 1)
      }
      real = await this.jail.verifyDescriptor(handle.fd, st2, resolved.absPath)
    } catch (e) {
      await handle.close().catch(() => undefined)
      throw toVfsError(e, 'name', 'open')
    }
    const linkStat = resolved.linkStat ?? st2
    const link: LinkRef = resolved.isRoot || resolved.linkAbs === resolved.absPath
      ? { path: real, dev: st2.dev, ino: st2.ino }
      : { path: resolved.linkAbs, dev: linkStat.dev, ino: linkStat.ino }
    const open = this.registerOpen(handle, st2, real, isDir, p, granted, options, link)
    if (birthNsOf(st2) === undefined && rec?.creationTime === undefined && !this.readOnly) {
      // No birth time on this disk: persist the creation time seen now so it stays stable from here on.
      const first = effectiveTimes(st2, rec).creationTime
      this.metadata.update(key, undefined, (r) => {
        r.creationTime ??= first
      })
    }
    let current = st2
    if (truncate) {
      try {
        await handle.truncate(0)
        const newAttrs = ((storableAttributes(attrs) | FileAttribute.Archive) & ~FileAttribute.NotContentIndexed) >>> 0
        const after = handle.stat()
        current = after
        this.metadata.update(key, birthNsOf(after), (r) => {
          r.attributes = newAttrs
          delete r.lastWrite
          delete r.change
        })
        open.node.allocationSize = p.allocationSize ? roundToCluster(p.allocationSize) : undefined
        this.notify.changed(open.link.path, NotifyAction.Modified, NotifyFilter.Size | NotifyFilter.LastWrite | NotifyFilter.Attributes)
      } catch (e) {
        await this.abandonOpen(open)
        throw toVfsError(e, 'name', 'truncate')
      }
    }
    return { open, createAction: action, info: this.describeOpenFile(open, current), maximalAccess: maximal }
  }

  /** MS-FSA 2.1.5.1.1 "Creation of a New File". */
  private async createNew(
    p: CreateParams,
    resolved: Resolved,
    want: WantType,
    desired: number,
    options: number,
    attrs: number,
    attempt: number,
    parsed: ParsedPath,
  ): Promise<CreateResult> {
    const isDir = want === 'dir'
    let parentStat: BigIntStats
    try {
      parentStat = statSync(resolved.parentAbs, { bigint: true })
    } catch (e) {
      throw toVfsError(e, 'path', 'stat parent')
    }
    const parentNode = this.openTable.node(fileKey(parentStat))
    if (parentNode && (parentNode.deletePending || parentNode.deleting)) {
      throw new VfsError(VfsStatus.DeletePending, 'parent directory is delete pending')
    }
    if (isDir && attrs & FileAttribute.Temporary) throw new VfsError(VfsStatus.InvalidParameter, 'TEMPORARY directory')
    if (attrs & FileAttribute.ReadOnly && options & CreateOptions.DeleteOnClose) {
      throw new VfsError(VfsStatus.CannotDelete, 'READONLY with DELETE_ON_CLOSE')
    }
    const granted = (desired & Access.MaximumAllowed ? FILE_ALL_ACCESS | desired : desired) & ~Access.MaximumAllowed
    const abs = resolved.absPath
    let handle: HostFile
    try {
      if (isDir) {
        await fsp.mkdir(abs, this.opts.dirMode ?? 0o777)
        handle = HostFile.open(abs, fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW)
      } else {
        let flags = fsc.O_CREAT | fsc.O_EXCL | fsc.O_RDWR | fsc.O_NOFOLLOW
        if (options & CreateOptions.WriteThrough) flags |= fsc.O_DSYNC
        handle = HostFile.open(abs, flags, this.opts.fileMode ?? 0o666)
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EEXIST' && p.disposition !== Disposition.Create && attempt < 2) {
        // Someone created it between our walk and our create: open it as existing.
        return this.createAttempt(p, parsed, desired, options, attrs, attempt + 1)
      }
      throw toVfsError(e, code === 'ENOENT' ? 'path' : 'name', 'create')
    }
    this.jail.noteCreated(resolved.parentAbs, path.basename(abs))
    let st: BigIntStats
    let real: string
    try {
      st = handle.stat()
      real = await this.jail.verifyDescriptor(handle.fd, st, abs)
    } catch (e) {
      await handle.close().catch(() => undefined)
      // The entry was created somewhere it must not be (see path-jail.ts on the residual race): remove it.
      await (isDir ? fsp.rmdir(abs) : fsp.unlink(abs)).catch(() => undefined)
      throw toVfsError(e, 'name', 'verify')
    }
    const key = fileKey(st)
    const birth = birthNsOf(st)
    const rec: MetaRecord = { attributes: storableAttributes(attrs) | (isDir ? 0 : FileAttribute.Archive) }
    if (birth !== undefined) rec.birthNs = birth
    else rec.creationTime = nsToFiletime(st.ctimeNs)
    this.metadata.put(key, rec)
    const open = this.registerOpen(handle, st, real, isDir, p, granted, options, { path: real, dev: st.dev, ino: st.ino })
    if (p.allocationSize && !isDir) open.node.allocationSize = roundToCluster(p.allocationSize)
    this.notify.changed(real, NotifyAction.Added, isDir ? NotifyFilter.DirName : NotifyFilter.FileName)
    const maximal = this.maximalAccess(real, isDir, false, resolved.parentAbs, false)
    return { open, createAction: CreateAction.Created, info: this.describeOpenFile(open, st), maximalAccess: maximal | granted }
  }

  /**
   * The synchronous tail of every create: delete-pending and share-mode checks against the node's opens, the
   * owner's limit, then registration. Nothing awaits in here, so no other create can interleave.
   */
  private registerOpen(
    handle: HostFile,
    st: BigIntStats,
    real: string,
    isDir: boolean,
    p: CreateParams,
    granted: number,
    options: number,
    link: LinkRef,
  ): VfsOpen {
    const key = fileKey(st)
    const existing = this.openTable.node(key)
    const fail = (e: VfsError): never => {
      void handle.close().catch(() => undefined)
      throw e
    }
    if (existing && (existing.deletePending || existing.deleting)) fail(new VfsError(VfsStatus.DeletePending, 'delete pending'))
    if (existing) {
      const conflicts = this.openTable.conflictsWith(existing, granted, p.shareAccess)
      if (conflicts.length) fail(new VfsError(VfsStatus.SharingViolation, `sharing violation on ${real}`, { conflicts }))
    }
    try {
      this.openTable.checkLimit(p.owner)
    } catch (e) {
      fail(e as VfsError)
    }
    const node = this.openTable.nodeFor(key, st.dev, st.ino, real, isDir)
    node.birthNs = birthNsOf(st)
    const open = new VfsOpen(
      this.openTable.allocateId(),
      node,
      p.owner,
      granted >>> 0,
      p.shareAccess,
      options,
      handle,
      this.name,
      link,
      options & MODE_OPTIONS,
      (options & CreateOptions.DeleteOnClose) !== 0,
    )
    this.openTable.register(open)
    return open
  }

  /** Undoes a registration after a failure that followed it (truncate of an overwrite). */
  private async abandonOpen(open: VfsOpen): Promise<void> {
    open.closed = true
    this.openTable.unregister(open)
    await open.handle.close().catch(() => undefined)
    this.openTable.dropNodeIfIdle(open.node)
  }

  /** Opens the host handle with the least the granted access needs (see the module comment on O_PATH). */
  private openHandle(abs: string, isDir: boolean, granted: number, truncate: boolean, options: number): HostFile {
    let flags = fsc.O_NOFOLLOW
    const dataAccess = Access.FileReadData | Access.FileWriteData | Access.FileAppendData | Access.FileExecute
    if (isDir) {
      flags |= fsc.O_RDONLY | fsc.O_DIRECTORY
    } else {
      const needWrite = truncate || (granted & (Access.FileWriteData | Access.FileAppendData)) !== 0
      const needRead = (granted & (Access.FileReadData | Access.FileExecute)) !== 0
      flags |= needWrite ? (needRead ? fsc.O_RDWR : fsc.O_WRONLY) : fsc.O_RDONLY
      if (options & CreateOptions.WriteThrough) flags |= fsc.O_DSYNC
    }
    try {
      return HostFile.open(abs, flags)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EACCES' && O_PATH && !truncate && !(granted & dataAccess)) {
        try {
          return HostFile.open(abs, O_PATH | fsc.O_NOFOLLOW | (isDir ? fsc.O_DIRECTORY : 0))
        } catch (e2) {
          throw toVfsError(e2, 'name', 'open')
        }
      }
      throw toVfsError(e, 'name', 'open')
    }
  }

  /**
   * The access MAXIMUM_ALLOWED grants (MS-FSA 2.1.5.1.2.1): FILE_ALL_ACCESS minus what POSIX permissions of the
   * server process deny, minus the write rights a read-only attribute or share removes, minus DELETE on the root.
   */
  private maximalAccess(abs: string, isDir: boolean, readOnlyAttr: boolean, parentAbs: string, isRoot: boolean): number {
    let m = FILE_ALL_ACCESS
    // access(2) on a local file system takes microseconds; a thread-pool round trip for each costs far more.
    const can = (p: string, mode: number) => {
      try {
        accessSync(p, mode)
        return true
      } catch {
        return false
      }
    }
    const r = can(abs, fsc.R_OK)
    const w = can(abs, fsc.W_OK)
    // The root's parent lies outside the share: DELETE is granted on the root, but deleting it is refused.
    const pw = isRoot || can(parentAbs, fsc.W_OK | fsc.X_OK)
    if (!r) m &= ~(Access.FileReadData | Access.FileReadEa | Access.FileExecute)
    if (!w) m &= ~(Access.FileWriteData | Access.FileAppendData | Access.FileWriteEa | Access.FileDeleteChild)
    if (!pw) m &= ~Access.Delete
    if (readOnlyAttr) m &= ~(Access.FileWriteData | Access.FileAppendData | Access.FileDeleteChild)
    if (this.readOnly) {
      m &= ~(Access.FileWriteData | Access.FileAppendData | Access.FileWriteEa | Access.FileWriteAttributes | Access.Delete | Access.FileDeleteChild)
    }
    return m >>> 0
  }

  /**
   * The node key ("dev:ino") of the file a CREATE of `p` would open, or undefined when it does not exist or the path
   * is not valid (the create itself then reports why). The SMB layer uses it to break oplocks and leases on the file
   * (see shareCheck: the share-mode check comes first, MS-FSA 2.1.5.1.2).
   */
  async probe(p: string): Promise<string | undefined> {
    try {
      const parsed = parseSmbPath(p, { allowDeviceNames: this.opts.allowDeviceNames })
      const r = await this.jail.resolve(parsed.components)
      return r.exists && r.stat ? fileKey(r.stat) : undefined
    } catch (e) {
      if (e instanceof VfsError) return undefined
      throw e
    }
  }

  /**
   * What a CREATE of an existing `p` would meet before its oplock breaks (MS-FSA 2.1.5.1.2: the sharing check comes
   * first, and only a holder of handle caching is broken to resolve a sharing violation): whether the file is
   * delete pending, and the opens whose share modes conflict with `desiredAccess`/`shareAccess` (MAXIMUM_ALLOWED
   * counts as the access the create would grant). The create itself still makes the authoritative checks.
   */
  async shareCheck(p: string, desiredAccess: number, shareAccess: number, knownKey?: string): Promise<{ deletePending: boolean; conflicts: VfsOpen[] }> {
    const none = { deletePending: false, conflicts: [] as VfsOpen[] }
    // No open of the file (as `probe` found it): nothing to meet.
    if (knownKey !== undefined && !this.openTable.node(knownKey)) return none
    let access = mapGenericAccess(desiredAccess >>> 0)
    let resolved: Resolved
    try {
      resolved = await this.jail.resolve(parseSmbPath(p, { allowDeviceNames: this.opts.allowDeviceNames }).components)
    } catch (e) {
      if (e instanceof VfsError) return none
      throw e
    }
    const st = resolved.stat
    if (!resolved.exists || !st) return none
    const key = fileKey(st)
    const node = this.openTable.node(key)
    if (!node) return none
    if (node.deletePending || node.deleting) return { deletePending: true, conflicts: [] }
    if (access & Access.MaximumAllowed) {
      // What the create would grant (as openExisting computes it).
      const isDir = st.isDirectory()
      const readOnlyAttr = !isDir && (effectiveAttributes(isDir, this.metadata.get(key, birthNsOf(st)), resolved.leafName) & FileAttribute.ReadOnly) !== 0
      const maximal = this.maximalAccess(resolved.absPath, isDir, readOnlyAttr, resolved.parentAbs, resolved.isRoot)
      access = (maximal | (access & ~Access.MaximumAllowed)) >>> 0
    }
    return { deletePending: false, conflicts: this.openTable.conflictsWith(node, access, shareAccess) }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Query information

  /** Metadata of the open file (basic, standard, internal, network open, attribute tag, all, ...). */
  async queryInfo(open: VfsOpen): Promise<OpenInfo> {
    this.live(open)
    const info = this.describeOpenFile(open)
    return {
      ...info,
      deletePending: open.node.deletePending,
      currentByteOffset: open.position,
      mode: open.mode,
      accessFlags: open.grantedAccess,
      path: this.pathOf(open),
      alignmentRequirement: 0,
    }
  }

  /** Share-relative path of an open with a leading backslash ('\' for the root). */
  pathOf(open: VfsOpen): string {
    const rel = this.jail.relative(open.link.path)
    return '\\' + (rel ?? path.basename(open.link.path))
  }

  /** FileStreamInformation: `::$DATA` for files, nothing for directories. */
  async streams(open: VfsOpen): Promise<StreamInfo[]> {
    this.live(open)
    if (open.isDirectory) return []
    const info = this.describeOpenFile(open)
    return [{ streamName: '::$DATA', streamSize: info.endOfFile, streamAllocationSize: info.allocationSize }]
  }

  /** FileIdInformation's 128-bit id: the inode (little-endian) then the device number. */
  fileId128(open: VfsOpen): Buffer {
    const b = Buffer.alloc(16)
    b.writeBigUInt64LE(open.node.ino & 0xffff_ffff_ffff_ffffn, 0)
    b.writeBigUInt64LE(open.node.dev & 0xffff_ffff_ffff_ffffn, 8)
    return b
  }

  /** Volume information (FileFsVolume/Size/FullSize/Attribute/SectorSize/Device). */
  async volumeInfo(): Promise<VolumeInfo> {
    const sfs = await fsp.statfs(this.jail.rootAbs, { bigint: true })
    const st = await fsp.stat(this.jail.rootAbs, { bigint: true })
    const bytesPerSector = 512
    const bsize = Number(sfs.bsize) || 4096
    const sectorsPerAllocationUnit = Math.max(1, Math.floor(bsize / bytesPerSector))
    const unit = BigInt(sectorsPerAllocationUnit * bytesPerSector)
    const scale = (blocks: bigint) => (blocks * sfs.bsize) / unit
    let attrs =
      FsAttribute.CaseSensitiveSearch |
      FsAttribute.CasePreservedNames |
      FsAttribute.UnicodeOnDisk |
      FsAttribute.SupportsSparseFiles |
      FsAttribute.SupportsHardLinks
    if (this.readOnly) attrs |= FsAttribute.ReadOnlyVolume
    const birth = birthNsOf(st)
    return {
      serialNumber: this.serial,
      label: this.opts.volumeLabel ?? this.name,
      creationTime: nsToFiletime(birth ?? st.mtimeNs),
      totalAllocationUnits: scale(sfs.blocks),
      callerAvailableAllocationUnits: scale(sfs.bavail),
      actualAvailableAllocationUnits: scale(sfs.bfree),
      sectorsPerAllocationUnit,
      bytesPerSector,
      fileSystemAttributes: attrs >>> 0,
      maximumComponentNameLength: 255,
      fileSystemName: 'NTFS',
      logicalBytesPerSector: bytesPerSector,
      physicalBytesPerSector: Math.min(bsize, 4096),
      deviceType: 0x07, // FILE_DEVICE_DISK
      characteristics: 0,
    }
  }

  /** The open file's metadata; `fresh` is an fstat of it the caller just made (saves another). */
  private describeOpenFile(open: VfsOpen, fresh?: BigIntStats): FileInfo {
    let st: BigIntStats
    try {
      st = fresh ?? open.handle.stat()
    } catch (e) {
      throw toVfsError(e, 'name', 'fstat')
    }
    const rec = this.metadata.get(open.node.key, birthNsOf(st))
    const isRoot = open.node.absPath === this.jail.rootAbs
    return describeStat(st, rec, isRoot ? '' : path.basename(open.link.path), {
      hideDotFiles: this.opts.hideDotFiles,
      allocationSize: open.node.allocationSize,
    })
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Read, write, flush (MS-FSA 2.1.5.2, 2.1.5.3, 2.1.5.7)

  /**
   * Reads up to `length` bytes at `offset` (or at the file position for USE_FILE_POINTER_POSITION). A zero length
   * reads nothing; an offset at or beyond the end of file is STATUS_END_OF_FILE. Needs FILE_READ_DATA or
   * FILE_EXECUTE; conflicts with other opens' exclusive locks give STATUS_FILE_LOCK_CONFLICT. `allocate` supplies
   * the buffer of a large read (the SMB layer passes recycled ones).
   */
  async read(open: VfsOpen, offset: bigint, length: number, allocate: (length: number) => Buffer = Buffer.allocUnsafe): Promise<Buffer> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidDeviceRequest, 'read on a directory')
    if (!open.hasAny(Access.FileReadData | Access.FileExecute)) throw new VfsError(VfsStatus.AccessDenied, 'no read access')
    if (offset === USE_FILE_POINTER_POSITION) offset = open.position
    if (offset < 0n || offset >= 1n << 63n) throw new VfsError(VfsStatus.InvalidParameter, 'bad read offset')
    if (!Number.isInteger(length) || length < 0) throw new VfsError(VfsStatus.InvalidParameter, 'bad read length')
    if (length === 0) return Buffer.alloc(0)
    if (open.node.locks.readConflicts(open.id, offset, BigInt(length))) {
      throw new VfsError(VfsStatus.FileLockConflict, 'read conflicts with a lock')
    }
    if (length <= SYNC_IO_LIMIT && offset <= MAX_SAFE) {
      // A small read skips the fstat: one pread, whose short count on a regular file means end of file.
      const small = Buffer.allocUnsafe(length)
      let n: number
      try {
        n = (await open.handle.read(small, 0, length, Number(offset))).bytesRead
      } catch (e) {
        throw toVfsError(e, 'name', 'read')
      }
      if (n === 0) throw new VfsError(VfsStatus.EndOfFile, 'read at end of file')
      open.position = offset + BigInt(n)
      return n === length ? small : small.subarray(0, n)
    }
    let size: bigint
    try {
      size = open.handle.stat().size
    } catch (e) {
      throw toVfsError(e, 'name', 'fstat')
    }
    if (offset >= size) throw new VfsError(VfsStatus.EndOfFile, 'read at end of file')
    const want = Number(size - offset < BigInt(length) ? size - offset : BigInt(length))
    const buf = allocate(want)
    let done = 0
    try {
      while (done < want) {
        const { bytesRead } = await open.handle.read(buf, done, want - done, Number(offset) + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
    } catch (e) {
      throw toVfsError(e, 'name', 'read')
    }
    open.position = offset + BigInt(done)
    return done === want ? buf : buf.subarray(0, done)
  }

  /**
   * Writes `data` at `offset`; WRITE_TO_END_OF_FILE (all ones) appends, USE_FILE_POINTER_POSITION uses the file
   * position, and an open with FILE_APPEND_DATA but not FILE_WRITE_DATA always appends. Returns the byte count.
   */
  async write(open: VfsOpen, offset: bigint, data: Uint8Array): Promise<number> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidDeviceRequest, 'write on a directory')
    if (!open.hasAny(Access.FileWriteData | Access.FileAppendData)) throw new VfsError(VfsStatus.AccessDenied, 'no write access')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    if (offset === USE_FILE_POINTER_POSITION) offset = open.position
    const appendOnly = !open.has(Access.FileWriteData)
    let before: BigIntStats | undefined
    if (offset === WRITE_TO_END_OF_FILE || appendOnly || this.notify.active || open.node.sparse === true) {
      before = await this.fstat(open)
      if (offset === WRITE_TO_END_OF_FILE || appendOnly) offset = before.size
    }
    if (offset < 0n || offset + BigInt(data.length) > MAX_SAFE) throw new VfsError(VfsStatus.InvalidParameter, 'write beyond the supported size')
    if (data.length === 0) return 0
    if (open.node.locks.writeConflicts(open.id, offset, BigInt(data.length))) {
      throw new VfsError(VfsStatus.FileLockConflict, 'write conflicts with a lock')
    }
    let done = 0
    try {
      while (done < data.length) {
        const { bytesWritten } = await open.handle.write(data, done, data.length - done, Number(offset) + done)
        done += bytesWritten
      }
    } catch (e) {
      throw toVfsError(e, 'name', 'write')
    }
    open.position = offset + BigInt(done)
    if (open.node.sparse === true || open.node.holes.length > 0) {
      // A sparse file allocates what was written; the gap a write past the end skips stays unallocated.
      open.node.holes = removeHole(open.node.holes, offset, offset + BigInt(done))
      if (open.node.sparse === true && before !== undefined && offset > before.size) open.node.holes = addHole(open.node.holes, before.size, offset)
    }
    const grew = before !== undefined && offset + BigInt(done) > before.size
    await this.afterDataChange(open, grew ? NotifyFilter.LastWrite | NotifyFilter.Size : NotifyFilter.LastWrite)
    return done
  }

  /**
   * MS-FSA 2.1.5.7: flushes the file (or directory metadata) to disk. As MS-SMB2 3.3.5.11 requires, files need
   * FILE_WRITE_DATA or FILE_APPEND_DATA and directories FILE_ADD_FILE or FILE_ADD_SUBDIRECTORY (the same bits).
   */
  async flush(open: VfsOpen): Promise<void> {
    this.live(open)
    if (!open.hasAny(Access.FileWriteData | Access.FileAppendData)) {
      throw new VfsError(VfsStatus.AccessDenied, 'flush without write access')
    }
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    try {
      await (open.isDirectory ? open.handle.sync() : open.handle.datasync())
    } catch (e) {
      if (!open.isDirectory) throw toVfsError(e, 'name', 'flush')
    }
  }

  /**
   * After data changed through `open`: sets ARCHIVE, keeps sticky times (MS-FSA Open.UserSet*Time) and reports
   * the change.
   */
  private async afterDataChange(open: VfsOpen, filter: number): Promise<void> {
    const node = open.node
    const rec = this.metadata.get(node.key, node.birthNs)
    const attrs = rec?.attributes ?? FileAttribute.Archive
    if (!(attrs & FileAttribute.Archive) || open.sticky.lastWrite || open.sticky.change) {
      let st = await this.fstat(open)
      if (open.sticky.lastWrite && rec?.lastWrite) {
        await this.setPosixTimes(open, Number(st.atimeNs / 1000n) / 1e6, filetimeToSeconds(rec.lastWrite.filetime))
        st = await this.fstat(open)
      }
      this.metadata.update(node.key, birthNsOf(st), (r) => {
        r.attributes = (r.attributes ?? FileAttribute.Archive) | FileAttribute.Archive
        if (open.sticky.lastWrite && r.lastWrite) r.lastWrite = { filetime: r.lastWrite.filetime, posixNs: st.mtimeNs }
        if (open.sticky.change && r.change) r.change = { filetime: r.change.filetime, posixNs: st.ctimeNs }
      })
    }
    this.notify.changed(open.link.path, NotifyAction.Modified, filter)
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Set information (MS-FSA 2.1.5.15)

  /**
   * FileBasicInformation (MS-FSA 2.1.5.15.2). Times: 0 no change; -1 no change and stop automatic updates through
   * this open; -2 resume automatic updates; other values set the time (and also stop automatic updates, as MS-FSA
   * says for an explicit set). Attributes: 0 no change, NORMAL alone clears the settable ones.
   * Needs FILE_WRITE_ATTRIBUTES.
   */
  async setBasicInfo(open: VfsOpen, u: BasicInfoUpdate): Promise<void> {
    this.live(open)
    if (!open.has(Access.FileWriteAttributes)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_WRITE_ATTRIBUTES')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    const t = {
      creation: signedTime(u.creationTime ?? 0n),
      access: signedTime(u.lastAccessTime ?? 0n),
      write: signedTime(u.lastWriteTime ?? 0n),
      change: signedTime(u.changeTime ?? 0n),
    }
    for (const v of Object.values(t)) if (v < TIME_UNFREEZE) throw new VfsError(VfsStatus.InvalidParameter, 'time below -2')
    const attrs = u.fileAttributes ?? 0
    if (attrs !== 0) {
      if (attrs & ~FILE_ATTRIBUTE_VALID_FLAGS) throw new VfsError(VfsStatus.InvalidParameter, 'undefined attributes')
      if (attrs & FileAttribute.Directory && !open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'DIRECTORY on a file')
      if (attrs & FileAttribute.Temporary && open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'TEMPORARY on a directory')
    }
    const node = open.node
    const st0 = await this.fstat(open)
    const before = effectiveTimes(st0, this.metadata.get(node.key, birthNsOf(st0)))
    const sticky = (v: bigint, cur: boolean): boolean => (v === TIME_UNFREEZE ? false : v === TIME_FREEZE || v > 0n ? true : cur)
    open.sticky.lastWrite = sticky(t.write, open.sticky.lastWrite)
    open.sticky.lastAccess = sticky(t.access, open.sticky.lastAccess)
    open.sticky.change = sticky(t.change, open.sticky.change)
    const touchPosix = t.write > 0n || t.access > 0n
    if (touchPosix) {
      const atime = t.access > 0n ? filetimeToSeconds(t.access) : filetimeToSeconds(before.lastAccessTime)
      const mtime = t.write > 0n ? filetimeToSeconds(t.write) : filetimeToSeconds(before.lastWriteTime)
      await this.setPosixTimes(open, atime, mtime)
    }
    const st1 = touchPosix ? await this.fstat(open) : st0
    const changedSomething = touchPosix || t.creation > 0n || attrs !== 0
    let oldAttrs = 0
    let newAttrs = 0
    this.metadata.update(node.key, birthNsOf(st1), (r) => {
      if (t.creation > 0n) r.creationTime = t.creation
      // Pin every value the client set, and the ones utimes() rewrote with less precision.
      if (t.write > 0n) r.lastWrite = { filetime: t.write, posixNs: st1.mtimeNs }
      else if (touchPosix || t.write === TIME_FREEZE) r.lastWrite = { filetime: before.lastWriteTime, posixNs: st1.mtimeNs }
      if (t.access > 0n) r.lastAccess = { filetime: t.access, posixNs: st1.atimeNs }
      else if (touchPosix || t.access === TIME_FREEZE) r.lastAccess = { filetime: before.lastAccessTime, posixNs: st1.atimeNs }
      if (t.change > 0n) r.change = { filetime: t.change, posixNs: st1.ctimeNs }
      else if (t.change === TIME_FREEZE || open.sticky.change) r.change = { filetime: before.changeTime, posixNs: st1.ctimeNs }
      else if (changedSomething) r.change = { filetime: nowFiletime(), posixNs: st1.ctimeNs }
      oldAttrs = r.attributes ?? (node.isDirectory ? 0 : FileAttribute.Archive)
      if (attrs !== 0) {
        const keep = oldAttrs & ~FILE_ATTRIBUTE_SETTABLE
        r.attributes = (keep | (attrs === FileAttribute.Normal ? 0 : storableAttributes(attrs))) >>> 0
      }
      newAttrs = r.attributes ?? oldAttrs
    })
    let filter = 0
    if (attrs !== 0 && newAttrs !== oldAttrs) filter |= NotifyFilter.Attributes
    if (t.write > 0n) filter |= NotifyFilter.LastWrite
    if (t.access > 0n) filter |= NotifyFilter.LastAccess
    if (t.creation > 0n) filter |= NotifyFilter.Creation
    if (filter) this.notify.changed(open.link.path, NotifyAction.Modified, filter)
  }

  /** FileEndOfFileInformation (MS-FSA 2.1.5.15.4): truncates or extends; needs FILE_WRITE_DATA. */
  async setEndOfFile(open: VfsOpen, size: bigint): Promise<void> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'end of file of a directory')
    if (!open.has(Access.FileWriteData)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_WRITE_DATA')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    if (size < 0n || size > MAX_SAFE) throw new VfsError(VfsStatus.InvalidParameter, 'bad end of file')
    const before = await this.fstat(open)
    if (before.size === size) return
    try {
      await open.handle.truncate(Number(size))
    } catch (e) {
      throw toVfsError(e, 'name', 'truncate')
    }
    // Extending a sparse file allocates nothing; truncating forgets the holes past the new end.
    if (size > before.size && this.isSparse(open, before)) open.node.holes = addHole(open.node.holes, before.size, size)
    else if (size < before.size) open.node.holes = removeHole(open.node.holes, size, before.size)
    await this.afterDataChange(open, NotifyFilter.Size | NotifyFilter.LastWrite)
  }

  /**
   * FileAllocationInformation (MS-FSA 2.1.5.15.1): a size below the end of file truncates; a larger one is
   * reported as AllocationSize while the file is open (no space is reserved on disk).
   */
  async setAllocationSize(open: VfsOpen, size: bigint): Promise<void> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'allocation of a directory')
    if (!open.has(Access.FileWriteData)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_WRITE_DATA')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    if (size < 0n || size > MAX_SAFE) throw new VfsError(VfsStatus.InvalidParameter, 'bad allocation size')
    const before = await this.fstat(open)
    open.node.allocationSize = size > 0n ? roundToCluster(size) : undefined
    if (size < before.size) {
      try {
        await open.handle.truncate(Number(size))
      } catch (e) {
        throw toVfsError(e, 'name', 'truncate')
      }
      await this.afterDataChange(open, NotifyFilter.Size | NotifyFilter.LastWrite)
    } else {
      this.notify.changed(open.link.path, NotifyAction.Modified, NotifyFilter.Size)
    }
  }

  /** FilePositionInformation (MS-FSA 2.1.5.15.9). */
  setPosition(open: VfsOpen, position: bigint): void {
    this.live(open)
    if (position < 0n || position >= 1n << 63n) throw new VfsError(VfsStatus.InvalidParameter, 'bad position')
    open.position = position
  }

  /** FileModeInformation (MS-FSA 2.1.5.15.7): only WRITE_THROUGH, SEQUENTIAL_ONLY and the sync bits. */
  setMode(open: VfsOpen, mode: number): void {
    this.live(open)
    if (mode & ~FILE_MODE_SETTABLE) throw new VfsError(VfsStatus.InvalidParameter, 'mode bits not settable')
    const sync = CreateOptions.SynchronousIoAlert | CreateOptions.SynchronousIoNonalert
    if ((mode & sync) !== (open.mode & sync)) throw new VfsError(VfsStatus.InvalidParameter, 'synchronous mode cannot change')
    open.mode = (open.mode & ~FILE_MODE_SETTABLE) | mode
  }

  /**
   * FileDispositionInformation and FileDispositionInformationEx (MS-FSA 2.1.5.15.3). Needs DELETE. Deleting:
   * STATUS_CANNOT_DELETE for a read-only file (unless IGNORE_READONLY_ATTRIBUTE), STATUS_DIRECTORY_NOT_EMPTY for
   * a non-empty directory, STATUS_ACCESS_DENIED for the share root.
   */
  async setDisposition(open: VfsOpen, d: DispositionUpdate): Promise<void> {
    this.live(open)
    if (!open.has(Access.Delete)) throw new VfsError(VfsStatus.AccessDenied, 'no DELETE access')
    const node = open.node
    if (!d.deleteFile) {
      if (d.onClose) open.deleteOnClose = false
      else {
        node.deletePending = false
        node.deleteLink = undefined
        node.posixDeleteBy = undefined
      }
      return
    }
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    if (node.absPath === this.jail.rootAbs) throw new VfsError(VfsStatus.AccessDenied, 'cannot delete the share root')
    if (!node.isDirectory && !d.ignoreReadOnly) {
      const st = await this.fstat(open)
      const attrs = effectiveAttributes(false, this.metadata.get(node.key, birthNsOf(st)), path.basename(open.link.path))
      if (attrs & FileAttribute.ReadOnly) throw new VfsError(VfsStatus.CannotDelete, 'read-only file')
    }
    if (node.isDirectory && !(await this.isEmptyDir(node.absPath))) {
      throw new VfsError(VfsStatus.DirectoryNotEmpty, 'directory not empty')
    }
    if (d.onClose) {
      open.deleteOnClose = true
      return
    }
    node.deletePending = true
    node.deleteLink = { ...open.link }
    if (d.posixSemantics) node.posixDeleteBy = open
  }

  /** Decodes FILE_DISPOSITION_INFORMATION_EX flags into a `DispositionUpdate`. */
  static dispositionFromFlags(flags: number): DispositionUpdate {
    return {
      deleteFile: (flags & DispositionFlags.Delete) !== 0,
      posixSemantics: (flags & DispositionFlags.PosixSemantics) !== 0,
      onClose: (flags & DispositionFlags.OnClose) !== 0,
      ignoreReadOnly: (flags & DispositionFlags.IgnoreReadOnlyAttribute) !== 0,
    }
  }

  /**
   * FileRenameInformation (MS-FSA 2.1.5.15.11). `target` is a share-relative path (a leading backslash is
   * accepted). Needs DELETE. Fails with STATUS_ACCESS_DENIED when the open is a directory with open files below
   * it, when the target is an existing directory, a read-only file or a file with opens; with
   * STATUS_OBJECT_NAME_COLLISION when the target exists and `replaceIfExists` is false; STATUS_DELETE_PENDING when
   * the target is delete pending. A rename to the same name is a no-op; a case-only rename changes the case.
   */
  async rename(open: VfsOpen, target: string, opts: { replaceIfExists: boolean }): Promise<void> {
    this.live(open)
    if (!open.has(Access.Delete)) throw new VfsError(VfsStatus.AccessDenied, 'no DELETE access')
    if (target.length === 0) throw new VfsError(VfsStatus.InvalidParameter, 'empty rename target')
    if (target.startsWith(':')) {
      // A stream rename: only the default stream exists, so only "::$DATA" (a no-op) is acceptable.
      const p = parseSmbPath('x' + target)
      if (p.stream && p.stream.name === '') return
      throw new VfsError(VfsStatus.InvalidParameter, 'named streams are not supported')
    }
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    const node = open.node
    if (node.absPath === this.jail.rootAbs) throw new VfsError(VfsStatus.AccessDenied, 'cannot rename the share root')
    const parsed = parseSmbPath(target, { allowLeadingSeparator: true, allowDeviceNames: this.opts.allowDeviceNames })
    if (parsed.components.length === 0) throw new VfsError(VfsStatus.AccessDenied, 'rename onto the share root')
    if (parsed.stream) throw new VfsError(VfsStatus.ObjectNameInvalid, 'stream suffix in rename target')
    const srcAbs = open.link.path
    if (node.isDirectory && this.openTable.opensBelow(srcAbs).length) {
      throw new VfsError(VfsStatus.AccessDenied, 'directory has open files')
    }
    const dest = await this.resolveTarget(parsed)
    await this.checkTargetParentShare(dest.parentAbs, open)
    const srcName = path.basename(srcAbs)
    const srcParent = path.dirname(srcAbs)
    const newAbs = path.join(dest.parentAbs, dest.requested)
    if (node.isDirectory && (newAbs === srcAbs || newAbs.startsWith(srcAbs + path.sep)) && newAbs !== srcAbs) {
      throw new VfsError(VfsStatus.InvalidParameter, 'cannot move a directory below itself')
    }
    if (dest.existing) {
      const { name: existingName, stat: tst } = dest.existing
      const existingAbs = path.join(dest.parentAbs, existingName)
      const sameFile = tst.dev === open.link.dev && tst.ino === open.link.ino
      const sameEntry = dest.parentAbs === srcParent && namesEqual(existingName, srcName)
      if (sameFile && sameEntry) {
        // MS-FSA: an exact match is a no-op; a case-only difference renames to the new case.
        if (existingName === dest.requested && srcName === dest.requested) return
      } else if (sameFile) {
        // Another hard link of the same file: MS-FSA removes the target link, POSIX rename() would do nothing.
        await this.unlinkEntry(existingAbs)
      } else {
        await this.checkReplaceTarget(tst, existingName, opts.replaceIfExists)
        // rename() replaces a file atomically, but not with a directory, nor under a name of different case.
        if (node.isDirectory || existingName !== dest.requested) await this.unlinkEntry(existingAbs)
        this.metadata.delete(fileKey(tst))
      }
    }
    try {
      await fsp.rename(srcAbs, newAbs)
    } catch (e) {
      throw toVfsError(e, 'path', 'rename')
    }
    this.jail.invalidate(srcParent)
    this.jail.invalidate(dest.parentAbs)
    if (node.isDirectory) this.jail.invalidate(srcAbs)
    this.openTable.renamed(srcAbs, newAbs)
    this.notify.renamed(srcAbs, newAbs, node.isDirectory)
    if (!node.isDirectory) {
      // Windows sets FILE_ATTRIBUTE_ARCHIVE on a renamed file and reports that as an attribute change of the
      // name the file has when the renaming handle closes (smbtorture smb2.notify.mask-change waits for it;
      // smb2.notify.rec, whose handles stay open, sees none).
      const stored = this.metadata.get(node.key, node.birthNs)
      if (stored?.attributes !== undefined && !(stored.attributes & FileAttribute.Archive)) {
        this.metadata.update(node.key, node.birthNs, (r) => {
          r.attributes = (r.attributes ?? 0) | FileAttribute.Archive
        })
      }
      open.renamedFile = true
    }
  }

  /**
   * A rename adds an entry to the target directory as if through an open of it for FILE_ADD_FILE sharing read and
   * write (as Windows does): another open of that directory that does not share write, or that has DELETE access,
   * makes the rename fail with STATUS_SHARING_VIOLATION (smbtorture smb2.rename share_delete_and_delete_access,
   * no_share_delete_*).
   */
  private async checkTargetParentShare(parentAbs: string, renaming: VfsOpen): Promise<void> {
    let st: BigIntStats
    try {
      st = statSync(parentAbs, { bigint: true })
    } catch (e) {
      throw toVfsError(e, 'path', 'stat target directory')
    }
    const node = this.openTable.node(fileKey(st))
    if (!node || node.opens.size === 0) return
    const conflicts = this.openTable.conflictsWith(node, Access.FileWriteData, ShareAccess.Read | ShareAccess.Write).filter((o) => o !== renaming)
    if (conflicts.length) throw new VfsError(VfsStatus.SharingViolation, 'target directory is open without FILE_SHARE_WRITE or with DELETE access', { conflicts })
  }

  /**
   * FileLinkInformation (MS-FSA 2.1.5.15.6): adds a hard link named `target` to the open file. Directories cannot
   * be linked (STATUS_FILE_IS_A_DIRECTORY); target rules as for rename.
   */
  async link(open: VfsOpen, target: string, opts: { replaceIfExists: boolean }): Promise<void> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.FileIsADirectory, 'cannot link a directory')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    const parsed = parseSmbPath(target, { allowLeadingSeparator: true, allowDeviceNames: this.opts.allowDeviceNames })
    if (parsed.components.length === 0 || parsed.stream) throw new VfsError(VfsStatus.ObjectNameInvalid, 'bad link target')
    const dest = await this.resolveTarget(parsed)
    const newAbs = path.join(dest.parentAbs, dest.requested)
    if (dest.existing) {
      const tst = dest.existing.stat
      if (tst.dev === open.node.dev && tst.ino === open.node.ino) {
        // Already a name of this file: an existing name all the same unless replacing is allowed (then a no-op).
        if (!opts.replaceIfExists) throw new VfsError(VfsStatus.ObjectNameCollision, `${dest.existing.name} exists`)
        return
      }
      await this.checkReplaceTarget(tst, dest.existing.name, opts.replaceIfExists)
      await this.unlinkEntry(path.join(dest.parentAbs, dest.existing.name))
      this.metadata.delete(fileKey(tst))
    }
    try {
      await fsp.link(open.node.absPath, newAbs)
    } catch (e) {
      throw toVfsError(e, 'path', 'link')
    }
    this.jail.invalidate(dest.parentAbs)
    this.notify.changed(newAbs, NotifyAction.Added, NotifyFilter.FileName)
  }

  /** Walks the parent of a rename/link target and looks the final name up case-insensitively. */
  private async resolveTarget(parsed: ParsedPath): Promise<{
    parentAbs: string
    requested: string
    existing?: { name: string; stat: BigIntStats }
  }> {
    const parent = await this.jail.resolve(parsed.components.slice(0, -1))
    if (!parent.exists || !parent.stat!.isDirectory()) throw new VfsError(VfsStatus.ObjectPathNotFound, 'target directory')
    const requested = parsed.components[parsed.components.length - 1]!
    checkComponent(requested, this.opts.allowDeviceNames)
    const parentNode = this.openTable.node(fileKey(parent.stat!))
    if (parentNode && (parentNode.deletePending || parentNode.deleting)) {
      throw new VfsError(VfsStatus.DeletePending, 'target directory is delete pending')
    }
    const existingName = await this.jail.lookupName(parent.absPath, requested)
    if (existingName === undefined) return { parentAbs: parent.absPath, requested }
    let stat: BigIntStats
    try {
      stat = await fsp.lstat(path.join(parent.absPath, existingName), { bigint: true })
    } catch (e) {
      throw toVfsError(e, 'name', 'lstat target')
    }
    return { parentAbs: parent.absPath, requested, existing: { name: existingName, stat } }
  }

  /** MS-FSA 2.1.5.15.11: the checks before an existing target may be replaced. */
  private async checkReplaceTarget(tst: BigIntStats, name: string, replace: boolean): Promise<void> {
    if (!replace) throw new VfsError(VfsStatus.ObjectNameCollision, `${name} exists`)
    if (tst.isDirectory() || tst.isSymbolicLink()) throw new VfsError(VfsStatus.AccessDenied, 'target is a directory')
    const tnode = this.openTable.node(fileKey(tst))
    if (tnode && (tnode.deletePending || tnode.deleting)) throw new VfsError(VfsStatus.DeletePending, 'target is delete pending')
    const attrs = effectiveAttributes(false, this.metadata.get(fileKey(tst), birthNsOf(tst)), name)
    if (attrs & FileAttribute.ReadOnly) throw new VfsError(VfsStatus.AccessDenied, 'target is read-only')
    if (tnode && tnode.opens.size) throw new VfsError(VfsStatus.AccessDenied, 'target is open')
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sparse files and ranges (the FsControl requests of MS-FSA)

  /** FSCTL_SET_SPARSE: sets or clears FILE_ATTRIBUTE_SPARSE_FILE. Needs write data or attributes access. */
  async setSparse(open: VfsOpen, sparse: boolean): Promise<void> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'sparse directory')
    if (!open.hasAny(Access.FileWriteData | Access.FileWriteAttributes | Access.FileAppendData)) {
      throw new VfsError(VfsStatus.AccessDenied, 'no write access')
    }
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    const st = await this.fstat(open)
    let changed = false
    this.metadata.update(open.node.key, birthNsOf(st), (r) => {
      const old = r.attributes ?? FileAttribute.Archive
      r.attributes = sparse ? old | FileAttribute.SparseFile : old & ~FileAttribute.SparseFile
      changed = r.attributes !== old
    })
    open.node.sparse = sparse
    // Clearing the flag allocates the whole file again (MS-FSCC 2.3.64: the file is no longer sparse).
    if (!sparse) open.node.holes = []
    if (changed) this.notify.changed(open.link.path, NotifyAction.Modified, NotifyFilter.Attributes)
  }

  /**
   * FSCTL_SET_ZERO_DATA: zeroes [offset, beyondFinalZero) within the file. For a sparse file whose range reaches
   * the end of file, the tail is deallocated by truncating and re-extending; elsewhere zeros are written (Node has
   * no fallocate/punch-hole). Needs FILE_WRITE_DATA; conflicts with locks as a write.
   */
  async zeroData(open: VfsOpen, offset: bigint, beyondFinalZero: bigint): Promise<void> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'zero data on a directory')
    if (!open.has(Access.FileWriteData)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_WRITE_DATA')
    if (this.readOnly) throw new VfsError(VfsStatus.MediaWriteProtected, 'read-only share')
    if (offset < 0n || beyondFinalZero < offset) throw new VfsError(VfsStatus.InvalidParameter, 'bad zero range')
    const st = await this.fstat(open)
    const end = beyondFinalZero < st.size ? beyondFinalZero : st.size
    if (end <= offset) return
    if (open.node.locks.writeConflicts(open.id, offset, end - offset)) throw new VfsError(VfsStatus.FileLockConflict, 'zero range locked')
    const sparse = this.isSparse(open, st)
    // In a sparse file the zeroed range is deallocated (recorded for FSCTL_QUERY_ALLOCATED_RANGES).
    if (sparse) open.node.holes = addHole(open.node.holes, offset, end)
    try {
      if (sparse && end === st.size) {
        await open.handle.truncate(Number(offset))
        await open.handle.truncate(Number(st.size))
      } else {
        const zeros = Buffer.alloc(Number(end - offset < BigInt(ZERO_CHUNK) ? end - offset : BigInt(ZERO_CHUNK)))
        for (let pos = offset; pos < end; ) {
          const n = Number(end - pos < BigInt(zeros.length) ? end - pos : BigInt(zeros.length))
          const { bytesWritten } = await open.handle.write(zeros, 0, n, Number(pos))
          pos += BigInt(bytesWritten)
        }
      }
    } catch (e) {
      throw toVfsError(e, 'name', 'zero data')
    }
    await this.afterDataChange(open, NotifyFilter.LastWrite)
  }

  /**
   * FSCTL_QUERY_ALLOCATED_RANGES for [offset, offset+length): Node cannot ask the disk where holes are
   * (no SEEK_DATA), so a file with no blocks reports no ranges and any other file reports the whole requested
   * part below the end of file as allocated (MS-FSCC allows reporting zeroed ranges as allocated).
   */
  async allocatedRanges(open: VfsOpen, offset: bigint, length: bigint): Promise<Array<{ offset: bigint; length: bigint }>> {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'allocated ranges of a directory')
    if (!open.hasAny(Access.FileReadData)) throw new VfsError(VfsStatus.AccessDenied, 'no read access')
    if (offset < 0n || length < 0n) throw new VfsError(VfsStatus.InvalidParameter, 'bad range')
    const st = await this.fstat(open)
    const sparse = this.isSparse(open, st)
    // A sparse file with no blocks at all has no data anywhere.
    if (sparse && st.blocks === 0n) return []
    return allocatedRangesOf(st.size, sparse, open.node.holes, offset, length)
  }

  private isSparse(open: VfsOpen, st: BigIntStats): boolean {
    open.node.sparse ??= (effectiveAttributes(false, this.metadata.get(open.node.key, birthNsOf(st)), open.node.name) & FileAttribute.SparseFile) !== 0
    return open.node.sparse
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Directory enumeration, change notify, locks

  /**
   * MS-FSA 2.1.5.6 query directory on a directory open (see dir-enum.ts). Needs FILE_LIST_DIRECTORY.
   * `accept` says whether an entry still fits in the caller's buffer.
   */
  async queryDirectory(open: VfsOpen, params: QueryDirectoryParams, accept?: (e: DirEntry) => boolean): Promise<QueryDirectoryResult> {
    this.live(open)
    if (!open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'not a directory')
    if (!open.has(Access.FileReadData)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_LIST_DIRECTORY')
    if (params.pattern !== undefined && params.pattern.length > 0) {
      if (/[\\/:|\u0000-\u001f]/.test(params.pattern) || params.pattern.length > 255) {
        throw new VfsError(VfsStatus.ObjectNameInvalid, 'bad search pattern')
      }
    }
    const cursor = (open.cursor ??= new DirectoryCursor())
    const dirAbs = open.node.absPath
    const run = () => queryDirectory(
      cursor,
      {
        list: async () => {
          try {
            const names = await fsp.readdir(dirAbs)
            return names.filter((n) => this.listable(n))
          } catch (e) {
            throw toVfsError(e, 'name', 'readdir')
          }
        },
        describe: (name) => this.describeEntry(open, dirAbs, name),
      },
      params,
      accept,
    )
    const result = open.cursorBusy.then(run, run)
    open.cursorBusy = result.catch(() => undefined)
    return result
  }

  /** Names a client can see and open: valid SMB names (and no device names unless allowed). */
  private listable(name: string): boolean {
    if (name.includes('\ufffd')) return false
    try {
      checkComponent(name, this.opts.allowDeviceNames)
      return true
    } catch {
      return false
    }
  }

  private async describeEntry(open: VfsOpen, dirAbs: string, name: string): Promise<FileInfo | undefined> {
    let abs: string
    if (name === '.') abs = dirAbs
    else if (name === '..') abs = dirAbs === this.jail.rootAbs ? dirAbs : path.dirname(dirAbs)
    else abs = path.join(dirAbs, name)
    let st: BigIntStats
    try {
      st = name === '.' ? open.handle.stat() : lstatSync(abs, { bigint: true })
      if (st.isSymbolicLink()) {
        const real = await fsp.realpath(abs).catch(() => undefined)
        if (!real || !this.jail.contains(real) || this.opts.symlinks === 'never') return undefined
        st = statSync(real, { bigint: true })
      }
    } catch {
      return undefined
    }
    if (!st.isFile() && !st.isDirectory()) return undefined
    const key = fileKey(st)
    const node = this.openTable.node(key)
    const info = describeStat(st, this.metadata.get(key, birthNsOf(st)), name, {
      hideDotFiles: this.opts.hideDotFiles,
      allocationSize: node?.allocationSize,
    })
    return info
  }

  /**
   * MS-FSA 2.1.5.11 change notify on a directory open (see notify.ts). Needs FILE_LIST_DIRECTORY.
   * STATUS_DELETE_PENDING when the directory is delete pending.
   */
  changeNotify(open: VfsOpen, params: WatchParams): NotifyRequest {
    this.live(open)
    if (!open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'change notify on a file')
    if (!open.has(Access.FileReadData)) throw new VfsError(VfsStatus.AccessDenied, 'no FILE_LIST_DIRECTORY')
    if (open.node.deletePending) throw new VfsError(VfsStatus.DeletePending, 'directory is delete pending')
    const node = open.node
    return this.notify.request(open.id, () => node.absPath, params)
  }

  /** Reports a security descriptor change made by the SMB layer (FILE_NOTIFY_CHANGE_SECURITY). */
  reportSecurityChange(open: VfsOpen): void {
    this.notify.changed(open.link.path, NotifyAction.Modified, NotifyFilter.Security)
  }

  /**
   * MS-FSA 2.1.5.8 byte-range locks for one SMB2 LOCK request (see byte-range-locks.ts). Throws
   * STATUS_INVALID_PARAMETER on directories and STATUS_INVALID_LOCK_RANGE for overflowing ranges; conflicts are
   * reported through the returned request (STATUS_LOCK_NOT_GRANTED, or a wait the caller may cancel).
   */
  lock(open: VfsOpen, ranges: readonly LockRange[], opts: { failImmediately: boolean }): LockRequest {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'locks on a directory')
    return open.node.locks.lock(open.id, ranges, opts)
  }

  /** MS-FSA 2.1.5.9: removes one lock; throws STATUS_RANGE_NOT_LOCKED when this open holds no such range. */
  unlock(open: VfsOpen, offset: bigint, length: bigint): void {
    this.live(open)
    if (open.isDirectory) throw new VfsError(VfsStatus.InvalidParameter, 'locks on a directory')
    const status = open.node.locks.unlock(open.id, offset, length)
    if (status !== VfsStatus.Success) throw new VfsError(status, 'range not locked')
  }

  /** The locks an open holds (for the durable-handle record). */
  heldLocks(open: VfsOpen): LockRange[] {
    return open.node.locks.held(open.id)
  }

  /** Re-takes recorded locks on a re-created open; throws STATUS_LOCK_NOT_GRANTED if another open took them. */
  restoreLocks(open: VfsOpen, ranges: readonly LockRange[]): void {
    this.live(open)
    const status = open.node.locks.restore(open.id, ranges)
    if (status !== VfsStatus.Success) throw new VfsError(status, 'locks could not be restored')
  }

  /** Moves an open to another owner (a reclaimed durable handle); the per-owner limit applies. */
  reassign(open: VfsOpen, owner: string): void {
    this.live(open)
    this.openTable.reassign(open, owner)
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Close (MS-FSA 2.1.5.4)

  /**
   * Closes an open: completes its change-notify requests with STATUS_NOTIFY_CLEANUP, cancels its waiting locks
   * (STATUS_CANCELLED) and releases its locks, then applies delete-on-close and deletes a delete-pending file when
   * this was its last open (or at once for POSIX delete semantics). A directory given delete-on-close at create
   * that is not empty at close is silently kept (as Samba and Windows do).
   */
  async close(open: VfsOpen, opts: { postQuery?: boolean } = {}): Promise<CloseResult> {
    this.live(open)
    open.closed = true
    const node = open.node
    let info: FileInfo | undefined
    if (opts.postQuery) {
      try {
        info = this.describeOpenFile(open)
      } catch {
        info = undefined
      }
    }
    this.notify.close(open.id)
    node.locks.releaseOwner(open.id, VfsStatus.Cancelled)
    if (open.deleteOnClose && !node.deletePending && node.absPath !== this.jail.rootAbs) {
      if (!node.isDirectory || (await this.isEmptyDir(node.absPath))) {
        node.deletePending = true
        node.deleteLink = { ...open.link }
      }
    }
    this.openTable.unregister(open)
    const posixNow = node.posixDeleteBy === open
    if (posixNow) node.posixDeleteBy = undefined
    let deleted = false
    if (node.deletePending && node.deleteLink && (node.opens.size === 0 || posixNow)) {
      node.deleting = true
      try {
        deleted = await this.removeFromDisk(node, node.deleteLink)
      } finally {
        node.deleting = false
      }
      // Either the entry is gone or it cannot be removed (a directory that filled up): nothing stays pending.
      node.deletePending = false
      node.deleteLink = undefined
    } else if (open.renamedFile && !node.deletePending) {
      this.notify.changed(open.link.path, NotifyAction.Modified, NotifyFilter.Attributes)
    }
    if (!deleted && node.isDirectory && node.deletePending) {
      // The directory stays (other opens) but is doomed: their change notifies end with STATUS_DELETE_PENDING
      // (Windows and Samba; smbtorture smb2.notify.rmdir1-4).
      for (const o of node.opens) this.notify.close(o.id, VfsStatus.DeletePending)
    }
    // Drop the metadata only when no name of the file is left (hard links keep it alive).
    let gone = false
    if (node.opens.size === 0) {
      try {
        gone = open.handle.stat().nlink === 0n
      } catch {
        gone = false
      }
    }
    await open.handle.close().catch(() => undefined)
    if (node.opens.size === 0) {
      if (gone) this.metadata.delete(node.key)
      this.openTable.dropNodeIfIdle(node)
    }
    return info ? { info, deleted } : { deleted }
  }

  /** Closes every open that came through this share (server shutdown) and the metadata store it owns. */
  async dispose(): Promise<void> {
    for (const o of this.openTable.list()) if (o.shareName === this.name && !o.closed) await this.close(o).catch(() => undefined)
    if (this.ownsMetadata) this.metadata.close()
  }

  /**
   * Removes the entry of a pending delete after checking that its path still names the same entry (a symlink
   * entry is unlinked itself, never its target). Returns false when nothing was removed.
   */
  private async removeFromDisk(node: FileNode, link: LinkRef): Promise<boolean> {
    const abs = link.path
    if (!this.jail.contains(abs) || abs === this.jail.rootAbs) return false
    let st: BigIntStats
    try {
      st = await fsp.lstat(abs, { bigint: true })
    } catch {
      return false
    }
    if (st.dev !== link.dev || st.ino !== link.ino) return false
    try {
      if (st.isDirectory()) await fsp.rmdir(abs)
      else await fsp.unlink(abs)
    } catch {
      return false
    }
    this.jail.invalidate(path.dirname(abs))
    this.notify.changed(abs, NotifyAction.Removed, node.isDirectory ? NotifyFilter.DirName : NotifyFilter.FileName)
    return true
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private live(open: VfsOpen): void {
    if (open.closed) throw new VfsError(VfsStatus.FileClosed, 'open is closed')
  }

  private async fstat(open: VfsOpen): Promise<BigIntStats> {
    try {
      return open.handle.stat()
    } catch (e) {
      throw toVfsError(e, 'name', 'fstat')
    }
  }

  private async setPosixTimes(open: VfsOpen, atime: number, mtime: number): Promise<void> {
    try {
      await open.handle.utimes(atime, mtime)
    } catch (e) {
      // O_PATH handles cannot futimens: fall back to the path (no symlink can be in it: the walk checked).
      if ((e as NodeJS.ErrnoException).code !== 'EBADF') throw toVfsError(e, 'name', 'utimes')
      try {
        await fsp.utimes(open.node.absPath, atime, mtime)
      } catch (e2) {
        throw toVfsError(e2, 'name', 'utimes')
      }
    }
  }

  private async unlinkEntry(abs: string): Promise<void> {
    try {
      await fsp.unlink(abs)
    } catch (e) {
      throw toVfsError(e, 'name', 'unlink target')
    }
    this.jail.invalidate(path.dirname(abs))
  }

  private async isEmptyDir(abs: string): Promise<boolean> {
    try {
      const dir = await fsp.opendir(abs)
      try {
        return (await dir.read()) === null
      } finally {
        await dir.close().catch(() => undefined)
      }
    } catch {
      return false
    }
  }
}

/** NTFS allocates sparse files in 64 KiB units (MS-FSCC 2.3.57 note: deallocation happens in such chunks). */
const SPARSE_UNIT = 65536n

/** Adds [start, end) to a sorted, merged hole list. */
export function addHole(holes: Array<{ start: bigint; end: bigint }>, start: bigint, end: bigint): Array<{ start: bigint; end: bigint }> {
  if (end <= start) return holes
  const out: Array<{ start: bigint; end: bigint }> = []
  let s = start
  let e = end
  for (const h of holes) {
    if (h.end < s || h.start > e) out.push(h)
    else {
      if (h.start < s) s = h.start
      if (h.end > e) e = h.end
    }
  }
  out.push({ start: s, end: e })
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
}

/** Removes [start, end) from a hole list (data was written there). */
export function removeHole(holes: Array<{ start: bigint; end: bigint }>, start: bigint, end: bigint): Array<{ start: bigint; end: bigint }> {
  if (end <= start || holes.length === 0) return holes
  const out: Array<{ start: bigint; end: bigint }> = []
  for (const h of holes) {
    if (h.end <= start || h.start >= end) out.push(h)
    else {
      if (h.start < start) out.push({ start: h.start, end: start })
      if (h.end > end) out.push({ start: end, end: h.end })
    }
  }
  return out
}

/** True when every byte of [start, end) lies in a hole. */
function coveredByHoles(holes: ReadonlyArray<{ start: bigint; end: bigint }>, start: bigint, end: bigint): boolean {
  let at = start
  for (const h of holes) {
    if (h.end <= at) continue
    if (h.start > at) return false
    at = h.end
    if (at >= end) return true
  }
  return at >= end
}

/**
 * The allocated ranges of [offset, offset+length) clipped to the end of file: a file that is not sparse is fully
 * allocated; a sparse one is allocated in 64 KiB units, except the units its recorded holes cover entirely.
 */
export function allocatedRangesOf(size: bigint, sparse: boolean, holes: ReadonlyArray<{ start: bigint; end: bigint }>, offset: bigint, length: bigint): Array<{ offset: bigint; length: bigint }> {
  const end = offset + length < size ? offset + length : size
  if (end <= offset) return []
  if (!sparse) return [{ offset, length: end - offset }]
  const out: Array<{ offset: bigint; length: bigint }> = []
  for (let unit = (offset / SPARSE_UNIT) * SPARSE_UNIT; unit < end; unit += SPARSE_UNIT) {
    const unitEnd = unit + SPARSE_UNIT < size ? unit + SPARSE_UNIT : size
    if (coveredByHoles(holes, unit, unitEnd)) continue
    const a = unit > offset ? unit : offset
    const b = unitEnd < end ? unitEnd : end
    const last = out[out.length - 1]
    if (last && last.offset + last.length === a) last.length += b - a
    else out.push({ offset: a, length: b - a })
  }
  return out
}

/** FNV-1a, 32 bits: a stable volume serial number from the root path. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
