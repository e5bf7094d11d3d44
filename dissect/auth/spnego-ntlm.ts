/**
 * NTLM inside SPNEGO, as SMB2 SESSION_SETUP carries it (MS-SPNG 3.1.5, 3.2.5, 3.3.5): the client and server
 * state machines around `NtlmClient` and `NtlmServer`, and the mechListMIC (RFC 4178 5, MS-SPNG 3.1.5.1),
 * which is the NTLM signature (sequence number 0) of the DER MechTypeList the client offered.
 *
 * Clients that send raw NTLMSSP (no SPNEGO) are answered in kind.
 * @module
 */
import { timingSafeEqual } from 'node:crypto'
import { DecodeError } from '../wire/errors.js'
import { NtStatus } from '../smb2/constants/status.js'
import { NtlmSecurityContext, type NtlmSide } from './ntlm-crypto.js'
import { NtlmClient, type NtlmClientOptions } from './ntlm-client.js'
import { NtlmServer, type NtlmAuthResult, type NtlmFailureStatus, type NtlmServerOptions } from './ntlm-server.js'
import { isNtlmssp } from './ntlmssp/messages.js'
import { Oid } from './oids.js'
import {
  clientAuthenticateResp, clientNegTokenInit, decodeSpnego, encodeMechTypeList, encodeNegTokenResp, NegState,
  serverAcceptCompleted, serverChallengeResp, serverNegTokenInit2,
} from './spnego.js'

/**
 * The mechListMIC: NTLM signature of the DER MechTypeList with a fresh security context of `side`
 * (sequence number 0), under the negotiated flags.
 */
export function computeMechListMic(exported: Buffer, negotiateFlags: number, side: NtlmSide, mechTypes: readonly string[]): Buffer {
  return new NtlmSecurityContext(exported, negotiateFlags, side).sign(encodeMechTypeList(mechTypes))
}

export function verifyMechListMic(exported: Buffer, negotiateFlags: number, side: NtlmSide, mechTypes: readonly string[], mic: Buffer): boolean {
  const expected = computeMechListMic(exported, negotiateFlags, side, mechTypes)
  return mic.length === expected.length && timingSafeEqual(mic, expected)
}

// ---------------------------------------------------------------------------------------------------------
// Client

export type SpnegoClientResult = { ok: true } | { ok: false; reason: string }

/** The replay client's side: NegTokenInit(NEGOTIATE) → NegTokenResp(AUTHENTICATE, mechListMIC) → check. */
export class SpnegoNtlmClient {
  readonly ntlm: NtlmClient
  private readonly mechTypes = [Oid.Ntlmssp]

  constructor(options: NtlmClientOptions, readonly mode: { raw?: boolean } = {}) {
    this.ntlm = new NtlmClient(options)
  }

  /** The first SESSION_SETUP security buffer. */
  initial(): Buffer {
    const neg = this.ntlm.negotiate()
    return this.mode.raw ? neg : clientNegTokenInit(neg, this.mechTypes)
  }

  /**
   * Consumes the server's MORE_PROCESSING_REQUIRED buffer (the CHALLENGE) and returns the second request's
   * buffer. Throws DecodeError when the server's buffer is not what NTLM in SPNEGO expects.
   */
  respond(serverBlob: Buffer): Buffer {
    let challenge: Buffer
    if (this.mode.raw) {
      challenge = serverBlob
    } else {
      const t = decodeSpnego(serverBlob)
      if (t.kind !== 'negTokenResp') throw new DecodeError('expected a NegTokenResp from the server', 0, ['spnego'])
      if (t.negState === NegState.Reject) throw new DecodeError('the server rejected the negotiation', 0, ['spnego', 'negState'])
      if (t.supportedMech !== undefined && t.supportedMech !== Oid.Ntlmssp) {
        throw new DecodeError(`the server chose ${t.supportedMech}, not NTLMSSP`, 0, ['spnego', 'supportedMech'])
      }
      if (!t.responseToken || !isNtlmssp(t.responseToken)) throw new DecodeError('no NTLM CHALLENGE in the NegTokenResp', 0, ['spnego', 'responseToken'])
      challenge = t.responseToken
    }
    const auth = this.ntlm.authenticate(challenge)
    if (this.mode.raw) return auth
    const key = this.ntlm.sessionKey
    const mic = key ? computeMechListMic(key, this.ntlm.negotiatedFlags, 'client', this.mechTypes) : undefined
    return clientAuthenticateResp(auth, mic)
  }

