/**
 * IOCTL (MS-SMB2 3.3.5.15): VALIDATE_NEGOTIATE_INFO (3.3.5.15.12), QUERY_NETWORK_INTERFACE_INFO (3.3.5.15.11),
 * SRV_REQUEST_RESUME_KEY and SRV_COPYCHUNK(_WRITE) (3.3.5.15.6–7), ENUMERATE_SNAPSHOTS (3.3.5.15.1), the named pipe
 * FSCTLs (TRANSCEIVE, WAIT, PEEK), and the file-system FSCTLs the VFS implements (SET_SPARSE, SET_ZERO_DATA,
 * QUERY_ALLOCATED_RANGES, GET/SET_COMPRESSION). Bodies go through dissect/smb2/ioctl.
 * @module
 */
import { isIPv4 } from 'node:net'
import type { IoctlRequest } from '../../dissect/smb2/commands/ioctl.js'
import { IoctlFlags } from '../../dissect/smb2/commands/ioctl.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { CtlCode } from '../../dissect/smb2/ioctl/ctl-codes.js'
import { isRelatedFileId } from '../../dissect/smb2/commands/file-id.js'
import { AddressFamily } from '../../dissect/smb2/ioctl/network-interface.js'
import { decodeIoctl, encodeIoctl } from '../../dissect/smb2/ioctl/registry.js'
import type { SrvCopychunkCopy } from '../../dissect/smb2/ioctl/copychunk.js'
import type { FileAllocatedRangeBuffer, FileSetSparseBuffer, FileZeroDataInformation } from '../../dissect/smb2/ioctl/ranges.js'
import type { ValidateNegotiateInfoRequest } from '../../dissect/smb2/ioctl/validate-negotiate.js'
import { formatGuid, ZERO_GUID } from '../../dissect/wire/reader.js'
import type { ServerOpen } from '../open.js'
import type { RequestContext } from '../request.js'
import { DisconnectError, SmbError } from '../smb-error.js'
import { Access } from '../vfs/constants.js'
import { VfsError } from '../vfs/status.js'

/** MS-SMB2 3.3.3 server-side copy limits (Windows' values). */
export const COPYCHUNK_LIMITS = { maxChunks: 256, maxChunkSize: 1024 * 1024, maxTotal: 16 * 1024 * 1024 }
/** MS-FSCC 2.3.32: COMPRESSION_FORMAT_NONE. */
const COMPRESSION_FORMAT_NONE = 0
const LINK_SPEED = 10_000_000_000n

interface IoctlResult {
  output: unknown
  status?: number
}

export async function ioctl(req: IoctlRequest, ctx: RequestContext) {
  // MS-SMB2 3.3.5.15: only FSCTLs travel over SMB2.
  if (req.flags !== IoctlFlags.IsFsctl) throw new SmbError(NtStatus.NotSupported, undefined, 'IOCTL without SMB2_0_IOCTL_IS_FSCTL')
  const max = ctx.conn.maxTransactSize
  if (req.input.length + req.output.length > max || req.maxInputResponse + req.maxOutputResponse > max) {
    throw new SmbError(NtStatus.InvalidParameter, undefined, 'IOCTL buffers beyond MaxTransactSize')
  }
  const r = await run(req, ctx)
  let output = Buffer.isBuffer(r.output) ? r.output : encodeIoctl(req.ctlCode, r.output, 'response')
  if (r.status !== undefined) ctx.status = r.status
  if (output.length > req.maxOutputResponse) {
    // MS-SMB2 3.3.5.15: output larger than MaxOutputResponse is truncated with STATUS_BUFFER_OVERFLOW.
    output = output.subarray(0, req.maxOutputResponse)
    if (ctx.status === NtStatus.Success) ctx.status = NtStatus.BufferOverflow
  }
  return { ctlCode: req.ctlCode, fileId: req.fileId, input: Buffer.alloc(0), output, flags: 0 }
}

function need(ctx: RequestContext): ServerOpen {
  if (!ctx.open) throw new SmbError(NtStatus.FileClosed)
  return ctx.open
}

function diskOpen(ctx: RequestContext) {
  const open = need(ctx)
  if (open.pipe || !open.vfs || open.tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidDeviceRequest)
  return { open, vfs: open.tree.share.vfs, vopen: open.vfs }
}

function input<T>(req: IoctlRequest): T {
  return decodeIoctl(req.ctlCode, req.input, 'request').value as T
}

