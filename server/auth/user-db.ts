/**
 * The user database: users from `--user NAME:PASSWORD` or the config file, kept as NT hashes (MD4 of the UTF-16LE
 * password, MS-NLMP 3.3.1); passwords are dropped after hashing. Names match case-insensitively, as Windows
 * account names do; a user configured with a domain matches only that domain (or an empty one).
 * @module
 */
import { ntHash } from '../../dissect/auth/ntlm-crypto.js'
import type { UserConfig } from '../config.js'

export interface UserRecord {
  name: string
  domain?: string
  ntHash: Buffer
  /** A stable principal id for Open.DurableOwner (MS-SMB2 3.3.1.10): Samba-style `S-1-22-1-<n>` by position. */
  sid: string
}

export class UserDb {
  private readonly users = new Map<string, UserRecord>()

  constructor(users: readonly UserConfig[] = []) {
    users.forEach((u, i) => this.add(u, i))
  }

  add(u: UserConfig, index = this.users.size): UserRecord {
    const hash = u.ntHash ? Buffer.from(u.ntHash, 'hex') : ntHash(u.password ?? '')
    const rec: UserRecord = { name: u.name, domain: u.domain, ntHash: hash, sid: `S-1-22-1-${1000 + index}` }
    this.users.set(u.name.toLowerCase(), rec)
    return rec
  }

  /** The user's record for an NTLM AUTHENTICATE naming `user` in `domain`, or undefined. */
  lookup(user: string, domain: string): UserRecord | undefined {
    const rec = this.users.get(user.toLowerCase())
    if (!rec) return undefined
    if (rec.domain && domain && rec.domain.toLowerCase() !== domain.toLowerCase()) return undefined
    return rec
  }

  get size(): number {
    return this.users.size
  }
}

/** The principal id of guest and anonymous sessions (MS-DTYP 2.4.2.4: S-1-5-7 ANONYMOUS, S-1-5-32-546 GUESTS). */
export const ANONYMOUS_SID = 'S-1-5-7'
export const GUEST_SID = 'S-1-5-32-546'
