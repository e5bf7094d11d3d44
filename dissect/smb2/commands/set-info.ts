/** MS-SMB2 2.2.39 / 2.2.40 — SMB2 SET_INFO Request and Response (buffer raw). @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u8, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.39 — SMB2 SET_INFO Request. */
export const SetInfoRequest = struct('SetInfoRequest', {
  structureSize: fixed(u16, 33),
  infoType: u8,
  fileInfoClass: u8,
  bufferLength: lengthOf('buffer', u32),
  bufferOffset: offsetOf('buffer', u16),
  reserved: reserved(u16),
  additionalInformation: u32,
  fileId: FileId,
}, { buffer: bytes })
export type SetInfoRequest = Infer<typeof SetInfoRequest>

/** MS-SMB2 2.2.40 — SMB2 SET_INFO Response. */
export const SetInfoResponse = struct('SetInfoResponse', {
  structureSize: fixed(u16, 2),
})
export type SetInfoResponse = Infer<typeof SetInfoResponse>
