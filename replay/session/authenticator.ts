/**
 * Fresh authentication for a replayed SESSION_SETUP exchange: NTLMv2 in SPNEGO (or raw NTLMSSP when the
 * captured client sent it raw) with the replay's credentials, through dissect/auth's `SpnegoNtlmClient`.
 * The captured tokens are never re-sent: they were computed for another server challenge.
 * @module
 */
import { SpnegoNtlmClient, type SpnegoClientResult } from '../../dissect/auth/index.js'

export interface Credentials {
  user: string
  password: string
  domain?: string
}

/** `DOMAIN\user`, `user@domain` or `user`. */
export function parseUser(s: string): { user: string; domain?: string } {
  const bs = s.indexOf('\\')
  if (bs >= 0) return { domain: s.slice(0, bs), user: s.slice(bs + 1) }
  const at = s.lastIndexOf('@')
  if (at > 0) return { user: s.slice(0, at), domain: s.slice(at + 1) }
  return { user: s }
}

/** Credentials from `NAME` + password, NAME as in `parseUser`. */
export function credentials(name: string, password: string): Credentials {
  const u = parseUser(name)
  return u.domain !== undefined ? { user: u.user, domain: u.domain, password } : { user: u.user, password }
}

/**
 * Chooses the credentials for a captured user: an entry of the user map (matched on `DOMAIN\user` or on the
 * user name alone, case-insensitively), else the default.
 */
export function credentialsFor(captured: string | undefined, fallback: Credentials, map?: ReadonlyMap<string, Credentials>): Credentials {
  if (!captured || !map?.size) return fallback
  const full = captured.toLowerCase()
  const bare = parseUser(captured).user.toLowerCase()
  return map.get(full) ?? map.get(bare) ?? fallback
}

export class Authenticator {
  private readonly client: SpnegoNtlmClient
  private legs = 0

  constructor(readonly creds: Credentials, raw = false) {
    this.client = new SpnegoNtlmClient(
      { user: creds.user, password: creds.password, domain: creds.domain ?? '', workstation: 'SMBSCOPE' },
      { raw },
    )
  }

  /** The security buffer of the next SESSION_SETUP request (the server's last buffer for every leg but the first). */
  nextToken(serverBlob?: Buffer): Buffer {
    const t = this.legs === 0 ? this.client.initial() : this.client.respond(serverBlob ?? Buffer.alloc(0))
    this.legs++
    return t
  }

  get legsSent(): number {
    return this.legs
  }

  /** Checks the server's final token (accept-completed, mechListMIC). */
  finish(serverBlob: Buffer | undefined): SpnegoClientResult {
    return this.client.finish(serverBlob)
  }

  get sessionKey(): Buffer | undefined {
    return this.client.sessionKey
  }
}
