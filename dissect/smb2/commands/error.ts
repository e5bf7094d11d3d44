/**
 * MS-SMB2 2.2.2 — SMB2 ERROR Response, with the 3.1.1 error contexts (2.2.2.1) and the error data formats
 * of 2.2.2.2: the Symbolic Link Error Response (2.2.2.2.1, STATUS_STOPPED_ON_SYMLINK), the Share Redirect
 * error context (2.2.2.2.2) and the 4-byte required length of STATUS_BUFFER_TOO_SMALL.
 *
 * ErrorData decodes to one of those forms only when it re-encodes to exactly the bytes it came from;
 * anything else (unknown ErrorIds, truncated or odd data from real servers) stays `{ kind: 'raw' }`. Decoding
 * ErrorData never throws.
 * @module
 */
import {
  DecodeError, EncodeError, Reader, Writer, arrayOf, bytes, bytesN, countOf, custom, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u8, utf16,
  type Ctx, type Infer, type Input, type VarCodec,
} from '../../wire/index.js'

const STATUS_STOPPED_ON_SYMLINK = 0x8000_002d
const STATUS_BUFFER_TOO_SMALL = 0xc000_0023

/** MS-SMB2 2.2.2.1 — ErrorId values. */
export const ErrorId = {
  Default: 0x0000_0000,
  /** SMB2_ERROR_ID_SHARE_REDIRECT ("SRdr" read little-endian). */
  ShareRedirect: 0x7264_5253,
} as const

/** MS-SMB2 2.2.2.2.1 — SymLinkErrorTag "SYML" and the reparse tag it carries. */
export const SYMLINK_ERROR_TAG = 0x4c4d_5953
export const IO_REPARSE_TAG_SYMLINK = 0xa000_000c
/** MS-SMB2 2.2.2.2.1 — Flags. */
export const SymbolicLinkFlags = {
  /** SYMLINK_FLAG_RELATIVE: the substitute name is relative to the link's directory. */
  Relative: 0x0000_0001,
} as const

/** MS-SMB2 2.2.2.2.1 — Symbolic Link Error Response; the names' offsets count from the start of PathBuffer. */
export const SymbolicLinkErrorResponseLayout = struct('SymbolicLinkErrorResponse', {
  /** Length of the response data after this field. */
  symLinkLength: u32,
  symLinkErrorTag: fixed(u32, SYMLINK_ERROR_TAG),
  reparseTag: fixed(u32, IO_REPARSE_TAG_SYMLINK),
  reparseDataLength: u16,
  unparsedPathLength: u16,
  substituteNameOffset: u16,
  substituteNameLength: u16,
  printNameOffset: u16,
  printNameLength: u16,
  flags: u32,
}, { pathBuffer: bytes })

/** The layout plus the two names read out of PathBuffer (derived: encode writes pathBuffer as it is). */
export type SymbolicLinkErrorResponse = Infer<typeof SymbolicLinkErrorResponseLayout> & { substituteName: string; printName: string }
export type SymbolicLinkErrorResponseInput = Input<typeof SymbolicLinkErrorResponseLayout> & { substituteName?: string; printName?: string }

function nameIn(r: Reader, buf: Buffer, offset: number, length: number, field: string): string {
  if (offset + length > buf.length || length & 1) {
    throw new DecodeError(`[${offset}, +${length}) does not fit PathBuffer (${buf.length} bytes)`, r.pos, [...r.path, field])
  }
  return buf.toString('utf16le', offset, offset + length)
}

export const SymbolicLinkErrorResponse = custom<SymbolicLinkErrorResponse, SymbolicLinkErrorResponseInput>(
  'SymbolicLinkErrorResponse',
  (r, ctx) => {
    const v = SymbolicLinkErrorResponseLayout.read(r, ctx)
    return {
      ...v,
      substituteName: nameIn(r, v.pathBuffer, v.substituteNameOffset, v.substituteNameLength, 'substituteName'),
      printName: nameIn(r, v.pathBuffer, v.printNameOffset, v.printNameLength, 'printName'),
    }
  },
  (w, v, ctx) => SymbolicLinkErrorResponseLayout.write(w, v, ctx),
)

/** MS-SMB2 2.2.2.2.2.1 — MOVE_DST_IPADDR Type. */
export const MoveDstIpAddrType = {
  V4: 0x0000_0001,
  V6: 0x0000_0002,
} as const

