/**
 * The per-connection part of an SMB2 session (MS-SMB2 3.3.1.8; Samba's smbXsrv_session): authentication state,
 * keys, signing and encryption requirements, its tree connects and its open table. The global part
 * (`SessionGlobal` in server/state) is what a reconnect finds by SessionId.
 * @module
 */
import type { PreauthIntegrityHash } from '../dissect/crypto/preauth.js'
import type { SessionKeys } from '../dissect/crypto/kdf.js'
import type { SigningAlgorithm } from '../dissect/crypto/constants.js'
import type { AuthIdentity, Authenticator } from './auth/authenticator.js'
import type { Connection } from './connection.js'
import { LocalOpenTable, type SessionGlobal } from './state/global-tables.js'
import type { ServerOpen } from './open.js'
import type { TreeConnect } from './tree.js'

export type SessionPhase = 'in-progress' | 'valid' | 'expired'

export class Session {
  phase: SessionPhase = 'in-progress'
  /** The exchange in progress (first setup or reauthentication). */
  auth: Authenticator | undefined
  /** SMB 3.1.1: Session.PreauthIntegrityHashValue while the exchange is in progress. */
  preauth: PreauthIntegrityHash | undefined
  identity: AuthIdentity | undefined
  keys: SessionKeys | undefined
  signingRequired = false
  encryptData = false
  readonly trees = new Map<number, TreeConnect>()
  readonly opens: LocalOpenTable<ServerOpen>
  /** Label under which the VFS counts this session's opens (the per-session open limit). */
  readonly owner: string

  constructor(
    readonly id: bigint,
    public global: SessionGlobal,
    public conn: Connection,
  ) {
    this.opens = new LocalOpenTable<ServerOpen>(conn.id)
    this.owner = `session:${id.toString(16)}`
  }

  get isGuestOrAnonymous(): boolean {
    return !!this.identity && (this.identity.guest || this.identity.anonymous)
  }

  /** The key and algorithm responses and requests of this session are signed with, when it has one. */
  get signing(): { key: Buffer; algorithm: SigningAlgorithm } | undefined {
    if (!this.keys || this.isGuestOrAnonymous) return undefined
    return { key: this.keys.signingKey, algorithm: this.keys.signingAlgorithm }
  }
}
