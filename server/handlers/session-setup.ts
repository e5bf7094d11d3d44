/**
 * SESSION_SETUP (MS-SMB2 3.3.5.5): a new session (SessionId 0) or reauthentication of an existing one, driven by
 * SPNEGO/NTLMSSP (server/auth). On success the session's keys are derived (3.3.5.5.3, dissect/crypto KDF with the
 * 3.1.1 preauth integrity hash), and its signing and encryption requirements set.
 * @module
 */
import { deriveSessionKeys } from '../../dissect/crypto/kdf.js'
import type { SessionSetupRequest } from '../../dissect/smb2/commands/session-setup.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { Capabilities, SecurityMode, SessionFlags } from '../../dissect/smb2/constants/flags.js'
import { SessionSetupFlags } from '../../dissect/smb2/constants/session.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { Authenticator } from '../auth/authenticator.js'
import type { RequestContext } from '../request.js'
import { Session } from '../session.js'
import { SmbError } from '../smb-error.js'

export async function sessionSetup(req: SessionSetupRequest, ctx: RequestContext) {
  const { conn, server } = ctx
  const h = ctx.header
  // MS-SMB2 3.3.5.5: binding another channel needs multichannel, which this server does not offer.
  if (req.flags & SessionSetupFlags.Binding) throw new SmbError(NtStatus.RequestNotAccepted, undefined, 'session binding is not supported')
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
    if (!s) throw new SmbError(NtStatus.UserSessionDeleted)
    session = s
    reauth = s.phase !== 'in-progress'
  }
  ctx.session = session
  ctx.extras.sessionId = session.id
  session.auth ??= new Authenticator({ users: server.users, guest: server.config.guest, netbiosName: server.config.netbiosName, domain: server.config.domain })
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
    // A failed reauthentication ends the session, as on Windows: its opens close (pending CHANGE_NOTIFYs complete
    // with STATUS_NOTIFY_CLEANUP) and later requests on it get STATUS_USER_SESSION_DELETED.
    else await server.endSession(session, 'logoff')
    throw new SmbError(step.status)
  }
  const id = step.identity
  if (reauth) {
    const v = server.sessionManager.reauthenticate(session.id, { user: id.user, domain: id.domain, sid: id.sid })
    if (v.status !== NtStatus.Success) throw new SmbError(v.status, undefined, v.rule)
    session.phase = 'valid'
    // The final response of a reauthentication is signed with the session's key (as Samba; captures/samba
    // session.reauth1).
    if (session.signing) ctx.extras.signWith = session
    return { sessionFlags: flagsOf(session), securityBuffer: step.blob ?? Buffer.alloc(0) }
  }
  session.identity = id
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
  if (done.previous?.removed) await server.dropPreviousSession(req.previousSessionId)
  session.phase = 'valid'
  // MS-SMB2 3.3.5.5.3: the final response is signed for 3.1.1 (and when signing is required).
  if (session.signing && (conn.dialect === Dialect.Smb311 || session.signingRequired)) ctx.extras.signWith = session
  session.preauth = undefined
  conn.log.info('session established', { user: id.user || '(anonymous)', guest: id.guest, dialect: conn.dialect.toString(16), signing: session.signingRequired, encrypt: session.encryptData })
  return { sessionFlags: flagsOf(session), securityBuffer: step.blob ?? Buffer.alloc(0) }
}

function flagsOf(s: Session): number {
  let f = 0
  if (s.identity?.guest) f |= SessionFlags.IsGuest
  if (s.identity?.anonymous) f |= SessionFlags.IsNull
  if (s.encryptData) f |= SessionFlags.EncryptData
  return f
}

function dropSession(ctx: RequestContext, s: Session): void {
  ctx.conn.sessions.delete(s.id)
  if (ctx.server.tables.sessions.has(s.id)) ctx.server.tables.removeSession(s.id)
}
