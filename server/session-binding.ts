/**
 * Session binding (SMB 3.x multichannel, MS-SMB2 3.3.5.5.2): a SESSION_SETUP with SMB2_SESSION_FLAG_BINDING on a
 * second connection names a Valid session of the same user; after a fresh authentication the connection becomes a
 * channel of that session with its own Channel.SigningKey (derived from the new exchange's session key and, for
 * 3.1.1, that exchange's preauth integrity hash), while encryption keys stay the session's.
 *
 * The checks run in the order Windows answers them (the one smbtorture smb2.session.bind_negative_* pins, also
 * Samba's smbd_smb2_session_setup_send): signing-algorithm mismatches involving AES-GMAC first, then the dialect,
 * multichannel support, the request's signature, dialect and cipher equality, an existing channel, and a guest or
 * anonymous session. Responses to binding requests, errors included, are signed with Session.SigningKey (the client
 * has no channel key yet), the final one with the new Channel.SigningKey.
 * @module
 */
import { SigningAlgorithm } from '../dissect/crypto/constants.js'
import { deriveSessionKeys, type SessionKeys } from '../dissect/crypto/kdf.js'
import { verify } from '../dissect/crypto/signing.js'
import type { SessionSetupRequest } from '../dissect/smb2/commands/session-setup.js'
import { Dialect } from '../dissect/smb2/constants/dialect.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { Connection } from './connection.js'
import { flagsOf, newAuthenticator } from './handlers/session-setup.js'
import type { RequestContext } from './request.js'
import type { SmbServer } from './server.js'
import type { Channel, Session, SigningKey } from './session.js'
import { SmbError } from './smb-error.js'

/** The session with this id on any connection of the server (MS-SMB2 GlobalSessionTable lookup). */
export function findSession(server: SmbServer, sessionId: bigint): Session | undefined {
  if (sessionId === 0n) return undefined
  for (const c of server.connections) {
    const s = c.sessions.get(sessionId)
    if (s) return s
  }
  return undefined
}

/** Channels per session, as Windows Server 2012 R2/2016 (smbtorture smb2.multichannel.generic.num_channels). */
export const MAX_CHANNELS = 32

/**
 * Ended sessions' signing keys by connection id, kept a while to sign USER_SESSION_DELETED answers. Keyed by id, not
 * by the Connection itself: a record must not keep a closed connection (its socket, framer, buffers) alive.
 */
const ended = new WeakMap<SmbServer, Map<bigint, { until: number; keys: Map<number, SigningKey>; session: SessionKeys | undefined }>>()
const ENDED_TTL_MS = 60_000
const ENDED_MAX = 256

/**
 * Records the signing keys of a session that is going away (LOGOFF, failed reauthentication, connection loss,
 * PreviousSessionId). With `decrypt`, requests still encrypted for it are decrypted and answered
 * USER_SESSION_DELETED; otherwise they cannot be decrypted and end the connection (as after a failed
 * reauthentication: smbtorture smb2.session.reauth6 and bind_invalid_auth with encryption).
 */
export function rememberEndedSession(server: SmbServer, session: Session, o: { decrypt?: boolean } = {}): void {
  const keys = new Map<number, SigningKey>()
  for (const c of session.channels.keys()) {
    // A closed connection sends nothing more: no answer to sign on it.
    if (c.closed) continue
    const k = session.signingFor(c)
    if (k) keys.set(c.id, k)
  }
  if (keys.size === 0 && !(o.decrypt && session.keys)) return
  let m = ended.get(server)
  if (!m) ended.set(server, (m = new Map()))
  const now = Date.now()
  for (const [id, e] of m) if (e.until < now || m.size >= ENDED_MAX) m.delete(id)
  m.set(session.id, { until: now + ENDED_TTL_MS, keys, session: o.decrypt ? session.keys : undefined })
}

/**
 * The keys of a session that ended a moment ago, to decrypt a request still sent for it (the answer is
 * USER_SESSION_DELETED rather than a dropped connection: smbtorture smb2.session.reconnect1/2 with encryption).
 */
export function endedSessionKeys(server: SmbServer, sessionId: bigint): SessionKeys | undefined {
  const e = ended.get(server)?.get(sessionId)
  return e && e.until >= Date.now() ? e.session : undefined
}

