/**
 * The per-connection part of an SMB2 session (MS-SMB2 3.3.1.8; Samba's smbXsrv_session): authentication state,
 * keys, signing and encryption requirements, its tree connects and its open table, and its channels (MS-SMB2
 * 3.3.1.14 Channel: one per connection the session is bound to, each with its own signing key in SMB 3.x). The
 * global part (`SessionGlobal` in server/state) is what a reconnect finds by SessionId.
 *
 * One `Session` object is shared by every connection it is bound to (each connection's `sessions` map holds it);
 * `conn` is the channel asynchronous messages (oplock breaks) go out on, and moves to another channel when that
 * connection goes away.
 * @module
 */
import type { PreauthIntegrityHash } from '../dissect/crypto/preauth.js'
import type { SessionKeys } from '../dissect/crypto/kdf.js'
import type { SigningAlgorithm } from '../dissect/crypto/constants.js'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { LockFlags } from '../dissect/smb2/constants/lock.js'
import type { AuthIdentity, Authenticator } from './auth/authenticator.js'
import type { Connection } from './connection.js'
import { LocalOpenTable, type SessionGlobal } from './state/global-tables.js'
import type { ServerOpen } from './open.js'
import type { TreeConnect } from './tree.js'

export type SessionPhase = 'in-progress' | 'valid' | 'expired'

export interface SigningKey {
  key: Buffer
  algorithm: SigningAlgorithm
}

/** MS-SMB2 3.3.1.14 Channel: a connection bound to the session. */
export interface Channel {
  conn: Connection
  /** Channel.SigningKey (SMB 3.x binding); undefined on the first channel, which signs with Session.SigningKey. */
  signing: SigningKey | undefined
  /** A binding exchange in progress on this connection (MS-SMB2 3.3.5.5.2). */
  binding?: { auth: Authenticator; preauth: PreauthIntegrityHash | undefined }
}

export class Session {
  private state: SessionPhase = 'in-progress'
  /** The exchange in progress (first setup or reauthentication). */
  auth: Authenticator | undefined
  /** SMB 3.1.1: Session.PreauthIntegrityHashValue while the exchange is in progress. */
  preauth: PreauthIntegrityHash | undefined
  /** The security context requests run under now (a reauthentication may change it, e.g. to anonymous). */
  identity: AuthIdentity | undefined
  /** The user the session was first established for (durable owner, binding, PreviousSessionId checks). */
  principal: AuthIdentity | undefined
  keys: SessionKeys | undefined
  signingRequired = false
  encryptData = false
  /** Session.ExpirationTime (ms since the epoch), null when the session does not expire (MS-SMB2 3.3.1.8). */
  expiresAt: number | null = null
  readonly trees = new Map<number, TreeConnect>()
  readonly opens: LocalOpenTable<ServerOpen>
  /** Label under which the VFS counts this session's opens (the per-session open limit). */
  readonly owner: string
  /** Session.ChannelList, by connection. */
  readonly channels = new Map<Connection, Channel>()

  constructor(
    readonly id: bigint,
    public global: SessionGlobal,
    public conn: Connection,
  ) {
    this.opens = new LocalOpenTable<ServerOpen>(conn.id)
    this.owner = `session:${id.toString(16)}`
    this.channels.set(conn, { conn, signing: undefined })
  }

  /**
   * Session.State (MS-SMB2 3.3.1.8): a Valid session past its ExpirationTime reads as Expired until it is
   * reauthenticated (MS-SMB2 3.3.5.2.9).
   */
  get phase(): SessionPhase {
    if (this.state === 'valid' && this.expiresAt !== null && Date.now() >= this.expiresAt) return 'expired'
    return this.state
  }
  set phase(p: SessionPhase) {
    this.state = p
  }

  get isGuestOrAnonymous(): boolean {
    return !!this.identity && (this.identity.guest || this.identity.anonymous)
  }

  /** Session.SigningKey and the session's signing algorithm, when the session has keys (not guest/anonymous). */
  get signing(): SigningKey | undefined {
    if (!this.keys) return undefined
    return { key: this.keys.signingKey, algorithm: this.keys.signingAlgorithm }
  }

  /**
   * The key requests and responses on `conn` are signed with (MS-SMB2 3.3.4.1.1, 3.3.5.2.4): Channel.SigningKey
   * for a bound channel, else Session.SigningKey.
   */
  signingFor(conn: Connection): SigningKey | undefined {
    return this.channels.get(conn)?.signing ?? this.signing
  }

  /** Whether `conn` is an established channel of the session (not a binding in progress). */
  isChannel(conn: Connection): boolean {
    const c = this.channels.get(conn)
    return !!c && !c.binding
  }

  /** The connections the session is bound to (established channels). */
  connections(): Connection[] {
    return [...this.channels.values()].filter((c) => !c.binding).map((c) => c.conn)
  }

  /** Removes a channel; when it was the channel breaks go out on, another one takes over. */
  removeChannel(conn: Connection): void {
    this.channels.delete(conn)
    if (this.conn === conn) {
      const next = this.connections().find((c) => !c.closed)
      if (next) this.conn = next
    }
  }
}

/**
 * MS-SMB2 3.3.5.2.9: on an Expired session only SESSION_SETUP (reauthentication), LOGOFF and CLOSE are processed,
 * and (as Windows, smbtorture smb2.session.expire2) ECHO, CANCEL and a LOCK that only unlocks.
 */
export function allowedWhenExpired(command: number, body: unknown): boolean {
  switch (command) {
    case Smb2Command.SessionSetup:
    case Smb2Command.Logoff:
    case Smb2Command.Close:
    case Smb2Command.Echo:
    case Smb2Command.Cancel:
      return true
    case Smb2Command.Lock: {
      const locks = (body as { locks?: Array<{ flags: number }> } | undefined)?.locks
      return !!locks && locks.length > 0 && locks.every((l) => (l.flags & LockFlags.Unlock) !== 0)
    }
    default:
      return false
  }
}
