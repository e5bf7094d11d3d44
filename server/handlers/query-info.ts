/**
 * QUERY_INFO (MS-SMB2 3.3.5.20): file classes (MS-FSCC 2.4) from the VFS, file-system classes (2.5), and a
 * security descriptor built from the session's principal (the VFS keeps no ACLs). Buffer sizes as MS-SMB2
 * 3.3.5.20.1 and Windows answer: a buffer smaller than a class's fixed part is STATUS_INFO_LENGTH_MISMATCH; a
 * variable class that does not fit is truncated with STATUS_BUFFER_OVERFLOW; a security descriptor that does not
 * fit is STATUS_BUFFER_TOO_SMALL with the size needed in ErrorData.
 * @module
 */
import type { QueryInfoRequest } from '../../dissect/smb2/commands/query-info.js'
import { FileInformationClass as F, FsInformationClass as Fs, InfoType } from '../../dissect/smb2/constants/info-class.js'
import { SecurityInformation } from '../../dissect/smb2/constants/security-information.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { encodeInfo } from '../../dissect/smb2/info/registry.js'
import { AceType } from '../../dissect/smb2/security/acl.js'
import { makeSecurityDescriptor, SecurityDescriptor } from '../../dissect/smb2/security/security-descriptor.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { shortNameOf } from '../short-name.js'
import { Access, FILE_ALL_ACCESS } from '../vfs/constants.js'
import type { OpenInfo } from '../vfs/local-fs.js'

/** Bytes of a class that must fit before anything is returned (the fixed part). */
const FIXED_PART: Record<number, number> = {
  [F.FileBasicInformation]: 40,
  [F.FileStandardInformation]: 24,
  [F.FileInternalInformation]: 8,
  [F.FileEaInformation]: 4,
  [F.FileAccessInformation]: 4,
  [F.FileNameInformation]: 4,
  [F.FilePositionInformation]: 8,
  [F.FileFullEaInformation]: 4,
  [F.FileModeInformation]: 4,
  [F.FileAlignmentInformation]: 4,
  // Windows' minimums for the variable classes (smbtorture smb2.getinfo.qfile_buffercheck).
  [F.FileAllInformation]: 104,
  [F.FileAlternateNameInformation]: 8,
  [F.FileStreamInformation]: 32,
  [F.FileCompressionInformation]: 16,
  [F.FileNetworkOpenInformation]: 56,
  [F.FileAttributeTagInformation]: 8,
  [F.FileNormalizedNameInformation]: 4,
  [F.FileIdInformation]: 24,
  [F.FileStandardLinkInformation]: 16,
  [F.FilePipeLocalInformation]: 40,
}
const FS_FIXED_PART: Record<number, number> = {
  // Volume and Attribute need room for a few name bytes too (smbtorture smb2.getinfo.qfs_buffercheck).
  [Fs.FileFsVolumeInformation]: 24,
  [Fs.FileFsSizeInformation]: 24,
  [Fs.FileFsDeviceInformation]: 8,
  [Fs.FileFsAttributeInformation]: 16,
  [Fs.FileFsControlInformation]: 48,
  [Fs.FileFsFullSizeInformation]: 32,
  [Fs.FileFsObjectIdInformation]: 64,
  [Fs.FileFsSectorSizeInformation]: 28,
}
/** File classes that need FILE_READ_ATTRIBUTES on the open (MS-FSA 2.1.5.12). */
const NEED_READ_ATTRIBUTES = new Set<number>([
  F.FileBasicInformation, F.FileAllInformation, F.FileNetworkOpenInformation, F.FileAttributeTagInformation,
])

const EVERYONE = 'S-1-1-0'

export async function queryInfo(req: QueryInfoRequest, ctx: RequestContext) {
  const open = ctx.o
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new SmbError(NtStatus.InvalidParameter, undefined, 'OutputBufferLength > MaxTransactSize')
  let data: Buffer
  let fixed: number
  switch (req.infoType) {
    case InfoType.File: {
      fixed = FIXED_PART[req.fileInfoClass] ?? 0
      data = await fileClass(req, ctx)
      break
    }
    case InfoType.Filesystem: {
      fixed = FS_FIXED_PART[req.fileInfoClass] ?? 0
      data = await fsClass(req, ctx)
      break
    }
    case InfoType.Security:
      return { outputBuffer: securityDescriptor(req, ctx) }
    case InfoType.Quota:
      throw new SmbError(NtStatus.NotSupported)
    default:
      throw new SmbError(NtStatus.InvalidParameter, undefined, `info type ${req.infoType}`)
  }
  if (req.outputBufferLength < fixed || (fixed === 0 && data.length > req.outputBufferLength)) throw new SmbError(NtStatus.InfoLengthMismatch)
  if (data.length > req.outputBufferLength) {
    ctx.status = NtStatus.BufferOverflow
    data = data.subarray(0, req.outputBufferLength)
  }
  return { outputBuffer: data }
}

