/** MS-SMB2 2.2.19 / 2.2.20 — SMB2 READ Request and Response. @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u64, u8, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'
import { Channel } from '../constants/index.js'

/**
 * MS-SMB2 2.2.19 — SMB2 READ Request. The Buffer holds the read channel information (SMB_DIRECT buffer
 * descriptors) when Channel asks for RDMA; otherwise one byte that the client sets to 0 (odd StructureSize).
 */
export const ReadRequest = struct('ReadRequest', {
  structureSize: fixed(u16, 49),
  /** Requested offset of the data in the response, from the header; 0 lets the server choose. */
  padding: u8,
  flags: u8,
  length: u32,
  offset: u64,
  fileId: FileId,
  minimumCount: u32,
  channel: u32,
  remainingBytes: u32,
  readChannelInfoOffset: offsetOf('readChannelInfo', u16),
  readChannelInfoLength: lengthOf('readChannelInfo', u16),
}, { readChannelInfo: bytes })
export type ReadRequest = Infer<typeof ReadRequest>

/** MS-SMB2 2.2.20 — SMB2 READ Response. DataOffset is a single byte (from the header). */
export const ReadResponse = struct('ReadResponse', {
  structureSize: fixed(u16, 17),
  dataOffset: offsetOf('data', u8),
  reserved: reserved(u8),
  dataLength: lengthOf('data', u32),
  dataRemaining: u32,
  /** Reserved2 before 3.1.1; Flags (SMB2_READFLAG_RESPONSE_RDMA_TRANSFORM 0x1) in 3.1.1. */
  flags: u32,
}, { data: bytes })
export type ReadResponse = Infer<typeof ReadResponse>
