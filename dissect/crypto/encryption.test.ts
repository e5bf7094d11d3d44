import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CipherId, cipherKeyLength, nonceLength } from './constants.js'
import { NonceGenerator, decryptMessage, encryptMessage, readTransformHeader } from './encryption.js'
import { CryptoError } from './errors.js'

const ciphers = [CipherId.Aes128Ccm, CipherId.Aes128Gcm, CipherId.Aes256Ccm, CipherId.Aes256Gcm] as const
const keyFor = (c: (typeof ciphers)[number]) => Buffer.alloc(cipherKeyLength(c), 0x5a)

describe('encryption (MS-SMB2 3.1.4.3, 2.2.41)', () => {
  it.each(ciphers)('cipher %i: round trip, header fields, nonce layout', (cipherId) => {
    const key = keyFor(cipherId)
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (bytes, sessionId) => {
      const plain = Buffer.from(bytes)
      const t = encryptMessage(plain, { key, cipherId, sessionId })
      const h = readTransformHeader(t)
      expect(t.length).toBe(52 + plain.length)
      expect(h.originalMessageSize).toBe(plain.length)
      expect(h.flags).toBe(1)
      expect(h.sessionId).toBe(sessionId)
      expect(h.nonce.subarray(nonceLength(cipherId)).equals(Buffer.alloc(16 - nonceLength(cipherId)))).toBe(true)
      expect(decryptMessage(t, key, cipherId).equals(plain)).toBe(true)
    }), { numRuns: 30 })
  })

  it('the AAD covers Nonce..SessionId: changing any of those 32 bytes fails authentication', () => {
    for (const cipherId of ciphers) {
      const key = keyFor(cipherId)
      const t = encryptMessage(Buffer.from('fe534d42' + '00'.repeat(60), 'hex'), { key, cipherId, sessionId: 5n })
      for (let at = 20; at < 52; at++) {
        if (at >= 36 && at < 40) continue // OriginalMessageSize: caught as BAD_TRANSFORM first
        const bad = Buffer.from(t)
        bad[at] = bad[at]! ^ 1
        expect(() => decryptMessage(bad, key, cipherId), `cipher ${cipherId} byte ${at}`).toThrowError(/BAD_TAG/)
      }
      const badTag = Buffer.from(t)
      badTag[4] = badTag[4]! ^ 1
      expect(() => decryptMessage(badTag, key, cipherId)).toThrowError(/BAD_TAG/)
      const wrongCipher = cipherId === CipherId.Aes128Ccm ? CipherId.Aes128Gcm : cipherId === CipherId.Aes128Gcm ? CipherId.Aes128Ccm : cipherId === CipherId.Aes256Ccm ? CipherId.Aes256Gcm : CipherId.Aes256Ccm
      expect(() => decryptMessage(t, key, wrongCipher)).toThrowError(CryptoError)
    }
  })

  it('nonces from a generator never repeat and keep the counter in the low 8 bytes', () => {
    let i = 0
    const g = new NonceGenerator((n) => Buffer.alloc(n, i++ === 0 ? 0xaa : 0xff)) // counter starts at 2^64-1: it wraps
    const seen = new Set<string>()
    for (let k = 0; k < 1000; k++) {
      const n = g.next(k % 2 ? CipherId.Aes128Gcm : CipherId.Aes128Ccm)
      expect(n.length).toBe(k % 2 ? 12 : 11)
      seen.add(n.subarray(n.length - 8).toString('hex'))
    }
    expect(seen.size).toBe(1000)
    const t1 = encryptMessage(Buffer.alloc(10), { key: keyFor(CipherId.Aes128Gcm), cipherId: CipherId.Aes128Gcm, sessionId: 1n })
    const t2 = encryptMessage(Buffer.alloc(10), { key: keyFor(CipherId.Aes128Gcm), cipherId: CipherId.Aes128Gcm, sessionId: 1n })
    expect(t1.subarray(20, 36).equals(t2.subarray(20, 36))).toBe(false)
  })

  it('malformed input and bad parameters raise CryptoError with a code', () => {
    const key = keyFor(CipherId.Aes128Gcm)
    const t = encryptMessage(Buffer.alloc(100, 1), { key, cipherId: CipherId.Aes128Gcm, sessionId: 1n })
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoError)
        return (e as CryptoError).code
      }
      return 'no error'
    }
    expect(code(() => decryptMessage(t.subarray(0, 51), key, CipherId.Aes128Gcm))).toBe('BAD_TRANSFORM')
    expect(code(() => decryptMessage(t.subarray(0, 120), key, CipherId.Aes128Gcm))).toBe('BAD_TRANSFORM')
    expect(code(() => decryptMessage(Buffer.concat([t, Buffer.alloc(1)]), key, CipherId.Aes128Gcm))).toBe('BAD_TRANSFORM')
    const wrongMagic = Buffer.from(t)
    wrongMagic[0] = 0xfe
    expect(code(() => decryptMessage(wrongMagic, key, CipherId.Aes128Gcm))).toBe('BAD_TRANSFORM')
    expect(code(() => decryptMessage(t, Buffer.alloc(32), CipherId.Aes128Gcm))).toBe('BAD_KEY')
    expect(code(() => decryptMessage(t, key, 7))).toBe('UNSUPPORTED')
    expect(code(() => encryptMessage(Buffer.alloc(1), { key, cipherId: CipherId.Aes128Gcm, sessionId: 1n, nonce: Buffer.alloc(11) }))).toBe('BAD_KEY')
    expect(code(() => encryptMessage(Buffer.alloc(1), { key: Buffer.alloc(16), cipherId: CipherId.Aes256Gcm, sessionId: 1n }))).toBe('BAD_KEY')
  })
})
