/**
 * NTLM cryptography (MS-NLMP 3.3, 3.4, 6): the one-way functions, the NTLMv2 response and its check, the
 * session key chain (SessionBaseKey → KeyExchangeKey → ExportedSessionKey), the AUTHENTICATE MIC, and the
 * NTLM signature (MAC) with extended session security, which SPNEGO's mechListMIC uses.
 *
 * Only NTLMv2 is computed or accepted. NTLMv1 and LM responses are recognised (`classifyResponses`) so that
 * a server can refuse them and a dissector can say what it saw.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { md4 } from './md4.js'
import { Rc4, rc4 } from './rc4.js'
import { NegotiateFlags } from './ntlmssp/constants.js'
import { MIC_OFFSET } from './ntlmssp/messages.js'

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key)
  for (const p of parts) h.update(p)
  return h.digest()
}

function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** MS-NLMP 3.3.1 — NTOWFv1: MD4(UNICODE(Passwd)), the "NT hash" a user database keeps. */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'))
}

/**
 * MS-NLMP 3.3.2 — NTOWFv2(Passwd, User, UserDom) = HMAC_MD5(MD4(UNICODE(Passwd)),
 * UNICODE(ConcatenationOf(Uppercase(User), UserDom))). Takes the NT hash, so a server needs no password.
 */
export function ntowfv2(ntHashValue: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(ntHashValue, Buffer.from(user.toUpperCase() + domain, 'utf16le'))
}

/** MS-NLMP 3.3.2 — LMOWFv2 is the same function as NTOWFv2. */
export const lmowfv2 = ntowfv2

export interface Ntlmv2Computation {
  /** NTProofStr || temp: the NTLMv2_RESPONSE the AUTHENTICATE carries. */
  ntChallengeResponse: Buffer
  /** LMv2_RESPONSE, or Z(24) when the server sent MsvAvTimestamp (MS-NLMP 3.1.5.1.2). */
  lmChallengeResponse: Buffer
  ntProofStr: Buffer
  sessionBaseKey: Buffer
}

/**
 * MS-NLMP 3.3.2 ComputeResponse (client side). `serverName` is the AV_PAIR list the client puts in its
 * NTLMv2_CLIENT_CHALLENGE, MsvAvEOL included (usually the server's target info plus MsvAvFlags, target name
 * and channel bindings).
 */
export function computeNtlmv2Response(p: {
  responseKeyNT: Uint8Array
  serverChallenge: Uint8Array
  clientChallenge: Uint8Array
  /** FILETIME. */
  timestamp: bigint
  serverName: Uint8Array
  /** Send Z(24) as LmChallengeResponse (when the CHALLENGE had MsvAvTimestamp). */
  omitLmResponse?: boolean
}): Ntlmv2Computation {
  const time = Buffer.alloc(8)
  time.writeBigUInt64LE(p.timestamp)
  // temp = Responserversion || HiResponserversion || Z(6) || Time || ClientChallenge || Z(4) || ServerName || Z(4)
  const temp = Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(6), time, p.clientChallenge, Buffer.alloc(4), p.serverName, Buffer.alloc(4)])
  const ntProofStr = hmacMd5(p.responseKeyNT, p.serverChallenge, temp)
  const lmChallengeResponse = p.omitLmResponse
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(p.responseKeyNT, p.serverChallenge, p.clientChallenge), p.clientChallenge])
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse,
    ntProofStr,
    sessionBaseKey: hmacMd5(p.responseKeyNT, ntProofStr),
  }
}

/** What kind of challenge responses an AUTHENTICATE_MESSAGE carries. */
export type ResponseKind = 'anonymous' | 'ntlmv2' | 'ntlmv1' | 'lm' | 'invalid'

/** Smallest NTLMv2_RESPONSE: NTProofStr (16) and the fixed part of NTLMv2_CLIENT_CHALLENGE (28). */
export const MIN_NTLMV2_RESPONSE = 16 + 28

/**
 * MS-NLMP 3.2.5.1.2, 3.3 — classifies the responses. Anonymous: empty NtChallengeResponse and an empty or
 * Z(1) LmChallengeResponse. NTLMv1 (and NTLM2 session response): a 24-byte NtChallengeResponse. LM only: no
 * NT response and a 24-byte LM one. NTLMv2: a longer NT response starting with RespType 1, HiRespType 1.
 */
