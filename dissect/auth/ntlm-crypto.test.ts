import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { md4 } from './md4.js'
import { Rc4, rc4 } from './rc4.js'
import {
  classifyResponses, computeMic, computeNtlmv2Response, encryptRandomSessionKey, exportedSessionKey, keyExchangeKeyV2,
  lmowfv2, ntHash, NtlmSecurityContext, ntowfv2, sealingKey, signingKey, verifyMic, verifyNtlmv2Response, zeroMic,
} from './ntlm-crypto.js'
import { decodeAuthenticate, decodeChallenge, encodeAuthenticate, encodeChallenge } from './ntlmssp/messages.js'
import { encodeAvPairs } from './ntlmssp/structures.js'
import { NegotiateFlags } from './ntlmssp/constants.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('MD4 (RFC 1320 A.5 test suite)', () => {
  const vectors: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ]
  for (const [input, digest] of vectors) {
    it(`MD4(${JSON.stringify(input.length > 20 ? input.slice(0, 20) + '...' : input)})`, () => {
      expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest)
    })
  }

  it('handles every length around the 56/64-byte padding boundary', () => {
    // Lengths 55, 56, 63, 64, 119, 120 exercise one- and two-block padding. The oracle is a second,
    // independent property: MD4 differs for every distinct input here and is stable.
    const seen = new Set<string>()
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const d = md4(Buffer.alloc(n, 0x61)).toString('hex')
      expect(d).toHaveLength(32)
      expect(md4(Buffer.alloc(n, 0x61)).toString('hex')).toBe(d)
      seen.add(d)
    }
    expect(seen.size).toBe(12)
  })
})

