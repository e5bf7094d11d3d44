/**
 * The dissector's view of an SMB2 security buffer (NEGOTIATE response, SESSION_SETUP request and response):
 * SPNEGO, raw NTLMSSP (some clients send it without SPNEGO), Kerberos (recognised, not decrypted) and
 * NEGOEX, with names for flags, states and mechanisms. `parseSecurityBlob` never throws: it returns what it
 * could decode and an `error`.
 * @module
 */
import { DecodeError } from '../wire/errors.js'
import { applicationTag } from './der.js'
import { parseKerberosToken, looksLikeKerberosMessage, type KerberosInfo } from './kerberos.js'
import { isNegoex, parseNegoex, type NegoexMessageInfo } from './negoex.js'
import { classifyResponses, type ResponseKind } from './ntlm-crypto.js'
import { negotiateFlagNames, NTLM_MESSAGE_TYPE_NAMES } from './ntlmssp/constants.js'
import { decodeNtlmMessage, isNtlmssp, type NtlmMessage } from './ntlmssp/messages.js'
import { describeAvPairs, Ntlmv2Response, type AvInfo } from './ntlmssp/structures.js'
import { contextFlagNames, decodeSpnego, gssMechOid, NEG_STATE_NAMES, type SpnegoToken } from './spnego.js'
import { isKerberosOid, mechName, Oid } from './oids.js'

export type SpnegoInfo = SpnegoToken & {
  mechTypeNames?: string[]
  reqFlagNames?: string[]
  negStateName?: string
  supportedMechName?: string
}

export interface Ntlmv2ResponseInfo {
  ntProofStr: Buffer
  timeStamp: bigint
  challengeFromClient: Buffer
  avInfo: AvInfo
}

export type NtlmsspInfo = NtlmMessage & {
  messageTypeName: string
  negotiateFlagNames: string[]
  /** CHALLENGE: the target info AV_PAIRs by name. */
  targetInfoNames?: AvInfo
  /** AUTHENTICATE: anonymous, NTLMv2, NTLMv1, LM or invalid. */
  responseKind?: ResponseKind
  /** AUTHENTICATE with an NTLMv2 response: its fields. */
  ntlmv2Response?: Ntlmv2ResponseInfo
}

export interface SecurityBlobInfo {
  format: 'spnego' | 'ntlmssp' | 'kerberos' | 'negoex' | 'empty' | 'unknown'
  /** Name of the mechanism the token belongs to (NTLMSSP, Kerberos 5, MS Kerberos 5, NEGOEX, ...). */
  mech?: string
  mechOid?: string
  spnego?: SpnegoInfo
  ntlmssp?: NtlmsspInfo
  kerberos?: KerberosInfo
  negoex?: NegoexMessageInfo[]
  /** What could not be decoded (the rest of the result is still valid). */
  error?: string
}

function describeError(e: unknown): string {
  if (e instanceof DecodeError) return e.message
  return `internal error: ${e instanceof Error ? e.message : String(e)}`
}

/** Adds names to a decoded NTLMSSP message. Never throws. */
export function describeNtlm(m: NtlmMessage): NtlmsspInfo {
  const info: NtlmsspInfo = {
    ...m,
    messageTypeName: NTLM_MESSAGE_TYPE_NAMES[m.messageType] ?? String(m.messageType),
    negotiateFlagNames: negotiateFlagNames(m.negotiateFlags),
  }
  if (m.messageType === 2) info.targetInfoNames = describeAvPairs(m.targetInfo)
  if (m.messageType === 3) {
    info.responseKind = classifyResponses(m.ntChallengeResponse, m.lmChallengeResponse).kind
    if (info.responseKind === 'ntlmv2') {
      try {
        const v2 = Ntlmv2Response.decode(m.ntChallengeResponse)
        info.ntlmv2Response = {
          ntProofStr: v2.response,
          timeStamp: v2.clientChallenge.timeStamp,
          challengeFromClient: v2.clientChallenge.challengeFromClient,
          avInfo: describeAvPairs(v2.clientChallenge.avPairs),
        }
      } catch {
        // The AV pairs of some clients' responses do not parse; the raw response stays in the message.
      }
    }
  }
  return info
}

/** Which mechanism an inner token belongs to, by its first bytes. */
function sniffMech(token: Buffer): string | undefined {
  if (isNtlmssp(token)) return Oid.Ntlmssp
  if (isNegoex(token)) return Oid.Negoex
  if (token[0] === applicationTag(0)) {
    try {
      return gssMechOid(token)
    } catch {
      return undefined
    }
  }
  if (looksLikeKerberosMessage(token)) return Oid.Kerberos5
  return undefined
}

