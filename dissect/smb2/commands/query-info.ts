/** MS-SMB2 2.2.37 / 2.2.38 — SMB2 QUERY_INFO Request and Response (buffers raw). @module */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u8, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.37 — InfoType. */
export const InfoType = {
  File: 0x01,
  Filesystem: 0x02,
  Security: 0x03,
  Quota: 0x04,
} as const

export const infoTypeName = (t: number): string =>
  (['', 'SMB2_0_INFO_FILE', 'SMB2_0_INFO_FILESYSTEM', 'SMB2_0_INFO_SECURITY', 'SMB2_0_INFO_QUOTA'][t] || undefined) ??
  `0x${t.toString(16).padStart(2, '0')}`

/** MS-SMB2 2.2.37 — QUERY_INFO Flags (for FileFullEaInformation). */
export const QueryInfoFlags = {
  RestartScan: 0x0000_0001,
  ReturnSingleEntry: 0x0000_0002,
  IndexSpecified: 0x0000_0004,
} as const

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
