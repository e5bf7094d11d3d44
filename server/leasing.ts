/**
 * Leases on the SMB side (MS-SMB2 3.3.5.9.8 / 3.3.5.9.11 lease create contexts, 3.3.4.7 lease break notification,
 * 3.3.5.22.2 lease break acknowledgment): reading RqLs from a CREATE, building the RqLs response context, and
 * sending the Lease Break Notification the caching manager (server/state/file-caching.ts) asks for.
 * @module
 */
import { dirname } from 'node:path'
import { findCreateContext, type CreateContext, type CreateContextInput } from '../dissect/smb2/create-contexts/index.js'
import { LeaseBreakNotification } from '../dissect/smb2/commands/oplock-break.js'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Dialect } from '../dissect/smb2/constants/dialect.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { makeHeader, UNSOLICITED_MESSAGE_ID } from '../dissect/smb2/header.js'
import type { SmbServer } from './server.js'
import type { Session } from './session.js'
import type { ServerOpen } from './open.js'
import type { RequestContext } from './request.js'
import type { GrantedLease, LeaseBreakNotice, LeaseRequest } from './state/file-caching.js'
import { LeaseFlags } from './state/lease-table.js'

const ZERO_GUID = '00000000-0000-0000-0000-000000000000'

/** A lease context as the CREATE carried it (v1 is 32 bytes, v2 52 bytes). */
export interface ParsedLease extends LeaseRequest {
  /** The LeaseFlags/Flags of the request. */
  flags: number
}

/**
 * The lease a CREATE asks for: RqLs with RequestedOplockLevel SMB2_OPLOCK_LEVEL_LEASE on SMB 2.1 or 3.x. A v2
 * context counts only on 3.x (MS-SMB2 3.3.5.9.11); on 2.1 it is ignored, as is any RqLs on 2.0.2 (the server
 * offers no leasing there). Returns null when no lease applies (the open then gets no oplock, 3.3.5.9.8).
 */
export function leaseRequestOf(contexts: readonly CreateContext[], dialect: number): ParsedLease | null {
  if (dialect < Dialect.Smb210) return null
  const c = findCreateContext(contexts, 'RqLs')
  if (!c || !c.known) return null
  const v = c.value as { leaseKey: string; leaseState: number; leaseFlags?: number; flags?: number; parentLeaseKey?: string; epoch?: number }
  if (c.dataLength === 52) {
    if (dialect < Dialect.Smb300) return null
    const flags = v.flags ?? 0
    const parent = flags & LeaseFlags.ParentLeaseKeySet && v.parentLeaseKey && v.parentLeaseKey !== ZERO_GUID ? v.parentLeaseKey : null
    return { key: v.leaseKey.toLowerCase(), state: v.leaseState, version: 2, parentLeaseKey: parent, epoch: v.epoch ?? 0, flags }
  }
  return { key: v.leaseKey.toLowerCase(), state: v.leaseState, version: 1, parentLeaseKey: null, flags: v.leaseFlags ?? 0 }
}

/** SMB2_CREATE_RESPONSE_LEASE (2.2.14.2.10) or _V2 (2.2.14.2.11), after the lease's version. */
export function leaseResponseContext(l: Pick<GrantedLease, 'key' | 'state' | 'epoch' | 'flags' | 'version' | 'parentLeaseKey'>): CreateContextInput {
  if (l.version === 2) {
    return {
      tag: 'RqLs',
      known: true,
      spec: '2.2.14.2.11',
      value: { leaseKey: l.key, leaseState: l.state, flags: l.flags, leaseDuration: 0n, parentLeaseKey: l.parentLeaseKey ?? ZERO_GUID, epoch: l.epoch },
    }
  }
  // v1 carries no parent key: only BreakInProgress may be set.
  return { tag: 'RqLs', known: true, spec: '2.2.14.2.10', value: { leaseKey: l.key, leaseState: l.state, leaseFlags: l.flags & LeaseFlags.BreakInProgress, leaseDuration: 0n } }
}

/**
 * MS-SMB2 3.3.4.7: sends a Lease Break Notification on a connection of the lease's client that holds one of its
 * opens (MessageId all ones, SessionId and TreeId zero, as Samba sends it). A lease whose opens are all
 * disconnected is handled by the caching manager (purge), so a live connection is normally found.
 */
