/**
 * MS-SMB2 2.2.1 (SMB2 packet header, sync and async), 2.2.41 (TRANSFORM_HEADER, 0xFD) and 2.2.42
 * (COMPRESSION_TRANSFORM_HEADER, 0xFC). The first four bytes of a transport message tell which one it is.
 * @module
 */
import { Smb2Flags } from './constants/flags.js'
import { DecodeError, EncodeError, Reader, Writer, bytesN, custom, fixed, reserved, struct, u16, u32, u64, type Ctx, type Infer } from '../wire/index.js'

export const SMB2_MAGIC = 0x424d53fe // 0xFE 'S' 'M' 'B' read little-endian
export const TRANSFORM_MAGIC = 0x424d53fd
export const COMPRESSION_MAGIC = 0x424d53fc
export const SMB1_MAGIC = 0x424d53ff
export const HEADER_SIZE = 64

/** The MessageId of unsolicited server messages (oplock/lease break notifications), MS-SMB2 3.3.4.6. */
export const UNSOLICITED_MESSAGE_ID = 0xffff_ffff_ffff_ffffn

export interface Smb2Header {
  protocolId: number
  structureSize: number
  creditCharge: number
  /** NTSTATUS in responses; in SMB 3.x requests the low 16 bits are ChannelSequence (the rest reserved). */
  status: number
  command: number
  /** CreditRequest (requests) or CreditResponse (responses). */
  credits: number
  flags: number
  nextCommand: number
  messageId: bigint
  /** Async header only (flags has ASYNC); 0n otherwise. */
  asyncId: bigint
  /** Sync header only: the reserved field Wireshark calls Process Id; 0 for async. */
  processId: number
  /** Sync header only; 0 for async. */
  treeId: number
  sessionId: bigint
  signature: Buffer
}

export type Smb2HeaderInput = Omit<Smb2Header, 'protocolId' | 'structureSize'> & { protocolId?: number; structureSize?: number }

/** Field spans of a header (sync or async form), for the TUI's hex view. */
const SYNC_FIELDS: ReadonlyArray<readonly [string, number, number]> = [
  ['protocolId', 0, 4], ['structureSize', 4, 2], ['creditCharge', 6, 2], ['status', 8, 4], ['command', 12, 2], ['credits', 14, 2],
  ['flags', 16, 4], ['nextCommand', 20, 4], ['messageId', 24, 8], ['processId', 32, 4], ['treeId', 36, 4], ['sessionId', 40, 8], ['signature', 48, 16],
]
const ASYNC_FIELDS = SYNC_FIELDS.filter(([n]) => n !== 'processId' && n !== 'treeId').concat([['asyncId', 32, 8]])

/**
 * MS-SMB2 2.2.1.1/2.2.1.2: the layout of bytes 32..39 depends on SMB2_FLAGS_ASYNC_COMMAND. The layout itself is
 * written once, in `readHeaderFast`/`writeHeaderFast` below; this codec adds bounds, the field path and spans.
 * `ctx.lenientStructureSize` reads a header whose StructureSize is wrong (to annotate it, never to accept it).
 */
export const Smb2HeaderCodec = custom<Smb2Header, Smb2HeaderInput>(
  'Smb2Header',
  (r: Reader, ctx) => {
    const start = r.pos
    r.need(HEADER_SIZE)
    const h = readHeaderFast(r.buf, start, { lenientStructureSize: ctx.lenientStructureSize === true })
    if (r.spans) {
      const base = r.path.join('.')
      for (const [name, off, len] of h.flags & Smb2Flags.AsyncCommand ? ASYNC_FIELDS : SYNC_FIELDS) {
        r.spans.push({ path: base ? `${base}.${name}` : name, start: start + off, end: start + off + len })
      }
    }
    r.pos = start + HEADER_SIZE
    return h
  },
  (w: Writer, h) => {
    const b = Buffer.alloc(HEADER_SIZE)
    writeHeaderFast(b, 0, h)
    w.bytes(b)
  },
  HEADER_SIZE,
)

/**
 * Byte offsets of the header fields (MS-SMB2 2.2.1.1 sync / 2.2.1.2 async): bytes 32..39 hold ProcessId and
 * TreeId in the sync form, AsyncId in the async form.
 */
export const HEADER_OFFSETS = {
  protocolId: 0, structureSize: 4, creditCharge: 6, status: 8, command: 12, credits: 14, flags: 16, nextCommand: 20,
  messageId: 24, asyncId: 32, processId: 32, treeId: 36, sessionId: 40, signature: 48,
} as const

