/** MS-SMB2 2.2.13 / 2.2.14 — SMB2 CREATE Request and Response, with their create context chains. @module */
import { filetime, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u64, u8, utf16, type Infer, type Input } from '../../wire/index.js'
import { CreateContextChain } from '../create-contexts/chain.js'
import { FileId } from './file-id.js'

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
