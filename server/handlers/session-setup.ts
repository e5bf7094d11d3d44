/**
 * SESSION_SETUP (MS-SMB2 3.3.5.5): a new session (SessionId 0), reauthentication of an existing one (SMB 2.1+
 * dynamic reauthentication, 3.3.5.5.3: opens and tree connects are kept), or binding this connection to a session
 * of another connection (SMB 3.x multichannel, 3.3.5.5.2: server/session-binding.ts), driven by SPNEGO/NTLMSSP
 * (server/auth). On a first authentication the session's keys are derived (dissect/crypto KDF with the 3.1.1
 * preauth integrity hash), its signing and encryption requirements set, and a PreviousSessionId is torn down.
 * @module
 */
import { deriveSessionKeys } from '../../dissect/crypto/kdf.js'
import { verify } from '../../dissect/crypto/signing.js'
import type { SessionSetupRequest } from '../../dissect/smb2/commands/session-setup.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { Capabilities, SecurityMode, SessionFlags, Smb2Flags } from '../../dissect/smb2/constants/flags.js'
import { SessionSetupFlags } from '../../dissect/smb2/constants/session.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { Authenticator } from '../auth/authenticator.js'
import type { RequestContext } from '../request.js'
import { Session } from '../session.js'
import { bindSession, signingForUnknownSession } from '../session-binding.js'
import { tearDownPreviousSession } from '../session-teardown.js'
import { SmbError } from '../smb-error.js'

