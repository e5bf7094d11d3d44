/**
 * The IOCTL body table (MS-SMB2 2.2.31 / 2.2.32): by control code, the codec of the request's input buffer
 * and of the response's output buffer. The IOCTL command codec keeps both buffers raw; the dissector, the
 * replay client and the server call `decodeIoctl`/`encodeIoctl` with the CtlCode.
 * @module
 */
import { EncodeError, Reader, Writer, type Codec, type Span } from '../../wire/index.js'
import { CtlCode as C, ctlCodeName } from './ctl-codes.js'
import { SrvCopychunkCopy, SrvCopychunkResponse, SrvReadHashRequest, SrvRequestResumeKeyResponse } from './copychunk.js'
import { DfsReferralRequestCodec, DfsReferralRequestExCodec, DfsReferralResponseCodec } from './dfs-referral.js'
import { CompressionState, GetIntegrityInformationBuffer, SetIntegrityInformationBuffer } from './integrity.js'
import { NetworkInterfaceInfoList } from './network-interface.js'
import { FileObjectIdBuffer, FileObjectIdExtendedInfo } from './object-id.js'
import { OffloadReadInput, OffloadReadOutput, OffloadWriteInput, OffloadWriteOutput } from './offload.js'
import { PipePeekReply, PipeWaitRequest } from './pipe.js'
import {
  DuplicateExtentsData, DuplicateExtentsDataEx, FileAllocatedRangeBuffer, FileAllocatedRanges, FileLevelTrim,
  FileLevelTrimOutput, FileRegionInput, FileRegionOutput, FileSetSparseBuffer, FileZeroDataInformation,
} from './ranges.js'
import { ReparseDataBufferCodec } from './reparse.js'
import { NetworkResiliencyRequest } from './resiliency.js'
import { SrvSnapshotArray } from './snapshots.js'
import { ValidateNegotiateInfoRequest, ValidateNegotiateInfoResponse } from './validate-negotiate.js'

export type IoctlDirection = 'request' | 'response'

export interface IoctlCodecs {
  ctlCode: number
  name: string
  /** Input buffer of the request; undefined when it is empty or opaque (PIPE_TRANSCEIVE carries DCE/RPC). */
  request?: Codec<any, any>
  /** Output buffer of the response. */
  response?: Codec<any, any>
}

function entry(ctlCode: number, request?: Codec<any, any>, response?: Codec<any, any>): IoctlCodecs {
  return { ctlCode, name: ctlCodeName(ctlCode), request, response }
}

