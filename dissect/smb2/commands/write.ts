/** MS-SMB2 2.2.21 / 2.2.22 — SMB2 WRITE Request and Response. @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u64, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/**
 * MS-SMB2 2.2.21 — SMB2 WRITE Request. The data and the write channel information (RDMA descriptors) are
 * both placed by header-relative offsets.
 */
export const WriteRequest = struct('WriteRequest', {
  structureSize: fixed(u16, 49),
  dataOffset: offsetOf('data', u16),
  length: lengthOf('data', u32),
  offset: u64,
  fileId: FileId,
  channel: u32,
  remainingBytes: u32,
  writeChannelInfoOffset: offsetOf('writeChannelInfo', u16, { emptyOffset: 0 }),
  writeChannelInfoLength: lengthOf('writeChannelInfo', u16),
  flags: u32,
}, { data: bytes, writeChannelInfo: bytes })
export type WriteRequest = Infer<typeof WriteRequest>

/** MS-SMB2 2.2.22 — SMB2 WRITE Response. WriteChannelInfoOffset/Length are reserved and kept as read. */
export const WriteResponse = struct('WriteResponse', {
  structureSize: fixed(u16, 17),
  reserved: reserved(u16),
  count: u32,
  remaining: u32,
  writeChannelInfoOffset: reserved(u16),
  writeChannelInfoLength: reserved(u16),
})
export type WriteResponse = Infer<typeof WriteResponse>