  /** Checks the server's final buffer (accept-completed and, when present, its mechListMIC). */
  finish(serverBlob: Buffer | undefined): SpnegoClientResult {
    if (this.mode.raw || !serverBlob || serverBlob.length === 0) return { ok: true }
    let t
    try {
      t = decodeSpnego(serverBlob)
    } catch (e) {
      return { ok: false, reason: `bad final SPNEGO token: ${(e as Error).message}` }
    }
    if (t.kind !== 'negTokenResp') return { ok: false, reason: 'the final token is not a NegTokenResp' }
    if (t.negState !== undefined && t.negState !== NegState.AcceptCompleted) return { ok: false, reason: `negState ${t.negState}, not accept-completed` }
    if (t.mechListMIC) {
      const key = this.ntlm.sessionKey
      if (!key) return { ok: false, reason: 'a mechListMIC without a session key' }
      if (!verifyMechListMic(key, this.ntlm.negotiatedFlags, 'server', this.mechTypes, t.mechListMIC)) {
        return { ok: false, reason: "the server's mechListMIC does not verify" }
      }
    }
    return { ok: true }
  }

  get sessionKey(): Buffer | undefined {
    return this.ntlm.sessionKey
  }
}

// ---------------------------------------------------------------------------------------------------------
// Server

export type SpnegoServerStep =
  | { status: 'MORE_PROCESSING_REQUIRED'; statusCode: number; blob: Buffer }
  | { status: 'SUCCESS'; statusCode: number; blob: Buffer | undefined; result: Extract<NtlmAuthResult, { ok: true }>; mechListMicVerified: boolean }
  | { status: NtlmFailureStatus | 'NOT_SUPPORTED'; statusCode: number; blob: Buffer | undefined; reason: string }

const failure = (status: NtlmFailureStatus | 'NOT_SUPPORTED', reason: string, blob?: Buffer): SpnegoServerStep => ({
  status,
  statusCode: {
    LOGON_FAILURE: NtStatus.LogonFailure,
    INVALID_PARAMETER: NtStatus.InvalidParameter,
    NOT_SUPPORTED: NtStatus.NotSupported,
  }[status],
  blob,
  reason,
})

/**
 * The bundled server's side of one SESSION_SETUP exchange. Feed every request buffer to `accept`; it
 * answers MORE_PROCESSING_REQUIRED with the next buffer, then SUCCESS or a failure.
 */
export class SpnegoNtlmServer {
  readonly ntlm: NtlmServer
  private state: 'start' | 'need-negotiate' | 'challenged' | 'done' = 'start'
  private raw = false
  private mechTypes: string[] = []
  /** NTLM was not the client's first choice: the mechListMIC is then required (RFC 4178 5 (d)). */
  private micRequired = false

  constructor(options: NtlmServerOptions) {
    this.ntlm = new NtlmServer(options)
  }

  /** MS-SPNG 3.2.5.2 — the security buffer of the NEGOTIATE response: NegTokenInit2 offering NTLMSSP. */
  static negotiateToken(): Buffer {
    return serverNegTokenInit2([Oid.Ntlmssp])
  }

  accept(blob: Buffer): SpnegoServerStep {
    try {
      return this.step(blob)
    } catch (e) {
      if (e instanceof DecodeError) {
        this.state = 'done'
        return failure('INVALID_PARAMETER', `bad security buffer: ${e.message}`)
      }
      throw e
    }
  }

