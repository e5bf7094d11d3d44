/**
 * MS-SMB2 2.2.42 and 3.1.4.4 — the SMB2 compression transform (ProtocolId 0xFC 'SMB').
 *
 * - Unchained (Flags = 0): COMPRESSION_TRANSFORM_HEADER (16 bytes), then `Offset` bytes sent as they are
 *   (typically the SMB2 header and body of a READ response or WRITE request), then the rest of the
 *   message compressed with CompressionAlgorithm; OriginalCompressedSegmentSize is the size of that rest
 *   once decompressed.
 * - Chained (Flags = SMB2_COMPRESSION_FLAG_CHAINED): ProtocolId and OriginalCompressedSegmentSize (the
 *   whole message's size), then payloads, each an SMB2_COMPRESSION_CHAINED_PAYLOAD_HEADER (algorithm,
 *   flags, Length of what follows the Length field) with OriginalPayloadSize (4 bytes) in front of the data
 *   for LZNT1, LZ77, LZ77+Huffman and LZ4, none for NONE and Pattern_V1 (MS-SMB2 2.2.42.2.2: one byte
 *   repeated Repetitions times).
 * @module
 */
import { DecodeError, EncodeError } from '../wire/errors.js'
import { fixed, reserved, struct, u8, u16, u32, type Infer } from '../wire/struct.js'
import { COMPRESSION_MAGIC, CompressionAlgorithm, CompressionTransformHeader, compressionAlgorithmName } from '../smb2/header.js'
import { CompressionError, DEFAULT_MAX_OUTPUT } from './errors.js'
import { compressLz77, decompressLz77 } from './lz77.js'
import { compressLz77Huffman, decompressLz77Huffman } from './lz77-huffman.js'
import { compressLznt1, decompressLznt1 } from './lznt1.js'

export const SMB2_COMPRESSION_FLAG_CHAINED = 0x0001
export const COMPRESSION_HEADER_SIZE = 16

/** MS-SMB2 2.2.42.2 — the 8 bytes in front of the first chained payload header. */
export const CompressionChainedHeader = struct('CompressionChainedHeader', {
  protocolId: fixed(u32, COMPRESSION_MAGIC),
  originalCompressedSegmentSize: u32,
})

/** MS-SMB2 2.2.42.2.1 — SMB2_COMPRESSION_CHAINED_PAYLOAD_HEADER without its optional OriginalPayloadSize. */
export const ChainedPayloadHeader = struct('ChainedPayloadHeader', {
  compressionAlgorithm: u16,
  flags: u16,
  /** Bytes after this field: OriginalPayloadSize (when present) and the payload data. */
  length: u32,
})
export type ChainedPayloadHeader = Infer<typeof ChainedPayloadHeader>

/** MS-SMB2 2.2.42.2.2 — SMB2_COMPRESSION_PATTERN_PAYLOAD_V1. */
export const PatternV1Payload = struct('PatternV1Payload', {
  pattern: u8,
  reserved1: reserved(u8),
  reserved2: reserved(u16),
  repetitions: u32,
})
export type PatternV1Payload = Infer<typeof PatternV1Payload>
const PATTERN_PAYLOAD_SIZE = 8

/** The algorithms whose chained payloads carry OriginalPayloadSize (MS-SMB2 2.2.42.2.1). */
export const hasOriginalPayloadSize = (algorithm: number): boolean =>
  algorithm !== CompressionAlgorithm.None && algorithm !== CompressionAlgorithm.PatternV1

export interface CompressedPayload {
  algorithm: number
  flags: number
  /** Offset of this payload's header (chained) or of the compressed data (unchained) in the message. */
  offset: number
  /** Chained: the Length field. Unchained: the compressed data length. */
  length: number
  /** Chained LZNT1/LZ77/LZ77+Huffman/LZ4: OriginalPayloadSize. Unchained: OriginalCompressedSegmentSize. */
  originalPayloadSize?: number
  /** The payload bytes (compressed data, raw bytes, or the 8-byte Pattern_V1 payload). */
  data: Buffer
  /** Where `data` starts in the message. */
  dataOffset: number
}

export interface CompressionTransform {
  chained: boolean
  /** Unchained: size of the compressed segment once decompressed. Chained: size of the whole message. */
  originalCompressedSegmentSize: number
  /** Unchained only: the Offset field and the bytes it covers. */
  offset?: number
  prefix?: Buffer
  payloads: CompressedPayload[]
}