/** MS-SMB2 2.2.2.2.2.1 — MOVE_DST_IPADDR (24 bytes); an IPv4 address uses the first 4 bytes of `address`. */
export const MoveDstIpAddr = struct('MoveDstIpAddr', {
  type: u32,
  reserved: reserved(u32),
  address: bytesN(16),
})
export type MoveDstIpAddr = Infer<typeof MoveDstIpAddr>

/** The address of a MOVE_DST_IPADDR as text. */
export function formatMoveDstIpAddr(a: MoveDstIpAddr): string {
  if (a.type === MoveDstIpAddrType.V4) return Array.from(a.address.subarray(0, 4)).join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(a.address.readUInt16BE(i).toString(16))
  return groups.join(':')
}

/**
 * MS-SMB2 2.2.2.2.2 — Share Redirect Error Context Response. StructureSize (48) counts the first
 * MOVE_DST_IPADDR; ResourceNameOffset counts from the start of this structure.
 */
export const ShareRedirectErrorContext = struct('ShareRedirectErrorContext', {
  structureSize: fixed(u32, 48),
  /** MUST be 3 (SHARE_MOVE_NOTIFICATION). */
  notificationType: u32,
  resourceNameOffset: offsetOf('resourceName', u32),
  resourceNameLength: lengthOf('resourceName', u32),
  flags: reserved(u16),
  /** 0 = IP. */
  targetType: u16,
  ipAddrCount: countOf('ipAddrMoveList', u32),
}, { ipAddrMoveList: arrayOf(MoveDstIpAddr), resourceName: utf16 }, { base: 'self', structureSizeCountsVariable: 24 })
export type ShareRedirectErrorContext = Infer<typeof ShareRedirectErrorContext>

/** The data of one error context, or of a 3.0-style ErrorData. */
export type ErrorDetail =
  | { kind: 'raw'; data: Buffer; error?: string }
  | { kind: 'symbolicLink'; value: SymbolicLinkErrorResponse }
  | { kind: 'shareRedirect'; value: ShareRedirectErrorContext }
  | { kind: 'bufferTooSmall'; requiredBufferLength: number }
export type ErrorDetailInput =
  | { kind: 'raw'; data: Buffer; error?: string }
  | { kind: 'symbolicLink'; value: SymbolicLinkErrorResponseInput }
  | { kind: 'shareRedirect'; value: Input<typeof ShareRedirectErrorContext> }
  | { kind: 'bufferTooSmall'; requiredBufferLength: number }

/** MS-SMB2 2.2.2.1 — SMB2 ERROR Context Response. */
export interface ErrorContext {
  errorDataLength: number
  errorId: number
  errorContextData: ErrorDetail
}
export interface ErrorContextInput {
  errorDataLength?: number
  errorId: number
  errorContextData: ErrorDetailInput
}

/** What ErrorData holds: error contexts (3.1.1, ErrorContextCount > 0), one detail, or raw bytes. */
export type ErrorData = { kind: 'contexts'; contexts: ErrorContext[] } | ErrorDetail
export type ErrorDataInput = { kind: 'contexts'; contexts: ErrorContextInput[] } | ErrorDetailInput

function writeDetail(w: Writer, d: ErrorDetailInput, ctx: Ctx): void {
  switch (d.kind) {
    case 'raw': w.bytes(d.data); break
    case 'symbolicLink': SymbolicLinkErrorResponse.write(w, d.value, ctx); break
    case 'shareRedirect': ShareRedirectErrorContext.write(w, d.value, ctx); break
    case 'bufferTooSmall': w.u32(d.requiredBufferLength); break
  }
}

/** Decodes `buf` as the detail the status and ErrorId call for; throws DecodeError when it does not fit. */
function readDetail(buf: Buffer, ctx: Ctx, errorId: number): ErrorDetail {
  const r = new Reader(buf)
  const sub: Ctx = { ...ctx, pduStart: 0, pduEnd: undefined }
  let d: ErrorDetail
  if (errorId === ErrorId.ShareRedirect) d = { kind: 'shareRedirect', value: ShareRedirectErrorContext.read(r, sub) }
  else if (buf.length >= 8 && buf.readUInt32LE(4) === SYMLINK_ERROR_TAG) d = { kind: 'symbolicLink', value: SymbolicLinkErrorResponse.read(r, sub) }
  else if (ctx['status'] === STATUS_BUFFER_TOO_SMALL && buf.length === 4) d = { kind: 'bufferTooSmall', requiredBufferLength: r.u32() }
  else return { kind: 'raw', data: buf }
  if (r.remaining) r.fail(`${r.remaining} bytes left after ${d.kind}`)
  return d
}