  private challengeStep(negotiate: Buffer): SpnegoServerStep {
    const c = this.ntlm.challenge(negotiate)
    if (!c.ok) {
      this.state = 'done'
      return failure(c.status, c.reason)
    }
    this.state = 'challenged'
    const blob = this.raw
      ? c.challenge
      : this.micRequired
        ? encodeNegTokenResp({ negState: NegState.AcceptIncomplete, responseToken: c.challenge })
        : serverChallengeResp(c.challenge)
    return { status: 'MORE_PROCESSING_REQUIRED', statusCode: NtStatus.MoreProcessingRequired, blob }
  }

  private step(blob: Buffer): SpnegoServerStep {
    switch (this.state) {
      case 'start': {
        if (isNtlmssp(blob)) {
          this.raw = true
          return this.challengeStep(blob)
        }
        const t = decodeSpnego(blob)
        if (t.kind === 'negTokenResp') return failure('INVALID_PARAMETER', 'expected a NegTokenInit first')
        this.mechTypes = t.mechTypes
        if (!t.mechTypes.includes(Oid.Ntlmssp)) {
          this.state = 'done'
          return failure('NOT_SUPPORTED', `no common mechanism (offered: ${t.mechTypes.join(', ')})`, encodeNegTokenResp({ negState: NegState.Reject }))
        }
        if (t.mechTypes[0] === Oid.Ntlmssp && t.mechToken && isNtlmssp(t.mechToken)) return this.challengeStep(t.mechToken)
        // NTLM is acceptable but was not the optimistic choice: select it and ask for its first token.
        this.micRequired = t.mechTypes[0] !== Oid.Ntlmssp
        this.state = 'need-negotiate'
        return {
          status: 'MORE_PROCESSING_REQUIRED',
          statusCode: NtStatus.MoreProcessingRequired,
          blob: encodeNegTokenResp({ negState: this.micRequired ? NegState.RequestMic : NegState.AcceptIncomplete, supportedMech: Oid.Ntlmssp }),
        }
      }
      case 'need-negotiate': {
        const t = decodeSpnego(blob)
        if (t.kind !== 'negTokenResp' || !t.responseToken || !isNtlmssp(t.responseToken)) {
          this.state = 'done'
          return failure('INVALID_PARAMETER', 'expected a NegTokenResp with the NTLM NEGOTIATE')
        }
        return this.challengeStep(t.responseToken)
      }
      case 'challenged': {
        this.state = 'done'
        let auth: Buffer
        let mic: Buffer | undefined
        if (this.raw) {
          auth = blob
        } else {
          const t = decodeSpnego(blob)
          if (t.kind !== 'negTokenResp' || !t.responseToken) return failure('INVALID_PARAMETER', 'expected a NegTokenResp with the NTLM AUTHENTICATE')
          auth = t.responseToken
          mic = t.mechListMIC
        }
        const result = this.ntlm.authenticate(auth)
        if (!result.ok) return failure(result.status, result.reason)
        if (this.raw) return { status: 'SUCCESS', statusCode: NtStatus.Success, blob: undefined, result, mechListMicVerified: false }
        const key = result.sessionKey
        let mechListMicVerified = false
        if (result.guest) {
          // A guest has no session key to check the client's mechListMIC with, nor to sign ours.
          return { status: 'SUCCESS', statusCode: NtStatus.Success, blob: serverAcceptCompleted(), result, mechListMicVerified }
        }
        if (mic) {
          if (!key) return failure('LOGON_FAILURE', 'a mechListMIC on a session without a key')
          if (!verifyMechListMic(key, result.negotiateFlags, 'client', this.mechTypes, mic)) {
            return failure('LOGON_FAILURE', 'mechListMIC does not verify (the mechanism list was altered)')
          }
          mechListMicVerified = true
        } else if (this.micRequired && key) {
          return failure('LOGON_FAILURE', 'mechListMIC required (NTLM was not the preferred mechanism) but absent')
        }
        const serverMic = mic && key ? computeMechListMic(key, result.negotiateFlags, 'server', this.mechTypes) : undefined
        return { status: 'SUCCESS', statusCode: NtStatus.Success, blob: serverAcceptCompleted(serverMic), result, mechListMicVerified }
      }
      case 'done':
        return failure('INVALID_PARAMETER', 'the exchange is already over')
    }
  }
}