export function classifyResponses(ntChallengeResponse: Buffer, lmChallengeResponse: Buffer): { kind: ResponseKind; reason?: string } {
  const nt = ntChallengeResponse
  const lm = lmChallengeResponse
  if (nt.length === 0) {
    if (lm.length === 0 || (lm.length === 1 && lm[0] === 0)) return { kind: 'anonymous' }
    if (lm.length === 24) return { kind: 'lm', reason: 'LM response only (no NT response)' }
    return { kind: 'invalid', reason: `no NT response and a ${lm.length}-byte LM response` }
  }
  if (nt.length === 24) return { kind: 'ntlmv1', reason: 'NTLMv1 response (24 bytes)' }
  if (nt.length < MIN_NTLMV2_RESPONSE) return { kind: 'invalid', reason: `NT response of ${nt.length} bytes is neither NTLMv1 nor NTLMv2` }
  if (nt[16] !== 1 || nt[17] !== 1) {
    return { kind: 'invalid', reason: `NTLMv2 client challenge with RespType ${nt[16]} and HiRespType ${nt[17]} (must be 1, 1)` }
  }
  return { kind: 'ntlmv2' }
}

export type Ntlmv2Verification =
  | { ok: true; sessionBaseKey: Buffer; ntProofStr: Buffer; responseKeyNT: Buffer; domainUsed: string }
  | { ok: false; reason: string }

/**
 * MS-NLMP 3.3.2 (server side): recomputes NTProofStr from the user's NT hash and the client's
 * NTLMv2_CLIENT_CHALLENGE and compares. Like Samba, it tries the domain as sent, then upper-cased, then
 * empty (clients differ in which UserDom they hash). Returns the SessionBaseKey on success.
 */
export function verifyNtlmv2Response(p: {
  ntHash: Uint8Array
  user: string
  domain: string
  serverChallenge: Uint8Array
  ntChallengeResponse: Buffer
}): Ntlmv2Verification {
  const nt = p.ntChallengeResponse
  if (nt.length < MIN_NTLMV2_RESPONSE) return { ok: false, reason: `NT response of ${nt.length} bytes is too short for NTLMv2` }
  const proof = nt.subarray(0, 16)
  const temp = nt.subarray(16)
  const domains = [...new Set([p.domain, p.domain.toUpperCase(), ''])]
  for (const domain of domains) {
    const responseKeyNT = ntowfv2(p.ntHash, p.user, domain)
    const expected = hmacMd5(responseKeyNT, p.serverChallenge, temp)
    if (timingSafeEqual(expected, proof)) {
      return { ok: true, sessionBaseKey: hmacMd5(responseKeyNT, proof), ntProofStr: Buffer.from(proof), responseKeyNT, domainUsed: domain }
    }
  }
  return { ok: false, reason: 'NTProofStr does not match: wrong password (or user/domain)' }
}

/**
 * The SessionBaseKey of an anonymous AUTHENTICATE (no responses): zero. With key exchange the exported key
 * is then RC4(Z(16), EncryptedRandomSessionKey); Windows signs both mechListMICs and the MIC of an anonymous
 * logon with it (Wireshark wiki dcerpc-witness capture, frames 35-40).
 */
export function anonymousSessionBaseKey(): Buffer {
  return Buffer.alloc(16)
}

/** MS-NLMP 3.4.5.1 — KXKEY for NTLMv2 is the SessionBaseKey itself. */
export function keyExchangeKeyV2(sessionBaseKey: Buffer): Buffer {
  return sessionBaseKey
}

/**
 * MS-NLMP 3.2.5.1.2 — ExportedSessionKey: RC4(KeyExchangeKey, EncryptedRandomSessionKey) when
 * NTLMSSP_NEGOTIATE_KEY_EXCH is set, else the KeyExchangeKey. Undefined when key exchange was negotiated
 * but the encrypted key is not 16 bytes.
 */
export function exportedSessionKey(negotiateFlags: number, keyExchangeKey: Buffer, encryptedRandomSessionKey: Buffer): Buffer | undefined {
  if (!(negotiateFlags & NegotiateFlags.KeyExch)) return keyExchangeKey
  if (encryptedRandomSessionKey.length !== 16) return undefined
  return rc4(keyExchangeKey, encryptedRandomSessionKey)
}