/** Decodes a mechanism token into the result (NTLMSSP, Kerberos or NEGOEX). */
function decodeInner(token: Buffer, out: SecurityBlobInfo, hintOid?: string): void {
  // The SPNEGO-level mechanism (the optimistic choice or supportedMech) names the token; else its bytes do.
  const oid = hintOid ?? sniffMech(token)
  if (oid && !out.mechOid) {
    out.mechOid = oid
    out.mech = mechName(oid) ?? oid
  }
  try {
    if (isNtlmssp(token)) out.ntlmssp = describeNtlm(decodeNtlmMessage(token))
    else if (isNegoex(token)) out.negoex = parseNegoex(token)
    else if ((oid && isKerberosOid(oid)) || looksLikeKerberosMessage(token)) out.kerberos = parseKerberosToken(token)
  } catch (e) {
    out.error = describeError(e)
  }
}

/**
 * Decodes an SMB2 security buffer for display. Never throws: on bad input the result has `error` and
 * whatever was decoded before it.
 */
export function parseSecurityBlob(buf: Buffer): SecurityBlobInfo {
  if (buf.length === 0) return { format: 'empty' }
  try {
    if (isNtlmssp(buf)) {
      const out: SecurityBlobInfo = { format: 'ntlmssp', mech: 'NTLMSSP', mechOid: Oid.Ntlmssp }
      try {
        out.ntlmssp = describeNtlm(decodeNtlmMessage(buf))
      } catch (e) {
        out.error = describeError(e)
      }
      return out
    }
    if (buf[0] === applicationTag(0)) {
      const oid = gssMechOid(buf)
      if (oid !== Oid.Spnego) {
        const out: SecurityBlobInfo = { format: isKerberosOid(oid) ? 'kerberos' : 'unknown', mechOid: oid, mech: mechName(oid) ?? oid }
        if (isKerberosOid(oid)) decodeInner(buf, out, oid)
        else out.error = `GSS token of an unknown mechanism ${oid}`
        return out
      }
    }
    if (buf[0] === applicationTag(0) || buf[0] === 0xa0 || buf[0] === 0xa1) return parseSpnegoBlob(buf)
    if (isNegoex(buf)) {
      const out: SecurityBlobInfo = { format: 'negoex', mech: 'NEGOEX', mechOid: Oid.Negoex }
      decodeInner(buf, out)
      return out
    }
    if (looksLikeKerberosMessage(buf)) {
      const out: SecurityBlobInfo = { format: 'kerberos' }
      decodeInner(buf, out, Oid.Kerberos5)
      return out
    }
    return { format: 'unknown', error: `unrecognised security buffer starting ${buf.subarray(0, 8).toString('hex')}` }
  } catch (e) {
    return { format: 'unknown', error: describeError(e) }
  }
}

function parseSpnegoBlob(buf: Buffer): SecurityBlobInfo {
  const out: SecurityBlobInfo = { format: 'spnego' }
  let token: SpnegoToken
  try {
    token = decodeSpnego(buf)
  } catch (e) {
    out.error = describeError(e)
    return out
  }
  const spnego: SpnegoInfo = { ...token }
  out.spnego = spnego
  if (token.kind === 'negTokenResp') {
    if (token.negState !== undefined) spnego.negStateName = NEG_STATE_NAMES[token.negState] ?? String(token.negState)
    if (token.supportedMech !== undefined) {
      spnego.supportedMechName = mechName(token.supportedMech) ?? token.supportedMech
      out.mechOid = token.supportedMech
      out.mech = spnego.supportedMechName
    }
    if (token.responseToken) decodeInner(token.responseToken, out, token.supportedMech)
  } else {
    spnego.mechTypeNames = token.mechTypes.map((o) => mechName(o) ?? o)
    if (token.reqFlags) spnego.reqFlagNames = contextFlagNames(token.reqFlags)
    // The optimistic token belongs to the first (preferred) mechanism.
    if (token.mechToken) decodeInner(token.mechToken, out, token.mechTypes[0])
  }
  return out
}

/** The NTLMSSP message inside a security buffer (raw or in SPNEGO), or undefined. Never throws. */
export function extractNtlmToken(buf: Buffer): Buffer | undefined {
  if (isNtlmssp(buf)) return buf
  try {
    const t = decodeSpnego(buf)
    const inner = t.kind === 'negTokenResp' ? t.responseToken : t.mechToken
    return inner && isNtlmssp(inner) ? inner : undefined
  } catch {
    return undefined
  }
}
