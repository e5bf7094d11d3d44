/**
 * SET_INFO (MS-SMB2 3.3.5.21; MS-FSA 2.1.5.15): basic (times and attributes), disposition (and -Ex), rename (and
 * -Ex), hard link, end of file, allocation, position and mode through the VFS; security descriptors are accepted
 * (the VFS keeps no ACLs) when the open may change them.
 * @module
 */
import type { SetInfoRequest } from '../../dissect/smb2/commands/set-info.js'
import { FileInformationClass as F, InfoType } from '../../dissect/smb2/constants/info-class.js'
import { SecurityInformation } from '../../dissect/smb2/constants/security-information.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type {
  FileAllocationInformation, FileBasicInformation, FileDispositionInformation, FileDispositionInformationEx, FileEndOfFileInformation,
  FileLinkInformation, FileModeInformation, FilePositionInformation, FileRenameInformation, FileRenameInformationEx,
} from '../../dissect/smb2/info/file-info.js'
import { decodeInfo } from '../../dissect/smb2/info/registry.js'
import { SecurityDescriptor } from '../../dissect/smb2/security/security-descriptor.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { Access } from '../vfs/constants.js'
import { LocalShare } from '../vfs/local-fs.js'
import { breakOthersHandleCaching, changeBy, reportDirectoryChange } from '../leasing.js'

/** MS-ERREF: STATUS_EAS_NOT_SUPPORTED. */
const STATUS_EAS_NOT_SUPPORTED = 0xc000_004f
/** FILE_RENAME_REPLACE_IF_EXISTS of FileRenameInformationEx (MS-FSCC 2.4.37.1). */
const RENAME_REPLACE_IF_EXISTS = 0x1

/** Smallest valid input of each class (its fixed part). */
const MIN_SIZE: Record<number, number> = {
  [F.FileBasicInformation]: 36,
  [F.FileDispositionInformation]: 1,
  [F.FileDispositionInformationEx]: 4,
  [F.FileRenameInformation]: 20,
  [F.FileRenameInformationEx]: 20,
  [F.FileLinkInformation]: 20,
  [F.FileEndOfFileInformation]: 8,
  [F.FileAllocationInformation]: 8,
  [F.FilePositionInformation]: 8,
  [F.FileModeInformation]: 4,
}

export async function setInfo(req: SetInfoRequest, ctx: RequestContext) {
  const open = ctx.o
  if (req.buffer.length > ctx.conn.maxTransactSize) throw new SmbError(NtStatus.InvalidParameter, undefined, 'BufferLength > MaxTransactSize')
  if (open.pipe) throw new SmbError(NtStatus.InvalidParameter)
  const share = open.tree.share
  if (share.kind !== 'disk' || !open.vfs) throw new SmbError(NtStatus.InvalidParameter)
  const vfs = share.vfs
  const vopen = open.vfs
  switch (req.infoType) {
    case InfoType.File:
      break
    case InfoType.Security: {
      const sd = SecurityDescriptor.decode(req.buffer)
      void sd
      const a = req.additionalInformation
      const need = (a & (SecurityInformation.Owner | SecurityInformation.Group) ? Access.WriteOwner : 0) | (a & SecurityInformation.Dacl ? Access.WriteDac : 0)
      if (a & SecurityInformation.Sacl || (vopen.grantedAccess & need) !== need) throw new SmbError(NtStatus.AccessDenied)
      vfs.reportSecurityChange(vopen)
      return {}
    }
    case InfoType.Filesystem:
    case InfoType.Quota:
      throw new SmbError(NtStatus.NotSupported)
    default:
      throw new SmbError(NtStatus.InvalidParameter)
  }
  const cls = req.fileInfoClass
  const min = MIN_SIZE[cls]
  if (min === undefined) {
    if (cls === F.FileFullEaInformation) throw new SmbError(STATUS_EAS_NOT_SUPPORTED)
    throw new SmbError(NtStatus.InvalidInfoClass)
  }
  if (req.buffer.length < min) throw new SmbError(NtStatus.InfoLengthMismatch)
  const v = decodeInfo(InfoType.File, cls, req.buffer, 'request').value
  switch (cls) {
    case F.FileBasicInformation: {
      const b = v as FileBasicInformation
      await vfs.setBasicInfo(vopen, { creationTime: b.creationTime, lastAccessTime: b.lastAccessTime, lastWriteTime: b.lastWriteTime, changeTime: b.changeTime, fileAttributes: b.fileAttributes })
      break
    }
    case F.FileDispositionInformation:
    case F.FileDispositionInformationEx: {
      const d = cls === F.FileDispositionInformation
        ? { deleteFile: (v as FileDispositionInformation).deletePending !== 0 }
        : LocalShare.dispositionFromFlags((v as FileDispositionInformationEx).flags)
      // Other holders of Handle caching are asked to close their cached handles, so the delete can happen.
      if (d.deleteFile && vopen.has(Access.Delete)) await breakOthersHandleCaching(ctx, open)
      await vfs.setDisposition(vopen, d)
      break
    }
    case F.FileRenameInformation:
    case F.FileRenameInformationEx: {
      const r = v as FileRenameInformation | FileRenameInformationEx
      // MS-SMB2 2.2.39: RootDirectory MUST be zero for SMB2.
      if (r.rootDirectory !== 0n) throw new SmbError(NtStatus.InvalidParameter, undefined, 'RootDirectory is not zero')
      const replace = 'replaceIfExists' in r ? r.replaceIfExists !== 0 : (r.flags & RENAME_REPLACE_IF_EXISTS) !== 0
      await breakOthersHandleCaching(ctx, open)
      const from = vopen.node.absPath
      await vfs.rename(vopen, r.fileName, { replaceIfExists: replace })
      ctx.server.tables.updateOpen(open.persistentId, { path: r.fileName.replace(/^\\/, '') })
      // Both directories changed: the one the name left and the one it went to.
      const by = changeBy(ctx, open)
      reportDirectoryChange(ctx.server, from, by)
      if (vopen.node.absPath !== from) reportDirectoryChange(ctx.server, vopen.node.absPath, by)
      break
    }
    case F.FileLinkInformation: {
      const l = v as FileLinkInformation
      if (l.rootDirectory !== 0n) throw new SmbError(NtStatus.InvalidParameter, undefined, 'RootDirectory is not zero')
      await vfs.link(vopen, l.fileName, { replaceIfExists: l.replaceIfExists !== 0 })
      break
    }
    case F.FileEndOfFileInformation:
      ctx.server.caching.onWrite(open.persistentId)
      await vfs.setEndOfFile(vopen, (v as FileEndOfFileInformation).endOfFile)
      break
    case F.FileAllocationInformation:
      ctx.server.caching.onWrite(open.persistentId)
      await vfs.setAllocationSize(vopen, (v as FileAllocationInformation).allocationSize)
      break
    case F.FilePositionInformation:
      vfs.setPosition(vopen, (v as FilePositionInformation).currentByteOffset)
      ctx.server.durableHandles.positionChanged(open)
      break
    case F.FileModeInformation:
      vfs.setMode(vopen, (v as FileModeInformation).mode)
      break
  }
  return {}
}