/**
 * Reads the header at `at` without the codec's bookkeeping (no field paths, no spans): for the hot path of a
 * client or server that has already checked the message is SMB2. Same result as `Smb2HeaderCodec.read`; throws
 * DecodeError on a short buffer or a wrong ProtocolId/StructureSize.
 */
export function readHeaderFast(buf: Buffer, at = 0, opts: { lenientStructureSize?: boolean } = {}): Smb2Header {
  if (buf.length - at < HEADER_SIZE) throw new DecodeError(`an SMB2 header needs ${HEADER_SIZE} bytes, ${Math.max(0, buf.length - at)} left`, at, ['header'])
  const protocolId = buf.readUInt32LE(at)
  if (protocolId !== SMB2_MAGIC) throw new DecodeError(`protocolId 0x${protocolId.toString(16)} is not 0xFE 'SMB'`, at, ['header'])
  const structureSize = buf.readUInt16LE(at + 4)
  if (structureSize !== 64 && !opts.lenientStructureSize) throw new DecodeError(`structureSize must be 64, got ${structureSize}`, at + 4, ['header', 'structureSize'])
  const flags = buf.readUInt32LE(at + HEADER_OFFSETS.flags)
  const async = (flags & Smb2Flags.AsyncCommand) !== 0
  return {
    protocolId,
    structureSize,
    creditCharge: buf.readUInt16LE(at + HEADER_OFFSETS.creditCharge),
    status: buf.readUInt32LE(at + HEADER_OFFSETS.status),
    command: buf.readUInt16LE(at + HEADER_OFFSETS.command),
    credits: buf.readUInt16LE(at + HEADER_OFFSETS.credits),
    flags,
    nextCommand: buf.readUInt32LE(at + HEADER_OFFSETS.nextCommand),
    messageId: buf.readBigUInt64LE(at + HEADER_OFFSETS.messageId),
    asyncId: async ? buf.readBigUInt64LE(at + HEADER_OFFSETS.asyncId) : 0n,
    processId: async ? 0 : buf.readUInt32LE(at + HEADER_OFFSETS.processId),
    treeId: async ? 0 : buf.readUInt32LE(at + HEADER_OFFSETS.treeId),
    sessionId: buf.readBigUInt64LE(at + HEADER_OFFSETS.sessionId),
    signature: buf.subarray(at + HEADER_OFFSETS.signature, at + HEADER_SIZE),
  }
}

/**
 * Writes `h` over the 64 header bytes at `at` (the inverse of `readHeaderFast`, the same bytes
 * `Smb2HeaderCodec.write` produces): the async form when `h.flags` says so.
 */
export function writeHeaderFast(buf: Buffer, at: number, h: Smb2HeaderInput): void {
  try {
    writeHeaderUnchecked(buf, at, h)
  } catch (e) {
    // Buffer throws RangeError for a value that does not fit its field: the codec speaks EncodeError.
    if (e instanceof RangeError) throw new EncodeError(e.message, ['header'])
    throw e
  }
}

function writeHeaderUnchecked(buf: Buffer, at: number, h: Smb2HeaderInput): void {
  if (buf.length - at < HEADER_SIZE) throw new EncodeError(`an SMB2 header needs ${HEADER_SIZE} bytes, ${Math.max(0, buf.length - at)} left`, ['header'])
  if (h.signature.length !== 16) throw new EncodeError(`signature must be 16 bytes, got ${h.signature.length}`, ['header', 'signature'])
  buf.writeUInt32LE((h.protocolId ?? SMB2_MAGIC) >>> 0, at)
  buf.writeUInt16LE(h.structureSize ?? 64, at + 4)
  buf.writeUInt16LE(h.creditCharge, at + HEADER_OFFSETS.creditCharge)
  buf.writeUInt32LE(h.status >>> 0, at + HEADER_OFFSETS.status)
  buf.writeUInt16LE(h.command, at + HEADER_OFFSETS.command)
  buf.writeUInt16LE(h.credits, at + HEADER_OFFSETS.credits)
  buf.writeUInt32LE(h.flags >>> 0, at + HEADER_OFFSETS.flags)
  buf.writeUInt32LE(h.nextCommand >>> 0, at + HEADER_OFFSETS.nextCommand)
  buf.writeBigUInt64LE(h.messageId, at + HEADER_OFFSETS.messageId)
  if (h.flags & Smb2Flags.AsyncCommand) buf.writeBigUInt64LE(h.asyncId, at + HEADER_OFFSETS.asyncId)
  else {
    buf.writeUInt32LE(h.processId >>> 0, at + HEADER_OFFSETS.processId)
    buf.writeUInt32LE(h.treeId >>> 0, at + HEADER_OFFSETS.treeId)
  }
  buf.writeBigUInt64LE(h.sessionId, at + HEADER_OFFSETS.sessionId)
  if (h.signature.buffer !== buf.buffer || h.signature.byteOffset !== buf.byteOffset + at + HEADER_OFFSETS.signature) h.signature.copy(buf, at + HEADER_OFFSETS.signature)
}