describe('RC4', () => {
  it('matches the classic test vectors', () => {
    expect(rc4(Buffer.from('Key'), Buffer.from('Plaintext')).toString('hex')).toBe('bbf316e8d940af0ad3')
    expect(rc4(Buffer.from('Wiki'), Buffer.from('pedia')).toString('hex')).toBe('1021bf0420')
    expect(rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn')).toString('hex')).toBe('45a01f645fc35b383552544b9bf5')
  })

  it('keeps its key stream across calls', () => {
    const c = new Rc4(Buffer.from('Secret'))
    const a = c.update(Buffer.from('Attack'))
    const b = c.update(Buffer.from(' at dawn'))
    expect(Buffer.concat([a, b]).toString('hex')).toBe('45a01f645fc35b383552544b9bf5')
  })
})

/** MS-NLMP 4.2.4 — NTLMv2 authentication example values. */
describe('MS-NLMP 4.2.4 NTLMv2 vectors', () => {
  const user = 'User'
  const domain = 'Domain'
  const password = 'Password'
  const serverChallenge = hex('0123456789abcdef')
  const clientChallenge = hex('aaaaaaaaaaaaaaaa')
  const randomSessionKey = Buffer.alloc(16, 0x55)
  // 4.2.4: AV pairs MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
  const serverName = hex('02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000')
  // 4.2.4.3 CHALLENGE_MESSAGE and AUTHENTICATE_MESSAGE.
  const challengeMessage = hex(`
    4e544c4d53535000020000000c000c00 3800000033828ae20123456789abcdef
    00000000000000002400240044000000 060070170000000f5300650072007600
    6500720002000c0044006f006d006100 69006e0001000c005300650072007600
    6500720000000000`)
  const authenticateMessage = hex(`
    4e544c4d535350000300000018001800 6c00000054005400840000000c000c00
    48000000080008005400000010001000 5c00000010001000d8000000358288e2
    0501280a0000000f44006f006d006100 69006e00550073006500720043004f00
    4d005000550054004500520086c35097 ac9cec102554764a57cccc19aaaaaaaa
    aaaaaaaa68cd0ab851e51c96aabc927b ebef6a1c010100000000000000000000
    00000000aaaaaaaaaaaaaaaa00000000 02000c0044006f006d00610069006e00
    01000c00530065007200760065007200 0000000000000000c5dad2544fc97990
    94ce1ce90bc9d03e`)

  it('3.3.1: the NT hash of "Password"', () => {
    expect(ntHash(password).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852')
  })

  it('4.2.4.1.1: NTOWFv2 and LMOWFv2', () => {
    expect(ntowfv2(ntHash(password), user, domain).toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f')
    expect(lmowfv2(ntHash(password), user, domain).toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f')
  })

  const computed = computeNtlmv2Response({
    responseKeyNT: ntowfv2(ntHash(password), user, domain),
    serverChallenge,
    clientChallenge,
    timestamp: 0n,
    serverName,
  })

  it('4.2.4.1.2: SessionBaseKey', () => {
    expect(computed.sessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3')
  })

  it('4.2.4.2.1: LMv2 response', () => {
    expect(computed.lmChallengeResponse.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa')
  })

  it('4.2.4.2.2: NTLMv2 response (NTProofStr and temp)', () => {
    expect(computed.ntProofStr.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c')
    expect(computed.ntChallengeResponse.toString('hex')).toBe(
      '68cd0ab851e51c96aabc927bebef6a1c' + '0101000000000000' + '0000000000000000' + 'aaaaaaaaaaaaaaaa' + '00000000' +
        serverName.toString('hex') + '00000000',
    )
  })

  it('4.2.4.2.3: encrypted session key', () => {
    const kx = keyExchangeKeyV2(computed.sessionBaseKey)
    expect(encryptRandomSessionKey(kx, randomSessionKey).toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e')
    expect(exportedSessionKey(0xe2888235, kx, hex('c5dad2544fc9799094ce1ce90bc9d03e'))).toEqual(randomSessionKey)
    // Without NTLMSSP_NEGOTIATE_KEY_EXCH the exported key is the key exchange key.
    expect(exportedSessionKey(0x62888235 & ~NegotiateFlags.KeyExch, kx, Buffer.alloc(0))).toEqual(kx)
  })

  it('4.2.4.3: the AUTHENTICATE message carries exactly these values and verifies', () => {
    const chal = decodeChallenge(challengeMessage)
    expect(chal.serverChallenge).toEqual(serverChallenge)
    expect(chal.negotiateFlags).toBe(0xe28a8233)
    expect(chal.targetName).toBe('Server')
    expect(encodeAvPairs(chal.targetInfo)).toEqual(serverName)
    expect(chal.trailingBytes).toBeUndefined()
    expect(encodeChallenge(chal)).toEqual(challengeMessage)
    const auth = decodeAuthenticate(authenticateMessage)
    expect(auth.lmChallengeResponse).toEqual(computed.lmChallengeResponse)
    expect(auth.ntChallengeResponse).toEqual(computed.ntChallengeResponse)
    expect(auth.encryptedRandomSessionKey.toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e')
    expect([auth.domainName, auth.userName, auth.workstation]).toEqual(['Domain', 'User', 'COMPUTER'])
    expect(auth.version).toEqual({ productMajorVersion: 5, productMinorVersion: 1, productBuild: 2600, reserved: 0, ntlmRevisionCurrent: 15 })
    expect(auth.mic).toBeUndefined()
    expect(encodeAuthenticate(auth)).toEqual(authenticateMessage)
    const v = verifyNtlmv2Response({ ntHash: ntHash(password), user: auth.userName, domain: auth.domainName, serverChallenge, ntChallengeResponse: auth.ntChallengeResponse })
    expect(v).toMatchObject({ ok: true, domainUsed: 'Domain' })
    if (v.ok) expect(v.sessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3')
    const bad = verifyNtlmv2Response({ ntHash: ntHash('Passw0rd'), user: 'User', domain: 'Domain', serverChallenge, ntChallengeResponse: auth.ntChallengeResponse })
    expect(bad).toEqual({ ok: false, reason: 'NTProofStr does not match: wrong password (or user/domain)' })
  })

  it('4.2.4.4: signing and sealing keys and GSS_WrapEx output', () => {
    const flags = 0xe2888235 >>> 0
    expect(signingKey(randomSessionKey, 'client').toString('hex')).toBe('4788dc861b4782f35d43fd98fe1a2d39')
    expect(sealingKey(randomSessionKey, flags, 'client').toString('hex')).toBe('59f600973cc4960a25480a7c196e4c58')
    const ctx = new NtlmSecurityContext(randomSessionKey, flags, 'client')
    const { sealed, signature } = ctx.seal(Buffer.from('Plaintext', 'utf16le'))
    expect(sealed.toString('hex')).toBe('54e50165bf1936dc996020c1811b0f06fb5f')
    expect(signature.toString('hex')).toBe('010000007fb38ec5c55d497600000000')
    expect(ctx.seqNum).toBe(1)
  })
})

describe('MIC', () => {
  it('is HMAC_MD5 over the three messages with the MIC zeroed', () => {
    const key = Buffer.alloc(16, 7)
    const neg = Buffer.from('negotiate')
    const chal = Buffer.from('challenge')
    const auth = Buffer.alloc(100, 0xab)
    const mic = computeMic(key, neg, chal, auth)
    expect(zeroMic(auth).subarray(72, 88)).toEqual(Buffer.alloc(16))
    expect(zeroMic(auth).subarray(0, 72)).toEqual(auth.subarray(0, 72))
    const withMic = Buffer.from(auth)
    mic.copy(withMic, 72)
    expect(verifyMic(key, neg, chal, withMic)).toBe(true)
    expect(computeMic(key, neg, chal, withMic)).toEqual(mic)
    withMic[90] ^= 1
    expect(verifyMic(key, neg, chal, withMic)).toBe(false)
    expect(verifyMic(key, neg, chal, Buffer.alloc(80))).toBe(false)
  })
})

describe('classifyResponses', () => {
  it('tells anonymous, NTLMv1, LM, NTLMv2 and junk apart', () => {
    expect(classifyResponses(Buffer.alloc(0), Buffer.alloc(0)).kind).toBe('anonymous')
    expect(classifyResponses(Buffer.alloc(0), Buffer.alloc(1)).kind).toBe('anonymous')
    expect(classifyResponses(Buffer.alloc(24, 1), Buffer.alloc(24, 2)).kind).toBe('ntlmv1')
    expect(classifyResponses(Buffer.alloc(0), Buffer.alloc(24, 2)).kind).toBe('lm')
    const v2 = Buffer.concat([Buffer.alloc(16, 9), Buffer.from([1, 1]), Buffer.alloc(30)])
    expect(classifyResponses(v2, Buffer.alloc(24)).kind).toBe('ntlmv2')
    v2[16] = 2
    expect(classifyResponses(v2, Buffer.alloc(24)).kind).toBe('invalid')
    expect(classifyResponses(Buffer.alloc(30), Buffer.alloc(0)).kind).toBe('invalid')
    expect(classifyResponses(Buffer.alloc(0), Buffer.alloc(5)).kind).toBe('invalid')
  })
})

it('hmac-md5 building blocks agree with node:crypto MD5 where they overlap', () => {
  // signingKey is MD5(key || magic NUL-terminated); recompute it with node's MD5 directly.
  const key = Buffer.alloc(16, 0x11)
  const expected = createHash('md5').update(key).update('session key to server-to-client signing key magic constant\0').digest()
  expect(signingKey(key, 'server')).toEqual(expected)
})
