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
import type { SmbServer } from './server.js'
import { findSession, rememberEndedSession } from './session-binding.js'
import type { DetachResult } from './state/durable.js'

/** Tears down the old session named by PreviousSessionId; `detached` is what the state layer decided. */
export async function tearDownPreviousSession(server: SmbServer, sessionId: bigint, detached: DetachResult): Promise<void> {
  const session = findSession(server, sessionId)
  if (!session) return
  rememberEndedSession(server, session, { decrypt: true })
  const keep = detached.disconnected.length
  // Opens whose global record the state layer kept disconnected stay (VFS handle, locks, position, scavenger
  // armed) for the DHnC/DH2C that follows; the others close.
  await server.durableHandles.detachLocalOpens(session)
  server.cancelAsync(session)
  for (const t of session.trees.values()) if (server.tables.trees.has(t.id)) server.tables.removeTreeConnect(t.id)
  session.trees.clear()
  for (const conn of session.connections()) {
    conn.sessions.delete(sessionId)
    conn.log.info('previous session torn down', { session: sessionId.toString(16), kept: keep })
  }
}