export const IOCTL_CODECS: ReadonlyMap<number, IoctlCodecs> = new Map(
  [
    entry(C.FSCTL_DFS_GET_REFERRALS, DfsReferralRequestCodec, DfsReferralResponseCodec),
    entry(C.FSCTL_DFS_GET_REFERRALS_EX, DfsReferralRequestExCodec, DfsReferralResponseCodec),
    entry(C.FSCTL_PIPE_WAIT, PipeWaitRequest),
    entry(C.FSCTL_PIPE_PEEK, undefined, PipePeekReply),
    entry(C.FSCTL_PIPE_TRANSCEIVE),
    entry(C.FSCTL_SRV_REQUEST_RESUME_KEY, undefined, SrvRequestResumeKeyResponse),
    entry(C.FSCTL_SRV_COPYCHUNK, SrvCopychunkCopy, SrvCopychunkResponse),
    entry(C.FSCTL_SRV_COPYCHUNK_WRITE, SrvCopychunkCopy, SrvCopychunkResponse),
    entry(C.FSCTL_SRV_ENUMERATE_SNAPSHOTS, undefined, SrvSnapshotArray),
    entry(C.FSCTL_SRV_READ_HASH, SrvReadHashRequest),
    entry(C.FSCTL_LMR_REQUEST_RESILIENCY, NetworkResiliencyRequest),
    entry(C.FSCTL_QUERY_NETWORK_INTERFACE_INFO, undefined, NetworkInterfaceInfoList),
    entry(C.FSCTL_VALIDATE_NEGOTIATE_INFO, ValidateNegotiateInfoRequest, ValidateNegotiateInfoResponse),
    entry(C.FSCTL_VALIDATE_NEGOTIATE_INFO_224, ValidateNegotiateInfoRequest, ValidateNegotiateInfoResponse),
    entry(C.FSCTL_SET_SPARSE, FileSetSparseBuffer),
    entry(C.FSCTL_SET_ZERO_DATA, FileZeroDataInformation),
    entry(C.FSCTL_QUERY_ALLOCATED_RANGES, FileAllocatedRangeBuffer, FileAllocatedRanges),
    entry(C.FSCTL_GET_REPARSE_POINT, undefined, ReparseDataBufferCodec),
    entry(C.FSCTL_SET_REPARSE_POINT, ReparseDataBufferCodec),
    entry(C.FSCTL_DELETE_REPARSE_POINT, ReparseDataBufferCodec),
    entry(C.FSCTL_GET_OBJECT_ID, undefined, FileObjectIdBuffer),
    entry(C.FSCTL_CREATE_OR_GET_OBJECT_ID, undefined, FileObjectIdBuffer),
    entry(C.FSCTL_SET_OBJECT_ID, FileObjectIdBuffer),
    entry(C.FSCTL_SET_OBJECT_ID_EXTENDED, FileObjectIdExtendedInfo),
    entry(C.FSCTL_FILE_LEVEL_TRIM, FileLevelTrim, FileLevelTrimOutput),
    entry(C.FSCTL_DUPLICATE_EXTENTS_TO_FILE, DuplicateExtentsData),
    entry(C.FSCTL_DUPLICATE_EXTENTS_TO_FILE_EX, DuplicateExtentsDataEx),
    entry(C.FSCTL_QUERY_FILE_REGIONS, FileRegionInput, FileRegionOutput),
    entry(C.FSCTL_OFFLOAD_READ, OffloadReadInput, OffloadReadOutput),
    entry(C.FSCTL_OFFLOAD_WRITE, OffloadWriteInput, OffloadWriteOutput),
    entry(C.FSCTL_GET_INTEGRITY_INFORMATION, undefined, GetIntegrityInformationBuffer),
    entry(C.FSCTL_SET_INTEGRITY_INFORMATION, SetIntegrityInformationBuffer),
    entry(C.FSCTL_GET_COMPRESSION, undefined, CompressionState),
    entry(C.FSCTL_SET_COMPRESSION, CompressionState),
  ].map((e) => [e.ctlCode, e]),
)

/** The codec for one side of a control code, or undefined (raw). */
export function ioctlCodec(ctlCode: number, dir: IoctlDirection): Codec<any, any> | undefined {
  const e = IOCTL_CODECS.get(ctlCode >>> 0)
  return dir === 'request' ? e?.request : e?.response
}

export type DecodedIoctl =
  | { name: string; value: unknown; trailing?: Buffer; raw?: undefined }
  | { name: string; raw: Buffer; value?: undefined; trailing?: undefined }

/**
 * Decodes an IOCTL input (request) or output (response) buffer. Unknown codes, opaque payloads
 * (PIPE_TRANSCEIVE) and empty buffers come back as `{ name, raw }`; bytes after the decoded value as
 * `trailing`. Bad bytes raise DecodeError with the control code name at the head of the path.
 */
export function decodeIoctl(ctlCode: number, buf: Buffer, dir: IoctlDirection, opts: { spans?: Span[] } = {}): DecodedIoctl {
  const name = ctlCodeName(ctlCode)
  const codec = ioctlCodec(ctlCode, dir)
  if (!codec || buf.length === 0) return { name, raw: buf }
  const r = new Reader(buf, 0, buf.length, opts.spans)
  r.path.push(name)
  const value = codec.read(r, { pduStart: 0, dir })
  if (r.pos < buf.length) return { name, value, trailing: buf.subarray(r.pos) }
  return { name, value }
}

/** Encodes one side of an IOCTL body (server: 'response'; client: 'request'). A Buffer passes through. */
export function encodeIoctl(ctlCode: number, value: unknown, dir: IoctlDirection): Buffer {
  if (Buffer.isBuffer(value)) return value
  const name = ctlCodeName(ctlCode)
  const codec = ioctlCodec(ctlCode, dir)
  if (!codec) throw new EncodeError(`no ${dir} codec for ${name}; pass the bytes as a Buffer`, [name])
  const w = new Writer()
  w.path.push(name)
  codec.write(w, value, { pduStart: 0, dir })
  return w.finish()
}