async function run(req: IoctlRequest, ctx: RequestContext): Promise<IoctlResult> {
  const { conn, server } = ctx
  const code = req.ctlCode >>> 0
  // Requests to the server itself carry the all-ones FileId; any other value is a malformed request (Windows and
  // Samba answer STATUS_INVALID_PARAMETER, smbtorture smb2.ioctl.bug14788).
  if ((code === CtlCode.FSCTL_VALIDATE_NEGOTIATE_INFO || code === CtlCode.FSCTL_QUERY_NETWORK_INTERFACE_INFO) && !isRelatedFileId(req.fileId)) {
    throw new SmbError(NtStatus.InvalidParameter, undefined, 'server FSCTL with a FileId')
  }
  switch (code) {
    case CtlCode.FSCTL_VALIDATE_NEGOTIATE_INFO:
      return validateNegotiate(req, ctx)
    case CtlCode.FSCTL_QUERY_NETWORK_INTERFACE_INFO: {
      if (conn.dialect < Dialect.Smb300) throw new SmbError(NtStatus.InvalidDeviceRequest)
      // The request has no input (Samba and Windows refuse one).
      if (req.input.length !== 0) throw new SmbError(NtStatus.InvalidParameter)
      // MS-SMB2 3.3.5.15.11: the list must fit MaxOutputResponse (one entry is 152 bytes).
      if (req.maxOutputResponse < 152) throw new SmbError(NtStatus.BufferTooSmall)
      const local = conn.socket.localAddress ?? '127.0.0.1'
      const v4 = local.startsWith('::ffff:') ? local.slice(7) : local
      const sockAddrStorage = isIPv4(v4)
        ? { family: AddressFamily.InterNetwork, port: 0, address: v4 }
        : { family: AddressFamily.InterNetworkV6, port: 0, address: local }
      return { output: [{ ifIndex: 1, capability: 0, linkSpeed: LINK_SPEED, sockAddrStorage }] }
    }
    case CtlCode.FSCTL_DFS_GET_REFERRALS:
    case CtlCode.FSCTL_DFS_GET_REFERRALS_EX:
      // No DFS namespace here. The server announces SMB2_GLOBAL_CAP_DFS as Samba does ("host msdfs" on), and
      // answers a referral request as Samba then does: STATUS_NOT_FOUND (captures/samba smbclient-encrypted).
      throw new SmbError(NtStatus.NotFound)
    case CtlCode.FSCTL_PIPE_TRANSCEIVE:
      return pipeTransceive(req, ctx)
    case CtlCode.FSCTL_PIPE_WAIT:
      return { output: Buffer.alloc(0) }
    case CtlCode.FSCTL_PIPE_PEEK: {
      const open = need(ctx)
      if (!open.pipe) throw new SmbError(NtStatus.InvalidDeviceRequest)
      return { output: { namedPipeState: 3, readDataAvailable: 0, numberOfMessages: open.pipe.pending, messageLength: 0, data: Buffer.alloc(0) } }
    }
    case CtlCode.FSCTL_SRV_ENUMERATE_SNAPSHOTS: {
      diskOpen(ctx)
      if (req.maxOutputResponse < 16) throw new SmbError(NtStatus.InvalidParameter)
      return { output: { numberOfSnapShots: 0, numberOfSnapShotsReturned: 0, snapShotArraySize: 2, snapShots: [] } }
    }
    case CtlCode.FSCTL_SRV_REQUEST_RESUME_KEY: {
      const { open } = diskOpen(ctx)
      if (req.maxOutputResponse < 28) throw new SmbError(NtStatus.InvalidParameter)
      const key = server.resumeKeyOf(open)
      // ContextLength 0 followed by 4 zero bytes of Context, as Windows sends (Samba's client insists on 32 bytes).
      return { output: { resumeKey: key, contextLength: 0, context: Buffer.alloc(4) } }
    }
    case CtlCode.FSCTL_SRV_COPYCHUNK:
    case CtlCode.FSCTL_SRV_COPYCHUNK_WRITE:
      return copyChunk(req, ctx)
    case CtlCode.FSCTL_SET_SPARSE: {
      const { vfs, vopen } = diskOpen(ctx)
      const v = req.input.length ? input<FileSetSparseBuffer>(req) : { setSparse: null }
      await vfs.setSparse(vopen, v.setSparse === null || v.setSparse !== 0)
      return { output: Buffer.alloc(0) }
    }
    case CtlCode.FSCTL_SET_ZERO_DATA: {
      const { open, vfs, vopen } = diskOpen(ctx)
      if (req.input.length < 16) throw new SmbError(NtStatus.InvalidParameter)
      const v = input<FileZeroDataInformation>(req)
      if (v.fileOffset < 0n || v.beyondFinalZero < 0n || v.fileOffset > v.beyondFinalZero) throw new SmbError(NtStatus.InvalidParameter)
      server.caching.onWrite(open.persistentId)
      await vfs.zeroData(vopen, v.fileOffset, v.beyondFinalZero)
      return { output: Buffer.alloc(0) }
    }
    case CtlCode.FSCTL_QUERY_ALLOCATED_RANGES: {
      const { vfs, vopen } = diskOpen(ctx)
      if (req.input.length < 16) throw new SmbError(NtStatus.InvalidParameter)
      const v = input<FileAllocatedRangeBuffer>(req)
      if (v.fileOffset < 0n || v.length < 0n) throw new SmbError(NtStatus.InvalidParameter)
      const ranges = await vfs.allocatedRanges(vopen, v.fileOffset, v.length)
      // MS-FSCC 2.3.40: no room for even one range is STATUS_BUFFER_TOO_SMALL (only when there is one to return).
      if (ranges.length > 0 && req.maxOutputResponse < 16) throw new SmbError(NtStatus.BufferTooSmall)
      const fit = Math.floor(req.maxOutputResponse / 16)
      return {
        output: ranges.slice(0, fit).map((x) => ({ fileOffset: x.offset, length: x.length })),
        status: ranges.length > fit ? NtStatus.BufferOverflow : undefined,
      }
    }
    case CtlCode.FSCTL_GET_COMPRESSION: {
      diskOpen(ctx)
      if (req.maxOutputResponse < 2) throw new SmbError(NtStatus.InvalidParameter)
      return { output: { compressionState: COMPRESSION_FORMAT_NONE } }
    }
    case CtlCode.FSCTL_SET_COMPRESSION: {
      const { vopen } = diskOpen(ctx)
      const v = input<{ compressionState: number }>(req)
      if (!vopen.hasAny(Access.FileWriteData | Access.FileWriteAttributes)) throw new SmbError(NtStatus.AccessDenied)
      if (v.compressionState !== COMPRESSION_FORMAT_NONE) throw new SmbError(NtStatus.NotSupported, undefined, 'compression is not supported')
      return { output: Buffer.alloc(0) }
    }
    case CtlCode.FSCTL_CREATE_OR_GET_OBJECT_ID:
    case CtlCode.FSCTL_GET_OBJECT_ID: {
      // MS-FSCC 2.3.7/2.3.21: a stable object id derived from the file id (nothing is stored).
      const { vfs, vopen } = diskOpen(ctx)
      if (req.maxOutputResponse < 64) throw new SmbError(NtStatus.InvalidParameter)
      const objectId = formatGuid(vfs.fileId128(vopen))
      const vol = await vfs.volumeInfo()
      const volumeGuid = formatGuid(Buffer.from(vol.serialNumber.toString(16).padStart(32, '0'), 'hex'))
      return { output: { objectId, birthVolumeId: volumeGuid, birthObjectId: objectId, domainId: ZERO_GUID } }
    }
    case CtlCode.FSCTL_GET_REPARSE_POINT:
      diskOpen(ctx)
      throw new SmbError(NtStatus.NotAReparsePoint)
    case CtlCode.FSCTL_LMR_REQUEST_RESILIENCY: {
      // MS-SMB2 3.3.5.15.9 (server/durable-handles.ts).
      const { open } = diskOpen(ctx)
      server.durableHandles.requestResiliency(open, conn.dialect, req.input.length >= 8 ? input<{ timeout: number }>(req).timeout : null)
      return { output: Buffer.alloc(0) }
    }
    default:
      if (!ctx.open) throw new SmbError(NtStatus.FileClosed)
      throw new SmbError(NtStatus.NotSupported, undefined, `FSCTL 0x${(req.ctlCode >>> 0).toString(16)}`)
  }
}

