/**
 * MS-XCA's own examples (section 3) and the static test data of Microsoft's MS-XCA test suite
 * (microsoft/WindowsProtocolTestSuites, TestSuites/MS-XCA/src/TestSuite/StaticData, MIT licence; copied as
 * hex into fixtures/ms-xca). The uncompressed inputs are rebuilt here and checked against the SHA-256 of
 * Microsoft's files.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compressLz77, decompressLz77 } from './lz77.js'
import { compressLz77Huffman, decompressLz77Huffman } from './lz77-huffman.js'
import { compressLznt1, decompressLznt1, lznt1DisplacementBits } from './lznt1.js'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ms-xca')
const data = (name: string) => Buffer.from(readFileSync(join(dir, `${name}.hex`), 'utf8').trim(), 'hex')
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

const aToZ = Buffer.from('abcdefghijklmnopqrstuvwxyz')
const abc100 = Buffer.from('abc'.repeat(100))
const fSharp = Buffer.from(
  'F# F# G A A G F# E D D E F# F# E E F# F# G A A G F# E D D E F# E D D E E F# D E F# G F# D E F# G F# E D E A F# F# G A A G F# E D D E F# E D D\0',
  'latin1',
)
const times = (b: Buffer, n: number) => Buffer.concat(Array.from({ length: n }, () => b))

describe('the uncompressed inputs are the ones Microsoft used', () => {
  it.each([
    ['Uncompressed_a_z', aToZ, '71c480df93d6ae2f1efad1447c66c9525e316218cf51fc8d9ed832f2daf18b73'],
    ['Uncompressed_a_z_large', times(aToZ, 1000), '9bae04df8ee130bb0a94596b84b4ab161a2abf8a94c4e30523249fad5754ae27'],
    ['Uncompressed_abc_100', abc100, 'd9f5aeb06abebb3be3f38adec9a2e3b94228d52193be923eb4e24c9b56ee0930'],
    ['Uncompressed_abc_100_large', times(abc100, 1000), 'a77aedfe2e4a7232ea628a71745a966224c4521d93134b993cde5b65ea2f6e3c'],
    ['LZNT1_Uncompressed', fSharp, '5f298e39f98e53df67e451c44d8edd8a88afbbbf413604511f7efd49bc763b0e'],
    ['LZNT1_Uncompressed_large', times(fSharp, 1000), '0edb5e3e1059fe15d075cca5b2825a53e3f70a27459b15d71890c42da3375ad7'],
  ])('%s', (_name, buf, digest) => {
    expect(sha(buf)).toBe(digest)
  })
})

describe('Plain LZ77 (MS-XCA 3.1 and test data)', () => {
  it('decodes the a..z example: 26 literals and a flag word padded with ones', () => {
    const spec = h('3f000000 6162636465666768696a6b6c6d6e6f707172737475767778797a')
    expect(data('LZ77_Compressed_a_z').equals(spec)).toBe(true)
    expect(decompressLz77(spec, 26).equals(aToZ)).toBe(true)
    // Our encoder produces exactly the specification's bytes here.
    expect(compressLz77(aToZ).equals(spec)).toBe(true)
  })

  it('decodes abc[match: distance 3, length 297]', () => {
    const spec = h('ffffff1f 616263 1700 0f ff 2601')
    expect(data('LZ77_Compressed_abc_100').equals(spec)).toBe(true)
    expect(decompressLz77(spec, 300).equals(abc100)).toBe(true)
    expect(compressLz77(abc100).equals(spec)).toBe(true)
  })

  it('decodes the large test data (32-bit length escape, 300000 bytes)', () => {
    expect(decompressLz77(data('LZ77_Compressed_a_z_large'), 26000).equals(times(aToZ, 1000))).toBe(true)
    expect(decompressLz77(data('LZ77_Compressed_abc_100_large'), 300000).equals(times(abc100, 1000))).toBe(true)
    expect(compressLz77(times(abc100, 1000)).equals(data('LZ77_Compressed_abc_100_large'))).toBe(true)
  })
})

describe('LZ77+Huffman (MS-XCA 3.2 and test data)', () => {
  it('decodes the a..z example (literals only)', () => {
    const c = data('LZ77Huffman_Compressed_a_z')
    expect(c.length).toBe(276)
    expect(c.subarray(256).equals(h('d8523ed794115be9195ff9d67cdf8d0400000000'))).toBe(true)
    expect(decompressLz77Huffman(c, 26).equals(aToZ)).toBe(true)
  })

  it('decodes abc[match: distance 3, length 297] with the long-length bytes in the stream', () => {
    // Microsoft's file names are swapped here: the 263-byte "_large" file holds the 300-byte example.
    const c = data('LZ77Huffman_Compressed_abc_100_large')
    expect(c.subarray(256).equals(h('a8dc0000ff2601'))).toBe(true)
    expect(decompressLz77Huffman(c, 300).equals(abc100)).toBe(true)
  })

  it('decodes a five-block stream (300000 bytes, each block its own table)', () => {
    const c = data('LZ77Huffman_Compressed_abc_100')
    expect(c.length).toBe(1315)
    expect(decompressLz77Huffman(c, 300000).equals(times(abc100, 1000))).toBe(true)
  })

  it('decodes a..z x 1000', () => {
    expect(decompressLz77Huffman(data('LZ77Huffman_Compressed_a_z_large'), 26000).equals(times(aToZ, 1000))).toBe(true)
  })

  it('our encoder gives the specification\'s bytes for abc x 100', () => {
    const c = compressLz77Huffman(abc100)
    expect(decompressLz77Huffman(c, 300).equals(abc100)).toBe(true)
    expect(c.equals(data('LZ77Huffman_Compressed_abc_100_large'))).toBe(true)
  })
})

describe('LZNT1 (MS-XCA 3.3 and test data)', () => {
  it('decodes the 59-byte example of the specification', () => {
    const spec = h(`38 b0 88 46 23 20 00 20 47 20 41 00 10 a2 47 01 a0 45 20 44 00 08 45 01 50 79 00 c0 45 20 05 24
                    13 88 05 b4 02 4a 44 ef 03 58 02 8c 09 16 01 48 45 00 be 00 9e 00 04 01 18 90 00`)
    expect(spec.length).toBe(59)
    expect(decompressLznt1(spec, 142).equals(fSharp)).toBe(true)
  })

  it('decodes the test suite\'s 63-byte encoding of the same string, and the 142000-byte one', () => {
    expect(decompressLznt1(data('LZNT1_Compressed'), 142).equals(fSharp)).toBe(true)
    expect(decompressLznt1(data('LZNT1_Compressed_large'), 142000).equals(times(fSharp, 1000))).toBe(true)
  })

  it('uses D displacement bits with 2^(D-1) < U (MS-XCA 2.5.1.4)', () => {
    expect([1, 3, 9, 16, 17, 32, 33, 2048, 2049, 4096].map(lznt1DisplacementBits)).toEqual([4, 4, 4, 4, 5, 5, 6, 11, 12, 12])
  })

  it('our encoder round-trips the examples and compresses them', () => {
    for (const b of [fSharp, times(fSharp, 1000), abc100, aToZ]) {
      const c = compressLznt1(b)
      expect(decompressLznt1(c, b.length).equals(b)).toBe(true)
    }
    expect(compressLznt1(times(fSharp, 1000)).length).toBeLessThan(14000)
  })
})
