/**
 * The shares a server exports: one `LocalShare` (server/vfs) per configured disk share, all sharing the server's
 * open table, notify hub and metadata store, plus the built-in IPC$ pipe share (MS-SMB2 3.3.5.7).
 * @module
 */
import type { ShareConfig } from './config.js'
import type { LocalShare } from './vfs/local-fs.js'

export interface DiskShare {
  kind: 'disk'
  name: string
  config: ShareConfig
  vfs: LocalShare
}

export interface IpcShare {
  kind: 'ipc'
  name: 'IPC$'
}

export type ShareEntry = DiskShare | IpcShare

export const IPC_SHARE: IpcShare = { kind: 'ipc', name: 'IPC$' }
