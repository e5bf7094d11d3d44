import { describe, expect, it } from 'vitest'
import { CipherId, SigningAlgorithm } from './constants.js'
import { CryptoError } from './errors.js'
import { deriveSessionKeys, kdfCounterHmacSha256, sessionKey16, signingAlgorithmFor } from './kdf.js'

const h = (s: string) => Buffer.from(s, 'hex')

describe('SP800-108 KDF (MS-SMB2 3.1.4.2)', () => {
  it('gives the ServerIn/ServerOut keys Wireshark\'s test suite lists for smb300-aes-128-ccm (MANIFEST K1)', () => {
    const k = deriveSessionKeys({ dialect: 0x0300, sessionKey: h('9a9ea16a0cdbeb6064772318073f172f') })
    expect(k.serverOutKey!.toString('hex')).toBe('8be6cc53d4beba29387e69aef035d497')
    expect(k.serverInKey!.toString('hex')).toBe('bff985870e81784d533fdc09497b8eab')
    expect(k.cipherId).toBe(CipherId.Aes128Ccm)
    expect(k.signingAlgorithm).toBe(SigningAlgorithm.AesCmac)
  })

  it('3.0.2 derives exactly like 3.0', () => {
    const a = deriveSessionKeys({ dialect: 0x0300, sessionKey: h('28f2847263c83dc00621f742dd3f2e7b') })
    const b = deriveSessionKeys({ dialect: 0x0302, sessionKey: h('28f2847263c83dc00621f742dd3f2e7b') })
    expect(b).toEqual(a)
    expect(a.serverInKey!.toString('hex')).toBe('81f0762857c4b01cc3e12eff0d184362')
  })

  it('writes L into the input, so a 256-bit output is not a 128-bit one extended', () => {
    const ki = Buffer.alloc(16, 7)
    const label = Buffer.from('SMBC2SCipherKey\0')
    const ctx = Buffer.alloc(64, 1)
    const k128 = kdfCounterHmacSha256(ki, label, ctx, 128)
    const k256 = kdfCounterHmacSha256(ki, label, ctx, 256)
    expect(k128.length).toBe(16)
    expect(k256.length).toBe(32)
    expect(k256.subarray(0, 16).equals(k128)).toBe(false)
    // 512 bits take two PRF blocks (counter 1 and 2).
    const k512 = kdfCounterHmacSha256(ki, label, ctx, 512)
    expect(k512.length).toBe(64)
    expect(k512.subarray(32).equals(k512.subarray(0, 32))).toBe(false)
  })

  it('uses the session key itself for 2.0.2 and 2.1 signing, with HMAC-SHA256 and no encryption keys', () => {
    for (const dialect of [0x0202, 0x0210]) {
      const k = deriveSessionKeys({ dialect, sessionKey: h('ff4485e32fe3632dc99ab7f3a3207ac5') })
      expect(k.signingKey.toString('hex')).toBe('ff4485e32fe3632dc99ab7f3a3207ac5')
      expect(k.applicationKey.toString('hex')).toBe('ff4485e32fe3632dc99ab7f3a3207ac5')
      expect(k.signingAlgorithm).toBe(SigningAlgorithm.HmacSha256)
      expect(k.serverInKey).toBeUndefined()
    }
  })

  it('Session.SessionKey is the first 16 bytes of the GSS key, zero-padded when shorter', () => {
    expect(sessionKey16(h('0102')).toString('hex')).toBe('01020000000000000000000000000000')
    expect(sessionKey16(Buffer.alloc(32, 9)).length).toBe(16)
    // A 32-byte (Kerberos AES-256) key: 3.0 uses only its first 16 bytes.
    const long = Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 2)])
    expect(deriveSessionKeys({ dialect: 0x0300, sessionKey: long })).toEqual(deriveSessionKeys({ dialect: 0x0300, sessionKey: long.subarray(0, 16) }))
  })

  it('3.1.1 with AES-256 derives the cipher keys from the full key with L = 256', () => {
    const full = Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 2)])
    const preauthHash = Buffer.alloc(64, 3)
    const k = deriveSessionKeys({ dialect: 0x0311, sessionKey: full, preauthHash, cipherId: CipherId.Aes256Gcm })
    expect(k.serverInKey!.equals(kdfCounterHmacSha256(full, Buffer.from('SMBC2SCipherKey\0'), preauthHash, 256))).toBe(true)
    expect(k.serverOutKey!.equals(kdfCounterHmacSha256(full, Buffer.from('SMBS2CCipherKey\0'), preauthHash, 256))).toBe(true)
    expect(k.signingKey.equals(kdfCounterHmacSha256(full.subarray(0, 16), Buffer.from('SMBSigningKey\0'), preauthHash, 128))).toBe(true)
    expect(k.applicationKey.equals(kdfCounterHmacSha256(full.subarray(0, 16), Buffer.from('SMBAppKey\0'), preauthHash, 128))).toBe(true)
    const k128 = deriveSessionKeys({ dialect: 0x0311, sessionKey: full, preauthHash, cipherId: CipherId.Aes128Gcm })
    expect(k128.serverInKey!.length).toBe(16)
    expect(k128.signingKey.equals(k.signingKey)).toBe(true)
  })

  it('refuses 3.1.1 without a 64-byte preauth hash, an empty key and unknown ids', () => {
    const sessionKey = Buffer.alloc(16, 1)
    expect(() => deriveSessionKeys({ dialect: 0x0311, sessionKey })).toThrowError(CryptoError)
    expect(() => deriveSessionKeys({ dialect: 0x0311, sessionKey, preauthHash: Buffer.alloc(32) })).toThrowError(CryptoError)
    expect(() => deriveSessionKeys({ dialect: 0x0300, sessionKey: Buffer.alloc(0) })).toThrowError(CryptoError)
    expect(() => deriveSessionKeys({ dialect: 0x0311, sessionKey, preauthHash: Buffer.alloc(64), cipherId: 9 })).toThrowError(/UNSUPPORTED/)
    expect(() => kdfCounterHmacSha256(sessionKey, Buffer.alloc(1), Buffer.alloc(1), 12)).toThrowError(CryptoError)
  })

  it('picks the signing algorithm per dialect (MS-SMB2 3.1.4.1)', () => {
    expect(signingAlgorithmFor(0x0202)).toBe(SigningAlgorithm.HmacSha256)
    expect(signingAlgorithmFor(0x02ff)).toBe(SigningAlgorithm.HmacSha256)
    expect(signingAlgorithmFor(0x0300)).toBe(SigningAlgorithm.AesCmac)
    expect(signingAlgorithmFor(0x0302, 2)).toBe(SigningAlgorithm.AesCmac)
    expect(signingAlgorithmFor(0x0311)).toBe(SigningAlgorithm.AesCmac)
    expect(signingAlgorithmFor(0x0311, 2)).toBe(SigningAlgorithm.AesGmac)
    expect(signingAlgorithmFor(0x0311, 0)).toBe(SigningAlgorithm.HmacSha256)
    expect(() => signingAlgorithmFor(0x0311, 7)).toThrowError(CryptoError)
  })
})
