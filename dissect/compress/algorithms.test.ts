import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompressionError } from './errors.js'
import { compressLz77, decompressLz77 } from './lz77.js'
import { compressLz77Huffman, decompressLz77Huffman, huffmanLengths } from './lz77-huffman.js'
import { compressLznt1, decompressLznt1 } from './lznt1.js'

const algorithms = [
  { name: 'LZNT1', compress: compressLznt1, decompress: decompressLznt1 },
  { name: 'LZ77', compress: compressLz77, decompress: decompressLz77 },
  { name: 'LZ77+Huffman', compress: compressLz77Huffman, decompress: decompressLz77Huffman },
] as const

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    b[i] = x & 0xff
  }
  return b
}

/** Text-like data: words drawn from a small vocabulary, so there are matches at all distances. */
function words(n: number, seed = 7): Buffer {
  const vocab = ['smb2', 'create', 'lease', 'durable', 'handle', 'the', 'of', 'reconnect', 'session', 'tree', '\r\n', '0x0000', 'STATUS_SUCCESS']
  const r = noise(n, seed)
  const parts: string[] = []
  let len = 0
  for (let i = 0; len < n; i++) {
    const w = vocab[r[i % n]! % vocab.length]! + (r[(i * 7) % n]! & 1 ? ' ' : '')
    parts.push(w)
    len += w.length
  }
  return Buffer.from(parts.join('')).subarray(0, n)
}

const sizes = [0, 1, 2, 3, 4, 31, 32, 33, 4095, 4096, 4097, 8193, 65535, 65536, 65537, 140000]

describe.each(algorithms)('$name', ({ compress, decompress }) => {
  it('round-trips noise, text, runs and mixtures at block-boundary sizes', () => {
    for (const n of sizes) {
      for (const data of [noise(n, n + 1), words(n, n + 3), Buffer.alloc(n, 0x61), Buffer.concat([words(n >> 1), Buffer.alloc(n - (n >> 1), 0)])]) {
        const c = compress(data)
        const d = decompress(c, data.length)
        expect(d.equals(data), `size ${n}`).toBe(true)
      }
    }
  })

  it('compresses repetitive data well', () => {
    const data = words(200000)
    expect(compress(data).length).toBeLessThan(data.length / 2)
    expect(compress(Buffer.alloc(100000, 0x20)).length).toBeLessThan(3000)
  })

  it('round-trips arbitrary inputs (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 4 }), (bytes, alphabet) => {
      const data = Buffer.from(bytes.map((b) => b % (1 << (alphabet * 2))))
      expect(decompress(compress(data), data.length).equals(data)).toBe(true)
    }), { numRuns: 150 })
  })

  it('fails with CompressionError when the expected size does not match', () => {
    const data = words(5000)
    const c = compress(data)
    expect(() => decompress(c, data.length + 1)).toThrowError(CompressionError)
    if (data.length > 0) expect(() => decompress(c, data.length - 100)).toThrowError(CompressionError)
  })
})

describe('Huffman code lengths', () => {
  it('stay within 15 bits for skewed (Fibonacci) counts and form a complete code', () => {
    const freq = new Uint32Array(512)
    let a = 1, b = 1
    for (let i = 0; i < 40; i++) {
      freq[i] = a
      ;[a, b] = [b, (a + b) % 0x7fffffff]
    }
    const lengths = huffmanLengths(freq)
    let kraft = 0
    for (let s = 0; s < 512; s++) {
      expect(lengths[s]! <= 15).toBe(true)
      if (freq[s]) {
        expect(lengths[s]).toBeGreaterThan(0)
        kraft += 2 ** -lengths[s]!
      }
    }
    expect(kraft).toBeCloseTo(1, 10)
  })
})

describe('speed', () => {
  it('LZ77+Huffman decompresses 4 MiB in well under a second', () => {
    const text = words(4 * 1024 * 1024)
    const c1 = compressLz77Huffman(text)
    const random = noise(4 * 1024 * 1024, 99)
    const c2 = compressLz77Huffman(random)
    const t0 = performance.now()
    const d1 = decompressLz77Huffman(c1, text.length)
    const t1 = performance.now()
    const d2 = decompressLz77Huffman(c2, random.length)
    const t2 = performance.now()
    expect(d1.equals(text)).toBe(true)
    expect(d2.equals(random)).toBe(true)
    expect(t1 - t0).toBeLessThan(500)
    expect(t2 - t1).toBeLessThan(500)
  })
})
