/**
 * The NTLM acceptor (MS-NLMP 3.2.5.1) for the bundled server: answers NEGOTIATE with a CHALLENGE (target
 * info with names and a timestamp), then verifies the AUTHENTICATE. Only NTLMv2 is accepted; NTLMv1 and LM
 * responses are refused. When the client says it sent a MIC (MsvAvFlags), the MIC must verify.
 * @module
 */
import { randomBytes } from 'node:crypto'
import { DecodeError } from '../wire/errors.js'
import { NtStatus } from '../smb2/constants/status.js'
import {
  anonymousSessionBaseKey, classifyResponses, exportedSessionKey, keyExchangeKeyV2, verifyMic, verifyNtlmv2Response,
} from './ntlm-crypto.js'
import { filetimeFromDate, DEFAULT_VERSION } from './ntlm-client.js'
import { AvId, MsvAvFlags, NegotiateFlags } from './ntlmssp/constants.js'
import {
  decodeAuthenticate, decodeNegotiate, encodeChallenge, type AuthenticateMessage, type NegotiateMessage,
} from './ntlmssp/messages.js'
import { buildAvPairs, findAvPair, Ntlmv2Response, type NtlmVersionInput } from './ntlmssp/structures.js'

/** What the user database answers for a user: the NT hash (MD4 of the UTF-16 password), or nothing. */
export type NtlmUserLookup = (user: string, domain: string) => Buffer | undefined

export interface NtlmServerOptions {
  /** NetBIOS name of this server (MsvAvNbComputerName). */
  nbComputerName: string
  /** NetBIOS domain or workgroup (MsvAvNbDomainName; also the TargetName). */
  nbDomainName: string
  dnsComputerName?: string
  dnsDomainName?: string
  dnsTreeName?: string
  lookup: NtlmUserLookup
  /** Accept anonymous (NULL session) authentication. Default false. */
  allowAnonymous?: boolean
  /** Accept unknown users as guest (no session key). Default false. */
  mapUnknownToGuest?: boolean
  version?: NtlmVersionInput
  random?: (n: number) => Buffer
  now?: () => bigint
}

export type NtlmFailureStatus = 'LOGON_FAILURE' | 'INVALID_PARAMETER'

/** A refused logon: the NTSTATUS to answer with (name and code) and why. */
export interface NtlmFailure {
  ok: false
  status: NtlmFailureStatus
  statusCode: number
  reason: string
}

export type NtlmAuthResult =
  | {
      ok: true
      user: string
      domain: string
      workstation: string
      /** ExportedSessionKey (for anonymous logons derived from a zero base key); undefined for guests. */
      sessionKey: Buffer | undefined
      negotiateFlags: number
      /** True when the AUTHENTICATE had a MIC and it verified. */
      micVerified: boolean
      anonymous?: true
      guest?: true
      authenticate: AuthenticateMessage
    }
  | NtlmFailure

const STATUS_CODES: Record<NtlmFailureStatus, number> = {
  LOGON_FAILURE: NtStatus.LogonFailure,
  INVALID_PARAMETER: NtStatus.InvalidParameter,
}

const fail = (status: NtlmFailureStatus, reason: string): NtlmFailure => ({ ok: false, status, statusCode: STATUS_CODES[status], reason })

/** Flags the server agrees to when the client asks for them. */
const NEGOTIABLE =
  NegotiateFlags.Sign | NegotiateFlags.Seal | NegotiateFlags.AlwaysSign | NegotiateFlags.ExtendedSessionSecurity |
  NegotiateFlags.Negotiate128 | NegotiateFlags.Negotiate56 | NegotiateFlags.KeyExch | NegotiateFlags.Version |
  NegotiateFlags.Identify

export class NtlmServer {
  private negotiateBytes: Buffer | undefined
  private challengeBytes: Buffer | undefined
  private serverChallenge: Buffer | undefined

  constructor(readonly options: NtlmServerOptions) {}

  /**
   * MS-NLMP 3.2.5.1.1 — answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE.
   * Returns a failure (INVALID_PARAMETER) when the NEGOTIATE does not decode.
   */
  challenge(negotiate: Buffer): { ok: true; challenge: Buffer } | NtlmFailure {
    let neg: NegotiateMessage
    try {
      neg = decodeNegotiate(negotiate)
    } catch (e) {
      if (e instanceof DecodeError) return fail('INVALID_PARAMETER', `bad NEGOTIATE_MESSAGE: ${e.message}`)
      throw e
    }
    const o = this.options
    const asked = neg.negotiateFlags
    let flags = NegotiateFlags.Ntlm | NegotiateFlags.TargetInfo | NegotiateFlags.TargetTypeServer | (asked & NEGOTIABLE)
    flags |= asked & NegotiateFlags.Unicode ? NegotiateFlags.Unicode : NegotiateFlags.Oem
    if (asked & NegotiateFlags.RequestTarget) flags |= NegotiateFlags.RequestTarget
    flags >>>= 0
    this.serverChallenge = (o.random ?? randomBytes)(8)
    const timestamp = o.now?.() ?? filetimeFromDate(Date.now())
    this.negotiateBytes = negotiate
    this.challengeBytes = encodeChallenge({
      negotiateFlags: flags,
      serverChallenge: this.serverChallenge,
      reserved: Buffer.alloc(8),
      targetName: o.nbDomainName,
      targetInfo: buildAvPairs({
        nbDomainName: o.nbDomainName,
        nbComputerName: o.nbComputerName,
        dnsDomainName: o.dnsDomainName ?? o.nbDomainName.toLowerCase(),
        dnsComputerName: o.dnsComputerName ?? o.nbComputerName.toLowerCase(),
        ...(o.dnsTreeName !== undefined ? { dnsTreeName: o.dnsTreeName } : {}),
        timestamp,
      }),
      ...(flags & NegotiateFlags.Version ? { version: o.version ?? DEFAULT_VERSION } : {}),
    })
    return { ok: true, challenge: this.challengeBytes }
  }