export function sendLeaseBreak(server: SmbServer, n: LeaseBreakNotice): boolean {
  // Samba sends on the client's first connection (smbtorture lease.v2_complex1 expects the break of a lease whose
  // open lives on the second connection on the first one); MS-SMB2 3.3.4.7 lets the server pick any connection of
  // that ClientGuid. Fall back to a connection holding one of the lease's opens.
  const guid = n.clientGuid.toLowerCase()
  let first: { id: number; session: Session } | undefined
  for (const c of server.connections) {
    if (c.closed || c.clientGuid.toLowerCase() !== guid) continue
    const session = [...c.sessions.values()].find((x) => x.phase === 'valid')
    if (session && (!first || c.id < first.id)) first = { id: c.id, session }
  }
  const candidates: Array<{ session: Session; encrypt: boolean }> = []
  if (first) candidates.push({ session: first.session, encrypt: first.session.encryptData })
  for (const id of n.openIds) {
    const open = server.opens.get(id)
    if (!open || open.closed || open.session.conn.closed) continue
    candidates.push({ session: open.session, encrypt: open.session.encryptData || open.tree.encrypt })
  }
  for (const { session: s, encrypt: enc } of candidates) {
    const header = makeHeader({ command: Smb2Command.OplockBreak, flags: Smb2Flags.ServerToRedir, messageId: UNSOLICITED_MESSAGE_ID })
    const body = {
      newEpoch: n.version === 2 ? n.newEpoch : 0,
      flags: n.flags,
      leaseKey: n.leaseKey,
      currentLeaseState: n.currentState,
      newLeaseState: n.newState,
      breakReason: 0,
      accessMaskHint: 0,
      shareMaskHint: 0,
    }
    s.conn.sendChain([{ header, body, codec: LeaseBreakNotification }], enc ? s : undefined)
    return true
  }
  server.log.debug('lease break with no connected open', { leaseKey: n.leaseKey })
  return false
}

/**
 * Before a rename, a delete-on-close set through SET_INFO, or the CLOSE of an open created with
 * FILE_DELETE_ON_CLOSE: other lease keys on the file lose Handle caching first (their holders may keep cached
 * handles that would hold the old name or keep the file from being deleted), and the request waits for those
 * breaks (as Samba; smbtorture lease.v2_rename, lease.unlink). The requesting open's own lease is left alone.
 */
export async function breakOthersHandleCaching(ctx: RequestContext, open: ServerOpen): Promise<void> {
  const g = ctx.server.tables.opens.get(open.persistentId)
  const own = g?.lease ? { key: g.lease.key, state: 0, version: g.lease.version } : null
  const w = ctx.server.caching.breakForSharingViolation({ fileKey: open.fileKey, clientGuid: ctx.conn.clientGuid, lease: own })
  if (!w) return
  if (!ctx.isAsync) ctx.goAsync(() => undefined)
  await w
}

/** Who makes a change in a directory: a change through an open whose lease names the directory's lease key as
 * its ParentLeaseKey does not break that directory lease (MS-SMB2 3.3.5.9.11). */
export function changeBy(ctx: RequestContext, open: ServerOpen): { clientGuid: string; parentLeaseKey: string | null } {
  const g = ctx.server.tables.opens.get(open.persistentId)
  const l = g?.lease ? ctx.server.caching.lease(ctx.conn.clientGuid, g.lease.key) : undefined
  return { clientGuid: ctx.conn.clientGuid, parentLeaseKey: l?.parentLeaseKey ?? null }
}

/**
 * A change of the directory entry at `childAbsPath` (a file created, overwritten, written and closed, deleted,
 * renamed away or in): directory leases on its parent lose Read (and Handle) caching, except the lease named as
 * the changer's ParentLeaseKey. Free while nobody holds a directory lease.
 */
export function reportDirectoryChange(server: SmbServer, childAbsPath: string, by: { clientGuid: string; parentLeaseKey: string | null }): void {
  if (server.caching.directoryLeaseCount === 0) return
  const parent = dirname(childAbsPath)
  for (const key of server.caching.directoryLeaseFiles()) {
    if (server.openTable.node(key)?.absPath === parent) server.caching.onDirectoryChange(key, by)
  }
}
