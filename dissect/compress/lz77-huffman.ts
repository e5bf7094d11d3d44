/**
 * MS-XCA 2.1 / 2.2 — LZ77+Huffman (Xpress Huffman). The output is produced in blocks of 65536 bytes (a
 * match may run past a block's end; the next block starts where it stopped). Each block starts with 256
 * bytes holding the 4-bit code lengths of 512 symbols (even symbol in the low nibble): 0-255 literals,
 * 256-511 matches (low 4 bits: length - 3, 15 = longer; high 4 bits: index of the distance's top bit).
 * The bit stream is read as little-endian 16-bit words, most significant bit first, through a 32-bit
 * register; the extra length bytes of long matches sit in the byte stream at the point the reader has
 * reached, right after the words already loaded.
 * @module
 */
import { CompressionError } from './errors.js'
import { copyMatch } from './lznt1.js'

const PATH = ['LZ77+Huffman']
const BLOCK = 65536
const TABLE_BITS = 15
const SYMBOLS = 512
const EOF_SYMBOL = 256

/** MS-XCA 2.2.4: the canonical decoding table (2^15 entries), or an error when the lengths do not fill it exactly. */
function buildDecodingTable(input: Buffer, at: number, table: Uint16Array, lengths: Uint8Array): void {
  for (let i = 0; i < 256; i++) {
    const b = input[at + i]!
    lengths[2 * i] = b & 15
    lengths[2 * i + 1] = b >>> 4
  }
  let entry = 0
  for (let bits = 1; bits <= TABLE_BITS; bits++) {
    const count = 1 << (TABLE_BITS - bits)
    for (let s = 0; s < SYMBOLS; s++) {
      if (lengths[s] !== bits) continue
      if (entry + count > table.length) throw new CompressionError('Huffman code lengths over-subscribe the code space', at, PATH)
      table.fill(s, entry, entry + count)
      entry += count
    }
  }
  if (entry !== table.length) throw new CompressionError(`Huffman code lengths leave ${table.length - entry} of ${table.length} table entries unused`, at, PATH)
}

/**
 * Decompresses LZ77+Huffman data that must expand to exactly `outputSize` bytes. Stops when the output is
 * complete (the EOF symbol that follows is not required). Throws CompressionError on malformed input,
 * including a stream that needs bits past its end.
 */
