/**
 * MS-FSCC 2.4 — file information classes (InfoType FILE) that QUERY_INFO returns and SET_INFO sends.
 * Fixed-size classes are plain structures; the name-carrying ones use a length-prefixed UTF-16 name.
 * Directory entries live in directory.ts, the EA chain in ea.ts, the stream chain here.
 * Signed LARGE_INTEGER fields (sizes, offsets) are i64; identifiers and FILETIMEs are u64 (bigint).
 * @module
 */
import {
  bytesN, filetime, guid, i64, lengthOf, reserved, struct, u16, u32, u64, u8, utf16, type Infer, type Input,
} from '../../wire/index.js'
import { chainCodec, nextEntryOffset } from './chain.js'
import { bigLE, uintLE } from './fields.js'
import { Sid } from '../security/sid.js'

/** MS-FSCC 2.4 — FILE_BASIC_INFORMATION (40 bytes). In SET_INFO a time of 0 means "leave", -1 "stop updating". */
export const FileBasicInformation = struct('FileBasicInformation', {
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  fileAttributes: u32,
  reserved: reserved(u32),
})
export type FileBasicInformation = Infer<typeof FileBasicInformation>

/** MS-FSCC 2.4 — FILE_STANDARD_INFORMATION (24 bytes). */
export const FileStandardInformation = struct('FileStandardInformation', {
  allocationSize: i64,
  endOfFile: i64,
  numberOfLinks: u32,
  deletePending: u8,
  directory: u8,
  reserved: reserved(u16),
})
export type FileStandardInformation = Infer<typeof FileStandardInformation>

/** MS-FSCC 2.4 — FILE_INTERNAL_INFORMATION: the 64-bit file ID. */
export const FileInternalInformation = struct('FileInternalInformation', { indexNumber: u64 })
export type FileInternalInformation = Infer<typeof FileInternalInformation>

/** MS-FSCC 2.4 — FILE_EA_INFORMATION. */
export const FileEaInformation = struct('FileEaInformation', { eaSize: u32 })
export type FileEaInformation = Infer<typeof FileEaInformation>

/** MS-FSCC 2.4 — FILE_ACCESS_INFORMATION: the granted access mask. */
export const FileAccessInformation = struct('FileAccessInformation', { accessFlags: u32 })
export type FileAccessInformation = Infer<typeof FileAccessInformation>

/** MS-FSCC 2.4 — FILE_POSITION_INFORMATION. */
export const FilePositionInformation = struct('FilePositionInformation', { currentByteOffset: i64 })
export type FilePositionInformation = Infer<typeof FilePositionInformation>

/** MS-FSCC 2.4 — FILE_MODE_INFORMATION (FILE_WRITE_THROUGH, ..., see FileMode). */
export const FileModeInformation = struct('FileModeInformation', { mode: u32 })
export type FileModeInformation = Infer<typeof FileModeInformation>

/** MS-FSCC 2.4 — FILE_ALIGNMENT_INFORMATION. */
export const FileAlignmentInformation = struct('FileAlignmentInformation', { alignmentRequirement: u32 })
export type FileAlignmentInformation = Infer<typeof FileAlignmentInformation>

