/**
 * Hostile input: mutated real compressed messages and random bytes never make the decompressors throw
 * anything but CompressionError, never produce more than the size the header announces (nor the cap),
 * and always return.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompressionAlgorithm } from '../smb2/index.js'
import { CompressionError } from './errors.js'
import { decompressLz77 } from './lz77.js'
import { compressLz77Huffman, decompressLz77Huffman } from './lz77-huffman.js'
import { decompressLznt1 } from './lznt1.js'
import { compressMessage, decompressMessage } from './transform.js'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const frames = ['wireshark-chained-patternv1-lznt1.json', 'wireshark-lz77-lz77huff-lznt1.json'].flatMap(
  (n) => (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { frames: { messages: string[] }[] }).frames.map((f) => Buffer.from(f.messages[0]!, 'hex')),
)
// Our own transforms too, so that every algorithm and both modes have seeds (including multi-block Huffman).
const text = Buffer.from('durable handle reconnect with lease key and create guid; '.repeat(3000))
const seeds = [
  ...frames,
  compressMessage(text, { algorithm: CompressionAlgorithm.Lz77Huffman }),
  compressMessage(text, { algorithm: CompressionAlgorithm.Lz77, chained: true, prefixLength: 64 }),
  compressMessage(Buffer.concat([Buffer.alloc(200, 1), text.subarray(0, 5000), Buffer.alloc(100)]), { algorithm: CompressionAlgorithm.Lznt1, chained: true }),
]

/** The size bound a transform announces (what the output must never exceed). */
function announced(buf: Buffer): number {
  if (buf.length < 8) return 0
  const size = buf.readUInt32LE(4)
  const chained = buf.length >= 12 && (buf.readUInt16LE(10) & 1) === 1
  return chained || buf.length < 16 ? size : size + buf.readUInt32LE(12)
}

function check(buf: Buffer, maxOutputSize?: number): 'ok' | 'error' {
  try {
    const out = decompressMessage(buf, { maxOutputSize })
    expect(out.length).toBeLessThanOrEqual(announced(buf))
    if (maxOutputSize !== undefined) expect(out.length).toBeLessThanOrEqual(maxOutputSize)
    return 'ok'
  } catch (e) {
    if (!(e instanceof CompressionError)) throw new Error(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`)
    return 'error'
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function mutate(src: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(src)
  for (const m of ms) {
    if (b.length === 0) break
    const at = m.at % b.length
    switch (m.kind) {
      case 'flip': b[at] = b[at]! ^ (1 << m.bit); break
      case 'set': b[at] = m.value; break
      case 'u32': if (at + 4 <= b.length) b.writeUInt32LE(m.value, at); break
      case 'truncate': b = b.subarray(0, at); break
      case 'insert': b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]); break
    }
  }
  return b
}

describe('fuzz', () => {
  it('every seed decompresses unmutated', () => {
    for (const s of seeds) expect(check(s)).toBe('ok')
  })

  it('mutated real and generated transforms: only CompressionError, output within the announced size', () => {
    const results = { ok: 0, error: 0 }
    fc.assert(fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 300000 })), (seed, ms, cap) => {
      results[check(mutate(seed, ms), cap ?? undefined)]++
    }), { numRuns: 3000 })
    // Both outcomes happen: mutations of data bytes often still decode, header damage does not.
    expect(results.ok).toBeGreaterThan(50)
    expect(results.error).toBeGreaterThan(500)
  })

  it('mutations that only touch compressed data bytes keep header-announced sizes (never larger output)', () => {
    const huff = seeds[frames.length]!
    fc.assert(fc.property(fc.array(fc.record({ at: fc.integer({ min: 16 + 256, max: huff.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), (sets) => {
      const b = Buffer.from(huff)
      for (const s of sets) b[s.at] = s.value
      check(b)
    }), { numRuns: 500 })
  })

  it('random bytes into each raw decompressor with random expected sizes', () => {
    const decompressors = [decompressLznt1, decompressLz77, decompressLz77Huffman]
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 200000 }), fc.integer({ min: 0, max: 2 }), (bytes, size, which) => {
      try {
        const out = decompressors[which]!(Buffer.from(bytes), size)
        expect(out.length).toBe(size)
      } catch (e) {
        if (!(e instanceof CompressionError)) throw e
      }
    }), { numRuns: 1500 })
  })

  it('a valid Huffman table followed by garbage bits decodes to the exact size or fails cleanly', () => {
    const valid = compressLz77Huffman(Buffer.from('abcabcabcabd'))
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 1, max: 70000 }), (tail, size) => {
      const b = Buffer.concat([valid.subarray(0, 256), Buffer.from(tail)])
      try {
        expect(decompressLz77Huffman(b, size).length).toBe(size)
      } catch (e) {
        if (!(e instanceof CompressionError)) throw e
      }
    }), { numRuns: 500 })
  })
})