async function fileClass(req: QueryInfoRequest, ctx: RequestContext): Promise<Buffer> {
  const open = ctx.o
  const cls = req.fileInfoClass
  const enc = (v: unknown) => encodeInfo(InfoType.File, cls, v)
  if (open.pipe) {
    switch (cls) {
      case F.FileStandardInformation:
        return enc({ allocationSize: 4096n, endOfFile: 0n, numberOfLinks: 1, deletePending: 1, directory: 0 })
      case F.FilePipeLocalInformation:
        return enc({ namedPipeType: 1, namedPipeConfiguration: 2, maximumInstances: 0xffffffff, currentInstances: 1, inboundQuota: 4096, readDataAvailable: 0, outboundQuota: 4096, writeQuotaAvailable: 4096, namedPipeState: 3, namedPipeEnd: 1 })
      default:
        throw new SmbError(NtStatus.InvalidParameter)
    }
  }
  const share = open.tree.share
  if (share.kind !== 'disk' || !open.vfs) throw new SmbError(NtStatus.InvalidParameter)
  const vfs = share.vfs
  const vopen = open.vfs
  if (NEED_READ_ATTRIBUTES.has(cls) && !vopen.has(Access.FileReadAttributes)) throw new SmbError(NtStatus.AccessDenied)
  const info: OpenInfo = await vfs.queryInfo(vopen)
  const basic = {
    creationTime: info.creationTime,
    lastAccessTime: info.lastAccessTime,
    lastWriteTime: info.lastWriteTime,
    changeTime: info.changeTime,
    fileAttributes: info.fileAttributes,
  }
  const standard = {
    allocationSize: info.allocationSize,
    endOfFile: info.endOfFile,
    // A link that is delete pending no longer counts (MS-FSCC 2.4.41; Windows and Samba report it so).
    numberOfLinks: info.deletePending ? Math.max(0, info.numberOfLinks - 1) : info.numberOfLinks,
    deletePending: info.deletePending ? 1 : 0,
    directory: info.isDirectory ? 1 : 0,
  }
  switch (cls) {
    case F.FileBasicInformation:
      return enc(basic)
    case F.FileStandardInformation:
      return enc(standard)
    case F.FileInternalInformation:
      return enc({ indexNumber: info.fileId })
    case F.FileEaInformation:
      return enc({ eaSize: info.eaSize })
    case F.FileAccessInformation:
      return enc({ accessFlags: info.accessFlags })
    case F.FilePositionInformation:
      return enc({ currentByteOffset: info.currentByteOffset })
    case F.FileModeInformation:
      return enc({ mode: info.mode })
    case F.FileAlignmentInformation:
      return enc({ alignmentRequirement: info.alignmentRequirement })
    case F.FileNameInformation:
    case F.FileNormalizedNameInformation:
      if (cls === F.FileNormalizedNameInformation && ctx.conn.dialect < 0x0311) throw new SmbError(NtStatus.NotSupported)
      return enc({ fileName: cls === F.FileNormalizedNameInformation ? info.path.replace(/^\\/, '') : info.path })
    case F.FileAllInformation:
      return enc({
        basicInformation: basic,
        standardInformation: standard,
        internalInformation: { indexNumber: info.fileId },
        eaInformation: { eaSize: info.eaSize },
        accessInformation: { accessFlags: info.accessFlags },
        positionInformation: { currentByteOffset: info.currentByteOffset },
        modeInformation: { mode: info.mode },
        alignmentInformation: { alignmentRequirement: info.alignmentRequirement },
        nameInformation: { fileName: info.path },
      })
    case F.FileAlternateNameInformation:
      // MS-FSCC 2.4.5: the 8.3 name (reported only; see short-name.ts). The share root has none.
      if (info.path === '\\') throw new SmbError(NtStatus.ObjectNameNotFound)
      return enc({ fileName: shortNameOf(info.fileName) })
    case F.FileStreamInformation: {
      const streams = await vfs.streams(vopen)
      return enc(streams.map((s) => ({ streamName: s.streamName, streamSize: s.streamSize, streamAllocationSize: s.streamAllocationSize })))
    }
    case F.FileCompressionInformation:
      return enc({ compressedFileSize: info.endOfFile, compressionFormat: 0, compressionUnitShift: 0, chunkShift: 0, clusterShift: 0 })
    case F.FileNetworkOpenInformation:
      return enc({ ...basic, allocationSize: info.allocationSize, endOfFile: info.endOfFile })
    case F.FileAttributeTagInformation:
      return enc({ fileAttributes: info.fileAttributes, reparseTag: info.reparseTag })
    case F.FileIdInformation: {
      const vol = await vfs.volumeInfo()
      return enc({ volumeSerialNumber: BigInt(vol.serialNumber), fileId: vfs.fileId128(vopen) })
    }
    case F.FileStandardLinkInformation:
      return enc({ numberOfAccessibleLinks: info.numberOfLinks, totalNumberOfLinks: info.numberOfLinks, deletePending: standard.deletePending, directory: standard.directory })
    case F.FileFullEaInformation:
      // Extended attributes are not kept (MS-FSCC 2.4.15): no EAs on any file.
      throw new SmbError(NtStatus.NoEasOnFile)
    default:
      throw new SmbError(NtStatus.InvalidInfoClass)
  }
}

