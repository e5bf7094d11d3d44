/** The per-connection part of a tree connect (MS-SMB2 3.3.1.9; Samba's smbXsrv_tcon). @module */
import type { Session } from './session.js'
import type { ShareEntry } from './share.js'
import type { TreeConnectGlobal } from './state/global-tables.js'

export class TreeConnect {
  constructor(
    readonly id: number,
    readonly global: TreeConnectGlobal,
    readonly session: Session,
    readonly share: ShareEntry,
    /** TreeConnect.EncryptData: the share requires encryption (SMB2_SHAREFLAG_ENCRYPT_DATA). */
    readonly encrypt: boolean,
    /** TreeConnect.MaximalAccess. */
    readonly maximalAccess: number,
  ) {}

  get isIpc(): boolean {
    return this.share.kind === 'ipc'
  }
}
