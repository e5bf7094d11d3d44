import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeChain, makeHeader } from '../smb2/index.js'
import { SigningAlgorithm } from './constants.js'
import { CryptoError } from './errors.js'
import { chainParts, gmacNonce, sign, signChain, signInPlace, verify, verifyChain } from './signing.js'

const algorithms = [SigningAlgorithm.HmacSha256, SigningAlgorithm.AesCmac, SigningAlgorithm.AesGmac] as const
const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex')

function chain(n: number, bodySize = 24): Buffer {
  return encodeChain(Array.from({ length: n }, (_, i) => ({
    header: makeHeader({ command: 0x0d, messageId: BigInt(10 + i), sessionId: 0x1234n, flags: i > 0 ? 4 : 0 }),
    body: Buffer.alloc(bodySize + i, i + 1),
  })))
}

describe('signing (MS-SMB2 3.1.4.1)', () => {
  it.each(algorithms)('algorithm %i: signInPlace sets SIGNED, verify accepts it and rejects any flipped bit after ProtocolId', (alg) => {
    const m = chain(1)
    signInPlace(m, key, alg)
    expect(m.readUInt32LE(16) & 8).toBe(8)
    expect(verify(m, key, alg)).toBe(true)
    fc.assert(fc.property(fc.integer({ min: 32, max: m.length * 8 - 1 }), (bit) => {
      const bad = Buffer.from(m)
      bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7))
      return !verify(bad, key, alg)
    }), { numRuns: 200 })
    const other = Buffer.from(key)
    other[0] = other[0]! ^ 1
    expect(verify(m, other, alg)).toBe(false)
  })

  it('the signature does not depend on what the Signature field held', () => {
    const a = chain(1), b = chain(1)
    b.fill(0xab, 48, 64)
    for (const alg of algorithms) expect(sign(a, key, alg).equals(sign(b, key, alg))).toBe(true)
  })

  it('HMAC-SHA256 takes a 16-byte session key; the three algorithms give different MACs', () => {
    const m = chain(1)
    const macs = algorithms.map((a) => sign(m, key, a).toString('hex'))
    expect(new Set(macs).size).toBe(3)
  })

  it('GMAC nonce = MessageId, then bit 0 for server-to-client and bit 1 for CANCEL requests', () => {
    const m = chain(1)
    m.writeBigUInt64LE(0x0102030405060708n, 24)
    expect(gmacNonce(m).toString('hex')).toBe('080706050403020100000000')
    m.writeUInt32LE(1, 16)
    expect(gmacNonce(m).toString('hex')).toBe('080706050403020101000000')
    m.writeUInt32LE(0, 16)
    m.writeUInt16LE(0x0c, 12)
    expect(gmacNonce(m).toString('hex')).toBe('080706050403020102000000')
  })

  it('compound chains: each message signed over its own bytes, padding included', () => {
    for (const alg of algorithms) {
      const c = chain(3)
      const parts = chainParts(c)
      expect(parts.length).toBe(3)
      expect(parts[0]!.end - parts[0]!.start).toBe(88) // 64 + 24, already 8-aligned
      expect(parts[1]!.end - parts[1]!.start).toBe(96) // 64 + 25 padded to 8
      signChain(c, key, alg)
      expect(verifyChain(c, key, alg)).toEqual([true, true, true])
      for (const p of parts) expect(verify(c.subarray(p.start, p.end), key, alg)).toBe(true)
      // Padding belongs to the message before it.
      c[parts[1]!.end - 1] = c[parts[1]!.end - 1]! ^ 1
      expect(verifyChain(c, key, alg)).toEqual([true, false, true])
    }
  })

  it('rejects short or non-SMB2 messages, bad NextCommand, and bad keys with CryptoError', () => {
    expect(() => sign(Buffer.alloc(63), key, SigningAlgorithm.AesCmac)).toThrowError(CryptoError)
    expect(() => sign(Buffer.alloc(64), key, SigningAlgorithm.AesCmac)).toThrowError(/BAD_MESSAGE/)
    const c = chain(2)
    c.writeUInt32LE(40, 20)
    expect(() => chainParts(c)).toThrowError(/BAD_MESSAGE/)
    c.writeUInt32LE(100000, 20)
    expect(() => verifyChain(c, key, SigningAlgorithm.AesCmac)).toThrowError(CryptoError)
    expect(() => sign(chain(1), Buffer.alloc(0), SigningAlgorithm.HmacSha256)).toThrowError(/BAD_KEY/)
    expect(() => sign(chain(1), Buffer.alloc(32), SigningAlgorithm.AesGmac)).toThrowError(/BAD_KEY/)
    expect(() => sign(chain(1), key, 5 as never)).toThrowError(/UNSUPPORTED/)
  })
})