const fail = (reason: string, at: number, path: string[] = []): never => {
  throw new CompressionError(reason, at, ['compression', ...path])
}

/** Reads the structure of a compression transform without decompressing anything. */
export function parseCompressionTransform(buf: Buffer): CompressionTransform {
  try {
    return parseTransform(buf)
  } catch (e) {
    if (e instanceof DecodeError && !(e instanceof CompressionError)) throw new CompressionError(e.reason, e.offset, ['compression', ...e.path])
    throw e
  }
}

function parseTransform(buf: Buffer): CompressionTransform {
  if (buf.length < 8) fail(`a compression transform has at least 8 bytes, got ${buf.length}`, 0)
  if (buf.readUInt32LE(0) !== COMPRESSION_MAGIC) fail(`ProtocolId 0x${buf.readUInt32LE(0).toString(16)} is not 0xFC 'SMB'`, 0)
  const chained = buf.length >= 12 && (buf.readUInt16LE(10) & SMB2_COMPRESSION_FLAG_CHAINED) !== 0
  if (!chained) {
    if (buf.length < COMPRESSION_HEADER_SIZE) fail(`an unchained compression header has ${COMPRESSION_HEADER_SIZE} bytes, got ${buf.length}`, 0)
    const h = CompressionTransformHeader.decode(buf.subarray(0, COMPRESSION_HEADER_SIZE))
    const offset = h.offsetOrLength
    const dataOffset = COMPRESSION_HEADER_SIZE + offset
    if (dataOffset > buf.length) fail(`Offset ${offset} runs past the ${buf.length - COMPRESSION_HEADER_SIZE} bytes after the header`, 12, ['offset'])
    const data = buf.subarray(dataOffset)
    return {
      chained: false,
      originalCompressedSegmentSize: h.originalCompressedSegmentSize,
      offset,
      prefix: buf.subarray(COMPRESSION_HEADER_SIZE, dataOffset),
      payloads: [{ algorithm: h.compressionAlgorithm, flags: h.flags, offset: dataOffset, length: data.length, originalPayloadSize: h.originalCompressedSegmentSize, data, dataOffset }],
    }
  }
  const originalCompressedSegmentSize = CompressionChainedHeader.decode(buf.subarray(0, 8)).originalCompressedSegmentSize
  const payloads: CompressedPayload[] = []
  let pos = 8
  while (pos < buf.length) {
    const path = [`payload[${payloads.length}]`]
    if (pos + 8 > buf.length) fail(`a chained payload header needs 8 bytes, ${buf.length - pos} left`, pos, path)
    const h = ChainedPayloadHeader.decode(buf.subarray(pos, pos + 8))
    const end = pos + 8 + h.length
    if (end > buf.length) fail(`Length ${h.length} runs past the end of the message`, pos + 4, [...path, 'length'])
    let dataOffset = pos + 8
    let originalPayloadSize: number | undefined
    if (hasOriginalPayloadSize(h.compressionAlgorithm)) {
      if (h.length < 4) fail(`Length ${h.length} leaves no room for OriginalPayloadSize`, pos + 4, [...path, 'length'])
      originalPayloadSize = buf.readUInt32LE(dataOffset)
      dataOffset += 4
    }
    payloads.push({ algorithm: h.compressionAlgorithm, flags: h.flags, offset: pos, length: h.length, originalPayloadSize, data: buf.subarray(dataOffset, end), dataOffset })
    pos = end
  }
  if (payloads.length === 0) fail('a chained transform without payloads', 8)
  return { chained: true, originalCompressedSegmentSize, payloads }
}

/** Decompresses one algorithm's data to exactly `size` bytes (LZ4 is not implemented). */
export function decompressPayload(algorithm: number, data: Buffer, size: number): Buffer {
  switch (algorithm) {
    case CompressionAlgorithm.None:
      if (data.length !== size) throw new CompressionError(`NONE payload of ${data.length} bytes, expected ${size}`, 0, ['NONE'])
      return Buffer.from(data)
    case CompressionAlgorithm.Lznt1:
      return decompressLznt1(data, size)
    case CompressionAlgorithm.Lz77:
      return decompressLz77(data, size)
    case CompressionAlgorithm.Lz77Huffman:
      return decompressLz77Huffman(data, size)
    default:
      throw new CompressionError(`unsupported compression algorithm ${compressionAlgorithmName(algorithm)}`, 0, [compressionAlgorithmName(algorithm)])
  }
}

