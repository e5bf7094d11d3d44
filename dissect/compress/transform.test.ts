import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompressionAlgorithm, decodeChain } from '../smb2/index.js'
import { CompressionError } from './errors.js'
import { compressMessage, decompressMessage, parseCompressionTransform, patternV1 } from './transform.js'

interface Frame { frame: number; dir: string; messages: string[]; tsharkDecompressed?: string[] }
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const load = (n: string) => (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { frames: Frame[] }).frames
const chainedFrames = load('wireshark-chained-patternv1-lznt1.json')
const unchainedFrames = load('wireshark-lz77-lz77huff-lznt1.json')
const hex = (s: string) => Buffer.from(s, 'hex')

/** The READ response's data / WRITE request's data, found through the SMB2 codec's header. */
function dataOf(msg: Buffer): Buffer {
  const chain = decodeChain(msg)
  expect(chain.error).toBeUndefined()
  const m = chain.messages[0]!
  const command = m.header.command
  const off = msg.readUInt16LE(64 + 2) // DataOffset (READ response: u8 + reserved; WRITE request: u16)
  if (command === 0x08) return msg.subarray(msg[64 + 2]!, msg[64 + 2]! + msg.readUInt32LE(64 + 4))
  return msg.subarray(off, off + msg.readUInt32LE(64 + 4))
}

describe('real compressed captures (Wireshark test suite)', () => {
  it('unchained LZ77, LZ77+Huffman and LZNT1 READ responses decompress to tshark\'s bytes: a READ of "a" x 4096', () => {
    const algorithms = unchainedFrames.map((f) => parseCompressionTransform(hex(f.messages[0]!)).payloads[0]!.algorithm)
    expect(algorithms).toEqual([CompressionAlgorithm.Lz77, CompressionAlgorithm.Lz77Huffman, CompressionAlgorithm.Lznt1])
    for (const f of unchainedFrames) {
      const out = decompressMessage(hex(f.messages[0]!))
      expect(out.toString('hex'), `frame ${f.frame}`).toBe(f.tsharkDecompressed![0])
      expect(out.readUInt32LE(0)).toBe(0x424d53fe)
      expect(out.readUInt16LE(12)).toBe(0x08)
      expect(dataOf(out).equals(Buffer.alloc(4096, 'a'))).toBe(true)
    }
  })

  it('chained Pattern_V1 + LZNT1 (WRITE request) and NONE + Pattern_V1 (READ response) give 0xaa x 256', () => {
    const shapes = chainedFrames.map((f) => parseCompressionTransform(hex(f.messages[0]!)).payloads.map((p) => p.algorithm))
    expect(shapes).toEqual([
      [CompressionAlgorithm.Lznt1, CompressionAlgorithm.PatternV1],
      [CompressionAlgorithm.None, CompressionAlgorithm.PatternV1],
    ])
    for (const f of chainedFrames) {
      const out = decompressMessage(hex(f.messages[0]!))
      expect(out.toString('hex'), `frame ${f.frame}`).toBe(f.tsharkDecompressed![0])
      expect(dataOf(out).equals(Buffer.alloc(256, 0xaa))).toBe(true)
    }
  })

  it('our transforms of those messages decompress to the same bytes, in every mode', () => {
    for (const f of [...unchainedFrames, ...chainedFrames]) {
      const msg = hex(f.tsharkDecompressed![0]!)
      for (const algorithm of [CompressionAlgorithm.Lznt1, CompressionAlgorithm.Lz77, CompressionAlgorithm.Lz77Huffman]) {
        for (const chained of [false, true]) {
          for (const prefixLength of [0, 64, 80]) {
            const t = compressMessage(msg, { algorithm, chained, prefixLength })
            expect(decompressMessage(t).equals(msg), `frame ${f.frame} alg ${algorithm} chained ${chained} prefix ${prefixLength}`).toBe(true)
          }
        }
      }
    }
  })

  it('a chained transform of a READ response puts the header in NONE and the data in Pattern_V1, like the capture', () => {
    const msg = hex(chainedFrames[1]!.tsharkDecompressed![0]!)
    const t = compressMessage(msg, { chained: true, algorithm: CompressionAlgorithm.Lznt1, prefixLength: 80 })
    expect(t.equals(hex(chainedFrames[1]!.messages[0]!))).toBe(true)
  })
})