async function fsClass(req: QueryInfoRequest, ctx: RequestContext): Promise<Buffer> {
  const open = ctx.o
  const share = open.tree.share
  if (share.kind !== 'disk') throw new SmbError(NtStatus.InvalidParameter)
  const v = await share.vfs.volumeInfo()
  const cls = req.fileInfoClass
  const enc = (x: unknown) => encodeInfo(InfoType.Filesystem, cls, x)
  switch (cls) {
    case Fs.FileFsVolumeInformation:
      return enc({ volumeCreationTime: v.creationTime, volumeSerialNumber: v.serialNumber, supportsObjects: 0, volumeLabel: v.label })
    case Fs.FileFsSizeInformation:
      return enc({ totalAllocationUnits: v.totalAllocationUnits, availableAllocationUnits: v.callerAvailableAllocationUnits, sectorsPerAllocationUnit: v.sectorsPerAllocationUnit, bytesPerSector: v.bytesPerSector })
    case Fs.FileFsFullSizeInformation:
      return enc({
        totalAllocationUnits: v.totalAllocationUnits,
        callerAvailableAllocationUnits: v.callerAvailableAllocationUnits,
        actualAvailableAllocationUnits: v.actualAvailableAllocationUnits,
        sectorsPerAllocationUnit: v.sectorsPerAllocationUnit,
        bytesPerSector: v.bytesPerSector,
      })
    case Fs.FileFsDeviceInformation:
      return enc({ deviceType: v.deviceType, characteristics: v.characteristics })
    case Fs.FileFsAttributeInformation:
      return enc({ fileSystemAttributes: v.fileSystemAttributes, maximumComponentNameLength: v.maximumComponentNameLength, fileSystemName: v.fileSystemName })
    case Fs.FileFsSectorSizeInformation:
      return enc({
        logicalBytesPerSector: v.logicalBytesPerSector,
        physicalBytesPerSectorForAtomicity: v.physicalBytesPerSector,
        physicalBytesPerSectorForPerformance: v.physicalBytesPerSector,
        fileSystemEffectivePhysicalBytesPerSectorForAtomicity: v.physicalBytesPerSector,
        flags: 0x3,
        byteOffsetForSectorAlignment: 0,
        byteOffsetForPartitionAlignment: 0,
      })
    case Fs.FileFsControlInformation:
      // No quotas: the defaults a volume without quota tracking reports.
      return enc({ freeSpaceStartFiltering: 0n, freeSpaceThreshold: 0n, freeSpaceStopFiltering: 0n, defaultQuotaThreshold: 0xffff_ffff_ffff_ffffn, defaultQuotaLimit: 0xffff_ffff_ffff_ffffn, fileSystemControlFlags: 0 })
    case Fs.FileFsObjectIdInformation:
      return enc({ objectId: '00000000-0000-0000-0000-000000000000', extendedInfo: Buffer.alloc(48) })
    default:
      throw new SmbError(NtStatus.InvalidInfoClass)
  }
}

/**
 * The security descriptor of a file (MS-DTYP 2.4.6): owner the session's principal, group the same, a DACL that
 * allows everyone what the share allows (the VFS checks POSIX permissions itself). Needs READ_CONTROL; a SACL needs
 * ACCESS_SYSTEM_SECURITY, which no open is granted.
 */
function securityDescriptor(req: QueryInfoRequest, ctx: RequestContext): Buffer {
  const open = ctx.o
  const granted = open.vfs?.grantedAccess ?? open.global.desiredAccess
  const want = req.additionalInformation
  if (want & SecurityInformation.Sacl) throw new SmbError(NtStatus.AccessDenied, undefined, 'SACL needs ACCESS_SYSTEM_SECURITY')
  if (want & (SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl) && !(granted & Access.ReadControl)) {
    throw new SmbError(NtStatus.AccessDenied, undefined, 'READ_CONTROL not granted')
  }
  const sid = ctx.s.identity?.sid ?? EVERYONE
  const isDir = open.vfs?.isDirectory ?? false
  const dacl = {
    aces: [
      { aceType: AceType.AccessAllowed, aceFlags: isDir ? 0x03 : 0, mask: open.tree.maximalAccess || FILE_ALL_ACCESS, sid: EVERYONE },
    ],
  }
  const sd = makeSecurityDescriptor({
    owner: want & SecurityInformation.Owner ? sid : null,
    group: want & SecurityInformation.Group ? sid : null,
    dacl: want & SecurityInformation.Dacl ? dacl : null,
  })
  const bytes = SecurityDescriptor.encode(sd)
  if (bytes.length > req.outputBufferLength) {
    throw new SmbError(NtStatus.BufferTooSmall, { kind: 'bufferTooSmall', requiredBufferLength: bytes.length })
  }
  return bytes
}
