/**
 * MS-XCA 2.5 — LZNT1: a series of chunks, each holding up to 4096 bytes of output. A chunk header (16 bits,
 * little-endian) has bit 15 = compressed, bits 14..12 = signature 3, bits 11..0 = chunk size - 3 (the
 * header included); a zero header ends the buffer (it may also simply end). A compressed chunk is a run of
 * flag groups: a flag byte whose bits, low to high, say literal (0) or 16-bit copy token (1). A token
 * holds a displacement in its high D bits and a length in its low 16 - D bits, where D is the largest value
 * in [4, 12] with 2^(D-1) < U, or 4 (U = bytes already output in this chunk); displacement + 1 and
 * length + 3 are the real values.
 * @module
 */
import { CompressionError } from './errors.js'

const CHUNK = 4096
const PATH = ['LZNT1']

/** Displacement bit count D for U bytes already decompressed in the chunk (MS-XCA 2.5.1.4). */
export function lznt1DisplacementBits(u: number): number {
  let d = 4
  while (d < 12 && 1 << d < u) d++
  return d
}

/**
 * Decompresses LZNT1 data that must expand to exactly `outputSize` bytes. Never writes more than that;
 * throws CompressionError on anything malformed.
 */
export function decompressLznt1(input: Buffer, outputSize: number): Buffer {
  const out = Buffer.alloc(outputSize)
  let inPos = 0
  let outPos = 0
  while (inPos + 2 <= input.length) {
    const header = input.readUInt16LE(inPos)
    if (header === 0) break
    const headerAt = inPos
    inPos += 2
    if (((header >> 12) & 7) !== 3) throw new CompressionError(`chunk signature ${(header >> 12) & 7}, expected 3`, headerAt, PATH)
    const dataSize = (header & 0xfff) + 1
    const chunkEnd = inPos + dataSize
    if (chunkEnd > input.length) throw new CompressionError(`chunk of ${dataSize} bytes runs past the end of the input`, headerAt, PATH)
    const chunkStart = outPos
    if ((header & 0x8000) === 0) {
      if (outPos + dataSize > outputSize) throw new CompressionError(`output exceeds ${outputSize} bytes`, headerAt, PATH)
      input.copy(out, outPos, inPos, chunkEnd)
      outPos += dataSize
      inPos = chunkEnd
      continue
    }
    while (inPos < chunkEnd) {
      const flags = input[inPos++]!
      for (let bit = 0; bit < 8 && inPos < chunkEnd; bit++) {
        if ((flags & (1 << bit)) === 0) {
          if (outPos >= outputSize) throw new CompressionError(`output exceeds ${outputSize} bytes`, inPos, PATH)
          out[outPos++] = input[inPos++]!
          continue
        }
        if (inPos + 2 > chunkEnd) throw new CompressionError('copy token cut by the end of the chunk', inPos, PATH)
        const token = input.readUInt16LE(inPos)
        const u = outPos - chunkStart
        const d = lznt1DisplacementBits(u)
        const displacement = (token >>> (16 - d)) + 1
        const length = (token & ((1 << (16 - d)) - 1)) + 3
        if (displacement > u) throw new CompressionError(`displacement ${displacement} reaches before the chunk start (${u} bytes in)`, inPos, PATH)
        if (outPos + length > outputSize) throw new CompressionError(`output exceeds ${outputSize} bytes`, inPos, PATH)
        if (u + length > CHUNK) throw new CompressionError(`chunk expands past ${CHUNK} bytes`, inPos, PATH)
        inPos += 2
        copyMatch(out, outPos, displacement, length)
        outPos += length
      }
    }
    if (outPos - chunkStart > CHUNK) throw new CompressionError(`chunk expands past ${CHUNK} bytes`, headerAt, PATH)
  }
  if (outPos !== outputSize) throw new CompressionError(`decompressed to ${outPos} bytes, expected ${outputSize}`, inPos, PATH)
  return out
}

/** Copies an LZ77 match; byte by byte when source and destination overlap (distance < length). */
export function copyMatch(out: Buffer, outPos: number, distance: number, length: number): void {
  const from = outPos - distance
  if (distance >= length) {
    out.copy(out, outPos, from, from + length)
    return
  }
  for (let i = 0; i < length; i++) out[outPos + i] = out[from + i]!
}

/**
 * Compresses with LZNT1 (greedy matching over a hash chain). A chunk that does not shrink is stored
 * uncompressed. No End_of_buffer terminator is written (MS-XCA 2.5.1.2 makes it optional; SMB2 knows the size).
 */
export function compressLznt1(input: Buffer): Buffer {
  const parts: Buffer[] = []
  for (let start = 0; start < input.length; start += CHUNK) {
    const chunk = input.subarray(start, Math.min(input.length, start + CHUNK))
    const data = compressChunk(chunk)
    if (data.length < chunk.length) {
      const header = Buffer.alloc(2)
      header.writeUInt16LE(0x8000 | 0x3000 | (data.length - 1))
      parts.push(header, data)
    } else {
      const header = Buffer.alloc(2)
      header.writeUInt16LE(0x3000 | (chunk.length - 1))
      parts.push(header, chunk)
    }
  }
  return Buffer.concat(parts)
}

const HASH_BITS = 12
const MAX_CHAIN = 32

function compressChunk(chunk: Buffer): Buffer {
  const n = chunk.length
  const out = Buffer.alloc(n + Math.ceil(n / 8) + 2)
  const head = new Int32Array(1 << HASH_BITS).fill(-1)
  const prev = new Int32Array(n).fill(-1)
  const hash = (i: number) => ((chunk[i]! << 8) ^ (chunk[i + 1]! << 4) ^ chunk[i + 2]!) & ((1 << HASH_BITS) - 1)
  const insert = (i: number) => {
    if (i + 2 < n) {
      const h = hash(i)
      prev[i] = head[h]!
      head[h] = i
    }
  }
  let o = 0
  let flagPos = -1
  let bit = 8
  let pos = 0
  while (pos < n) {
    if (bit === 8) {
      flagPos = o++
      out[flagPos] = 0
      bit = 0
      if (o >= n) return chunk // cannot shrink
    }
    let bestLen = 0
    let bestDist = 0
    if (pos > 0 && pos + 2 < n) {
      const d = lznt1DisplacementBits(pos)
      const maxDist = 1 << d
      const maxLen = Math.min((1 << (16 - d)) + 2, n - pos)
      let cand = head[hash(pos)]!
      for (let tries = 0; cand >= 0 && tries < MAX_CHAIN; tries++, cand = prev[cand]!) {
        const dist = pos - cand
        if (dist > maxDist) break
        let len = 0
        while (len < maxLen && chunk[cand + len] === chunk[pos + len]) len++
        if (len > bestLen) {
          bestLen = len
          bestDist = dist
          if (len === maxLen) break
        }
      }
    }
    if (bestLen >= 3) {
      const d = lznt1DisplacementBits(pos)
      const token = ((bestDist - 1) << (16 - d)) | (bestLen - 3)
      if (o + 2 > out.length) return chunk
      out.writeUInt16LE(token, o)
      o += 2
      out[flagPos] = out[flagPos]! | (1 << bit)
      for (let i = 0; i < bestLen; i++) insert(pos + i)
      pos += bestLen
    } else {
      if (o + 1 > out.length) return chunk
      out[o++] = chunk[pos]!
      insert(pos)
      pos++
    }
    bit++
    if (o >= n) return chunk
  }
  return out.subarray(0, o)
}
