/**
 * MS-SMB2 2.2.37 (InfoType, Flags) and MS-FSCC 2.4 / 2.5 (file and file-system information classes): the
 * numbers QUERY_INFO, SET_INFO and QUERY_DIRECTORY carry, named as MS-FSCC names them.
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

/** InfoType of QUERY_INFO / SET_INFO. */
export const InfoType = {
  File: 0x01,
  Filesystem: 0x02,
  Security: 0x03,
  Quota: 0x04,
} as const
export type InfoType = (typeof InfoType)[keyof typeof InfoType]
/** `SMB2_0_INFO_FILE`, ... */
export const infoTypeName = valueNamer(InfoType, { prefix: 'SMB2_0_INFO_' }, 2)

/** MS-FSCC 2.4 file information classes (also the QUERY_DIRECTORY classes), keyed by their MS-FSCC names. */
export const FileInformationClass = {
  FileDirectoryInformation: 1,
  FileFullDirectoryInformation: 2,
  FileBothDirectoryInformation: 3,
  FileBasicInformation: 4,
  FileStandardInformation: 5,
  FileInternalInformation: 6,
  FileEaInformation: 7,
  FileAccessInformation: 8,
  FileNameInformation: 9,
  FileRenameInformation: 10,
  FileLinkInformation: 11,
  FileNamesInformation: 12,
  FileDispositionInformation: 13,
  FilePositionInformation: 14,
  FileFullEaInformation: 15,
  FileModeInformation: 16,
  FileAlignmentInformation: 17,
  FileAllInformation: 18,
  FileAllocationInformation: 19,
  FileEndOfFileInformation: 20,
  FileAlternateNameInformation: 21,
  FileStreamInformation: 22,
  FilePipeInformation: 23,
  FilePipeLocalInformation: 24,
  FilePipeRemoteInformation: 25,
  FileMailslotQueryInformation: 26,
  FileMailslotSetInformation: 27,
  FileCompressionInformation: 28,
  FileObjectIdInformation: 29,
  FileCompletionInformation: 30,
  FileMoveClusterInformation: 31,
  FileQuotaInformation: 32,
  FileReparsePointInformation: 33,
  FileNetworkOpenInformation: 34,
  FileAttributeTagInformation: 35,
  FileTrackingInformation: 36,
  FileIdBothDirectoryInformation: 37,
  FileIdFullDirectoryInformation: 38,
  FileValidDataLengthInformation: 39,
  FileShortNameInformation: 40,
  FileIoCompletionNotificationInformation: 41,
  FileIoStatusBlockRangeInformation: 42,
  FileIoPriorityHintInformation: 43,
  FileSfioReserveInformation: 44,
  FileSfioVolumeInformation: 45,
  FileHardLinkInformation: 46,
  FileProcessIdsUsingFileInformation: 47,
  FileNormalizedNameInformation: 48,
  FileNetworkPhysicalNameInformation: 49,
  FileIdGlobalTxDirectoryInformation: 50,
  FileIsRemoteDeviceInformation: 51,
  FileUnusedInformation: 52,
  FileNumaNodeInformation: 53,
  FileStandardLinkInformation: 54,
  FileRemoteProtocolInformation: 55,
  FileRenameInformationBypassAccessCheck: 56,
  FileLinkInformationBypassAccessCheck: 57,
  FileVolumeNameInformation: 58,
  FileIdInformation: 59,
  FileIdExtdDirectoryInformation: 60,
  FileReplaceCompletionInformation: 61,
  FileHardLinkFullIdInformation: 62,
  FileIdExtdBothDirectoryInformation: 63,
  FileDispositionInformationEx: 64,
  FileRenameInformationEx: 65,
  FileRenameInformationExBypassAccessCheck: 66,
  FileDesiredStorageClassInformation: 67,
  FileStatInformation: 68,
  FileMemoryPartitionInformation: 69,
  FileStatLxInformation: 70,
  FileCaseSensitiveInformation: 71,
  FileLinkInformationEx: 72,
  FileLinkInformationExBypassAccessCheck: 73,
  FileStorageReserveIdInformation: 74,
  FileCaseSensitiveInformationForceAccessCheck: 75,
  FileKnownFolderInformation: 76,
  FileStatBasicInformation: 77,
  FileId64ExtdDirectoryInformation: 78,
  FileId64ExtdBothDirectoryInformation: 79,
  FileIdAllExtdDirectoryInformation: 80,
  FileIdAllExtdBothDirectoryInformation: 81,
  /** SMB 3.1.1 POSIX extensions (Samba): SMB2_FIND_POSIX_INFORMATION / FILE_POSIX_INFORMATION. */
  FilePosixInformation: 100,
} as const
export type FileInformationClass = (typeof FileInformationClass)[keyof typeof FileInformationClass]
export const fileInformationClassName = valueNamer(FileInformationClass, { keepKeys: true }, 2)

/** MS-FSCC 2.5 file-system information classes. */
export const FsInformationClass = {
  FileFsVolumeInformation: 1,
  FileFsLabelInformation: 2,
  FileFsSizeInformation: 3,
  FileFsDeviceInformation: 4,
  FileFsAttributeInformation: 5,
  FileFsControlInformation: 6,
  FileFsFullSizeInformation: 7,
  FileFsObjectIdInformation: 8,
  FileFsDriverPathInformation: 9,
  FileFsVolumeFlagsInformation: 10,
  FileFsSectorSizeInformation: 11,
} as const
export type FsInformationClass = (typeof FsInformationClass)[keyof typeof FsInformationClass]
export const fsInformationClassName = valueNamer(FsInformationClass, { keepKeys: true }, 2)

/** The class name for any info type (`FileBasicInformation`, `FileFsSizeInformation`, ...). */
export function infoClassName(infoType: number, infoClass: number): string {
  switch (infoType) {
    case InfoType.File: return fileInformationClassName(infoClass)
    case InfoType.Filesystem: return fsInformationClassName(infoClass)
    case InfoType.Security: return 'SecurityDescriptor'
    case InfoType.Quota: return 'FileQuotaInformation'
    default: return `0x${infoType.toString(16).padStart(2, '0')}:0x${infoClass.toString(16).padStart(2, '0')}`
  }
}

/** Flags of the QUERY_INFO request (MS-SMB2 2.2.37), used for quota and EA enumeration. */
export const QueryInfoFlags = {
  RestartScan: 0x01,
  ReturnSingleEntry: 0x02,
  IndexSpecified: 0x04,
} as const
export const queryInfoFlagNames = flagNamer(QueryInfoFlags, { prefix: 'SL_' })