function readContexts(buf: Buffer, ctx: Ctx, count: number): ErrorContext[] {
  const r = new Reader(buf)
  const out: ErrorContext[] = []
  for (let i = 0; i < count; i++) {
    r.path.push('contexts', String(i))
    // MS-SMB2 2.2.2.1: each error context after the first starts 8-byte aligned.
    if (i > 0 && r.pos & 7) r.skip(8 - (r.pos & 7))
    const errorDataLength = r.u32()
    const errorId = r.u32()
    const data = r.bytes(errorDataLength)
    out.push({ errorDataLength, errorId, errorContextData: readDetail(data, ctx, errorId) })
    r.path.length = 0
  }
  if (r.remaining) r.fail(`${r.remaining} bytes after ${count} error contexts`)
  return out
}

function writeErrorData(w: Writer, v: ErrorDataInput, ctx: Ctx): void {
  if (v.kind !== 'contexts') {
    writeDetail(w, v, ctx)
    return
  }
  const base = w.pos
  v.contexts.forEach((c, i) => {
    if (i > 0) w.align(8, base)
    const start = w.pos
    w.u32(0)
    w.u32(c.errorId)
    writeDetail(w, c.errorContextData, { ...ctx, pduStart: start + 8 })
    const length = c.errorDataLength ?? w.pos - start - 8
    w.patch(start, (pw) => pw.u32(length))
  })
}

function encodeErrorData(v: ErrorDataInput, ctx: Ctx): Buffer {
  const w = new Writer(64)
  writeErrorData(w, v, { ...ctx, pduStart: 0 })
  return w.finish()
}

/** ErrorData as a variable item: structured when it decodes and re-encodes exactly, raw otherwise. */
export const ErrorDataCodec: VarCodec<ErrorData, ErrorDataInput> = {
  name: 'ErrorData',
  read(r, ctx) {
    const data = r.rest()
    if (data.length === 0) return { kind: 'raw', data }
    const count = (ctx['errorContextCount'] as number | undefined) ?? 0
    let decoded: ErrorData
    try {
      if (count > 0) decoded = { kind: 'contexts', contexts: readContexts(data, ctx, count) }
      else if (ctx['status'] === STATUS_STOPPED_ON_SYMLINK || (data.length >= 8 && data.readUInt32LE(4) === SYMLINK_ERROR_TAG)) {
        decoded = readDetail(data, ctx, ErrorId.Default)
      } else if (ctx['status'] === STATUS_BUFFER_TOO_SMALL) decoded = readDetail(data, ctx, ErrorId.Default)
      else return { kind: 'raw', data }
      if (decoded.kind === 'raw') return decoded
      if (!encodeErrorData(decoded, ctx).equals(data)) return { kind: 'raw', data, error: 'decoded form does not re-encode to the same bytes' }
      return decoded
    } catch (e) {
      if (e instanceof DecodeError) return { kind: 'raw', data, error: e.message }
      if (e instanceof EncodeError) return { kind: 'raw', data, error: e.reason }
      throw e
    }
  },
  write: writeErrorData,
  empty: () => ({ kind: 'raw', data: Buffer.alloc(0) }),
}

const ErrorResponseLayout = struct('ErrorResponse', {
  structureSize: fixed(u16, 9),
  /** 3.1.1: the number of error contexts in ErrorData; 0 otherwise. */
  errorContextCount: u8,
  reserved: reserved(u8),
  byteCount: lengthOf('errorData', u32),
}, { errorData: ErrorDataCodec })

/** MS-SMB2 2.2.2 — SMB2 ERROR Response. */
export const ErrorResponse = custom<Infer<typeof ErrorResponseLayout>, Input<typeof ErrorResponseLayout>>(
  'ErrorResponse',
  (r, ctx) => {
    // ErrorData's form depends on ErrorContextCount, which the fixed part holds: peek it for the data codec.
    const count = r.remaining >= 3 ? r.buf[r.pos + 2]! : 0
    return ErrorResponseLayout.read(r, count ? { ...ctx, errorContextCount: count } : ctx)
  },
  (w, v, ctx) => ErrorResponseLayout.write(w, v, ctx),
)
export type ErrorResponse = Infer<typeof ErrorResponseLayout>
export type ErrorResponseInput = Input<typeof ErrorResponseLayout>
