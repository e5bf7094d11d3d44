/** FLUSH (MS-SMB2 3.3.5.11). @module */
import type { FlushRequest } from '../../dissect/smb2/commands/flush.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'

export async function flush(_req: FlushRequest, ctx: RequestContext) {
  const open = ctx.o
  if (open.isPipe) return {}
  if (!open.vfs || open.tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidDeviceRequest)
  await open.tree.share.vfs.flush(open.vfs)
  return {}
}
