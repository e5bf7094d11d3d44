/**
 * The MS-SMB2 / MS-FSCC / MS-DTYP constants the file-system layer speaks: access masks, share access,
 * create dispositions, options and actions, file attributes, change-notify filters and actions.
 *
 * They are protocol values, not byte layouts, and the SMB handlers pass them through unchanged. If the shared
 * codec (dissect/smb2/constants) grows the same tables, these should become re-exports of those.
 * @module
 */

/** MS-SMB2 2.2.13.1.1 File_Pipe_Printer_Access_Mask (and 2.2.13.1.2 Directory_Access_Mask aliases). */
export const Access = {
  FileReadData: 0x0000_0001, // FILE_LIST_DIRECTORY on directories
  FileWriteData: 0x0000_0002, // FILE_ADD_FILE
  FileAppendData: 0x0000_0004, // FILE_ADD_SUBDIRECTORY
  FileReadEa: 0x0000_0008,
  FileWriteEa: 0x0000_0010,
  FileExecute: 0x0000_0020, // FILE_TRAVERSE
  FileDeleteChild: 0x0000_0040,
  FileReadAttributes: 0x0000_0080,
  FileWriteAttributes: 0x0000_0100,
  Delete: 0x0001_0000,
  ReadControl: 0x0002_0000,
  WriteDac: 0x0004_0000,
  WriteOwner: 0x0008_0000,
  Synchronize: 0x0010_0000,
  AccessSystemSecurity: 0x0100_0000,
  MaximumAllowed: 0x0200_0000,
  GenericAll: 0x1000_0000,
  GenericExecute: 0x2000_0000,
  GenericWrite: 0x4000_0000,
  GenericRead: 0x8000_0000,
} as const

/** MS-DTYP 2.4.3 / MS-SMB2 2.2.13.1: FILE_ALL_ACCESS and the generic mappings for files. */
export const FILE_ALL_ACCESS = 0x001f_01ff
export const FILE_GENERIC_READ = 0x0012_0089
export const FILE_GENERIC_WRITE = 0x0012_0116
export const FILE_GENERIC_EXECUTE = 0x0012_00a0
/** MS-FSA 2.1.5.1 phase 1: DesiredAccess bits that MUST fail the open with STATUS_ACCESS_DENIED. */
export const ACCESS_INVALID_BITS = 0x0ce0_fe00
/** Rights that take part in share-mode checks (MS-FSA 2.1.5.1.2.2). */
export const DATA_ACCESS = Access.FileReadData | Access.FileWriteData | Access.FileAppendData | Access.FileExecute | Access.Delete
/** Rights that modify the file (cleared by a read-only attribute or volume, MS-FSA 2.1.5.1.2.1). */
export const WRITE_ACCESS = Access.FileWriteData | Access.FileAppendData | Access.FileWriteEa | Access.FileWriteAttributes

/** MS-SMB2 2.2.13 ShareAccess. */
export const ShareAccess = {
  Read: 0x1,
  Write: 0x2,
  Delete: 0x4,
  All: 0x7,
} as const

/** MS-SMB2 2.2.13 CreateDisposition. */
export const Disposition = {
  Supersede: 0,
  Open: 1,
  Create: 2,
  OpenIf: 3,
  Overwrite: 4,
  OverwriteIf: 5,
} as const
export type Disposition = (typeof Disposition)[keyof typeof Disposition]

/** MS-SMB2 2.2.13 CreateOptions. */
export const CreateOptions = {
  DirectoryFile: 0x0000_0001,
  WriteThrough: 0x0000_0002,
  SequentialOnly: 0x0000_0004,
  NoIntermediateBuffering: 0x0000_0008,
  SynchronousIoAlert: 0x0000_0010,
  SynchronousIoNonalert: 0x0000_0020,
  NonDirectoryFile: 0x0000_0040,
  CompleteIfOplocked: 0x0000_0100,
  NoEaKnowledge: 0x0000_0200,
  OpenRemoteInstance: 0x0000_0400,
  RandomAccess: 0x0000_0800,
  DeleteOnClose: 0x0000_1000,
  OpenByFileId: 0x0000_2000,
  OpenForBackupIntent: 0x0000_4000,
  NoCompression: 0x0000_8000,
  OpenRequiringOplock: 0x0001_0000,
  DisallowExclusive: 0x0002_0000,
  ReserveOpfilter: 0x0010_0000,
  OpenReparsePoint: 0x0020_0000,
  OpenNoRecall: 0x0040_0000,
  OpenForFreeSpaceQuery: 0x0080_0000,
} as const
/** The options MS-SMB2 2.2.13 defines; any other bit fails the open with STATUS_INVALID_PARAMETER. */
export const CREATE_OPTIONS_VALID = 0x00ff_ffff
/** Options kept in Open.Mode (MS-FSA 2.1.5.1 phase 3; FileModeInformation, MS-FSCC 2.4.31). */
export const MODE_OPTIONS =
  CreateOptions.WriteThrough |
  CreateOptions.SequentialOnly |
  CreateOptions.NoIntermediateBuffering |
  CreateOptions.SynchronousIoAlert |
  CreateOptions.SynchronousIoNonalert |
  CreateOptions.DeleteOnClose

/** MS-SMB2 2.2.14 CreateAction. */
export const CreateAction = {
  Superseded: 0,
  Opened: 1,
  Created: 2,
  Overwritten: 3,
} as const
export type CreateAction = (typeof CreateAction)[keyof typeof CreateAction]

