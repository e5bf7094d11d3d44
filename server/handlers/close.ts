/** CLOSE (MS-SMB2 3.3.5.10), with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB. @module */
import type { CloseRequest } from '../../dissect/smb2/commands/close.js'
import { CloseFlags } from '../../dissect/smb2/constants/close.js'
import { CreateOptions } from '../../dissect/smb2/constants/create.js'
import { timesAndSizes } from '../create-response.js'
import { breakOthersHandleCaching, changeBy, reportDirectoryChange } from '../leasing.js'
import type { RequestContext } from '../request.js'

export async function close(req: CloseRequest, ctx: RequestContext) {
  const open = ctx.o
  const post = (req.flags & CloseFlags.PostqueryAttrib) !== 0 && !open.isPipe
  // The close of an open created with FILE_DELETE_ON_CLOSE is what deletes the file: holders of Handle caching
  // under other lease keys are asked to close their cached handles first, and the close waits for their
  // acknowledgements (as Samba does; smbtorture lease.unlink).
  const v = open.isPipe ? undefined : open.vfs
  if (v && (v.createOptions & CreateOptions.DeleteOnClose) && v.deleteOnClose && !v.node.deletePending) await breakOthersHandleCaching(ctx, open)
  // The close of a written or deleted file is a change in its directory (directory leases break).
  const changed = v && (ctx.server.caching.wasModified(open.persistentId) || v.deleteOnClose || v.node.deletePending)
  const by = changed ? changeBy(ctx, open) : undefined
  const childPath = v?.node.absPath
  const r = await ctx.server.closeOpen(open, { postQuery: post })
  if (by && childPath) reportDirectoryChange(ctx.server, childPath, by)
  const info = r?.info
  if (post && info) {
    return { flags: CloseFlags.PostqueryAttrib, ...timesAndSizes(info) }
  }
  return { flags: 0, creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n, allocationSize: 0n, endOfFile: 0n, fileAttributes: 0 }
}