/**
 * The key to sign STATUS_USER_SESSION_DELETED with when a signed request names a session this connection does not
 * have: a session of another connection signs with Session.SigningKey (Samba: the global session lookup), a session
 * that just ended with the key this connection used for it. A client that signs requires signed answers (Samba's
 * smbXcli refuses an unsigned one with ACCESS_DENIED; smbtorture smb2.session.bind2, bind_invalid_auth).
 */
export function signingForUnknownSession(server: SmbServer, sessionId: bigint, conn: Connection): SigningKey | undefined {
  const live = findSession(server, sessionId)
  if (live) return live.signing
  const e = ended.get(server)?.get(sessionId)
  if (!e || e.until < Date.now()) return undefined
  return e.keys.get(conn.id)
}

/** The signing algorithm a connection signs with (MS-SMB2 3.1.4.1; 3.1.1 SIGNING_CAPABILITIES). */
export function connectionSigningAlgorithm(conn: Connection): number {
  if (conn.dialect < Dialect.Smb300) return SigningAlgorithm.HmacSha256
  if (conn.dialect === Dialect.Smb311 && conn.signingAlgorithmId !== undefined) return conn.signingAlgorithmId
  return SigningAlgorithm.AesCmac
}

/**
 * The admission checks of a binding request (MS-SMB2 3.3.5.5.2), before authentication; `signed` tells whether the
 * request carried a valid signature under Session.SigningKey. Returns the failure status, or undefined.
 */
export function bindingRefusal(session: Session, conn: Connection, o: { multichannel: boolean; signed: boolean }): { status: number; why: string } | undefined {
  const first = session.global
  const sessionAlgorithm = session.keys?.signingAlgorithm ?? SigningAlgorithm.HmacSha256
  const connAlgorithm = connectionSigningAlgorithm(conn)
  // AES-GMAC cannot be mixed with another algorithm on the channels of one session (Windows; smbtorture signGto*).
  if (sessionAlgorithm === SigningAlgorithm.AesGmac && connAlgorithm !== SigningAlgorithm.AesGmac) {
    return { status: NtStatus.RequestOutOfSequence, why: 'session signs with AES-GMAC, this connection does not' }
  }
  if (connAlgorithm === SigningAlgorithm.AesGmac && sessionAlgorithm !== SigningAlgorithm.AesGmac) {
    return { status: NtStatus.NotSupported, why: 'this connection signs with AES-GMAC, the session does not' }
  }
  if (conn.dialect < Dialect.Smb300) return { status: NtStatus.RequestNotAccepted, why: 'binding needs SMB 3.x' }
  if (!o.multichannel) return { status: NtStatus.RequestNotAccepted, why: 'multichannel is off' }
  if (!o.signed) return { status: NtStatus.InvalidParameter, why: 'binding request not signed' }
  if (first.dialect !== conn.dialect) return { status: NtStatus.InvalidParameter, why: 'dialect differs from the session\'s connection' }
  if (session.conn.cipherId !== conn.cipherId) return { status: NtStatus.InvalidParameter, why: 'cipher differs from the session\'s connection' }
  if (session.isChannel(conn)) return { status: NtStatus.RequestNotAccepted, why: 'connection already bound to the session' }
  if (!session.keys || session.principal?.guest || session.principal?.anonymous) return { status: NtStatus.NotSupported, why: 'guest or anonymous session' }
  if (session.phase === 'in-progress') return { status: NtStatus.RequestNotAccepted, why: 'session not yet valid' }
  if (session.connections().length >= MAX_CHANNELS) return { status: NtStatus.InsufficientResources, why: `a session has at most ${MAX_CHANNELS} channels` }
  return undefined
}