/** MS-FSCC 2.6 File Attributes. */
export const FileAttribute = {
  ReadOnly: 0x0000_0001,
  Hidden: 0x0000_0002,
  System: 0x0000_0004,
  Directory: 0x0000_0010,
  Archive: 0x0000_0020,
  Normal: 0x0000_0080,
  Temporary: 0x0000_0100,
  SparseFile: 0x0000_0200,
  ReparsePoint: 0x0000_0400,
  Compressed: 0x0000_0800,
  Offline: 0x0000_1000,
  NotContentIndexed: 0x0000_2000,
  Encrypted: 0x0000_4000,
  IntegrityStream: 0x0000_8000,
  NoScrubData: 0x0002_0000,
} as const
/** FILE_ATTRIBUTE_VALID_FLAGS: any other bit in a create request is STATUS_INVALID_PARAMETER. */
export const FILE_ATTRIBUTE_VALID_FLAGS = 0x0000_7fb7
/** Attributes a client may set through FileBasicInformation or a create (the rest are derived or managed here). */
export const FILE_ATTRIBUTE_SETTABLE =
  FileAttribute.ReadOnly |
  FileAttribute.Hidden |
  FileAttribute.System |
  FileAttribute.Archive |
  FileAttribute.Temporary |
  FileAttribute.Offline |
  FileAttribute.NotContentIndexed

/** MS-FSCC 2.4.42 FILE_NOTIFY_INFORMATION Action values. */
export const NotifyAction = {
  Added: 0x1,
  Removed: 0x2,
  Modified: 0x3,
  RenamedOldName: 0x4,
  RenamedNewName: 0x5,
  AddedStream: 0x6,
  RemovedStream: 0x7,
  ModifiedStream: 0x8,
} as const
export type NotifyAction = (typeof NotifyAction)[keyof typeof NotifyAction]

/** MS-SMB2 2.2.35 CompletionFilter. */
export const NotifyFilter = {
  FileName: 0x0000_0001,
  DirName: 0x0000_0002,
  Attributes: 0x0000_0004,
  Size: 0x0000_0008,
  LastWrite: 0x0000_0010,
  LastAccess: 0x0000_0020,
  Creation: 0x0000_0040,
  Ea: 0x0000_0080,
  Security: 0x0000_0100,
  StreamName: 0x0000_0200,
  StreamSize: 0x0000_0400,
  StreamWrite: 0x0000_0800,
} as const
export const NOTIFY_FILTER_VALID = 0x0000_0fff

/** MS-FSCC 2.4.11 FILE_DISPOSITION_INFORMATION_EX flags. */
export const DispositionFlags = {
  DoNotDelete: 0x0000_0000,
  Delete: 0x0000_0001,
  PosixSemantics: 0x0000_0002,
  ForceImageSectionCheck: 0x0000_0004,
  OnClose: 0x0000_0008,
  IgnoreReadOnlyAttribute: 0x0000_0010,
} as const

/** MS-FSCC 2.5.10 FileSystemAttributes reported by FileFsAttributeInformation. */
export const FsAttribute = {
  CaseSensitiveSearch: 0x0000_0001,
  CasePreservedNames: 0x0000_0002,
  UnicodeOnDisk: 0x0000_0004,
  PersistentAcls: 0x0000_0008,
  FileCompression: 0x0000_0010,
  VolumeQuotas: 0x0000_0020,
  SupportsSparseFiles: 0x0000_0040,
  SupportsReparsePoints: 0x0000_0080,
  SupportsPosixUnlinkRename: 0x0000_0400,
  SupportsObjectIds: 0x0001_0000,
  SupportsEncryption: 0x0002_0000,
  NamedStreams: 0x0004_0000,
  ReadOnlyVolume: 0x0008_0000,
  SupportsHardLinks: 0x0040_0000,
} as const

/** MS-FSCC 2.4.31 FileModeInformation: the bits a client may set. */
export const FILE_MODE_SETTABLE =
  CreateOptions.WriteThrough | CreateOptions.SequentialOnly | CreateOptions.SynchronousIoAlert | CreateOptions.SynchronousIoNonalert

/** MS-FSA 2.1.5.3: a write ByteOffset meaning "append at end of file" (FILE_WRITE_TO_END_OF_FILE). */
export const WRITE_TO_END_OF_FILE = 0xffff_ffff_ffff_ffffn
/** MS-FSA 2.1.5.3: a ByteOffset meaning "use the current file position" (FILE_USE_FILE_POINTER_POSITION). */
export const USE_FILE_POINTER_POSITION = 0xffff_ffff_ffff_fffen

/** Maps GENERIC_* bits to the specific file rights (MS-SMB2 2.2.13.1.1, MS-DTYP 2.4.3). */
export function mapGenericAccess(mask: number): number {
  let m = mask >>> 0
  if (m & Access.GenericRead) m |= FILE_GENERIC_READ
  if (m & Access.GenericWrite) m |= FILE_GENERIC_WRITE
  if (m & Access.GenericExecute) m |= FILE_GENERIC_EXECUTE
  if (m & Access.GenericAll) m |= FILE_ALL_ACCESS
  return (m & ~(Access.GenericRead | Access.GenericWrite | Access.GenericExecute | Access.GenericAll)) >>> 0
}