/** MS-SMB2 3.3.5.15.12 — the client checks that nobody tampered with NEGOTIATE; a mismatch ends the connection. */
function validateNegotiate(req: IoctlRequest, ctx: RequestContext): IoctlResult {
  const { conn, server } = ctx
  // 3.1.1 protects NEGOTIATE with the preauth integrity hash; VALIDATE_NEGOTIATE_INFO is not used there.
  if (conn.dialect === Dialect.Smb311) throw new DisconnectError('VALIDATE_NEGOTIATE_INFO on 3.1.1')
  if (req.maxOutputResponse < 24) throw new SmbError(NtStatus.InvalidParameter)
  let v: ValidateNegotiateInfoRequest
  try {
    v = input<ValidateNegotiateInfoRequest>(req)
  } catch {
    throw new DisconnectError('malformed VALIDATE_NEGOTIATE_INFO')
  }
  const same =
    v.capabilities === conn.clientCapabilities &&
    v.guid === conn.clientGuid &&
    v.securityMode === conn.clientSecurityMode &&
    v.dialects.length === conn.clientDialects.length &&
    v.dialects.every((d, i) => d === conn.clientDialects[i])
  if (!same) throw new DisconnectError('VALIDATE_NEGOTIATE_INFO does not match the NEGOTIATE')
  return { output: { capabilities: conn.serverCapabilities, guid: server.guid, securityMode: conn.serverSecurityMode, dialect: conn.dialect } }
}

