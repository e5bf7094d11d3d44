/**
 * Session life cycle (MS-SMB2 3.3.1.8 Session.State: InProgress, Valid, Expired; 3.3.5.5 SESSION_SETUP including
 * 3.3.5.5.2 binding and 3.3.5.5.3 reauthentication / PreviousSessionId; 3.3.5.6 LOGOFF; 3.3.5.2.9 verifying the
 * session; 3.3.7.1 connection loss) and per-session limits, over the global tables.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import type { GlobalTables, Guid, OpenGlobal, SessionGlobal, SessionOwner } from './global-tables.js'
import { detachSessionOpens, handlePreviousSession } from './durable.js'
import type { DetachResult, PreviousSessionResult, Verdict } from './durable.js'

export interface SessionConfig {
  /** How long an authentication stays valid (Session.ExpirationTime); null = never expires. */
  expiryMs: number | null
  /** Opens one session may hold at once; beyond it CREATE fails with STATUS_INSUFFICIENT_RESOURCES (as Samba). */
  maxOpensPerSession: number
  /** Refuse binding a connection whose ClientGuid differs from the session's (Samba); Windows allows it. */
  bindRequiresSameClientGuid?: boolean
}

export const DEFAULT_SESSION_CONFIG: SessionConfig = { expiryMs: null, maxOpensPerSession: 16384, bindRequiresSameClientGuid: false }

const ok = (rule: string): Verdict => ({ status: NtStatus.Success, rule })
const fail = (status: NtStatus, rule: string): Verdict => ({ status, rule })

/** Commands an expired session may still send (MS-SMB2 3.3.5.2.9: reauthenticate, log off, close handles). */
const ALLOWED_WHEN_EXPIRED = new Set<number>([Smb2Command.SessionSetup, Smb2Command.Logoff, Smb2Command.Close])

export class SessionManager {
  readonly cfg: SessionConfig

  constructor(
    readonly tables: GlobalTables,
    cfg: Partial<SessionConfig> = {},
  ) {
    this.cfg = { ...DEFAULT_SESSION_CONFIG, ...cfg }
  }

  private now(): number {
    return this.tables.clock.now()
  }

  /** First SESSION_SETUP leg with SessionId 0: a new session in state InProgress (MS-SMB2 3.3.5.5.1). */
  begin(connectionId: number, clientGuid: Guid, dialect: number): SessionGlobal {
    return this.tables.createSession({ connectionId, clientGuid, dialect })
  }

  /**
   * Authentication finished: the session becomes Valid with its user, key reference and expiry. With
   * `previousSessionId`, the old session of the same user is torn down (MS-SMB2 3.3.5.5.3).
   */
  complete(
    sessionId: bigint,
    q: { owner: SessionOwner; signingRequired?: boolean; encryptData?: boolean; sessionKeyRef?: string | null; previousSessionId?: bigint },
  ): { verdict: Verdict; previous: PreviousSessionResult | null } {
    const s = this.tables.sessions.get(sessionId)
    if (!s) return { verdict: fail(NtStatus.UserSessionDeleted, 'MS-SMB2 3.3.5.5: no such session'), previous: null }
    const now = this.now()
    this.tables.updateSession(sessionId, {
      owner: q.owner,
      state: 'valid',
      signingRequired: q.signingRequired ?? s.signingRequired,
      encryptData: q.encryptData ?? s.encryptData,
      sessionKeyRef: q.sessionKeyRef ?? s.sessionKeyRef,
      expiresAt: this.cfg.expiryMs === null ? null : now + this.cfg.expiryMs,
    })
    const previous =
      q.previousSessionId !== undefined && q.previousSessionId !== 0n
        ? handlePreviousSession(this.tables, { previousSessionId: q.previousSessionId, sessionId, owner: q.owner, now })
        : null
    return { verdict: ok('MS-SMB2 3.3.5.5: session valid'), previous }
  }

  /**
   * Reauthentication on an existing session (SMB 2.1+: any time; MS-SMB2 3.3.5.5.3 / Samba dynamic reauth): the
   * session keeps its opens and tree connects and gets a fresh expiry. The user must stay the same; Samba answers a
   * different user with STATUS_ACCESS_DENIED, and so do we.
   */
  reauthenticate(sessionId: bigint, owner: SessionOwner): Verdict {
    const s = this.tables.sessions.get(sessionId)
    if (!s) return fail(NtStatus.UserSessionDeleted, 'MS-SMB2 3.3.5.5.3: no such session')
    if (s.owner && s.owner.sid !== owner.sid) return fail(NtStatus.AccessDenied, 'reauthentication as a different user')
    const now = this.now()
    this.tables.updateSession(sessionId, {
      owner,
      state: 'valid',
      expiresAt: this.cfg.expiryMs === null ? null : now + this.cfg.expiryMs,
    })
    return ok('MS-SMB2 3.3.5.5.3: reauthenticated, opens kept')
  }

