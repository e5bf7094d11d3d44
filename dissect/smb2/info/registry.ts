/**
 * The one table of information-class codecs (MS-SMB2 2.2.37–2.2.40 buffers): by InfoType and class, the
 * codec of the QUERY_INFO output buffer, of the SET_INFO input buffer and, where one exists, of the
 * QUERY_INFO input buffer (FILE_GET_EA_INFORMATION, SMB2_QUERY_QUOTA_INFO). The command codecs keep those
 * buffers as raw bytes; the dissector, the replay client and the server call `decodeInfo`/`encodeInfo`
 * with the info type and class the request named.
 * @module
 */
import { EncodeError, Reader, Writer, type Codec, type Span } from '../../wire/index.js'
import { FileInformationClass as F, FsInformationClass as Fs, InfoType, infoClassName } from '../constants/info-class.js'
import { SecurityDescriptor } from '../security/security-descriptor.js'
import { FileFullEaInformation, FileGetEaInformation } from './ea.js'
import * as fi from './file-info.js'
import * as fs from './fs-info.js'
import { FileQuotaInformation, QueryQuotaInfo } from './quota.js'

export type InfoDirection = 'request' | 'response'
/** Which request buffer a 'request' is: the SET_INFO input (default) or the QUERY_INFO input. */
export type InfoOperation = 'set' | 'query'

export interface InfoClassCodecs {
  infoType: number
  infoClass: number
  className: string
  /** QUERY_INFO output buffer. */
  query?: Codec<any, any>
  /** SET_INFO input buffer. */
  set?: Codec<any, any>
  /** QUERY_INFO input buffer. */
  queryInput?: Codec<any, any>
}

function entry(infoType: number, infoClass: number, c: Omit<InfoClassCodecs, 'infoType' | 'infoClass' | 'className'>): InfoClassCodecs {
  return { infoType, infoClass, className: infoClassName(infoType, infoClass), ...c }
}
const both = (c: Codec<any, any>) => ({ query: c, set: c })
const T = InfoType

export const INFO_CLASSES: readonly InfoClassCodecs[] = [
  entry(T.File, F.FileBasicInformation, both(fi.FileBasicInformation)),
  entry(T.File, F.FileStandardInformation, { query: fi.FileStandardInformation }),
  entry(T.File, F.FileInternalInformation, { query: fi.FileInternalInformation }),
  entry(T.File, F.FileEaInformation, { query: fi.FileEaInformation }),
  entry(T.File, F.FileAccessInformation, { query: fi.FileAccessInformation }),
  entry(T.File, F.FileNameInformation, { query: fi.FileNameInformation }),
  entry(T.File, F.FileRenameInformation, { set: fi.FileRenameInformation }),
  entry(T.File, F.FileLinkInformation, { set: fi.FileLinkInformation }),
  entry(T.File, F.FileDispositionInformation, { set: fi.FileDispositionInformation }),
  entry(T.File, F.FilePositionInformation, both(fi.FilePositionInformation)),
  entry(T.File, F.FileFullEaInformation, { ...both(FileFullEaInformation), queryInput: FileGetEaInformation }),
  entry(T.File, F.FileModeInformation, both(fi.FileModeInformation)),
  entry(T.File, F.FileAlignmentInformation, { query: fi.FileAlignmentInformation }),
  entry(T.File, F.FileAllInformation, { query: fi.FileAllInformation }),
  entry(T.File, F.FileAllocationInformation, both(fi.FileAllocationInformation)),
  entry(T.File, F.FileEndOfFileInformation, both(fi.FileEndOfFileInformation)),
  entry(T.File, F.FileAlternateNameInformation, { query: fi.FileNameInformation }),
  entry(T.File, F.FileStreamInformation, { query: fi.FileStreamInformation }),
  entry(T.File, F.FilePipeInformation, both(fi.FilePipeInformation)),
  entry(T.File, F.FilePipeLocalInformation, { query: fi.FilePipeLocalInformation }),
  entry(T.File, F.FilePipeRemoteInformation, both(fi.FilePipeRemoteInformation)),
  entry(T.File, F.FileCompressionInformation, { query: fi.FileCompressionInformation }),
  entry(T.File, F.FileObjectIdInformation, both(fi.FileObjectIdInformation)),
  entry(T.File, F.FileReparsePointInformation, { query: fi.FileReparsePointInformation }),
  entry(T.File, F.FileNetworkOpenInformation, { query: fi.FileNetworkOpenInformation }),
  entry(T.File, F.FileAttributeTagInformation, { query: fi.FileAttributeTagInformation }),
  entry(T.File, F.FileValidDataLengthInformation, { set: fi.FileValidDataLengthInformation }),
  entry(T.File, F.FileShortNameInformation, both(fi.FileNameInformation)),
  entry(T.File, F.FileNormalizedNameInformation, { query: fi.FileNameInformation }),
  entry(T.File, F.FileStandardLinkInformation, { query: fi.FileStandardLinkInformation }),
  entry(T.File, F.FileIdInformation, { query: fi.FileIdInformation }),
  entry(T.File, F.FileDispositionInformationEx, { set: fi.FileDispositionInformationEx }),
  entry(T.File, F.FileRenameInformationEx, { set: fi.FileRenameInformationEx }),
  entry(T.File, F.FileStatInformation, { query: fi.FileStatInformation }),
  entry(T.File, F.FileCaseSensitiveInformation, both(fi.FileCaseSensitiveInformation)),
  entry(T.File, F.FileLinkInformationEx, { set: fi.FileLinkInformationEx }),
  entry(T.File, F.FilePosixInformation, { query: fi.FilePosixInformation }),

  entry(T.Filesystem, Fs.FileFsVolumeInformation, { query: fs.FileFsVolumeInformation }),
  entry(T.Filesystem, Fs.FileFsLabelInformation, { set: fs.FileFsLabelInformation }),
  entry(T.Filesystem, Fs.FileFsSizeInformation, { query: fs.FileFsSizeInformation }),
  entry(T.Filesystem, Fs.FileFsDeviceInformation, { query: fs.FileFsDeviceInformation }),
  entry(T.Filesystem, Fs.FileFsAttributeInformation, { query: fs.FileFsAttributeInformation }),
  entry(T.Filesystem, Fs.FileFsControlInformation, both(fs.FileFsControlInformation)),
  entry(T.Filesystem, Fs.FileFsFullSizeInformation, { query: fs.FileFsFullSizeInformation }),
  entry(T.Filesystem, Fs.FileFsObjectIdInformation, both(fs.FileFsObjectIdInformation)),
  entry(T.Filesystem, Fs.FileFsSectorSizeInformation, { query: fs.FileFsSectorSizeInformation }),
]