/** Compresses with one algorithm (LZNT1, LZ77, LZ77+Huffman; NONE copies). */
export function compressPayload(algorithm: number, data: Buffer): Buffer {
  switch (algorithm) {
    case CompressionAlgorithm.None:
      return Buffer.from(data)
    case CompressionAlgorithm.Lznt1:
      return compressLznt1(data)
    case CompressionAlgorithm.Lz77:
      return compressLz77(data)
    case CompressionAlgorithm.Lz77Huffman:
      return compressLz77Huffman(data)
    default:
      throw new EncodeError(`cannot compress with ${compressionAlgorithmName(algorithm)}`, ['compression'])
  }
}

export interface DecompressOptions {
  /** Refuse transforms that announce more than this many bytes of output (default 16 MiB). */
  maxOutputSize?: number
}

/**
 * Undoes a compression transform: returns the original SMB2 message (or compound chain). Output never
 * exceeds the size the header announces, nor `maxOutputSize`; anything malformed throws CompressionError.
 */
export function decompressMessage(buf: Buffer, opts: DecompressOptions = {}): Buffer {
  const max = opts.maxOutputSize ?? DEFAULT_MAX_OUTPUT
  const t = parseCompressionTransform(buf)
  if (!t.chained) {
    const p = t.payloads[0]!
    const total = t.offset! + t.originalCompressedSegmentSize
    if (total > max) fail(`announces ${total} bytes, more than the ${max} allowed`, 4, ['originalCompressedSegmentSize'])
    if (p.algorithm === CompressionAlgorithm.None || p.algorithm === CompressionAlgorithm.PatternV1) {
      fail(`unchained transform with algorithm ${compressionAlgorithmName(p.algorithm)}`, 8, ['compressionAlgorithm'])
    }
    const body = withPath(() => decompressPayload(p.algorithm, p.data, t.originalCompressedSegmentSize), p.dataOffset, [])
    return Buffer.concat([t.prefix!, body], total)
  }
  const total = t.originalCompressedSegmentSize
  if (total > max) fail(`announces ${total} bytes, more than the ${max} allowed`, 4, ['originalCompressedSegmentSize'])
  const parts: Buffer[] = []
  let produced = 0
  t.payloads.forEach((p, i) => {
    const path = [`payload[${i}]`]
    const left = total - produced
    if (p.algorithm === CompressionAlgorithm.PatternV1) {
      if (p.data.length !== PATTERN_PAYLOAD_SIZE) fail(`Pattern_V1 payload of ${p.data.length} bytes, expected ${PATTERN_PAYLOAD_SIZE}`, p.offset + 4, [...path, 'length'])
      const pv = PatternV1Payload.decode(p.data)
      if (pv.repetitions > left) fail(`Pattern_V1 repeats ${pv.repetitions} bytes, only ${left} left of ${total}`, p.dataOffset + 4, [...path, 'repetitions'])
      parts.push(Buffer.alloc(pv.repetitions, pv.pattern))
      produced += pv.repetitions
      return
    }
    const size = p.originalPayloadSize ?? p.data.length
    if (size > left) fail(`payload expands to ${size} bytes, only ${left} left of ${total}`, p.offset, path)
    const out = withPath(() => decompressPayload(p.algorithm, p.data, size), p.dataOffset, path)
    parts.push(out)
    produced += out.length
  })
  if (produced !== total) fail(`payloads give ${produced} bytes, OriginalCompressedSegmentSize says ${total}`, 4, ['originalCompressedSegmentSize'])
  return Buffer.concat(parts, total)
}

/** Re-bases a CompressionError from payload-relative to message-relative offsets and adds the path. */
function withPath<T>(fn: () => T, base: number, path: string[]): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof CompressionError) throw new CompressionError(e.reason, base + e.offset, ['compression', ...path, ...e.path])
    throw e
  }
}

