/**
 * Durable handle create contexts: DHnQ / DHnC (MS-SMB2 2.2.13.2.3, 2.2.13.2.4, 2.2.14.2.3) and their v2
 * forms DH2Q / DH2C (2.2.13.2.11, 2.2.13.2.12, 2.2.14.2.12).
 * @module
 */
import { bytesN, guid, reserved, struct, u32, u64, type Infer } from '../../wire/index.js'
import { FileId } from '../commands/file-id.js'

/** MS-SMB2 2.2.13.2.3 — SMB2_CREATE_DURABLE_HANDLE_REQUEST ("DHnQ", 16 reserved bytes). */
export const DurableHandleRequest = struct('DurableHandleRequest', {
  durableRequest: bytesN(16),
})
export type DurableHandleRequest = Infer<typeof DurableHandleRequest>

/** MS-SMB2 2.2.14.2.3 — SMB2_CREATE_DURABLE_HANDLE_RESPONSE ("DHnQ", 8 reserved bytes). */
export const DurableHandleResponse = struct('DurableHandleResponse', {
  reserved: reserved(u64),
})
export type DurableHandleResponse = Infer<typeof DurableHandleResponse>

/** MS-SMB2 2.2.13.2.4 — SMB2_CREATE_DURABLE_HANDLE_RECONNECT ("DHnC"): the FileId of the durable open. */
export const DurableHandleReconnect = struct('DurableHandleReconnect', {
  data: FileId,
})
export type DurableHandleReconnect = Infer<typeof DurableHandleReconnect>

/** MS-SMB2 2.2.13.2.11 — DH2Q Flags. */
export const DurableHandleFlags = {
  /** SMB2_DHANDLE_FLAG_PERSISTENT. */
  Persistent: 0x0000_0002,
} as const

/** MS-SMB2 2.2.13.2.11 — SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2 ("DH2Q", 32 bytes). */
export const DurableHandleRequestV2 = struct('DurableHandleRequestV2', {
  /** Milliseconds; 0 lets the server choose. */
  timeout: u32,
  flags: u32,
  reserved: reserved(u64),
  createGuid: guid,
})
export type DurableHandleRequestV2 = Infer<typeof DurableHandleRequestV2>

/** MS-SMB2 2.2.14.2.12 — SMB2_CREATE_DURABLE_HANDLE_RESPONSE_V2 ("DH2Q", 8 bytes). */
export const DurableHandleResponseV2 = struct('DurableHandleResponseV2', {
  timeout: u32,
  flags: u32,
})
export type DurableHandleResponseV2 = Infer<typeof DurableHandleResponseV2>

/** MS-SMB2 2.2.13.2.12 — SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2 ("DH2C", 36 bytes). */
export const DurableHandleReconnectV2 = struct('DurableHandleReconnectV2', {
  fileId: FileId,
  createGuid: guid,
  flags: u32,
})
export type DurableHandleReconnectV2 = Infer<typeof DurableHandleReconnectV2>