export function decompressLz77Huffman(input: Buffer, outputSize: number): Buffer {
  const out = Buffer.alloc(outputSize)
  const table = new Uint16Array(1 << TABLE_BITS)
  const lengths = new Uint8Array(SYMBOLS)
  const inLen = input.length
  let inPos = 0
  let outPos = 0
  while (outPos < outputSize) {
    if (inPos + 256 > inLen) throw new CompressionError('input ends inside a Huffman table', inPos, PATH)
    buildDecodingTable(input, inPos, table, lengths)
    inPos += 256
    // Words read past the end of the input count as zero bits; consuming any of them is an error.
    let padded = 0
    const word = (): number => {
      if (inPos + 2 <= inLen) {
        const w = input[inPos]! | (input[inPos + 1]! << 8)
        inPos += 2
        return w
      }
      if (inPos < inLen) {
        const w = input[inPos]!
        inPos = inLen
        padded += 8
        return w
      }
      padded += 16
      return 0
    }
    let nextBits = ((word() << 16) | word()) >>> 0
    let extra = 16
    const blockEnd = outPos + BLOCK
    while (outPos < blockEnd && outPos < outputSize) {
      const symbol = table[nextBits >>> (32 - TABLE_BITS)]!
      const bitLength = lengths[symbol]!
      nextBits = (nextBits << bitLength) >>> 0
      extra -= bitLength
      if (extra < 0) {
        nextBits = (nextBits | (word() << -extra)) >>> 0
        extra += 16
      }
      if (padded > 16 + extra) throw new CompressionError('bit stream ends inside a symbol', inPos, PATH)
      if (symbol < 256) {
        out[outPos++] = symbol
        continue
      }
      const matchAt = inPos
      let length = symbol & 15
      const distanceBits = (symbol >>> 4) & 15
      if (length === 15) {
        if (inPos + 1 > inLen) throw new CompressionError('input ends before a match length byte', inPos, PATH)
        length = input[inPos++]!
        if (length === 255) {
          if (inPos + 2 > inLen) throw new CompressionError('input ends before a match length word', inPos, PATH)
          length = input.readUInt16LE(inPos)
          inPos += 2
          if (length === 0) {
            if (inPos + 4 > inLen) throw new CompressionError('input ends before a match length dword', inPos, PATH)
            length = input.readUInt32LE(inPos)
            inPos += 4
          }
          if (length < 15) throw new CompressionError(`long match length ${length} below 15`, matchAt, PATH)
          length -= 15
        }
        length += 15
      }
      length += 3
      let distance = 1 << distanceBits
      if (distanceBits > 0) {
        distance += nextBits >>> (32 - distanceBits)
        nextBits = (nextBits << distanceBits) >>> 0
        extra -= distanceBits
        if (extra < 0) {
          nextBits = (nextBits | (word() << -extra)) >>> 0
          extra += 16
        }
        if (padded > 16 + extra) throw new CompressionError('bit stream ends inside a match distance', inPos, PATH)
      }
      if (distance > outPos) throw new CompressionError(`match distance ${distance} reaches before the start (${outPos} bytes out)`, matchAt, PATH)
      if (length > outputSize - outPos) throw new CompressionError(`output exceeds ${outputSize} bytes`, matchAt, PATH)
      copyMatch(out, outPos, distance, length)
      outPos += length
    }
    if (padded > 0 && outPos < outputSize) throw new CompressionError('input ends before the output is complete', inPos, PATH)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Compression (MS-XCA 2.1.4)

const MAX_DISTANCE = 65535
const HASH_BITS = 16
const MAX_CHAIN = 32

const highBit = (v: number): number => 31 - Math.clz32(v)

/** Code lengths (at most `limit` bits) for the symbols with a non-zero count; at least two symbols get a code. */
export function huffmanLengths(freq: Uint32Array, limit = 15): Uint8Array {
  const counts = Array.from(freq)
  for (;;) {
    const lengths = buildLengths(counts)
    let max = 0
    for (const l of lengths) if (l > max) max = l
    if (max <= limit) return lengths
    // Too deep: flatten the distribution (halve, rounding up, keep non-zero) and try again.
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) counts[i] = (counts[i]! + 1) >>> 1
  }
}

function buildLengths(counts: number[]): Uint8Array {
  interface Node { count: number; symbol: number; left?: Node; right?: Node }
  const leaves: Node[] = []
  counts.forEach((count, symbol) => {
    if (count > 0) leaves.push({ count, symbol })
  })
  const lengths = new Uint8Array(counts.length)
  if (leaves.length === 1) {
    lengths[leaves[0]!.symbol] = 1
    return lengths
  }
  leaves.sort((a, b) => a.count - b.count || a.symbol - b.symbol)
  // Two-queue Huffman construction: leaves sorted by count, internal nodes created in order.
  const internal: Node[] = []
  let li = 0
  let ii = 0
  const take = (): Node => {
    if (li < leaves.length && (ii >= internal.length || leaves[li]!.count <= internal[ii]!.count)) return leaves[li++]!
    return internal[ii++]!
  }
  while (leaves.length - li + internal.length - ii > 1) {
    const a = take()
    const b = take()
    internal.push({ count: a.count + b.count, symbol: -1, left: a, right: b })
  }
  const stack: Array<[Node, number]> = [[internal[internal.length - 1]!, 0]]
  while (stack.length) {
    const [n, depth] = stack.pop()!
    if (n.left && n.right) {
      stack.push([n.left, depth + 1], [n.right, depth + 1])
    } else lengths[n.symbol] = depth
  }
  return lengths
}

/** Canonical codes (MS-XCA 2.1.4.2): by length, then by symbol value. */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const codes = new Uint16Array(lengths.length)
  let code = 0
  for (let bits = 1; bits <= TABLE_BITS; bits++) {
    for (let s = 0; s < lengths.length; s++) {
      if (lengths[s] === bits) codes[s] = code++
    }
    code <<= 1
  }
  return codes
}

/** A growable output with the MS-XCA 2.1.4.3 bit writer (two reserved word slots ahead). */
class HuffmanWriter {
  buf: Buffer
  pos = 0
  private slot1 = 0
  private slot2 = 0
  private freeBits = 16
  private nextWord = 0