/** MS-NLMP 3.1.5.1.2 — EncryptedRandomSessionKey = RC4(KeyExchangeKey, ExportedSessionKey). */
export function encryptRandomSessionKey(keyExchangeKey: Buffer, exported: Buffer): Buffer {
  return rc4(keyExchangeKey, exported)
}

/** A copy of an AUTHENTICATE_MESSAGE with its MIC field zeroed (what the MIC is computed over). */
export function zeroMic(authenticate: Buffer): Buffer {
  const copy = Buffer.from(authenticate)
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + 16)
  return copy
}

/**
 * MS-NLMP 3.1.5.1.2 — MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE), the
 * AUTHENTICATE with its MIC field zeroed.
 */
export function computeMic(exported: Buffer, negotiate: Buffer, challenge: Buffer, authenticate: Buffer): Buffer {
  return hmacMd5(exported, negotiate, challenge, zeroMic(authenticate))
}

/** True when the AUTHENTICATE's MIC (bytes 72..88) is the one `exported` gives. */
export function verifyMic(exported: Buffer, negotiate: Buffer, challenge: Buffer, authenticate: Buffer): boolean {
  if (authenticate.length < MIC_OFFSET + 16) return false
  return timingSafeEqual(computeMic(exported, negotiate, challenge, authenticate), authenticate.subarray(MIC_OFFSET, MIC_OFFSET + 16))
}

// ---------------------------------------------------------------------------------------------------------
// Signing keys and the NTLM signature (MS-NLMP 3.4.4.2, 3.4.5.2, 3.4.5.3)

export type NtlmSide = 'client' | 'server'

const magic = (s: string) => Buffer.from(`${s}\0`, 'latin1')
const SIGN_MAGIC = {
  client: magic('session key to client-to-server signing key magic constant'),
  server: magic('session key to server-to-client signing key magic constant'),
}
const SEAL_MAGIC = {
  client: magic('session key to client-to-server sealing key magic constant'),
  server: magic('session key to server-to-client sealing key magic constant'),
}

/** MS-NLMP 3.4.5.2 SIGNKEY (extended session security): MD5(ExportedSessionKey || magic). */
export function signingKey(exported: Buffer, side: NtlmSide): Buffer {
  return md5(exported, SIGN_MAGIC[side])
}

/** MS-NLMP 3.4.5.3 SEALKEY (extended session security): the key cut to 16, 7 or 5 bytes by 128/56 flags. */
export function sealingKey(exported: Buffer, negotiateFlags: number, side: NtlmSide): Buffer {
  const len = negotiateFlags & NegotiateFlags.Negotiate128 ? 16 : negotiateFlags & NegotiateFlags.Negotiate56 ? 7 : 5
  return md5(exported.subarray(0, len), SEAL_MAGIC[side])
}

/**
 * One direction of NTLM session security: a signing key, the RC4 sealing handle (which keeps its state
 * across messages) and the sequence number.
 */
export class NtlmSecurityContext {
  readonly signKey: Buffer
  readonly sealKey: Buffer
  private readonly handle: Rc4
  seqNum = 0

  constructor(exported: Buffer, readonly negotiateFlags: number, side: NtlmSide) {
    this.signKey = signingKey(exported, side)
    this.sealKey = sealingKey(exported, negotiateFlags, side)
    this.handle = new Rc4(this.sealKey)
  }

  /**
   * MS-NLMP 3.4.4.2 — the 16-byte NTLMSSP_MESSAGE_SIGNATURE with extended session security: Version 1,
   * the first 8 bytes of HMAC_MD5(SigningKey, SeqNum || Message) (RC4-encrypted with the sealing handle
   * under key exchange), SeqNum. Advances the sequence number.
   */
  sign(message: Uint8Array): Buffer {
    const seq = Buffer.alloc(4)
    seq.writeUInt32LE(this.seqNum >>> 0)
    let checksum = hmacMd5(this.signKey, seq, message).subarray(0, 8)
    if (this.negotiateFlags & NegotiateFlags.KeyExch) checksum = this.handle.update(checksum)
    this.seqNum++
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seq])
  }

  /** MS-NLMP 3.4.3 — GSS_WrapEx: seals the message, then signs the plaintext. */
  seal(message: Uint8Array): { sealed: Buffer; signature: Buffer } {
    const sealed = this.handle.update(message)
    return { sealed, signature: this.sign(message) }
  }
}