/** MS-SMB2 2.2.37: for SECURITY and QUOTA the class is not used (clients send 0); one codec set per type. */
const SECURITY: InfoClassCodecs = { infoType: T.Security, infoClass: 0, className: 'SecurityDescriptor', ...both(SecurityDescriptor) }
const QUOTA: InfoClassCodecs = { infoType: T.Quota, infoClass: 0, className: 'FileQuotaInformation', ...both(FileQuotaInformation), queryInput: QueryQuotaInfo }

const BY_KEY = new Map<number, InfoClassCodecs>(INFO_CLASSES.map((e) => [(e.infoType << 8) | e.infoClass, e]))

/** The codecs of an info type and class, or undefined when this module has none. */
export function infoClass(infoType: number, cls: number): InfoClassCodecs | undefined {
  if (infoType === T.Security) return SECURITY
  if (infoType === T.Quota) return QUOTA
  return BY_KEY.get((infoType << 8) | cls)
}

/** The codec for one buffer: a response is the QUERY_INFO output; a request is SET_INFO input unless op is 'query'. */
export function infoCodec(infoType: number, cls: number, dir: InfoDirection, op: InfoOperation = 'set'): Codec<any, any> | undefined {
  const e = infoClass(infoType, cls)
  if (!e) return undefined
  return dir === 'response' ? e.query : op === 'query' ? e.queryInput : e.set
}

export type DecodedInfo =
  | { className: string; value: unknown; trailing?: Buffer; raw?: undefined }
  | { className: string; raw: Buffer; value?: undefined; trailing?: undefined }

export interface DecodeInfoOptions {
  op?: InfoOperation
  /** Collects byte spans (offsets into `buf`), paths rooted at the class name. */
  spans?: Span[]
}

/**
 * Decodes an info buffer. Classes (or directions) without a codec come back as `{ className, raw }`.
 * Bytes after a decoded value (some servers pad) come back as `trailing`. Bad bytes raise DecodeError with
 * the class name at the head of the path.
 */
export function decodeInfo(infoType: number, cls: number, buf: Buffer, dir: InfoDirection, opts: DecodeInfoOptions = {}): DecodedInfo {
  const e = infoClass(infoType, cls)
  const className = e?.className ?? infoClassName(infoType, cls)
  const codec = infoCodec(infoType, cls, dir, opts.op)
  if (!codec) return { className, raw: buf }
  const r = new Reader(buf, 0, buf.length, opts.spans)
  r.path.push(className)
  const value = codec.read(r, { pduStart: 0, dir })
  if (r.pos < buf.length) return { className, value, trailing: buf.subarray(r.pos) }
  return { className, value }
}

/** Encodes an info buffer for the side given (server: 'response'; client: 'request'). A Buffer passes through. */
export function encodeInfo(infoType: number, cls: number, value: unknown, dir: InfoDirection = 'response', op: InfoOperation = 'set'): Buffer {
  if (Buffer.isBuffer(value)) return value
  const codec = infoCodec(infoType, cls, dir, op)
  const className = infoClassName(infoType, cls)
  if (!codec) throw new EncodeError(`no ${dir === 'response' ? 'QUERY_INFO output' : op === 'query' ? 'QUERY_INFO input' : 'SET_INFO input'} codec for ${className}`, [className])
  const w = new Writer()
  w.path.push(className)
  codec.write(w, value, { pduStart: 0, dir })
  return w.finish()
}

