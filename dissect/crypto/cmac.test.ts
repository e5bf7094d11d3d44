import { describe, expect, it } from 'vitest'
import { aesCmac, cmacSubkeys } from './cmac.js'
import { CryptoError } from './errors.js'

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/** RFC 4493 section 4 test vectors (AES-128). */
describe('AES-CMAC (RFC 4493)', () => {
  const key = h('2b7e1516 28aed2a6 abf71588 09cf4f3c')
  const m64 = h(`6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51
                 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710`)

  it('derives the subkeys K1 and K2', () => {
    const { k1, k2 } = cmacSubkeys(key)
    expect(k1.toString('hex')).toBe('fbeed618357133667c85e08f7236a8de')
    expect(k2.toString('hex')).toBe('f7ddac306ae266ccf90bc11ee46d513b')
  })

  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('Example with a %i-byte message', (len, mac) => {
    expect(aesCmac(key, m64.subarray(0, len)).toString('hex')).toBe(mac)
  })

  it('agrees with a block-by-block reference on every length up to 100 bytes', async () => {
    const { createCipheriv } = await import('node:crypto')
    const enc = (b: Buffer) => {
      const c = createCipheriv('aes-128-ecb', key, null)
      c.setAutoPadding(false)
      return c.update(b)
    }
    const { k1, k2 } = cmacSubkeys(key)
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff))
    for (let len = 0; len <= 100; len++) {
      const m = data.subarray(0, len)
      const n = Math.max(1, Math.ceil(len / 16))
      let x = Buffer.alloc(16)
      for (let i = 0; i < n; i++) {
        const block = Buffer.alloc(16)
        const piece = m.subarray(i * 16, i * 16 + 16)
        piece.copy(block)
        if (i === n - 1) {
          const sub = len > 0 && len % 16 === 0 ? k1 : k2
          if (!(len > 0 && len % 16 === 0)) block[piece.length] = 0x80
          for (let j = 0; j < 16; j++) block[j] = block[j]! ^ sub[j]!
        }
        for (let j = 0; j < 16; j++) block[j] = block[j]! ^ x[j]!
        x = enc(block)
      }
      expect(aesCmac(key, m).equals(x), `length ${len}`).toBe(true)
    }
  })

  it('rejects a key of the wrong size with a CryptoError', () => {
    expect(() => aesCmac(Buffer.alloc(15), Buffer.alloc(0))).toThrowError(CryptoError)
  })
})
