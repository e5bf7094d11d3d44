/** MS-SMB2 2.2.13 / 2.2.14 — SMB2 CREATE Request and Response, with their create context chains. @module */
import { filetime, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u64, u8, utf16, type Infer, type Input } from '../../wire/index.js'
import { CreateContextChain } from '../create-contexts/chain.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.13 — RequestedOplockLevel / 2.2.14 OplockLevel. */
export const OplockLevel = {
  None: 0x00,
  LevelII: 0x01,
  Exclusive: 0x08,
  Batch: 0x09,
  Lease: 0xff,
} as const

export function oplockLevelName(l: number): string {
  switch (l) {
    case 0x00: return 'SMB2_OPLOCK_LEVEL_NONE'
    case 0x01: return 'SMB2_OPLOCK_LEVEL_II'
    case 0x08: return 'SMB2_OPLOCK_LEVEL_EXCLUSIVE'
    case 0x09: return 'SMB2_OPLOCK_LEVEL_BATCH'
    case 0xff: return 'SMB2_OPLOCK_LEVEL_LEASE'
    default: return `0x${l.toString(16).padStart(2, '0')}`
  }
}

/** MS-SMB2 2.2.13 — ImpersonationLevel. */
export const ImpersonationLevel = {
  Anonymous: 0,
  Identification: 1,
  Impersonation: 2,
  Delegate: 3,
} as const

/** MS-SMB2 2.2.13 — CreateDisposition. */
export const CreateDisposition = {
  Supersede: 0,
  Open: 1,
  Create: 2,
  OpenIf: 3,
  Overwrite: 4,
  OverwriteIf: 5,
} as const

/** MS-SMB2 2.2.13 — CreateOptions bits. */
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
  RandomAccess: 0x0000_0800,
  DeleteOnClose: 0x0000_1000,
  OpenByFileId: 0x0000_2000,
  OpenForBackupIntent: 0x0000_4000,
  NoCompression: 0x0000_8000,
  OpenRemoteInstance: 0x0000_0400,
  OpenRequiringOplock: 0x0001_0000,
  DisallowExclusive: 0x0002_0000,
  ReserveOpfilter: 0x0010_0000,
  OpenReparsePoint: 0x0020_0000,
  OpenNoRecall: 0x0040_0000,
  OpenForFreeSpaceQuery: 0x0080_0000,
} as const

/** MS-SMB2 2.2.13 — ShareAccess bits. */
export const ShareAccess = {
  Read: 0x01,
  Write: 0x02,
  Delete: 0x04,
} as const

/** MS-SMB2 2.2.13 — SMB2 CREATE Request. The name is UTF-16, relative to the share, without a leading backslash. */
export const CreateRequest = struct('CreateRequest', {
  structureSize: fixed(u16, 57),
  securityFlags: u8,
  requestedOplockLevel: u8,
  impersonationLevel: u32,
  smbCreateFlags: u64,
  reserved: reserved(u64),
  desiredAccess: u32,
  fileAttributes: u32,
  shareAccess: u32,
  createDisposition: u32,
  createOptions: u32,
  nameOffset: offsetOf('name', u16),
  nameLength: lengthOf('name', u16),
  createContextsOffset: offsetOf('createContexts', u32),
  createContextsLength: lengthOf('createContexts', u32),
}, { name: utf16, createContexts: CreateContextChain })
export type CreateRequest = Infer<typeof CreateRequest>
export type CreateRequestInput = Input<typeof CreateRequest>

/** MS-SMB2 2.2.14 — CreateAction. */
export const CreateAction = {
  Superseded: 0,
  Opened: 1,
  Created: 2,
  Overwritten: 3,
} as const

/** MS-SMB2 2.2.14 — response Flags. */
export const CreateResponseFlags = {
  /** SMB2_CREATE_FLAG_REPARSEPOINT (3.x). */
  ReparsePoint: 0x01,
} as const

/** MS-SMB2 2.2.14 — SMB2 CREATE Response. */
export const CreateResponse = struct('CreateResponse', {
  structureSize: fixed(u16, 89),
  oplockLevel: u8,
  flags: u8,
  createAction: u32,
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  allocationSize: u64,
  endOfFile: u64,
  fileAttributes: u32,
  reserved2: reserved(u32),
  fileId: FileId,
  createContextsOffset: offsetOf('createContexts', u32),
  createContextsLength: lengthOf('createContexts', u32),
}, { createContexts: CreateContextChain })
export type CreateResponse = Infer<typeof CreateResponse>
export type CreateResponseInput = Input<typeof CreateResponse>
