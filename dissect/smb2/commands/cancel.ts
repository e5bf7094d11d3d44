/**
 * MS-SMB2 2.2.30 — SMB2 CANCEL Request. CANCEL has no response of its own: the server answers the cancelled
 * request (usually STATUS_CANCELLED in an ERROR body), so the response codec here only serves a malformed
 * or unusual peer that answers CANCEL itself; it has the request's layout.
 * @module
 */
import { fixed, reserved, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.30 — SMB2 CANCEL Request. */
export const CancelRequest = struct('CancelRequest', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type CancelRequest = Infer<typeof CancelRequest>

/** No such message in MS-SMB2 (3.3.5.16: no response is sent for CANCEL); same 4-byte layout as the request. */
export const CancelResponse = struct('CancelResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type CancelResponse = Infer<typeof CancelResponse>
