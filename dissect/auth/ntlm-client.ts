/**
 * The NTLM initiator (MS-NLMP 3.1.5.1) for the replay client: NEGOTIATE, then an NTLMv2 AUTHENTICATE for
 * the server's CHALLENGE, with key exchange and, when the server sent MsvAvTimestamp, a MIC. The exported
 * session key is what SMB2 derives its signing and encryption keys from.
 * @module
 */
import { randomBytes } from 'node:crypto'
import {
  anonymousSessionBaseKey, computeMic, computeNtlmv2Response, encryptRandomSessionKey, keyExchangeKeyV2, ntHash as ntHashOf, ntowfv2,
} from './ntlm-crypto.js'
import { AvId, MsvAvFlags, NegotiateFlags, NTLMSSP_REVISION_W2K3 } from './ntlmssp/constants.js'
import {
  decodeChallenge, encodeAuthenticate, encodeNegotiate, MIC_OFFSET, type ChallengeMessage,
} from './ntlmssp/messages.js'
import { encodeAvPairs, findAvPair, type AvPairLike, type NtlmVersionInput } from './ntlmssp/structures.js'

/** Flags the client asks for by default (what Windows asks for, minus sealing and LM key). */
export const DEFAULT_CLIENT_FLAGS =
  (NegotiateFlags.Unicode | NegotiateFlags.Oem | NegotiateFlags.RequestTarget | NegotiateFlags.Sign |
    NegotiateFlags.Ntlm | NegotiateFlags.AlwaysSign | NegotiateFlags.ExtendedSessionSecurity |
    NegotiateFlags.Version | NegotiateFlags.Negotiate128 | NegotiateFlags.KeyExch | NegotiateFlags.Negotiate56) >>> 0

/** The VERSION we send (MS-NLMP 2.2.2.10): Windows 10-style numbers, NTLM revision 15. */
export const DEFAULT_VERSION: NtlmVersionInput = {
  productMajorVersion: 10,
  productMinorVersion: 0,
  productBuild: 0,
  ntlmRevisionCurrent: NTLMSSP_REVISION_W2K3,
}

export interface NtlmClientOptions {
  user: string
  /** The password, or `ntHash` instead of it. */
  password?: string
  ntHash?: Buffer
  domain?: string
  workstation?: string
  /** MsvAvTargetName to put in the NTLMv2 response (e.g. `cifs/server`). */
  targetName?: string
  /** Anonymous (NULL session) authentication: no user, no responses, a zero session base key. */
  anonymous?: boolean
  negotiateFlags?: number
  version?: NtlmVersionInput
  /** Randomness (client challenge, session key); for tests. */
  random?: (n: number) => Buffer
  /** Current time as FILETIME; for tests. */
  now?: () => bigint
}

/** FILETIME of a JS time (100 ns since 1601-01-01). */
export function filetimeFromDate(ms: number): bigint {
  return (BigInt(Math.round(ms)) + 11_644_473_600_000n) * 10_000n
}

export class NtlmClient {
  readonly options: NtlmClientOptions
  private negotiateBytes: Buffer | undefined
  private challengeBytes: Buffer | undefined
  private authenticateBytes: Buffer | undefined
  private exported: Buffer | undefined
  private flags = 0
  private mic = false

  constructor(options: NtlmClientOptions) {
    if (!options.anonymous && options.password === undefined && options.ntHash === undefined) {
      throw new TypeError('NtlmClient needs a password or an NT hash (or anonymous: true)')
    }
    if (options.ntHash && options.ntHash.length !== 16) throw new TypeError('an NT hash has 16 bytes')
    this.options = options
  }

  private random(n: number): Buffer {
    return (this.options.random ?? randomBytes)(n)
  }

  /** MS-NLMP 3.1.5.1.1 — the NEGOTIATE_MESSAGE. */
  negotiate(): Buffer {
    let flags = this.options.negotiateFlags ?? DEFAULT_CLIENT_FLAGS
    if (this.options.anonymous) flags |= NegotiateFlags.Anonymous
    this.negotiateBytes = encodeNegotiate({
      negotiateFlags: flags >>> 0,
      ...(flags & NegotiateFlags.Version ? { version: this.options.version ?? DEFAULT_VERSION } : {}),
    })
    return this.negotiateBytes
  }

