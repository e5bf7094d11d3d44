/** MS-SMB2 2.2.35 / 2.2.36 — SMB2 CHANGE_NOTIFY Request and Response (output buffer raw). @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.35 — SMB2 CHANGE_NOTIFY Request. */
export const ChangeNotifyRequest = struct('ChangeNotifyRequest', {
  structureSize: fixed(u16, 32),
  flags: u16,
  outputBufferLength: u32,
  fileId: FileId,
  completionFilter: u32,
  reserved: reserved(u32),
})
export type ChangeNotifyRequest = Infer<typeof ChangeNotifyRequest>

/** MS-SMB2 2.2.36 — SMB2 CHANGE_NOTIFY Response. The buffer holds FILE_NOTIFY_INFORMATION entries (MS-FSCC 2.7.1). */
export const ChangeNotifyResponse = struct('ChangeNotifyResponse', {
  structureSize: fixed(u16, 9),
  outputBufferOffset: offsetOf('outputBuffer', u16),
  outputBufferLength: lengthOf('outputBuffer', u32),
}, { outputBuffer: bytes })
export type ChangeNotifyResponse = Infer<typeof ChangeNotifyResponse>