/** SESSION_SETUP with SMB2_SESSION_FLAG_BINDING (MS-SMB2 3.3.5.5.2). */
export async function bindSession(req: SessionSetupRequest, ctx: RequestContext) {
  const { conn, server } = ctx
  const h = ctx.header
  if (h.sessionId === 0n) throw new SmbError(NtStatus.InvalidParameter, undefined, 'binding without a SessionId')
  const session = findSession(server, h.sessionId)
  if (!session) throw new SmbError(NtStatus.UserSessionDeleted, undefined, 'binding to an unknown session')
  ctx.extras.sessionId = session.id
  let channel = session.channels.get(conn)
  if (!channel?.binding) {
    // The request is verified with Session.SigningKey (with Channel.SigningKey on a connection already bound, where
    // a request signed with another key fails: ACCESS_DENIED); a signed request gets signed answers, errors included.
    const bound = session.isChannel(conn)
    const key = bound ? session.signingFor(conn) : session.signing
    const signed = !!key && (h.flags & Smb2Flags.Signed) !== 0 && verify(ctx.req.raw, key.key, key.algorithm)
    if (key && (h.flags & Smb2Flags.Signed || bound)) ctx.extras.signWith = key
    if (bound && !signed) throw new SmbError(NtStatus.AccessDenied, undefined, 'binding request not signed with the channel key')
    const refusal = bindingRefusal(session, conn, { multichannel: server.config.multichannel, signed })
    if (refusal) throw new SmbError(refusal.status, undefined, refusal.why)
    if (session.phase === 'expired') throw new SmbError(NtStatus.NetworkSessionExpired)
    channel = {
      conn,
      signing: undefined,
      binding: { auth: newAuthenticator(ctx), preauth: conn.dialect === Dialect.Smb311 ? conn.preauth.fork() : undefined },
    }
    session.channels.set(conn, channel)
  } else {
    // A later leg of the exchange: signed with Session.SigningKey like the first.
    const key = session.signing
    if (key) ctx.extras.signWith = key
    if (!key || !(h.flags & Smb2Flags.Signed) || !verify(ctx.req.raw, key.key, key.algorithm)) {
      session.channels.delete(conn)
      throw new SmbError(NtStatus.AccessDenied, undefined, 'binding request not signed with the session key')
    }
  }
  const binding = channel.binding!
  binding.preauth?.update(ctx.req.raw)
  const step = binding.auth.step(req.securityBuffer)
  if (step.kind === 'continue') {
    ctx.status = NtStatus.MoreProcessingRequired
    const p = binding.preauth
    if (p) ctx.extras.onEncoded = (bytes) => p.update(bytes)
    return { sessionFlags: 0, securityBuffer: step.blob }
  }
  // Whatever the outcome, this exchange is over; a failure leaves the session as it was (MS-SMB2 3.3.5.5.3).
  session.channels.delete(conn)
  if (step.kind === 'failed') {
    conn.log.info('binding authentication failed', { reason: step.reason })
    throw new SmbError(step.status)
  }
  const id = step.identity
  // MS-SMB2 3.3.5.5.3: the binding user must be the session's (anonymous or guest included: ACCESS_DENIED).
  if (!session.principal || id.sid !== session.principal.sid || id.guest || id.anonymous) {
    throw new SmbError(NtStatus.AccessDenied, undefined, 'binding as a different user')
  }
  if (!step.sessionKey) throw new SmbError(NtStatus.NotSupported, undefined, 'no session key')
  const v = server.sessionManager.bind(session.id, { connectionId: conn.id, dialect: conn.dialect, clientGuid: conn.clientGuid })
  if (v.status !== NtStatus.Success) throw new SmbError(v.status, undefined, v.rule)
  // MS-SMB2 3.3.5.5.3: Channel.SigningKey from this exchange's key (and, for 3.1.1, its preauth hash).
  const derived = deriveSessionKeys({
    dialect: conn.dialect,
    sessionKey: step.sessionKey,
    preauthHash: binding.preauth?.value,
    cipherId: conn.cipherId,
    signingAlgorithmId: conn.signingAlgorithmId,
  })
  const bound: Channel = { conn, signing: { key: derived.signingKey, algorithm: derived.signingAlgorithm } }
  session.channels.set(conn, bound)
  conn.sessions.set(session.id, session)
  ctx.session = session
  ctx.extras.signWith = bound.signing
  conn.log.info('channel bound', { session: session.id.toString(16), channels: session.connections().length })
  return { sessionFlags: flagsOf(session), securityBuffer: step.blob ?? Buffer.alloc(0) }
}

/**
 * A connection went away: for each session it was a channel of, the channel goes. Returns the sessions that lost
 * their last channel (the caller tears them down as on a lost connection, MS-SMB2 3.3.7.1).
 */
export function dropChannels(server: SmbServer, conn: Connection): Session[] {
  const last: Session[] = []
  for (const s of conn.sessions.values()) {
    s.removeChannel(conn)
    if (s.connections().length === 0) last.push(s)
    else {
      const g = server.tables.sessions.get(s.id)
      if (g) server.tables.updateSession(s.id, { channels: g.channels.filter((c) => c !== conn.id) })
      conn.log.info('channel lost', { session: s.id.toString(16), channels: s.connections().length })
    }
  }
  // A binding in progress on this connection ends with it.
  for (const c of server.connections) for (const s of c.sessions.values()) if (s.channels.get(conn)?.binding) s.channels.delete(conn)
  return last
}