/**
 * Reads the 64 header bytes at `at` without checking StructureSize (the caller has checked the magic and the
 * length): for annotating a malformed message with what its header still says. Never used to accept one.
 */
export function readHeaderLoose(buf: Buffer, at: number): Smb2Header {
  return readHeaderFast(buf, at, { lenientStructureSize: true })
}

/** A header with the usual defaults, for building requests and responses. */
export function makeHeader(h: Partial<Smb2Header> & { command: number }): Smb2Header {
  return {
    protocolId: SMB2_MAGIC,
    structureSize: 64,
    creditCharge: 0,
    status: 0,
    credits: 0,
    flags: 0,
    nextCommand: 0,
    messageId: 0n,
    asyncId: 0n,
    processId: 0,
    treeId: 0,
    sessionId: 0n,
    signature: Buffer.alloc(16),
    ...h,
  }
}

export const isResponse = (h: Pick<Smb2Header, 'flags'>): boolean => (h.flags & Smb2Flags.ServerToRedir) !== 0
export const isAsync = (h: Pick<Smb2Header, 'flags'>): boolean => (h.flags & Smb2Flags.AsyncCommand) !== 0
/** SMB 3.x requests: ChannelSequence is the low 16 bits of the status field (MS-SMB2 2.2.1.2). */
export const channelSequence = (h: Pick<Smb2Header, 'status'>): number => h.status & 0xffff

/** MS-SMB2 2.2.41 — SMB2 TRANSFORM_HEADER (52 bytes) in front of an encrypted message. */
export const TransformHeader = struct('TransformHeader', {
  protocolId: fixed(u32, TRANSFORM_MAGIC),
  signature: bytesN(16),
  /** 16 bytes; AES-CCM uses the first 11, AES-GCM the first 12. */
  nonce: bytesN(16),
  originalMessageSize: u32,
  reserved: reserved(u16),
  /** 0x0001 = Encrypted (3.1.1 "Flags"); EncryptionAlgorithm in 3.0/3.0.2 with the same value. */
  flags: u16,
  sessionId: u64,
})
export type TransformHeader = Infer<typeof TransformHeader>
export const TRANSFORM_HEADER_SIZE = 52

/** MS-SMB2 2.2.42.1 — unchained COMPRESSION_TRANSFORM_HEADER (16 bytes). */
export const CompressionTransformHeader = struct('CompressionTransformHeader', {
  protocolId: fixed(u32, COMPRESSION_MAGIC),
  originalCompressedSegmentSize: u32,
  compressionAlgorithm: u16,
  /** 0x0000 unchained, 0x0001 SMB2_COMPRESSION_FLAG_CHAINED. */
  flags: u16,
  /** Unchained: offset of the compressed data from the end of this header (the uncompressed prefix length). Chained: Length of the first payload. */
  offsetOrLength: u32,
})
export type CompressionTransformHeader = Infer<typeof CompressionTransformHeader>

export const CompressionAlgorithm = {
  None: 0x0000,
  Lznt1: 0x0001,
  Lz77: 0x0002,
  Lz77Huffman: 0x0003,
  PatternV1: 0x0004,
  Lz4: 0x0005,
} as const

export const compressionAlgorithmName = (a: number): string =>
  (['NONE', 'LZNT1', 'LZ77', 'LZ77+Huffman', 'Pattern_V1', 'LZ4'][a] as string | undefined) ?? `0x${a.toString(16)}`

/** What kind of message the first bytes announce. */
export function messageKind(buf: Buffer, at = 0): 'smb2' | 'transform' | 'compression' | 'smb1' | 'unknown' {
  if (buf.length - at < 4) return 'unknown'
  switch (buf.readUInt32LE(at)) {
    case SMB2_MAGIC: return 'smb2'
    case TRANSFORM_MAGIC: return 'transform'
    case COMPRESSION_MAGIC: return 'compression'
    case SMB1_MAGIC: return 'smb1'
    default: return 'unknown'
  }
}

export type HeaderCtx = Ctx
