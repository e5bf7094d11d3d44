/**
 * CHANGE_NOTIFY (MS-SMB2 3.3.5.19; MS-FSA 2.1.5.11): waits asynchronously for changes in a directory; completes with
 * FILE_NOTIFY_INFORMATION entries (dissect/smb2/info), STATUS_NOTIFY_ENUM_DIR when they overflowed, STATUS_CANCELLED
 * on CANCEL, STATUS_NOTIFY_CLEANUP when the handle closes.
 * @module
 */
import type { ChangeNotifyRequest } from '../../dissect/smb2/commands/change-notify.js'
import { ChangeNotifyFlags } from '../../dissect/smb2/constants/change-notify.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { encodeNotify } from '../../dissect/smb2/info/notify.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'

export async function changeNotify(req: ChangeNotifyRequest, ctx: RequestContext) {
  const open = ctx.o
  if (open.pipe || !open.vfs || open.tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidParameter)
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new SmbError(NtStatus.InvalidParameter, undefined, 'OutputBufferLength > MaxTransactSize')
  const n = open.tree.share.vfs.changeNotify(open.vfs, {
    completionFilter: req.completionFilter,
    watchTree: (req.flags & ChangeNotifyFlags.WatchTree) !== 0,
    outputBufferLength: req.outputBufferLength,
  })
  if (!n.settled) {
    open.notifies.add(n)
    ctx.goAsync((why) => n.cancel(why === 'cancel' ? NtStatus.Cancelled : NtStatus.NotifyCleanup))
  }
  let result
  try {
    result = await n.promise
  } finally {
    open.notifies.delete(n)
  }
  if (result.status !== NtStatus.Success) throw new SmbError(result.status)
  const { buffer, count } = encodeNotify(result.changes.map((c) => ({ action: c.action, fileName: c.fileName })), req.outputBufferLength)
  if (count < result.changes.length) throw new SmbError(NtStatus.NotifyEnumDir)
  return { outputBuffer: buffer }
}