  /** MS-NLMP 3.2.5.1.2 — verifies an AUTHENTICATE_MESSAGE. */
  authenticate(authenticate: Buffer): NtlmAuthResult {
    if (!this.challengeBytes || !this.serverChallenge || !this.negotiateBytes) {
      return fail('INVALID_PARAMETER', 'AUTHENTICATE_MESSAGE before any CHALLENGE_MESSAGE')
    }
    let auth: AuthenticateMessage
    try {
      auth = decodeAuthenticate(authenticate)
    } catch (e) {
      if (e instanceof DecodeError) return fail('INVALID_PARAMETER', `bad AUTHENTICATE_MESSAGE: ${e.message}`)
      throw e
    }
    const o = this.options
    const kind = classifyResponses(auth.ntChallengeResponse, auth.lmChallengeResponse)
    const base = { user: auth.userName, domain: auth.domainName, workstation: auth.workstation, negotiateFlags: auth.negotiateFlags, authenticate: auth }
    let sessionBaseKey: Buffer
    let micRequired = false
    switch (kind.kind) {
      case 'anonymous':
        if (auth.userName !== '') return fail('LOGON_FAILURE', `empty responses for user ${JSON.stringify(auth.userName)}`)
        if (!o.allowAnonymous) return fail('LOGON_FAILURE', 'anonymous logon is not allowed')
        sessionBaseKey = anonymousSessionBaseKey()
        // No NTLMv2 response carries MsvAvFlags here; a MIC that is filled in must still be right.
        micRequired = auth.mic !== undefined && !auth.mic.equals(Buffer.alloc(16))
        break
      case 'ntlmv1':
      case 'lm':
        return fail('LOGON_FAILURE', `${kind.reason}: only NTLMv2 is accepted`)
      case 'invalid':
        return fail('INVALID_PARAMETER', kind.reason ?? 'invalid challenge responses')
      case 'ntlmv2': {
        const hash = o.lookup(auth.userName, auth.domainName)
        if (!hash) {
          if (o.mapUnknownToGuest) return { ok: true, ...base, sessionKey: undefined, micVerified: false, guest: true }
          return fail('LOGON_FAILURE', `unknown user ${JSON.stringify(auth.domainName ? `${auth.domainName}\\${auth.userName}` : auth.userName)}`)
        }
        // The NTLMv2_CLIENT_CHALLENGE must parse (AV pairs in bounds) before anything is verified: a malformed
        // one is INVALID_PARAMETER, not LOGON_FAILURE (Windows and Samba; smbtorture smb2.session.ntlmssp_bug14932).
        let resp: ReturnType<typeof Ntlmv2Response.decode>
        try {
          resp = Ntlmv2Response.decode(auth.ntChallengeResponse)
        } catch (e) {
          if (e instanceof DecodeError) return fail('INVALID_PARAMETER', `bad NTLMv2_CLIENT_CHALLENGE: ${e.message}`)
          throw e
        }
        const v = verifyNtlmv2Response({
          ntHash: hash,
          user: auth.userName,
          domain: auth.domainName,
          serverChallenge: this.serverChallenge,
          ntChallengeResponse: auth.ntChallengeResponse,
        })
        if (!v.ok) return fail('LOGON_FAILURE', v.reason)
        sessionBaseKey = v.sessionBaseKey
        // MS-NLMP 3.2.5.1.2: a client that sets "MIC present" in MsvAvFlags must send a MIC that verifies.
        const f = findAvPair(resp.clientChallenge.avPairs, AvId.MsvAvFlags)
        if (f && f.value.length === 4 && f.value.readUInt32LE(0) & MsvAvFlags.MicPresent) micRequired = true
        break
      }
    }
    const exported = exportedSessionKey(auth.negotiateFlags, keyExchangeKeyV2(sessionBaseKey), auth.encryptedRandomSessionKey)
    if (!exported) return fail('INVALID_PARAMETER', `EncryptedRandomSessionKey of ${auth.encryptedRandomSessionKey.length} bytes with NTLMSSP_NEGOTIATE_KEY_EXCH`)
    let micVerified = false
    if (micRequired) {
      if (!auth.mic) return fail('LOGON_FAILURE', 'MsvAvFlags says a MIC is present but the AUTHENTICATE_MESSAGE has none')
      if (!verifyMic(exported, this.negotiateBytes, this.challengeBytes, authenticate)) {
        return fail('LOGON_FAILURE', 'MIC does not match (messages altered in transit)')
      }
      micVerified = true
    }
    return { ok: true, ...base, sessionKey: exported, micVerified, ...(kind.kind === 'anonymous' ? { anonymous: true as const } : {}) }
  }

  get messages(): { negotiate?: Buffer; challenge?: Buffer } {
    return { negotiate: this.negotiateBytes, challenge: this.challengeBytes }
  }
}
