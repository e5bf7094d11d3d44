/**
 * The dissector's `--password`: derives a captured NTLM session's ExportedSessionKey from the three
 * messages and the user's password (or NT hash), the way a server would (MS-NLMP 3.2.5.1.2), and proves it:
 * NTProofStr must verify, the MIC (when there is one and the NEGOTIATE is given) must verify with the derived
 * key, and so must the SPNEGO mechListMICs when the buffers are SPNEGO.
 * @module
 */
import { DecodeError } from '../wire/errors.js'
import {
  anonymousSessionBaseKey, classifyResponses, exportedSessionKey, keyExchangeKeyV2, ntHash as ntHashOf, verifyMic, verifyNtlmv2Response,
} from './ntlm-crypto.js'
import { AvId, MsvAvFlags } from './ntlmssp/constants.js'
import { decodeAuthenticate, decodeChallenge, isNtlmssp } from './ntlmssp/messages.js'
import { findAvPair, Ntlmv2Response } from './ntlmssp/structures.js'
import { verifyMechListMic } from './spnego-ntlm.js'
import { decodeSpnego, type SpnegoToken } from './spnego.js'

export interface CaptureKeyInput {
  /** The NEGOTIATE (raw NTLMSSP or the security buffer carrying it). Needed to check the MIC. */
  negotiate?: Buffer
  /** The CHALLENGE (raw or the server's security buffer). */
  challenge: Buffer
  /** The AUTHENTICATE (raw or the client's security buffer). */
  authenticate: Buffer
  /** The server's final security buffer (accept-completed), to check its mechListMIC too. */
  serverFinal?: Buffer
  password?: string
  ntHash?: Buffer
}

export type Check = 'verified' | 'absent' | 'unchecked'

export type CaptureKeyResult =
  | {
      ok: true
      /** ExportedSessionKey: what SMB2 calls the session key. */
      sessionKey: Buffer
      sessionBaseKey: Buffer
      keyExchangeKey: Buffer
      user: string
      domain: string
      /** An anonymous (NULL) logon: the key comes from a zero session base key, no password needed. */
      anonymous?: true
      /** The AUTHENTICATE's MIC: verified with the derived key, absent, or unchecked (no NEGOTIATE given). */
      mic: Check
      /** The client's SPNEGO mechListMIC. */
      clientMechListMic: Check
      /** The server's SPNEGO mechListMIC (from `serverFinal`). */
      serverMechListMic: Check
    }
  | { ok: false; reason: string }

/** The NTLM token and the SPNEGO token around it (when there is one). */
function unwrap(buf: Buffer, what: string): { ntlm: Buffer; spnego?: SpnegoToken } {
  if (isNtlmssp(buf)) return { ntlm: buf }
  const t = decodeSpnego(buf)
  const inner = t.kind === 'negTokenResp' ? t.responseToken : t.mechToken
  if (!inner || !isNtlmssp(inner)) throw new DecodeError(`the ${what} buffer carries no NTLMSSP message`, 0, [what])
  return { ntlm: inner, spnego: t }
}

/** Derives and checks the session key of a captured NTLM exchange. Never throws. */
export function sessionKeyFromCapture(input: CaptureKeyInput): CaptureKeyResult {
  try {
    return derive(input)
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: `cannot decode: ${e.message}` }
    return { ok: false, reason: `internal error: ${e instanceof Error ? e.message : String(e)}` }
  }
}

function derive(input: CaptureKeyInput): CaptureKeyResult {
  const neg = input.negotiate ? unwrap(input.negotiate, 'negotiate') : undefined
  const chal = unwrap(input.challenge, 'challenge')
  const auth = unwrap(input.authenticate, 'authenticate')
  const challenge = decodeChallenge(chal.ntlm)
  const a = decodeAuthenticate(auth.ntlm)
  const kind = classifyResponses(a.ntChallengeResponse, a.lmChallengeResponse)
  let sessionBaseKey: Buffer
  if (kind.kind === 'anonymous') {
    sessionBaseKey = anonymousSessionBaseKey()
  } else if (kind.kind !== 'ntlmv2') {
    return { ok: false, reason: `${kind.reason ?? kind.kind}: only NTLMv2 sessions can be derived` }
  } else {
    if (input.password === undefined && input.ntHash === undefined) return { ok: false, reason: 'no password or NT hash given' }
    const v = verifyNtlmv2Response({
      ntHash: input.ntHash ?? ntHashOf(input.password!),
      user: a.userName,
      domain: a.domainName,
      serverChallenge: challenge.serverChallenge,
      ntChallengeResponse: a.ntChallengeResponse,
    })
    if (!v.ok) return { ok: false, reason: v.reason }
    sessionBaseKey = v.sessionBaseKey
  }
  const keyExchangeKey = keyExchangeKeyV2(sessionBaseKey)
  const sessionKey = exportedSessionKey(a.negotiateFlags, keyExchangeKey, a.encryptedRandomSessionKey)
  if (!sessionKey) return { ok: false, reason: `EncryptedRandomSessionKey of ${a.encryptedRandomSessionKey.length} bytes with NTLMSSP_NEGOTIATE_KEY_EXCH` }

  let micPresent = a.mic !== undefined && !a.mic.equals(Buffer.alloc(16))
  try {
    const f = findAvPair(Ntlmv2Response.decode(a.ntChallengeResponse).clientChallenge.avPairs, AvId.MsvAvFlags)
    if (f && f.value.length === 4 && f.value.readUInt32LE(0) & MsvAvFlags.MicPresent) micPresent = true
  } catch {
    // AV pairs that do not parse: fall back to whether the MIC field is filled.
  }
  let mic: Check = 'absent'
  if (micPresent) {
    if (!a.mic) return { ok: false, reason: 'MsvAvFlags announces a MIC but the AUTHENTICATE_MESSAGE has no MIC field' }
    if (!neg) mic = 'unchecked'
    else if (verifyMic(sessionKey, neg.ntlm, chal.ntlm, auth.ntlm)) mic = 'verified'
    else return { ok: false, reason: "the MIC does not match the derived session key (or the NEGOTIATE given is not this exchange's)" }
  }

  const mechTypes = neg?.spnego && neg.spnego.kind !== 'negTokenResp' ? neg.spnego.mechTypes : undefined
  const checkMechListMic = (token: SpnegoToken | undefined, side: 'client' | 'server'): Check | { error: string } => {
    const m = token?.mechListMIC
    if (!m) return 'absent'
    if (!mechTypes) return 'unchecked'
    return verifyMechListMic(sessionKey, a.negotiateFlags, side, mechTypes, m) ? 'verified' : { error: `the ${side}'s mechListMIC does not verify with the derived session key` }
  }
  const clientMechListMic = checkMechListMic(auth.spnego, 'client')
  if (typeof clientMechListMic === 'object') return { ok: false, reason: clientMechListMic.error }
  const serverMechListMic = checkMechListMic(input.serverFinal?.length ? decodeSpnego(input.serverFinal) : undefined, 'server')
  if (typeof serverMechListMic === 'object') return { ok: false, reason: serverMechListMic.error }

  return {
    ok: true,
    sessionKey,
    sessionBaseKey,
    keyExchangeKey,
    user: a.userName,
    domain: a.domainName,
    ...(kind.kind === 'anonymous' ? { anonymous: true as const } : {}),
    mic,
    clientMechListMic,
    serverMechListMic,
  }
}
