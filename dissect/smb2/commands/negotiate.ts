/**
 * MS-SMB2 2.2.3 / 2.2.4 — SMB2 NEGOTIATE Request and Response.
 *
 * Request: the dialects follow the 36-byte fixed part inline (DialectCount of them). Its last 8 bytes are
 * NegotiateContextOffset (4), NegotiateContextCount (2), Reserved2 (2) when the dialect list holds 0x0311,
 * and ClientStartTime (8) otherwise; they are always decoded as the three fields (the wire numbers are kept
 * either way, so re-encoding is exact), and the context list is read only when 0x0311 is offered.
 *
 * Response: NegotiateContextOffset/Count are meaningful only when DialectRevision is 0x0311 (Reserved and
 * Reserved2 otherwise); the security buffer comes first and the contexts 8-aligned after it.
 * @module
 */
import { arrayOf, bytes, countOf, filetime, fixed, guid, lengthOf, offsetOf, opt, reserved, struct, u16, u32, type Infer } from '../../wire/index.js'
import { NegotiateContextList } from '../negotiate-contexts/registry.js'

const SMB311 = 0x0311

/** MS-SMB2 2.2.3 — SMB2 NEGOTIATE Request. */
export const NegotiateRequest = struct('NegotiateRequest', {
  structureSize: fixed(u16, 36),
  dialectCount: countOf('dialects', u16),
  securityMode: u16,
  reserved: reserved(u16),
  capabilities: u32,
  clientGuid: guid,
  /** ClientStartTime (low 4 bytes) when 0x0311 is not offered. */
  negotiateContextOffset: offsetOf('negotiateContextList', u32),
  /** Part of ClientStartTime when 0x0311 is not offered. */
  negotiateContextCount: countOf('negotiateContextList', u16),
  /** Part of ClientStartTime when 0x0311 is not offered. */
  reserved2: reserved(u16),
}, {
  dialects: arrayOf(u16),
  // MS-SMB2 2.2.3: the NegotiateContextList exists only when Dialects contains 0x0311.
  negotiateContextList: opt(NegotiateContextList, { when: (f) => (f['dialects'] as number[] | undefined)?.includes(SMB311) === true }),
})
export type NegotiateRequest = Infer<typeof NegotiateRequest>

/** ClientStartTime (MS-SMB2 2.2.3, dialects before 3.1.1) from the three fields it shares its bytes with. */
export function clientStartTime(r: Pick<NegotiateRequest, 'negotiateContextOffset' | 'negotiateContextCount' | 'reserved2'>): bigint {
  return BigInt(r.negotiateContextOffset) | (BigInt(r.negotiateContextCount) << 32n) | (BigInt(r.reserved2) << 48n)
}

/** MS-SMB2 2.2.4 — SMB2 NEGOTIATE Response. */
export const NegotiateResponse = struct('NegotiateResponse', {
  structureSize: fixed(u16, 65),
  securityMode: u16,
  dialectRevision: u16,
  /** Reserved unless DialectRevision is 0x0311. */
  negotiateContextCount: countOf('negotiateContextList', u16),
  serverGuid: guid,
  capabilities: u32,
  maxTransactSize: u32,
  maxReadSize: u32,
  maxWriteSize: u32,
  systemTime: filetime,
  serverStartTime: filetime,
  securityBufferOffset: offsetOf('securityBuffer', u16),
  securityBufferLength: lengthOf('securityBuffer', u16),
  /** Reserved2 unless DialectRevision is 0x0311. */
  negotiateContextOffset: offsetOf('negotiateContextList', u32),
}, {
  securityBuffer: bytes,
  // MS-SMB2 2.2.4: the NegotiateContextList exists only when DialectRevision is 0x0311.
  negotiateContextList: opt(NegotiateContextList, { when: (f) => f['dialectRevision'] === SMB311 }),
})
export type NegotiateResponse = Infer<typeof NegotiateResponse>
