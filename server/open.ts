/**
 * The per-connection part of an open (MS-SMB2 3.3.1.10 Open as one session sees it; Samba's smbXsrv_open): the
 * volatile id, the session and tree it came through, and what it opened: a VFS open (disk share) or a named pipe
 * (IPC$). Its `global` record (server/state) carries the persistent id and what a durable reconnect needs.
 * @module
 */
import type { LocalOpen, OpenGlobal } from './state/global-tables.js'
import type { VfsOpen } from './vfs/open-table.js'
import type { PipeEndpoint } from './ipc/pipe.js'
import type { Session } from './session.js'
import type { TreeConnect } from './tree.js'

export class ServerOpen implements LocalOpen {
  readonly volatileId: bigint
  readonly persistentId: bigint
  readonly connectionId: number
  readonly sessionId: bigint
  readonly treeId: number
  closed = false
  /** Change-notify request waiting on this open (at most one is outstanding per open here). */
  readonly notifies = new Set<{ cancel(status?: number): boolean }>()
  /** Byte-range lock requests waiting on this open. */
  readonly waitingLocks = new Set<{ cancel(status?: number): boolean }>()

  constructor(
    readonly global: OpenGlobal,
    readonly session: Session,
    readonly tree: TreeConnect,
    readonly vfs: VfsOpen | undefined,
    readonly pipe: PipeEndpoint | undefined,
    /** Identity of the file for oplock/lease state (the VFS node key), '' for pipes. */
    readonly fileKey: string,
  ) {
    this.volatileId = global.volatileId!
    this.persistentId = global.persistentId
    this.connectionId = session.conn.id
    this.sessionId = session.id
    this.treeId = tree.id
  }

  get isPipe(): boolean {
    return this.pipe !== undefined
  }
}
