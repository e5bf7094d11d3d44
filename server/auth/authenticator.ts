/**
 * SESSION_SETUP authentication glue: one `SpnegoNtlmServer` exchange per session setup (MS-SMB2 3.3.5.5.2,
 * MS-SPNG, MS-NLMP), with users from the `UserDb`. NTLMv2 only (the acceptor refuses NTLMv1 and LM). Unknown users
 * become guests only when the server is configured with `guest`; empty credentials are anonymous unless
 * `anonymous` is false.
 * @module
 */
import { SpnegoNtlmServer, type SpnegoServerStep } from '../../dissect/auth/spnego-ntlm.js'
import { ANONYMOUS_SID, GUEST_SID, type UserDb } from './user-db.js'

export interface AuthIdentity {
  user: string
  domain: string
  sid: string
  guest: boolean
  anonymous: boolean
}

export type AuthStep =
  | { kind: 'continue'; blob: Buffer }
  | { kind: 'done'; identity: AuthIdentity; sessionKey: Buffer | undefined; blob: Buffer | undefined }
  | { kind: 'failed'; status: number; reason: string; blob: Buffer | undefined }

export interface AuthenticatorOptions {
  users: UserDb
  guest: boolean
  /**
   * Accept anonymous (NULL) authentication even without `guest` (default true, as Windows and Samba): an anonymous
   * session reaches only IPC$ and guest shares, and an authenticated session may reauthenticate as anonymous.
   */
  anonymous?: boolean
  netbiosName: string
  domain: string
}

/** One authentication exchange. */
export class Authenticator {
  private readonly spnego: SpnegoNtlmServer

  constructor(private readonly o: AuthenticatorOptions) {
    this.spnego = new SpnegoNtlmServer({
      nbComputerName: o.netbiosName,
      nbDomainName: o.domain,
      lookup: (user, domain) => o.users.lookup(user, domain)?.ntHash,
      allowAnonymous: o.guest || o.anonymous !== false,
      mapUnknownToGuest: o.guest,
    })
  }

  /** The security buffer of the NEGOTIATE response (SPNEGO NegTokenInit2 naming NTLMSSP). */
  static negotiateToken(): Buffer {
    return SpnegoNtlmServer.negotiateToken()
  }

  step(blob: Buffer): AuthStep {
    const s: SpnegoServerStep = this.spnego.accept(blob)
    if (s.status === 'MORE_PROCESSING_REQUIRED') return { kind: 'continue', blob: s.blob }
    if (s.status !== 'SUCCESS') return { kind: 'failed', status: s.statusCode, reason: s.reason, blob: s.blob }
    const r = s.result
    const anonymous = r.anonymous === true
    const guest = r.guest === true
    const rec = anonymous || guest ? undefined : this.o.users.lookup(r.user, r.domain)
    const identity: AuthIdentity = {
      user: anonymous ? '' : r.user,
      domain: r.domain,
      sid: rec?.sid ?? (anonymous ? ANONYMOUS_SID : GUEST_SID),
      guest,
      anonymous,
    }
    return { kind: 'done', identity, sessionKey: guest ? undefined : r.sessionKey, blob: s.blob }
  }
}