export interface CompressOptions {
  /** The algorithm for the compressed data (unchained) or the compressed middle payload (chained). Default LZ77. */
  algorithm?: number
  /** Chained mode (the peer negotiated SMB2_COMPRESSION_CAPABILITIES_FLAG_CHAINED). */
  chained?: boolean
  /** Chained: also look for leading and trailing runs of one byte and send them as Pattern_V1 (default true). */
  patternV1?: boolean
  /** Shortest run worth a Pattern_V1 payload (default 32). */
  minPatternRun?: number
  /**
   * Bytes at the start sent uncompressed: the unchained Offset, or a leading NONE payload when chained
   * (default 0).
   */
  prefixLength?: number
}

/**
 * Builds a compression transform for `msg` (MS-SMB2 3.1.4.4). It always returns the transform; a sender
 * should send the message uncompressed instead when the result is not smaller.
 */
export function compressMessage(msg: Buffer, opts: CompressOptions = {}): Buffer {
  const algorithm = opts.algorithm ?? CompressionAlgorithm.Lz77
  const prefixLength = opts.prefixLength ?? 0
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > msg.length) {
    throw new EncodeError(`prefixLength ${prefixLength} outside [0, ${msg.length}]`, ['compression'])
  }
  if (!opts.chained) {
    if (algorithm === CompressionAlgorithm.None || algorithm === CompressionAlgorithm.PatternV1) {
      throw new EncodeError(`an unchained transform cannot use ${compressionAlgorithmName(algorithm)}`, ['compression'])
    }
    const rest = msg.subarray(prefixLength)
    const header = CompressionTransformHeader.encode({
      originalCompressedSegmentSize: rest.length,
      compressionAlgorithm: algorithm,
      flags: 0,
      offsetOrLength: prefixLength,
    })
    return Buffer.concat([header, msg.subarray(0, prefixLength), compressPayload(algorithm, rest)])
  }
  const minRun = opts.minPatternRun ?? 32
  const usePattern = opts.patternV1 ?? true
  let start = prefixLength
  let end = msg.length
  let lead = 0
  let trail = 0
  if (usePattern && end > start) {
    while (start + lead < end && msg[start + lead] === msg[start]) lead++
    if (lead < minRun) lead = 0
    if (start + lead < end) {
      while (end - 1 - trail > start + lead && msg[end - 1 - trail] === msg[end - 1]) trail++
      if (trail < minRun) trail = 0
    }
  }
  const payloads: Array<{ algorithm: number; body: Buffer; originalPayloadSize?: number }> = []
  if (prefixLength > 0) payloads.push({ algorithm: CompressionAlgorithm.None, body: msg.subarray(0, prefixLength) })
  if (lead > 0) payloads.push({ algorithm: CompressionAlgorithm.PatternV1, body: PatternV1Payload.encode({ pattern: msg[start]!, repetitions: lead }) })
  const middle = msg.subarray(start + lead, end - trail)
  if (middle.length > 0) {
    const compressed = algorithm === CompressionAlgorithm.None ? undefined : compressPayload(algorithm, middle)
    if (compressed && compressed.length + 4 < middle.length) payloads.push({ algorithm, body: compressed, originalPayloadSize: middle.length })
    else payloads.push({ algorithm: CompressionAlgorithm.None, body: middle })
  }
  if (trail > 0) payloads.push({ algorithm: CompressionAlgorithm.PatternV1, body: PatternV1Payload.encode({ pattern: msg[end - 1]!, repetitions: trail }) })
  if (payloads.length === 0) payloads.push({ algorithm: CompressionAlgorithm.None, body: Buffer.alloc(0) })
  const parts: Buffer[] = [CompressionChainedHeader.encode({ originalCompressedSegmentSize: msg.length })]
  payloads.forEach((p, i) => {
    const extra = p.originalPayloadSize !== undefined ? 4 : 0
    parts.push(ChainedPayloadHeader.encode({ compressionAlgorithm: p.algorithm, flags: i === 0 ? SMB2_COMPRESSION_FLAG_CHAINED : 0, length: extra + p.body.length }))
    if (p.originalPayloadSize !== undefined) {
      const size = Buffer.alloc(4)
      size.writeUInt32LE(p.originalPayloadSize)
      parts.push(size)
    }
    parts.push(p.body)
  })
  return Buffer.concat(parts)
}

/** Pattern_V1 payload bytes for `repetitions` copies of `pattern` (exported for tests and replay). */
export const patternV1 = (pattern: number, repetitions: number): Buffer => PatternV1Payload.encode({ pattern, repetitions })
