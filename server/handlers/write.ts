/** WRITE (MS-SMB2 3.3.5.13): files through the VFS (oplock breaks of other opens), named pipes. @module */
import type { WriteRequest } from '../../dissect/smb2/commands/write.js'
import { Channel } from '../../dissect/smb2/constants/read-write.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { Connection } from '../connection.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'

/** Writes of at least this many bytes answer STATUS_PENDING first. */
const ASYNC_WRITE_SIZE = 256 * 1024
/** Asynchronous writes in flight per connection. */
const MAX_ASYNC_WRITES = 8
const asyncWrites = new WeakMap<Connection, number>()

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
  // A single (not compounded) request: its buffer is its own, and it may go asynchronous.
  const single = !ctx.req.encrypted && ctx.req.index === 0 && ctx.req.raw.length >= 24 && ctx.req.raw.readUInt32LE(20) === 0
  // A large write goes asynchronous at once (as Samba's aio path does): the interim response returns the credits,
  // so the client keeps its next WRITE coming while this one reaches the disk. A few per connection at most, so
  // that the connection's input backpressure still bounds the memory held by writes in flight.
  const inFlight = asyncWrites.get(ctx.conn) ?? 0
  const goAsync = single && req.data.length >= ASYNC_WRITE_SIZE && inFlight < MAX_ASYNC_WRITES
  if (goAsync) {
    asyncWrites.set(ctx.conn, inFlight + 1)
    ctx.goAsync(() => undefined)
  }
  try {
    const n = await share.vfs.write(open.vfs, req.offset, req.data)
    return { count: n, remaining: 0 }
  } finally {
    if (goAsync) asyncWrites.set(ctx.conn, (asyncWrites.get(ctx.conn) ?? 1) - 1)
    // The message buffer of a single, unencrypted WRITE is recycled (buffer-pool.ts) once its data is written.
    if (single) ctx.server.ioBuffers.give(req.data)
  }
}
