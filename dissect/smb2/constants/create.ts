/**
 * MS-SMB2 2.2.13 / 2.2.14 — the enumerations and flags of an SMB2 CREATE: impersonation level, share access,
 * create disposition, create options, and the response's create action and flags.
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

/** ImpersonationLevel (MS-SMB2 2.2.13). */
export const ImpersonationLevel = {
  Anonymous: 0,
  Identification: 1,
  Impersonation: 2,
  Delegate: 3,
} as const
export const impersonationLevelName = valueNamer(ImpersonationLevel, { keepKeys: true })

/** ShareAccess (MS-SMB2 2.2.13). */
export const ShareAccess = {
  Read: 0x1,
  Write: 0x2,
  Delete: 0x4,
} as const
export const shareAccessNames = flagNamer(ShareAccess, { prefix: 'FILE_SHARE_' })

/** CreateDisposition (MS-SMB2 2.2.13). */
export const CreateDisposition = {
  Supersede: 0,
  Open: 1,
  Create: 2,
  OpenIf: 3,
  Overwrite: 4,
  OverwriteIf: 5,
} as const
export const createDispositionName = valueNamer(CreateDisposition, { prefix: 'FILE_' })

/** CreateOptions (MS-SMB2 2.2.13). */
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
export const createOptionNames = flagNamer(CreateOptions, { prefix: 'FILE_' })

/** CreateAction in the CREATE response (MS-SMB2 2.2.14). */
export const CreateAction = {
  Superseded: 0,
  Opened: 1,
  Created: 2,
  Overwritten: 3,
} as const
export const createActionName = valueNamer(CreateAction, { prefix: 'FILE_' })

/** Flags in the CREATE response (MS-SMB2 2.2.14, SMB 3.x). */
export const CreateResponseFlags = {
  ReparsePoint: 0x01,
} as const
export const createResponseFlagNames = flagNamer(CreateResponseFlags, { prefix: 'SMB2_CREATE_FLAG_', overrides: { ReparsePoint: 'SMB2_CREATE_FLAG_REPARSEPOINT' } })
