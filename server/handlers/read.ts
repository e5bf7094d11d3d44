/**
 * READ (MS-SMB2 3.3.5.12): files through the VFS (MinimumCount, end of file), named pipes (a read with nothing to
 * return waits asynchronously until the pipe has a reply; STATUS_BUFFER_OVERFLOW for a message that does not fit).
 * @module
 */
import type { ReadRequest } from '../../dissect/smb2/commands/read.js'
import { Channel } from '../../dissect/smb2/constants/read-write.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import type { Connection } from '../connection.js'

/** Reads of at least this many bytes answer STATUS_PENDING first. */
const ASYNC_READ_SIZE = 256 * 1024
/** Asynchronous reads in flight per connection. */
const MAX_ASYNC_READS = 8
const asyncReads = new WeakMap<Connection, number>()

export async function read(req: ReadRequest, ctx: RequestContext) {
  const open = ctx.o
  // MS-SMB2 3.3.5.12: larger than Connection.MaxReadSize, or an RDMA channel this transport has not.
  if (req.length > ctx.conn.maxReadSize) throw new SmbError(NtStatus.InvalidParameter, undefined, `read of ${req.length} > MaxReadSize`)
  if (req.channel !== Channel.None) throw new SmbError(NtStatus.InvalidParameter, undefined, 'RDMA channel')
  if (open.pipe) {
    const pipe = open.pipe
    let r = pipe.readNow(req.length)
    if (!r) {
      const w = pipe.waitForData()
      ctx.goAsync(() => w.cancel())
      await w.promise
      if (ctx.cancelled) throw new SmbError(NtStatus.Cancelled)
      if (pipe.closed) throw new SmbError(NtStatus.PipeBroken)
      r = pipe.readNow(req.length)
      if (!r) throw new SmbError(NtStatus.PipeEmpty)
    }
    if (r.overflow) ctx.status = NtStatus.BufferOverflow
    return { dataRemaining: 0, flags: 0, data: r.data }
  }
  const share = open.tree.share
  if (share.kind !== 'disk' || !open.vfs) throw new SmbError(NtStatus.InvalidDeviceRequest)
  // A large read of a single (not compounded) request goes asynchronous at once, as Samba's aio path does: the
  // interim response returns the credits and the connection takes the client's next READ while this one waits for
  // the disk, so two reads a client keeps in flight overlap. A few per connection at most (they hold buffers).
  const inFlight = asyncReads.get(ctx.conn) ?? 0
  const goAsync = ctx.req.index === 0 && ctx.req.raw.length >= 24 && ctx.req.raw.readUInt32LE(20) === 0 && req.length >= ASYNC_READ_SIZE && inFlight < MAX_ASYNC_READS
  if (goAsync) {
    asyncReads.set(ctx.conn, inFlight + 1)
    ctx.goAsync(() => undefined)
  }
  try {
    // A large read lands in a recycled buffer, given back once the socket has sent it (Connection.sendChain).
    const data = await share.vfs.read(open.vfs, req.offset, req.length, (n) => ctx.server.ioBuffers.take(n))
    if (data.length < req.minimumCount) throw new SmbError(NtStatus.EndOfFile, undefined, 'less than MinimumCount')
    return { dataRemaining: 0, flags: 0, data }
  } finally {
    if (goAsync) asyncReads.set(ctx.conn, (asyncReads.get(ctx.conn) ?? 1) - 1)
  }
}