async function pipeTransceive(req: IoctlRequest, ctx: RequestContext): Promise<IoctlResult> {
  const open = need(ctx)
  const pipe = open.pipe
  if (!pipe) throw new SmbError(NtStatus.InvalidDeviceRequest)
  pipe.write(Buffer.from(req.input))
  let r = pipe.readNow(req.maxOutputResponse)
  if (!r) {
    const w = pipe.waitForData()
    ctx.goAsync(() => w.cancel())
    await w.promise
    if (ctx.cancelled) throw new SmbError(NtStatus.Cancelled)
    r = pipe.readNow(req.maxOutputResponse)
    if (!r) throw new SmbError(NtStatus.PipeBroken)
  }
  return { output: r.data, status: r.overflow ? NtStatus.BufferOverflow : undefined }
}

/** MS-SMB2 3.3.5.15.6 — server-side copy from the open a resume key names. */
async function copyChunk(req: IoctlRequest, ctx: RequestContext): Promise<IoctlResult> {
  const { open: dest, vfs, vopen: destVfs } = diskOpen(ctx)
  const L = COPYCHUNK_LIMITS
  if (req.maxOutputResponse < 12) throw new SmbError(NtStatus.InvalidParameter)
  if (req.input.length < 32) throw new SmbError(NtStatus.InvalidParameter)
  const v = input<SrvCopychunkCopy>(req)
  const limits = { output: { chunksWritten: L.maxChunks, chunkBytesWritten: L.maxChunkSize, totalBytesWritten: L.maxTotal }, status: NtStatus.InvalidParameter }
  let total = 0
  for (const c of v.chunks) {
    if (c.length === 0 || c.length > L.maxChunkSize) return limits
    total += c.length
  }
  if (v.chunks.length > L.maxChunks || total > L.maxTotal) return limits
  const src = ctx.server.openByResumeKey(v.sourceKey)
  if (!src || src.closed || !src.vfs || src.tree.share.kind !== 'disk') throw new SmbError(NtStatus.ObjectNameNotFound)
  if (src.session !== dest.session) throw new SmbError(NtStatus.ObjectNameNotFound)
  // MS-SMB2 3.3.5.15.6: the source needs read (or execute) access, the target write access and, for
  // FSCTL_SRV_COPYCHUNK (not _WRITE), FILE_READ_DATA too (execute is not enough there, as on Windows).
  if (!src.vfs.hasAny(Access.FileReadData | Access.FileExecute)) throw new SmbError(NtStatus.AccessDenied)
  if (!destVfs.hasAny(Access.FileWriteData)) throw new SmbError(NtStatus.AccessDenied)
  if ((req.ctlCode >>> 0) === CtlCode.FSCTL_SRV_COPYCHUNK && !destVfs.has(Access.FileReadData)) throw new SmbError(NtStatus.AccessDenied)
  const srcVfs = src.tree.share.vfs
  ctx.server.caching.onWrite(dest.persistentId)
  let chunksWritten = 0
  let totalBytesWritten = 0
  // Failures while copying answer with the counts so far in the response body (smbtorture copy_chunk_src_lock).
  const partial = (status: number): IoctlResult => ({ output: { chunksWritten, chunkBytesWritten: 0, totalBytesWritten }, status })
  for (const c of v.chunks) {
    const size = (await srcVfs.queryInfo(src.vfs)).endOfFile
    // A chunk that reaches past the source's end of file (Windows: STATUS_INVALID_VIEW_SIZE).
    if (c.sourceOffset + BigInt(c.length) > size) return partial(NtStatus.InvalidViewSize)
    let data: Buffer
    try {
      data = await srcVfs.read(src.vfs, c.sourceOffset, c.length)
      await vfs.write(destVfs, c.targetOffset, data)
    } catch (e) {
      if (e instanceof VfsError) return partial(e.status)
      throw e
    }
    chunksWritten++
    totalBytesWritten += data.length
  }
  return { output: { chunksWritten, chunkBytesWritten: 0, totalBytesWritten } }
}
