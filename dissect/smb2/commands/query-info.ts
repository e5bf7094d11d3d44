/** MS-SMB2 2.2.37 / 2.2.38 — SMB2 QUERY_INFO Request and Response (buffers raw). @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u8, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.37 — SMB2 QUERY_INFO Request. Offset and length of the input buffer are not adjacent on the wire. */
export const QueryInfoRequest = struct('QueryInfoRequest', {
  structureSize: fixed(u16, 41),
  infoType: u8,
  fileInfoClass: u8,
  outputBufferLength: u32,
  inputBufferOffset: offsetOf('inputBuffer', u16),
  reserved: reserved(u16),
  inputBufferLength: lengthOf('inputBuffer', u32),
  additionalInformation: u32,
  flags: u32,
  fileId: FileId,
}, { inputBuffer: bytes })
export type QueryInfoRequest = Infer<typeof QueryInfoRequest>

/** MS-SMB2 2.2.38 — SMB2 QUERY_INFO Response. */
export const QueryInfoResponse = struct('QueryInfoResponse', {
  structureSize: fixed(u16, 9),
  outputBufferOffset: offsetOf('outputBuffer', u16),
  outputBufferLength: lengthOf('outputBuffer', u32),
}, { outputBuffer: bytes })
export type QueryInfoResponse = Infer<typeof QueryInfoResponse>