export async function sessionSetup(req: SessionSetupRequest, ctx: RequestContext) {
  const { conn, server } = ctx
  const h = ctx.header
  if (req.flags & SessionSetupFlags.Binding) return bindSession(req, ctx)
  let session: Session
  let reauth = false
  if (h.sessionId === 0n) {
    if (conn.sessions.size >= server.config.limits.maxSessionsPerConnection) throw new SmbError(NtStatus.InsufficientResources, undefined, 'session limit')
    const g = server.sessionManager.begin(conn.id, conn.clientGuid, conn.dialect)
    session = new Session(g.sessionId, g, conn)
    conn.sessions.set(session.id, session)
    if (conn.dialect === Dialect.Smb311) session.preauth = conn.preauth.fork()
  } else {
    const s = conn.sessions.get(h.sessionId)
    if (!s) {
      // A session of another connection named without SMB2_SESSION_FLAG_BINDING (smbtorture
      // smb2.session.bind_negative_*): USER_SESSION_DELETED, signed with the session's key when the request was.
      if (h.flags & Smb2Flags.Signed) ctx.extras.signWith = signingForUnknownSession(server, h.sessionId, conn)
      throw new SmbError(NtStatus.UserSessionDeleted)
    }
    session = s
    reauth = s.phase !== 'in-progress'
    // An encrypted request is authenticated by its encryption (MS-SMB2 3.3.5.2.4); its answer is encrypted, not signed.
    if (reauth && !ctx.req.encrypted) {
      // MS-SMB2 3.3.5.2.4: a reauthentication runs on a session with keys; it is verified with the channel's key,
      // and a session that requires signing refuses an unsigned one (smbtorture bind_negative_*: ACCESS_DENIED).
      // The answer is signed with that key either way (Samba does; a client that signs insists on it).
      const signing = s.signingFor(conn)
      if (signing && (h.flags & Smb2Flags.Signed || s.signingRequired)) {
        ctx.extras.signWith = signing
        if (!(h.flags & Smb2Flags.Signed) || !verify(ctx.req.raw, signing.key, signing.algorithm)) {
          throw new SmbError(NtStatus.AccessDenied, undefined, 'reauthentication with a bad or missing signature')
        }
      }
    }
  }
  ctx.session = session
  ctx.extras.sessionId = session.id
  session.auth ??= newAuthenticator(ctx)
  if (session.preauth && !reauth) session.preauth.update(ctx.req.raw)
  const step = session.auth.step(req.securityBuffer)
  if (step.kind === 'continue') {
    ctx.status = NtStatus.MoreProcessingRequired
    const p = session.preauth
    if (p && !reauth) ctx.extras.onEncoded = (bytes) => p.update(bytes)
    return { sessionFlags: 0, securityBuffer: step.blob }
  }
  session.auth = undefined
  if (step.kind === 'failed') {
    conn.log.info('authentication failed', { reason: step.reason })
    if (!reauth) dropSession(ctx, session)
    // A failed reauthentication ends the session, as on Windows (MS-SMB2 3.3.5.5.3): its opens close (pending
    // CHANGE_NOTIFYs complete with STATUS_NOTIFY_CLEANUP) and later requests get STATUS_USER_SESSION_DELETED.
    else await server.endSession(session, 'logoff')
    throw new SmbError(step.status)
  }
  const id = step.identity
  if (reauth) {
    const principal = session.principal ?? id
    // Reauthenticating as anonymous or guest lowers the session's security context (Windows and Samba accept it:
    // smbtorture smb2.session.reauth2/3); as another real user it is refused and the session stays as it was.
    const lowered = id.anonymous || id.guest
    if (!lowered && principal.sid !== id.sid) throw new SmbError(NtStatus.AccessDenied, undefined, 'reauthentication as a different user')
    const v = server.sessionManager.reauthenticate(session.id, { user: principal.user, domain: principal.domain, sid: principal.sid })
    if (v.status !== NtStatus.Success) throw new SmbError(v.status, undefined, v.rule)
    session.identity = id
    session.expiresAt = expiryFrom(ctx)
    session.phase = 'valid'
    // The final response of a reauthentication as a real user is signed with the channel's key (as Samba).
    const signing = session.signingFor(conn)
    if (signing && !lowered && !ctx.req.encrypted) ctx.extras.signWith = signing
    conn.log.info('session reauthenticated', { user: id.user || '(anonymous)', guest: id.guest })
    return { sessionFlags: flagsOf(session), securityBuffer: step.blob ?? Buffer.alloc(0) }
  }
  session.identity = id
  session.principal = id
  const anonymousOrGuest = id.guest || id.anonymous
  if (step.sessionKey && !anonymousOrGuest) {
    session.keys = deriveSessionKeys({
      dialect: conn.dialect,
      sessionKey: step.sessionKey,
      preauthHash: session.preauth?.value,
      cipherId: conn.cipherId,
      signingAlgorithmId: conn.signingAlgorithmId,
    })
  }
  // MS-SMB2 3.3.5.5.3: signing is required when the server or the client asks for it (never for guest/anonymous).
  session.signingRequired =
    !anonymousOrGuest &&
    (server.config.signing === 'required' || (req.securityMode & SecurityMode.SigningRequired) !== 0 || (conn.clientSecurityMode & SecurityMode.SigningRequired) !== 0)
  const canEncrypt =
    !anonymousOrGuest &&
    !!session.keys?.serverOutKey &&
    (conn.dialect === Dialect.Smb311 ? conn.cipherId !== undefined : (conn.serverCapabilities & Capabilities.Encryption) !== 0)
  session.encryptData = canEncrypt && server.config.encryption !== 'off'
  if (server.config.encryption === 'required' && !canEncrypt && !anonymousOrGuest && server.config.rejectUnencrypted) {
    dropSession(ctx, session)
    throw new SmbError(NtStatus.AccessDenied, undefined, 'encryption required but not available on this connection')
  }
  const done = server.sessionManager.complete(session.id, {
    owner: { user: id.user, domain: id.domain, sid: id.sid },
    signingRequired: session.signingRequired,
    encryptData: session.encryptData,
    previousSessionId: req.previousSessionId,
  })
  if (done.verdict.status !== NtStatus.Success) throw new SmbError(done.verdict.status, undefined, done.verdict.rule)
  // MS-SMB2 3.3.5.5.3: the old session's state goes; its durable opens stay, disconnected, for a reconnect.
  if (done.previous?.removed) await tearDownPreviousSession(server, req.previousSessionId, done.previous)
  session.expiresAt = expiryFrom(ctx)
  session.phase = 'valid'
  // MS-SMB2 3.3.5.5.3: the final response is signed for 3.1.1 (and when signing is required).
  const signing = session.signing
  if (signing && (conn.dialect === Dialect.Smb311 || session.signingRequired)) ctx.extras.signWith = signing
  session.preauth = undefined
  conn.log.info('session established', { user: id.user || '(anonymous)', guest: id.guest, dialect: conn.dialect.toString(16), signing: session.signingRequired, encrypt: session.encryptData })
  return { sessionFlags: flagsOf(session), securityBuffer: step.blob ?? Buffer.alloc(0) }
}

/** One SPNEGO/NTLMSSP exchange with the server's users. */
export function newAuthenticator(ctx: RequestContext): Authenticator {
  const c = ctx.server.config
  return new Authenticator({ users: ctx.server.users, guest: c.guest, anonymous: c.anonymous !== false, netbiosName: c.netbiosName, domain: c.domain })
}

/** Session.ExpirationTime for an authentication that completes now (limits.sessionExpiryMs; 0 = never). */
function expiryFrom(ctx: RequestContext): number | null {
  const ms = ctx.server.config.limits.sessionExpiryMs
  return ms > 0 ? Date.now() + ms : null
}

export function flagsOf(s: Session): number {
  let f = 0
  if (s.principal?.guest) f |= SessionFlags.IsGuest
  if (s.principal?.anonymous) f |= SessionFlags.IsNull
  if (s.encryptData) f |= SessionFlags.EncryptData
  return f
}

function dropSession(ctx: RequestContext, s: Session): void {
  ctx.conn.sessions.delete(s.id)
  if (ctx.server.tables.sessions.has(s.id)) ctx.server.tables.removeSession(s.id)
}
