/**
 * MS-XCA 2.3 / 2.4 — Plain LZ77 ("LZ77" in SMB2 compression, LZXpress): 32-bit little-endian flag words
 * read from the most significant bit down (0 = literal byte, 1 = match); a match is a 16-bit word with
 * (distance - 1) in its high 13 bits and a length code in its low 3; length 7 continues in a shared
 * half-byte, then a byte, then 16 bits, then 32 bits.
 * @module
 */
import { CompressionError } from './errors.js'
import { copyMatch } from './lznt1.js'

const PATH = ['LZ77']

/** Decompresses Plain LZ77 data that must expand to exactly `outputSize` bytes (MS-XCA 2.4.4). */
export function decompressLz77(input: Buffer, outputSize: number): Buffer {
  const out = Buffer.alloc(outputSize)
  let inPos = 0
  let outPos = 0
  let flags = 0
  let flagCount = 0
  let lastLengthHalfByte = -1
  const need = (n: number, what: string) => {
    if (inPos + n > input.length) throw new CompressionError(`${what}: input ends`, inPos, PATH)
  }
  while (outPos < outputSize) {
    if (flagCount === 0) {
      need(4, 'flag word')
      flags = input.readUInt32LE(inPos)
      inPos += 4
      flagCount = 32
    }
    flagCount--
    if ((flags & (1 << flagCount)) === 0) {
      need(1, 'literal')
      out[outPos++] = input[inPos++]!
      continue
    }
    const matchAt = inPos
    need(2, 'match')
    const word = input.readUInt16LE(inPos)
    inPos += 2
    let length = word & 7
    const distance = (word >>> 3) + 1
    if (length === 7) {
      if (lastLengthHalfByte < 0) {
        need(1, 'length half-byte')
        length = input[inPos]! & 15
        lastLengthHalfByte = inPos
        inPos++
      } else {
        length = input[lastLengthHalfByte]! >>> 4
        lastLengthHalfByte = -1
      }
      if (length === 15) {
        need(1, 'length byte')
        length = input[inPos++]!
        if (length === 255) {
          need(2, 'length word')
          length = input.readUInt16LE(inPos)
          inPos += 2
          if (length === 0) {
            need(4, 'length dword')
            length = input.readUInt32LE(inPos)
            inPos += 4
          }
          if (length < 15 + 7) throw new CompressionError(`long match length ${length} below 22`, matchAt, PATH)
          length -= 15 + 7
        }
        length += 15
      }
      length += 7
    }
    length += 3
    if (distance > outPos) throw new CompressionError(`match distance ${distance} reaches before the start (${outPos} bytes out)`, matchAt, PATH)
    if (length > outputSize - outPos) throw new CompressionError(`output exceeds ${outputSize} bytes`, matchAt, PATH)
    copyMatch(out, outPos, distance, length)
    outPos += length
  }
  return out
}

const MAX_DISTANCE = 8192
const HASH_BITS = 15
const MAX_CHAIN = 48

/** Compresses with Plain LZ77 (MS-XCA 2.3.4), greedy matches found through a hash chain. */
export function compressLz77(input: Buffer): Buffer {
  const n = input.length
  const out = Buffer.alloc(n + 4 * Math.ceil((n + 1) / 32) + 8 + 4)
  const head = new Int32Array(1 << HASH_BITS).fill(-1)
  const prev = new Int32Array(n).fill(-1)
  const hash = (i: number) => (((input[i]! << 10) ^ (input[i + 1]! << 5) ^ input[i + 2]!) * 2654435761) >>> (32 - HASH_BITS)
  const insert = (i: number) => {
    if (i + 2 < n) {
      const h = hash(i)
      prev[i] = head[h]!
      head[h] = i
    }
  }
  let flags = 0
  let flagCount = 0
  let flagPos = 0
  let o = 4
  let lastLengthHalfByte = -1
  const pushFlag = (bit: number) => {
    flags = ((flags << 1) | bit) >>> 0
    flagCount++
    if (flagCount === 32) {
      out.writeUInt32LE(flags, flagPos)
      flagCount = 0
      flags = 0
      flagPos = o
      o += 4
    }
  }
  let pos = 0
  while (pos < n) {
    let bestLen = 0
    let bestDist = 0
    if (pos + 2 < n) {
      let cand = head[hash(pos)]!
      const maxLen = n - pos
      for (let tries = 0; cand >= 0 && tries < MAX_CHAIN; tries++, cand = prev[cand]!) {
        const dist = pos - cand
        if (dist > MAX_DISTANCE) break
        if (input[cand + bestLen] !== input[pos + bestLen]) continue
        let len = 0
        while (len < maxLen && input[cand + len] === input[pos + len]) len++
        if (len > bestLen) {
          bestLen = len
          bestDist = dist
          if (len === maxLen) break
        }
      }
    }
    if (bestLen < 3) {
      out[o++] = input[pos]!
      insert(pos)
      pos++
      pushFlag(0)
      continue
    }
    let length = bestLen - 3
    const word = (bestDist - 1) << 3
    if (length < 7) {
      out.writeUInt16LE(word | length, o)
      o += 2
    } else {
      out.writeUInt16LE(word | 7, o)
      o += 2
      length -= 7
      if (lastLengthHalfByte < 0) {
        lastLengthHalfByte = o
        out[o++] = Math.min(length, 15)
      } else {
        out[lastLengthHalfByte] = out[lastLengthHalfByte]! | (Math.min(length, 15) << 4)
        lastLengthHalfByte = -1
      }
      if (length >= 15) {
        length -= 15
        if (length < 255) out[o++] = length
        else {
          out[o++] = 255
          length += 7 + 15
          if (length < 1 << 16) {
            out.writeUInt16LE(length, o)
            o += 2
          } else {
            out.writeUInt16LE(0, o)
            out.writeUInt32LE(length, o + 2)
            o += 6
          }
        }
      }
    }
    for (let i = 0; i < bestLen; i++) insert(pos + i)
    pos += bestLen
    pushFlag(1)
  }
  // Pad the last flag word with ones (MS-XCA 2.3.4).
  const free = 32 - flagCount
  const last = free === 32 ? 0xffffffff : (((flags << free) >>> 0) + (2 ** free - 1)) >>> 0
  out.writeUInt32LE(last >>> 0, flagPos)
  return out.subarray(0, o)
}