  /**
   * Session verification for a request (MS-SMB2 3.3.5.2.9): unknown -> STATUS_USER_SESSION_DELETED; InProgress ->
   * only SESSION_SETUP may use it; Expired (or past its ExpirationTime) -> STATUS_NETWORK_SESSION_EXPIRED except for
   * SESSION_SETUP (reauthentication), LOGOFF and CLOSE.
   */
  verify(sessionId: bigint, command: number, connectionId?: number): Verdict {
    const S = 'MS-SMB2 3.3.5.2.9'
    const s = this.tables.sessions.get(sessionId)
    if (!s) return fail(NtStatus.UserSessionDeleted, `${S}: no such session`)
    if (connectionId !== undefined && !s.channels.includes(connectionId)) {
      return fail(NtStatus.UserSessionDeleted, `${S}: session not bound to this connection`)
    }
    if (s.state === 'in-progress') {
      return command === Smb2Command.SessionSetup ? ok(`${S}: setup in progress`) : fail(NtStatus.UserSessionDeleted, `${S}: session not yet valid`)
    }
    if (s.state === 'valid' && s.expiresAt !== null && this.now() >= s.expiresAt) {
      this.tables.updateSession(sessionId, { state: 'expired' })
    }
    if (s.state === 'expired' && !ALLOWED_WHEN_EXPIRED.has(command)) {
      return fail(NtStatus.NetworkSessionExpired, `${S}: Session.State is Expired`)
    }
    if (s.state === 'disconnected') return fail(NtStatus.UserSessionDeleted, `${S}: session has no channel`)
    return ok(`${S}: session ok`)
  }

  /**
   * Binding a further channel to a session (multichannel, MS-SMB2 3.3.5.5.2; SMB 3.x only): the session must be
   * Valid, the dialect must match the session's (and the ClientGuid, when so configured), and anonymous/guest
   * sessions cannot be bound.
   */
  bind(sessionId: bigint, q: { connectionId: number; dialect: number; clientGuid: Guid; isGuestOrAnonymous?: boolean }): Verdict {
    const S = 'MS-SMB2 3.3.5.5.2'
    const s = this.tables.sessions.get(sessionId)
    if (!s) return fail(NtStatus.UserSessionDeleted, `${S}: no such session`)
    if (q.dialect < 0x0300) return fail(NtStatus.RequestNotAccepted, `${S}: binding needs SMB 3.x`)
    if (s.state === 'in-progress') return fail(NtStatus.RequestNotAccepted, `${S}: Session.State is InProgress`)
    if (s.state === 'expired') return fail(NtStatus.NetworkSessionExpired, `${S}: Session.State is Expired`)
    if (q.dialect !== s.dialect) return fail(NtStatus.InvalidParameter, `${S}: dialect differs from the session's connection`)
    // Windows binds a connection of another ClientGuid (smbtorture bind_negative_smb3signCtoHd expects success);
    // Samba, which routes connections to processes by ClientGuid, cannot. Optional here.
    if (this.cfg.bindRequiresSameClientGuid && q.clientGuid.toLowerCase() !== s.clientGuid) {
      return fail(NtStatus.UserSessionDeleted, `${S}: ClientGuid differs`)
    }
    if (q.isGuestOrAnonymous) return fail(NtStatus.NotSupported, `${S}: guest or anonymous session`)
    if (!s.channels.includes(q.connectionId)) {
      this.tables.updateSession(sessionId, { channels: [...s.channels, q.connectionId], state: 'valid', disconnectedAt: null })
    }
    return ok(`${S}: channel bound`)
  }

  /**
   * Removes sessions that have had no channel for `graceMs` (their opens were detached when they lost their last
   * channel, so nothing refers to them). Call it from the same periodic sweep as the scavenger.
   */
  reapDisconnected(graceMs: number): bigint[] {
    const now = this.now()
    const out: bigint[] = []
    for (const s of [...this.tables.sessions.values()]) {
      if (s.state !== 'disconnected' || s.disconnectedAt === null || now - s.disconnectedAt < graceMs) continue
      if (this.tables.opensOfSession(s.sessionId).length > 0) continue
      this.tables.removeSession(s.sessionId)
      out.push(s.sessionId)
    }
    return out
  }

  /** CREATE admission: the per-session open limit. */
  canOpen(sessionId: bigint): Verdict {
    const n = this.tables.opensOfSession(sessionId).length
    if (n >= this.cfg.maxOpensPerSession) return fail(NtStatus.InsufficientResources, 'per-session open limit reached')
    return ok('open allowed')
  }

  /**
   * LOGOFF (MS-SMB2 3.3.5.6): durable/resilient opens become disconnected, the rest close; the session and its tree
   * connects leave the global tables.
   */
  logoff(sessionId: bigint): DetachResult & { verdict: Verdict } {
    const s = this.tables.sessions.get(sessionId)
    if (!s) return { disconnected: [], closed: [], verdict: fail(NtStatus.UserSessionDeleted, 'MS-SMB2 3.3.5.6: no such session') }
    const r = detachSessionOpens(this.tables, sessionId, 'logoff', this.now())
    this.tables.removeSession(sessionId)
    return { ...r, verdict: ok('MS-SMB2 3.3.5.6: logged off') }
  }

  /**
   * A connection went away (MS-SMB2 3.3.7.1). For each session it was a channel of: the channel is removed; when no
   * channel is left, the session becomes 'disconnected' and its opens are detached ('connection-lost' rules:
   * durable opens survive only while they hold a batch oplock or a handle lease, `holdsHandleCaching`).
   */
  connectionLost(connectionId: number, holdsHandleCaching: (o: OpenGlobal) => boolean): DetachResult {
    const out: DetachResult = { disconnected: [], closed: [] }
    const now = this.now()
    for (const s of [...this.tables.sessions.values()]) {
      if (!s.channels.includes(connectionId)) continue
      const channels = s.channels.filter((c) => c !== connectionId)
      if (channels.length > 0) {
        this.tables.updateSession(s.sessionId, { channels })
        continue
      }
      const r = detachSessionOpens(this.tables, s.sessionId, 'connection-lost', now, holdsHandleCaching)
      out.disconnected.push(...r.disconnected)
      out.closed.push(...r.closed)
      if (s.state === 'in-progress') this.tables.removeSession(s.sessionId)
      else this.tables.updateSession(s.sessionId, { channels: [], state: 'disconnected', disconnectedAt: now })
    }
    return out
  }
}