/** MS-FSCC 2.4 — FILE_NAME_INFORMATION (also the layout of FileAlternateNameInformation, FileShortNameInformation and FileNormalizedNameInformation). */
export const FileNameInformation = struct('FileNameInformation', {
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileNameInformation = Infer<typeof FileNameInformation>

/** MS-FSCC 2.4 — FILE_ALL_INFORMATION: the fixed classes in order, then FILE_NAME_INFORMATION. */
export const FileAllInformation = struct('FileAllInformation', {
  basicInformation: FileBasicInformation,
  standardInformation: FileStandardInformation,
  internalInformation: FileInternalInformation,
  eaInformation: FileEaInformation,
  accessInformation: FileAccessInformation,
  positionInformation: FilePositionInformation,
  modeInformation: FileModeInformation,
  alignmentInformation: FileAlignmentInformation,
  nameInformation: FileNameInformation,
})
export type FileAllInformation = Infer<typeof FileAllInformation>

/** MS-FSCC 2.4.37.2 — FILE_RENAME_INFORMATION_TYPE_2 (the SMB2 form, 8-byte RootDirectory; 0 for SMB2). */
export const FileRenameInformation = struct('FileRenameInformation', {
  replaceIfExists: u8,
  reserved: reserved(bigLE(7)),
  rootDirectory: u64,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileRenameInformation = Infer<typeof FileRenameInformation>

/** MS-FSCC 2.4 — FILE_RENAME_INFORMATION_EX, SMB2 form: Flags (RenameFlags) in place of ReplaceIfExists. */
export const FileRenameInformationEx = struct('FileRenameInformationEx', {
  flags: u32,
  reserved: reserved(u32),
  rootDirectory: u64,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileRenameInformationEx = Infer<typeof FileRenameInformationEx>

/** MS-FSCC 2.4 — FILE_LINK_INFORMATION_TYPE_2 (hard link, SMB2 form). */
export const FileLinkInformation = struct('FileLinkInformation', {
  replaceIfExists: u8,
  reserved: reserved(bigLE(7)),
  rootDirectory: u64,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileLinkInformation = Infer<typeof FileLinkInformation>

/** MS-FSCC 2.4 — FILE_LINK_INFORMATION_EX, SMB2 form (Flags: LinkFlags). */
export const FileLinkInformationEx = struct('FileLinkInformationEx', {
  flags: u32,
  reserved: reserved(u32),
  rootDirectory: u64,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileLinkInformationEx = Infer<typeof FileLinkInformationEx>

/** MS-FSCC 2.4 — FILE_DISPOSITION_INFORMATION (one byte: delete on close). */
export const FileDispositionInformation = struct('FileDispositionInformation', { deletePending: u8 })
export type FileDispositionInformation = Infer<typeof FileDispositionInformation>

/** MS-FSCC 2.4 — FILE_DISPOSITION_INFORMATION_EX (DispositionFlags). */
export const FileDispositionInformationEx = struct('FileDispositionInformationEx', { flags: u32 })
export type FileDispositionInformationEx = Infer<typeof FileDispositionInformationEx>

/** MS-FSCC 2.4 — FILE_ALLOCATION_INFORMATION. */
export const FileAllocationInformation = struct('FileAllocationInformation', { allocationSize: i64 })
export type FileAllocationInformation = Infer<typeof FileAllocationInformation>

/** MS-FSCC 2.4 — FILE_END_OF_FILE_INFORMATION. */
export const FileEndOfFileInformation = struct('FileEndOfFileInformation', { endOfFile: i64 })
export type FileEndOfFileInformation = Infer<typeof FileEndOfFileInformation>

/** MS-FSCC 2.4 — FILE_VALID_DATA_LENGTH_INFORMATION. */
export const FileValidDataLengthInformation = struct('FileValidDataLengthInformation', { validDataLength: i64 })
export type FileValidDataLengthInformation = Infer<typeof FileValidDataLengthInformation>

/** MS-FSCC 2.4 — one FILE_STREAM_INFORMATION entry (`::$DATA` and named streams). */
export const FileStreamEntry = struct('FileStreamEntry', {
  nextEntryOffset: nextEntryOffset(),
  streamNameLength: lengthOf('streamName', u32),
  streamSize: i64,
  streamAllocationSize: i64,
}, { streamName: utf16 })
export type FileStreamEntry = Infer<typeof FileStreamEntry>
/** MS-FSCC 2.4 — FileStreamInformation: entries 8-byte aligned. */
export const FileStreamInformation = chainCodec(FileStreamEntry, { align: 8, minEntrySize: 24 })
export type FileStreamInformation = FileStreamEntry[]

/** MS-FSCC 2.4 — FILE_PIPE_INFORMATION (PipeReadMode, PipeCompletionMode). */
export const FilePipeInformation = struct('FilePipeInformation', { readMode: u32, completionMode: u32 })
export type FilePipeInformation = Infer<typeof FilePipeInformation>

/** MS-FSCC 2.4 — FILE_PIPE_LOCAL_INFORMATION (40 bytes). */
export const FilePipeLocalInformation = struct('FilePipeLocalInformation', {
  namedPipeType: u32,
  namedPipeConfiguration: u32,
  maximumInstances: u32,
  currentInstances: u32,
  inboundQuota: u32,
  readDataAvailable: u32,
  outboundQuota: u32,
  writeQuotaAvailable: u32,
  namedPipeState: u32,
  namedPipeEnd: u32,
})
export type FilePipeLocalInformation = Infer<typeof FilePipeLocalInformation>

/** MS-FSCC 2.4 — FILE_PIPE_REMOTE_INFORMATION (12 bytes). */
export const FilePipeRemoteInformation = struct('FilePipeRemoteInformation', {
  collectDataTime: i64,
  maximumCollectionCount: u32,
})
export type FilePipeRemoteInformation = Infer<typeof FilePipeRemoteInformation>

/** MS-FSCC 2.4 — FILE_COMPRESSION_INFORMATION (16 bytes). */
export const FileCompressionInformation = struct('FileCompressionInformation', {
  compressedFileSize: i64,
  compressionFormat: u16,
  compressionUnitShift: u8,
  chunkShift: u8,
  clusterShift: u8,
  reserved: reserved(uintLE(3)),
})
export type FileCompressionInformation = Infer<typeof FileCompressionInformation>

/** MS-FSCC 2.4 — FILE_NETWORK_OPEN_INFORMATION (56 bytes). */
export const FileNetworkOpenInformation = struct('FileNetworkOpenInformation', {
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  allocationSize: i64,
  endOfFile: i64,
  fileAttributes: u32,
  reserved: reserved(u32),
})
export type FileNetworkOpenInformation = Infer<typeof FileNetworkOpenInformation>

/** MS-FSCC 2.4 — FILE_ATTRIBUTE_TAG_INFORMATION. */
export const FileAttributeTagInformation = struct('FileAttributeTagInformation', { fileAttributes: u32, reparseTag: u32 })
export type FileAttributeTagInformation = Infer<typeof FileAttributeTagInformation>

/** MS-FSCC 2.4 — FILE_ID_INFORMATION: volume serial number and the 128-bit file ID (raw bytes). */
export const FileIdInformation = struct('FileIdInformation', { volumeSerialNumber: u64, fileId: bytesN(16) })
export type FileIdInformation = Infer<typeof FileIdInformation>

/** MS-FSCC 2.4 — FILE_OBJECTID_INFORMATION (object ID plus the 48-byte extended information). */
export const FileObjectIdInformation = struct('FileObjectIdInformation', {
  fileReference: u64,
  objectId: guid,
  birthVolumeId: guid,
  birthObjectId: guid,
  domainId: guid,
})
export type FileObjectIdInformation = Infer<typeof FileObjectIdInformation>

/** MS-FSCC 2.4 — FILE_REPARSE_POINT_INFORMATION. */
export const FileReparsePointInformation = struct('FileReparsePointInformation', { fileReferenceNumber: i64, tag: u32 })
export type FileReparsePointInformation = Infer<typeof FileReparsePointInformation>

/** MS-FSCC 2.4 — FILE_STANDARD_LINK_INFORMATION. */
export const FileStandardLinkInformation = struct('FileStandardLinkInformation', {
  numberOfAccessibleLinks: u32,
  totalNumberOfLinks: u32,
  deletePending: u8,
  directory: u8,
  reserved: reserved(u16),
})
export type FileStandardLinkInformation = Infer<typeof FileStandardLinkInformation>

/** MS-FSCC 2.4 — FILE_CASE_SENSITIVE_INFORMATION (FILE_CS_FLAG_CASE_SENSITIVE_DIR = 1). */
export const FileCaseSensitiveInformation = struct('FileCaseSensitiveInformation', { flags: u32 })
export type FileCaseSensitiveInformation = Infer<typeof FileCaseSensitiveInformation>

/** MS-FSCC 2.4 — FILE_STAT_INFORMATION (72 bytes). */
export const FileStatInformation = struct('FileStatInformation', {
  fileId: u64,
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  allocationSize: i64,
  endOfFile: i64,
  fileAttributes: u32,
  reparseTag: u32,
  numberOfLinks: u32,
  effectiveAccess: u32,
})
export type FileStatInformation = Infer<typeof FileStatInformation>

/**
 * SMB 3.1.1 POSIX extensions (Samba's smb3_file_posix_information, info class 100): the basic times and
 * sizes, inode and device, then the POSIX create-context part (links, reparse tag, mode, owner and group
 * SIDs).
 */
export const FilePosixInformation = struct('FilePosixInformation', {
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  inode: u64,
  deviceId: u32,
  reserved: reserved(u32),
  hardLinks: u32,
  reparseTag: u32,
  mode: u32,
  owner: Sid,
  group: Sid,
})
export type FilePosixInformation = Infer<typeof FilePosixInformation>

export type FileBasicInformationInput = Input<typeof FileBasicInformation>
export type FileRenameInformationInput = Input<typeof FileRenameInformation>