  /**
   * MS-NLMP 3.1.5.1.2 — consumes the CHALLENGE_MESSAGE and returns the AUTHENTICATE_MESSAGE (NTLMv2).
   * Throws DecodeError when the challenge does not decode.
   */
  authenticate(challenge: Buffer): Buffer {
    if (!this.negotiateBytes) this.negotiate()
    const chal = decodeChallenge(challenge)
    this.challengeBytes = challenge
    const requested = (this.options.negotiateFlags ?? DEFAULT_CLIENT_FLAGS) | NegotiateFlags.Anonymous
    // The flags both sides agreed on (the server's answer, limited to what we asked for).
    let flags = (chal.negotiateFlags & (requested | NegotiateFlags.TargetInfo | NegotiateFlags.TargetTypeDomain | NegotiateFlags.TargetTypeServer)) >>> 0
    if (!(flags & (NegotiateFlags.Unicode | NegotiateFlags.Oem))) flags |= NegotiateFlags.Unicode
    const version = flags & NegotiateFlags.Version ? (this.options.version ?? DEFAULT_VERSION) : undefined

    const serverTimestamp = findAvPair(chal.targetInfo, AvId.MsvAvTimestamp)
    this.mic = serverTimestamp !== undefined && serverTimestamp.value.length === 8
    const anonymous = this.options.anonymous === true
    const user = anonymous ? '' : this.options.user
    const domain = anonymous ? '' : (this.options.domain ?? '')
    let computed: { lmChallengeResponse: Buffer; ntChallengeResponse: Buffer; sessionBaseKey: Buffer }
    if (anonymous) {
      // MS-NLMP 3.3.2: anonymous sends no NT response and Z(1) as LM response. The session base key is
      // then zero; Windows still exchanges a key and a MIC (wiki dcerpc-witness capture, frames 38 and 40).
      flags |= NegotiateFlags.Anonymous
      computed = { lmChallengeResponse: Buffer.alloc(1), ntChallengeResponse: Buffer.alloc(0), sessionBaseKey: anonymousSessionBaseKey() }
    } else {
      flags &= ~NegotiateFlags.Anonymous
      const timestamp = this.mic ? serverTimestamp!.value.readBigUInt64LE(0) : (this.options.now?.() ?? filetimeFromDate(Date.now()))
      const responseKeyNT = ntowfv2(this.options.ntHash ?? ntHashOf(this.options.password!), user, domain)
      computed = computeNtlmv2Response({
        responseKeyNT,
        serverChallenge: chal.serverChallenge,
        clientChallenge: this.random(8),
        timestamp,
        serverName: encodeAvPairs(this.responseAvPairs(chal)),
        omitLmResponse: this.mic,
      })
    }
    const keyExchangeKey = keyExchangeKeyV2(computed.sessionBaseKey)
    let encryptedRandomSessionKey: Buffer = Buffer.alloc(0)
    if (flags & NegotiateFlags.KeyExch) {
      this.exported = this.random(16)
      encryptedRandomSessionKey = encryptRandomSessionKey(keyExchangeKey, this.exported)
    } else {
      this.exported = keyExchangeKey
    }
    this.flags = flags >>> 0
    const auth = encodeAuthenticate({
      negotiateFlags: this.flags,
      ...(version ? { version } : {}),
      ...(this.mic ? { mic: Buffer.alloc(16) } : {}),
      lmChallengeResponse: computed.lmChallengeResponse,
      ntChallengeResponse: computed.ntChallengeResponse,
      domainName: domain,
      userName: user,
      workstation: this.options.workstation ?? '',
      encryptedRandomSessionKey,
    })
    if (this.mic) computeMic(this.exported, this.negotiateBytes!, challenge, auth).copy(auth, MIC_OFFSET)
    this.authenticateBytes = auth
    return auth
  }

  /**
   * The AV_PAIRs of our NTLMv2_CLIENT_CHALLENGE (MS-NLMP 3.1.5.1.2): the server's target info, MsvAvFlags
   * with "MIC present" when we send one, the target SPN, and zero channel bindings (no TLS here).
   */
  private responseAvPairs(chal: ChallengeMessage): AvPairLike[] {
    const out: AvPairLike[] = []
    let flags = this.mic ? MsvAvFlags.MicPresent : 0
    for (const p of chal.targetInfo) {
      if (p.avId === AvId.MsvAvEOL) break
      if (p.avId === AvId.MsvAvFlags && p.value.length === 4) {
        flags |= p.value.readUInt32LE(0)
        continue
      }
      if (p.avId === AvId.MsvAvTargetName || p.avId === AvId.MsvAvChannelBindings) continue
      out.push({ avId: p.avId, value: p.value })
    }
    if (flags) {
      const v = Buffer.alloc(4)
      v.writeUInt32LE(flags >>> 0)
      out.push({ avId: AvId.MsvAvFlags, value: v })
    }
    if (this.options.targetName !== undefined) out.push({ avId: AvId.MsvAvTargetName, value: Buffer.from(this.options.targetName, 'utf16le') })
    out.push({ avId: AvId.MsvAvChannelBindings, value: Buffer.alloc(16) })
    out.push({ avId: AvId.MsvAvEOL, value: Buffer.alloc(0) })
    return out
  }

  /** The ExportedSessionKey (undefined before AUTHENTICATE). */
  get sessionKey(): Buffer | undefined {
    return this.exported
  }

  /** The NegotiateFlags of our AUTHENTICATE_MESSAGE. */
  get negotiatedFlags(): number {
    return this.flags
  }

  /** True when our AUTHENTICATE carries a MIC. */
  get micSent(): boolean {
    return this.mic
  }

  get messages(): { negotiate?: Buffer; challenge?: Buffer; authenticate?: Buffer } {
    return { negotiate: this.negotiateBytes, challenge: this.challengeBytes, authenticate: this.authenticateBytes }
  }
}

