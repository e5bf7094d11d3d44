/**
 * QUERY_DIRECTORY (MS-SMB2 3.3.5.18; MS-FSA 2.1.5.6): enumeration through the VFS cursor with Windows wildcards,
 * restart/reopen/index/single-entry flags, entries encoded with dissect/smb2/info (directory, full, both, names,
 * id-both, id-full, id-extd, id-extd-both) up to the client's OutputBufferLength.
 * @module
 */
import type { QueryDirectoryRequest } from '../../dissect/smb2/commands/query-directory.js'
import { QueryDirectoryFlags } from '../../dissect/smb2/constants/query-directory.js'
import { FileInformationClass as F } from '../../dissect/smb2/constants/info-class.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { DIRECTORY_CLASSES, encodeDirectory, type DirectoryEntryInput } from '../../dissect/smb2/info/directory.js'
import type { DirEntry } from '../vfs/dir-enum.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { dirShortName } from '../short-name.js'

const SUPPORTED = new Set<number>([
  F.FileDirectoryInformation, F.FileFullDirectoryInformation, F.FileBothDirectoryInformation, F.FileNamesInformation,
  F.FileIdBothDirectoryInformation, F.FileIdFullDirectoryInformation, F.FileIdExtdDirectoryInformation, F.FileIdExtdBothDirectoryInformation,
])

function id128(fileId: bigint): Buffer {
  const b = Buffer.alloc(16)
  b.writeBigUInt64LE(fileId & 0xffff_ffff_ffff_ffffn)
  return b
}

/** The directory entry of a class for one VFS entry. */
export function entryFor(cls: number, e: DirEntry): DirectoryEntryInput {
  const base = {
    fileIndex: e.fileIndex,
    creationTime: e.creationTime,
    lastAccessTime: e.lastAccessTime,
    lastWriteTime: e.lastWriteTime,
    changeTime: e.changeTime,
    endOfFile: e.endOfFile,
    allocationSize: e.allocationSize,
    fileAttributes: e.fileAttributes,
    fileName: e.fileName,
  }
  switch (cls) {
    case F.FileDirectoryInformation:
      return base
    case F.FileFullDirectoryInformation:
      return { ...base, eaSize: e.eaSize }
    case F.FileBothDirectoryInformation:
      return { ...base, eaSize: e.eaSize, shortName: dirShortName(e.fileName) }
    case F.FileNamesInformation:
      return { fileIndex: e.fileIndex, fileName: e.fileName }
    case F.FileIdBothDirectoryInformation:
      return { ...base, eaSize: e.eaSize, shortName: dirShortName(e.fileName), fileId: e.fileId }
    case F.FileIdFullDirectoryInformation:
      return { ...base, eaSize: e.eaSize, fileId: e.fileId }
    case F.FileIdExtdDirectoryInformation:
      return { ...base, eaSize: e.eaSize, reparsePointTag: e.reparseTag, fileId: id128(e.fileId) }
    default:
      return { ...base, eaSize: e.eaSize, reparsePointTag: e.reparseTag, fileId: id128(e.fileId), shortName: dirShortName(e.fileName) }
  }
}

export async function queryDirectory(req: QueryDirectoryRequest, ctx: RequestContext) {
  const open = ctx.o
  const cls = req.fileInformationClass
  if (open.pipe || !open.vfs || open.tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidParameter)
  if (!SUPPORTED.has(cls)) throw new SmbError(NtStatus.InvalidInfoClass)
  // MS-SMB2 3.3.5.18: OutputBufferLength beyond MaxTransactSize is invalid.
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new SmbError(NtStatus.InvalidParameter, undefined, 'OutputBufferLength > MaxTransactSize')
  const fixed = DIRECTORY_CLASSES.get(cls)!.minEntrySize
  const max = req.outputBufferLength
  let used = 0
  const accept = (e: DirEntry): boolean => {
    const size = fixed + 2 * e.fileName.length
    const start = used === 0 ? 0 : (used + 7) & ~7
    if (start + size > max) return false
    used = start + size
    return true
  }
  const flags = req.flags
  const r = await open.tree.share.vfs.queryDirectory(
    open.vfs,
    {
      pattern: req.fileName,
      restartScan: (flags & QueryDirectoryFlags.RestartScans) !== 0,
      reopen: (flags & QueryDirectoryFlags.Reopen) !== 0,
      returnSingleEntry: (flags & QueryDirectoryFlags.ReturnSingleEntry) !== 0,
      fileIndex: flags & QueryDirectoryFlags.IndexSpecified ? req.fileIndex : undefined,
    },
    accept,
  )
  if (r.status !== NtStatus.Success) throw new SmbError(r.status)
  const { buffer } = encodeDirectory(cls, r.entries.map((e) => entryFor(cls, e)), max)
  return { outputBuffer: buffer }
}