  constructor(size: number) {
    this.buf = Buffer.alloc(Math.max(size, 1024))
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const nb = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(nb)
    this.buf = nb
  }
  beginBlock(lengths: Uint8Array): void {
    this.ensure(260)
    for (let i = 0; i < 256; i++) this.buf[this.pos + i] = lengths[2 * i]! | (lengths[2 * i + 1]! << 4)
    this.slot1 = this.pos + 256
    this.slot2 = this.pos + 258
    this.pos += 260
    this.freeBits = 16
    this.nextWord = 0
  }
  bits(n: number, value: number): void {
    if (n === 0) return
    if (this.freeBits >= n) {
      this.freeBits -= n
      this.nextWord = (this.nextWord << n) | value
      return
    }
    this.nextWord = (this.nextWord << this.freeBits) | (value >>> (n - this.freeBits))
    this.freeBits -= n
    this.buf.writeUInt16LE(this.nextWord & 0xffff, this.slot1)
    this.ensure(2)
    this.slot1 = this.slot2
    this.slot2 = this.pos
    this.pos += 2
    this.freeBits += 16
    this.nextWord = value
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }
  u16(v: number): void {
    this.ensure(2)
    this.buf.writeUInt16LE(v, this.pos)
    this.pos += 2
  }
  u32(v: number): void {
    this.ensure(4)
    this.buf.writeUInt32LE(v, this.pos)
    this.pos += 4
  }
  endBlock(): void {
    this.buf.writeUInt16LE((this.nextWord << this.freeBits) & 0xffff, this.slot1)
    this.buf.writeUInt16LE(0, this.slot2)
  }
}

/**
 * Compresses with LZ77+Huffman: greedy LZ77 matches through a hash chain (distance up to 65535, matches kept
 * inside their 64 KiB block), one Huffman table per block, the EOF symbol after the last block.
 */
export function compressLz77Huffman(input: Buffer): Buffer {
  const n = input.length
  const w = new HuffmanWriter(n + 300 * Math.ceil((n + 1) / BLOCK) + 64)
  const head = new Int32Array(1 << HASH_BITS).fill(-1)
  const prev = new Int32Array(Math.max(n, 1)).fill(-1)
  const hash = (i: number) => (((input[i]! << 16) | (input[i + 1]! << 8) | input[i + 2]!) * 2654435761) >>> (32 - HASH_BITS)
  const insert = (i: number) => {
    if (i + 2 < n) {
      const h = hash(i)
      prev[i] = head[h]!
      head[h] = i
    }
  }
  let blockStart = 0
  do {
    const blockEnd = Math.min(n, blockStart + BLOCK)
    const last = blockEnd === n
    // LZ77 phase: tokens as (length, distance); length 0 = literal (distance holds the byte).
    const tokLen: number[] = []
    const tokDist: number[] = []
    const freq = new Uint32Array(SYMBOLS)
    let pos = blockStart
    while (pos < blockEnd) {
      let bestLen = 0
      let bestDist = 0
      if (pos + 2 < n) {
        const maxLen = blockEnd - pos
        let cand = head[hash(pos)]!
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
      if (bestLen >= 3) {
        tokLen.push(bestLen)
        tokDist.push(bestDist)
        freq[256 + Math.min(bestLen - 3, 15) + 16 * highBit(bestDist)]++
        for (let i = 0; i < bestLen; i++) insert(pos + i)
        pos += bestLen
      } else {
        tokLen.push(0)
        tokDist.push(input[pos]!)
        freq[input[pos]!]++
        insert(pos)
        pos++
      }
    }
    if (last) freq[EOF_SYMBOL]++
    let used = 0
    let only = 0
    for (let s = 0; s < SYMBOLS; s++) {
      if (freq[s]) {
        used++
        only = s
      }
    }
    if (used === 1) freq[only ^ 1] = 1 // a code needs two symbols; the extra one is never written
    // Huffman and final encoding phases.
    const lengths = huffmanLengths(freq)
    const codes = canonicalCodes(lengths)
    w.beginBlock(lengths)
    for (let t = 0; t < tokLen.length; t++) {
      const len = tokLen[t]!
      if (len === 0) {
        const b = tokDist[t]!
        w.bits(lengths[b]!, codes[b]!)
        continue
      }
      const dist = tokDist[t]!
      const hb = highBit(dist)
      const symbol = 256 + Math.min(len - 3, 15) + 16 * hb
      w.bits(lengths[symbol]!, codes[symbol]!)
      if (len - 3 >= 15) {
        w.byte(Math.min(len - 3 - 15, 255))
        if (len - 3 - 15 >= 255) {
          if (len - 3 < 1 << 16) w.u16(len - 3)
          else {
            w.u16(0)
            w.u32(len - 3)
          }
        }
      }
      w.bits(hb, dist - (1 << hb))
    }
    if (last) w.bits(lengths[EOF_SYMBOL]!, codes[EOF_SYMBOL]!)
    w.endBlock()
    blockStart = blockEnd
  } while (blockStart < n)
  return Buffer.from(w.buf.subarray(0, w.pos))
}