describe('compression transform', () => {
  it('unchained: header fields, Offset prefix sent as is', () => {
    const msg = Buffer.concat([Buffer.from('fe534d42', 'hex'), Buffer.alloc(60, 1), Buffer.alloc(5000, 'z')])
    const t = compressMessage(msg, { algorithm: CompressionAlgorithm.Lz77Huffman, prefixLength: 64 })
    const p = parseCompressionTransform(t)
    expect(p.chained).toBe(false)
    expect(p.offset).toBe(64)
    expect(p.originalCompressedSegmentSize).toBe(5000)
    expect(p.prefix!.equals(msg.subarray(0, 64))).toBe(true)
    expect(t.length).toBeLessThan(400)
    expect(decompressMessage(t).equals(msg)).toBe(true)
  })

  it('chained: leading and trailing runs become Pattern_V1, flags CHAINED on the first payload only', () => {
    const msg = Buffer.concat([Buffer.alloc(100, 7), Buffer.from('some text in the middle, some text in the middle'), Buffer.alloc(300, 0)])
    const t = compressMessage(msg, { chained: true, algorithm: CompressionAlgorithm.Lz77 })
    const p = parseCompressionTransform(t)
    expect(p.payloads.map((x) => x.algorithm)).toEqual([CompressionAlgorithm.PatternV1, CompressionAlgorithm.Lz77, CompressionAlgorithm.PatternV1])
    expect(p.payloads.map((x) => x.flags)).toEqual([1, 0, 0])
    expect(p.payloads[0]!.data.equals(patternV1(7, 100))).toBe(true)
    expect(decompressMessage(t).equals(msg)).toBe(true)
    const noPattern = parseCompressionTransform(compressMessage(msg, { chained: true, patternV1: false }))
    expect(noPattern.payloads.map((x) => x.algorithm)).toEqual([CompressionAlgorithm.Lz77])
  })

  it('chained: incompressible data goes as NONE', () => {
    const msg = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 97 + 13) & 0xff))
    const p = parseCompressionTransform(compressMessage(msg, { chained: true }))
    expect(p.payloads.map((x) => x.algorithm)).toEqual([CompressionAlgorithm.None])
  })

  it('round-trips random and repetitive messages in every mode', () => {
    const msgArb = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 3000 }),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 300 })).map(([unit, n]) => Uint8Array.from(Array.from({ length: n }, () => [...unit]).flat())),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 200 })), { maxLength: 20 }).map((runs) => Uint8Array.from(runs.flatMap(([b, n]) => Array(n).fill(b)))),
    )
    fc.assert(fc.property(msgArb, fc.constantFrom(1, 2, 3), fc.boolean(), fc.nat(100), (bytes, algorithm, chained, prefix) => {
      const msg = Buffer.from(bytes)
      const prefixLength = Math.min(prefix, msg.length)
      const t = compressMessage(msg, { algorithm, chained, prefixLength })
      expect(decompressMessage(t).equals(msg)).toBe(true)
    }), { numRuns: 300 })
  })

  it('refuses bad options with EncodeError and unsupported algorithms with CompressionError', () => {
    expect(() => compressMessage(Buffer.alloc(10), { prefixLength: 11 })).toThrowError(/prefixLength/)
    expect(() => compressMessage(Buffer.alloc(10), { algorithm: CompressionAlgorithm.PatternV1 })).toThrowError(/unchained/)
    expect(() => compressMessage(Buffer.alloc(10), { algorithm: CompressionAlgorithm.Lz4 })).toThrowError(/LZ4/)
    const lz4 = compressMessage(Buffer.alloc(10, 1), { algorithm: CompressionAlgorithm.Lz77 })
    lz4.writeUInt16LE(CompressionAlgorithm.Lz4, 8)
    expect(() => decompressMessage(lz4)).toThrowError(CompressionError)
  })

  it('pins the error for a transform that announces too much', () => {
    const t = compressMessage(Buffer.alloc(1000, 3), { algorithm: CompressionAlgorithm.Lz77 })
    t.writeUInt32LE(0x7fffffff, 4)
    expect(() => decompressMessage(t)).toThrowError('compression.originalCompressedSegmentSize @0x4: announces 2147483647 bytes, more than the 16777216 allowed')
    expect(() => decompressMessage(compressMessage(Buffer.alloc(1000, 3)), { maxOutputSize: 999 })).toThrowError(CompressionError)
  })
})
