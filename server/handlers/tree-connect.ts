/**
 * TREE_CONNECT (MS-SMB2 3.3.5.7) and TREE_DISCONNECT (3.3.5.8): the share named by the last component of
 * `\\server\share` (case-insensitive), guest rules, encryption requirements, and the global tree connect record.
 * @module
 */
import type { TreeConnectRequest } from '../../dissect/smb2/commands/tree-connect.js'
import type { TreeDisconnectRequest } from '../../dissect/smb2/commands/tree-disconnect.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { ShareCaching, ShareFlags, ShareType } from '../../dissect/smb2/constants/tree-connect.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { TreeConnect } from '../tree.js'

/** FILE_ALL_ACCESS, and FILE_GENERIC_READ | FILE_GENERIC_EXECUTE for read-only shares (MS-SMB2 2.2.10 MaximalAccess). */
const FULL_ACCESS = 0x001f_01ff
const READ_ONLY_ACCESS = 0x0012_00a9
const IPC_ACCESS = 0x001f_00a9

/** SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY (MS-SMB2 2.2.10). */
const SHARE_CAP_CONTINUOUS_AVAILABILITY = 0x0000_0010

export async function treeConnect(req: TreeConnectRequest, ctx: RequestContext) {
  const { server, conn } = ctx
  const session = ctx.s
  // MS-SMB2 3.3.5.7: the path is \\server\share; anything else names no share.
  const m = /^\\\\[^\\]+\\([^\\]+)$/.exec(req.path)
  if (!m) throw new SmbError(NtStatus.BadNetworkName, undefined, `bad tree path ${JSON.stringify(req.path)}`)
  const share = server.share(m[1]!)
  if (!share) throw new SmbError(NtStatus.BadNetworkName, undefined, `no share ${m[1]}`)
  const ident = session.identity
  const anonymousOrGuest = !!ident && (ident.guest || ident.anonymous)
  if (share.kind === 'disk' && anonymousOrGuest && !share.config.guestOk && !server.config.guest) {
    throw new SmbError(NtStatus.AccessDenied, undefined, 'guest access to this share is not allowed')
  }
  const encrypt = share.kind === 'disk' && (share.config.encrypt || server.config.encryption === 'required')
  if (encrypt && server.config.rejectUnencrypted && (conn.dialect < Dialect.Smb300 || !session.keys?.serverOutKey)) {
    throw new SmbError(NtStatus.AccessDenied, undefined, 'share requires encryption the connection cannot provide')
  }
  const readOnly = share.kind === 'disk' && share.config.readOnly
  // IPC$ as Samba answers it: MaximalAccess 0x001f00a9 and manual caching (captures/samba smbclient-encrypted).
  const maximalAccess = share.kind === 'ipc' ? IPC_ACCESS : readOnly ? READ_ONLY_ACCESS : FULL_ACCESS
  const g = server.tables.createTreeConnect({
    sessionId: session.id,
    shareName: share.name,
    maximalAccess,
    encryptData: encrypt,
    // Share.IsCA (--share NAME=PATH,ca): persistent handles may be granted here (MS-SMB2 3.3.5.9.10).
    continuousAvailability: share.kind === 'disk' && share.config.ca,
  })
  const tree = new TreeConnect(g.treeId, g, session, share, encrypt, maximalAccess)
  session.trees.set(tree.id, tree)
  ctx.tree = tree
  let shareFlags: number = ShareCaching.Manual
  if (encrypt) shareFlags |= ShareFlags.EncryptData
  return {
    shareType: share.kind === 'ipc' ? ShareType.Pipe : ShareType.Disk,
    shareFlags,
    // SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY (MS-SMB2 2.2.10), SMB 3.x only.
    capabilities: share.kind === 'disk' && share.config.ca && conn.dialect >= Dialect.Smb300 ? SHARE_CAP_CONTINUOUS_AVAILABILITY : 0,
    maximalAccess,
  }
}

export async function treeDisconnect(_req: TreeDisconnectRequest, ctx: RequestContext) {
  await ctx.server.disconnectTree(ctx.t)
  return {}
}
