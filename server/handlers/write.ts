/** WRITE (MS-SMB2 3.3.5.13): files through the VFS (oplock breaks of other opens), named pipes. @module */
import type { WriteRequest } from '../../dissect/smb2/commands/write.js'
import { Channel } from '../../dissect/smb2/constants/read-write.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'

export async function write(req: WriteRequest, ctx: RequestContext) {
  const open = ctx.o
  if (req.data.length > ctx.conn.maxWriteSize) throw new SmbError(NtStatus.InvalidParameter, undefined, `write of ${req.data.length} > MaxWriteSize`)
  if (req.channel !== Channel.None) throw new SmbError(NtStatus.InvalidParameter, undefined, 'RDMA channel')
  if (open.pipe) {
    open.pipe.write(Buffer.from(req.data))
    return { count: req.data.length, remaining: 0 }
  }
  const share = open.tree.share
  if (share.kind !== 'disk' || !open.vfs) throw new SmbError(NtStatus.InvalidDeviceRequest)
  ctx.server.caching.onWrite(open.persistentId)
  const n = await share.vfs.write(open.vfs, req.offset, req.data)
  return { count: n, remaining: 0 }
}
