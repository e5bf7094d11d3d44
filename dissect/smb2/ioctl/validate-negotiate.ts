/** MS-SMB2 2.2.31.4 / 2.2.32.6 — VALIDATE_NEGOTIATE_INFO request and response (FSCTL_VALIDATE_NEGOTIATE_INFO). @module */
import { arrayOf, countOf, guid, struct, u16, u32, type Infer, type Input } from '../../wire/index.js'

/** MS-SMB2 2.2.31.4 — what the client negotiated, for the server to confirm. */
export const ValidateNegotiateInfoRequest = struct('ValidateNegotiateInfoRequest', {
  capabilities: u32,
  guid: guid,
  securityMode: u16,
  dialectCount: countOf('dialects', u16),
}, { dialects: arrayOf(u16) })
export type ValidateNegotiateInfoRequest = Infer<typeof ValidateNegotiateInfoRequest>
export type ValidateNegotiateInfoRequestInput = Input<typeof ValidateNegotiateInfoRequest>

/** MS-SMB2 2.2.32.6 — what the server negotiated. */
export const ValidateNegotiateInfoResponse = struct('ValidateNegotiateInfoResponse', {
  capabilities: u32,
  guid: guid,
  securityMode: u16,
  dialect: u16,
})
export type ValidateNegotiateInfoResponse = Infer<typeof ValidateNegotiateInfoResponse>
