/**
 * Tearing down a session's per-connection objects when a new SESSION_SETUP names it as PreviousSessionId (MS-SMB2
 * 3.3.5.5.3): the state layer (`handlePreviousSession`, server/state/durable.ts) has already decided which opens
 * survive (durable and resilient ones become disconnected) and which close, and removed the old session and its
 * tree connects from the global tables. Here the local objects follow: closing opens close (pending
 * CHANGE_NOTIFYs complete with STATUS_NOTIFY_CLEANUP), surviving opens are detached from the session with their
 * file-system handle kept for a reconnect, the session's asynchronous requests end, and every connection it was a
 * channel of forgets it (later requests on it get STATUS_USER_SESSION_DELETED).
 * @module
 */
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { ServerOpen } from './open.js'
import type { SmbServer } from './server.js'
import { findSession, rememberEndedSession } from './session-binding.js'
import type { DetachResult } from './state/durable.js'

/** Tears down the old session named by PreviousSessionId; `detached` is what the state layer decided. */
export async function tearDownPreviousSession(server: SmbServer, sessionId: bigint, detached: DetachResult): Promise<void> {
  const session = findSession(server, sessionId)
  if (!session) return
  rememberEndedSession(server, session, { decrypt: true })
  const keep = new Set(detached.disconnected.map((o) => o.persistentId))
  for (const o of session.opens.all()) {
    if (keep.has(o.persistentId)) keepDisconnected(server, o)
    else await server.closeOpen(o)
  }
  server.cancelAsync(session)
  for (const t of session.trees.values()) if (server.tables.trees.has(t.id)) server.tables.removeTreeConnect(t.id)
  session.trees.clear()
  for (const conn of session.connections()) {
    conn.sessions.delete(sessionId)
    conn.log.info('previous session torn down', { session: sessionId.toString(16), kept: keep.size })
  }
}

/**
 * Detaches a durable open from its session without closing it (the global record is already disconnected): its
 * waiting requests end, it leaves the session's open table, the caching manager treats it as disconnected and the
 * scavenger closes it when its durable timeout passes unless a reconnect (DHnC/DH2C) reclaims it first. The local
 * open stays in `server.opens` under its persistent id, with its VFS handle, for that reconnect.
 */
export function keepDisconnected(server: SmbServer, open: ServerOpen): void {
  for (const n of open.notifies) n.cancel(NtStatus.NotifyCleanup)
  for (const l of open.waitingLocks) l.cancel(NtStatus.RangeNotLocked)
  open.session.opens.remove(open.volatileId)
  server.caching.setConnected(open.persistentId, false)
  const g = server.tables.opens.get(open.persistentId)
  if (g?.disconnectedAt != null) server.scavenger.track(open.persistentId, g.disconnectedAt + g.durableTimeoutMs)
}
