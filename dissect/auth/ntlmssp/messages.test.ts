import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../wire/errors.js'
import { Reader } from '../../wire/reader.js'
import { assertRoundTrip } from '../../wire/testing.js'
import { EXCHANGES } from '../fixtures/captured.js'
import { extractNtlmToken } from '../security-blob.js'
import { negotiateFlagNames, NegotiateFlags } from './constants.js'
import {
  AuthenticateMessage, ChallengeMessage, decodeAuthenticate, decodeChallenge, decodeNegotiate, decodeNtlmMessage,
  encodeAuthenticate, encodeChallenge, encodeNegotiate, encodeNtlmMessage, NegotiateMessage,
} from './messages.js'
import { AvPair, buildAvPairs, describeAvPairs, encodeAvPairs, Ntlmv2Response } from './structures.js'

const hex = (s: string) => Buffer.from(s, 'hex')
/** tshark shows an empty NTLM string as "NULL". */
const tsharkString = (s: string | undefined) => (s === undefined || s === 'NULL' ? '' : s)

const captured = EXCHANGES.flatMap((e) =>
  (['negotiate', 'challenge', 'authenticate'] as const).map((step) => {
    const blob = e[step]
    return { label: `${e.name} ${step} (${e.source} frame ${blob.frame})`, ntlm: extractNtlmToken(hex(blob.hex))!, tshark: blob.tshark }
  }),
)

describe('captured NTLMSSP messages', () => {
  it('every fixture carries an NTLMSSP message', () => {
    expect(captured.length).toBe(EXCHANGES.length * 3)
    for (const c of captured) expect(c.ntlm, c.label).toBeDefined()
  })

  for (const c of captured) {
    it(`${c.label}: decodes as tshark shows and re-encodes byte for byte`, () => {
      const m = decodeNtlmMessage(c.ntlm)
      expect(encodeNtlmMessage(m).equals(c.ntlm)).toBe(true)
      const t = c.tshark
      expect(m.messageType).toBe(Number(t['ntlm.messagetype']))
      expect(m.negotiateFlags).toBe(Number(t['ntlm.negotiateflags']))
      if (m.messageType === 2) {
        expect(m.serverChallenge.toString('hex')).toBe(t['ntlm.ntlmserverchallenge'])
        expect(m.targetName).toBe(tsharkString(t['ntlm.challenge.target_name']))
        const info = describeAvPairs(m.targetInfo)
        expect(info.nbComputerName).toBe(t['ntlm.ti.nb_computer_name'])
        expect(info.nbDomainName).toBe(t['ntlm.ti.nb_domain_name'])
        expect(info.dnsComputerName).toBe(t['ntlm.ti.dns_computer_name'])
        // Target info written back from its pairs is the same bytes.
        expect(encodeAvPairs(m.targetInfo)).toEqual(c.ntlm.subarray(m.targetInfoFields!.bufferOffset, m.targetInfoFields!.bufferOffset + m.targetInfoFields!.length))
      }
      if (m.messageType === 3) {
        expect(m.userName).toBe(tsharkString(t['ntlm.auth.username']))
        expect(m.domainName).toBe(tsharkString(t['ntlm.auth.domain']))
        expect(m.workstation).toBe(tsharkString(t['ntlm.auth.hostname']))
        expect(m.encryptedRandomSessionKey.toString('hex')).toBe(t['ntlm.auth.sesskey'] ?? '')
        expect(m.mic?.toString('hex')).toBe(t['ntlm.authenticate.mic'])
        if (t['ntlm.ntlmv2_response.ntproofstr']) {
          const v2 = Ntlmv2Response.decode(m.ntChallengeResponse)
          expect(v2.response.toString('hex')).toBe(t['ntlm.ntlmv2_response.ntproofstr'])
          expect(Ntlmv2Response.encode(v2)).toEqual(m.ntChallengeResponse)
        }
      }
    })
  }

  it('reads the header tail from where the payload starts (Version, MIC present or not)', () => {
    const byName = (name: string) => EXCHANGES.find((e) => e.name === name)!
    // Samba: VERSION and MIC.
    const samba = decodeAuthenticate(extractNtlmToken(hex(byName('samba-session-reauth1-first').authenticate.hex))!)
    expect(samba.version).toEqual({ productMajorVersion: 6, productMinorVersion: 1, productBuild: 0, reserved: 0, ntlmRevisionCurrent: 15 })
    expect(samba.mic?.toString('hex')).toBe('0a7f7697930fa3437f020af0ef447cc4')
    // Wireshark's test capture: no VERSION, no MIC; the 32-byte NEGOTIATE has neither.
    const raw = byName('raw-ntlmssp-wireshark-test')
    const rawAuth = decodeAuthenticate(hex(raw.authenticate.hex))
    expect(rawAuth.version).toBeUndefined()
    expect(rawAuth.mic).toBeUndefined()
    expect(rawAuth.lmChallengeResponseFields.bufferOffset).toBe(64)
    const rawNeg = decodeNegotiate(hex(raw.negotiate.hex))
    expect(rawNeg.version).toBeUndefined()
    expect(rawNeg.domainNameFields).toEqual({ length: 0, maxLength: 0, bufferOffset: 0 })
    // Metasploit sets NTLMSSP_NEGOTIATE_VERSION but puts its payload at 32, and ends with a NUL.
    const msf = decodeNegotiate(extractNtlmToken(hex(byName('k6-metasploit').negotiate.hex))!)
    expect(msf.negotiateFlags & NegotiateFlags.Version).toBeTruthy()
    expect(msf.version).toBeUndefined()
    expect(msf.workstation).toBe('WORKSTATION')
    expect(msf.trailingBytes).toEqual(Buffer.from([0]))
  })
})

describe('canonical encoding', () => {
  it('NEGOTIATE with VERSION packs payloads after the header', () => {
    const b = encodeNegotiate({
      negotiateFlags: 0x62088215,
      version: { productMajorVersion: 6, productMinorVersion: 1, productBuild: 0, ntlmRevisionCurrent: 15 },
    })
    // Byte for byte what Samba's client sends (session.reauth1.pcap frame 8).
    expect(b.toString('hex')).toBe('4e544c4d53535000010000001582086200000000280000000000000028000000060100000000000f')
    const withNames = encodeNegotiate({ negotiateFlags: 0x3000, domainName: 'DOM', workstation: 'WS' })
    const d = decodeNegotiate(withNames)
    expect(d.domainNameFields).toEqual({ length: 3, maxLength: 3, bufferOffset: 32 })
    expect(d.workstationFields).toEqual({ length: 2, maxLength: 2, bufferOffset: 35 })
    expect([d.domainName, d.workstation, d.version]).toEqual(['DOM', 'WS', undefined])
  })

  it('round-trips through the codec harness (also at a shifted position)', () => {
    assertRoundTrip(NegotiateMessage, { negotiateFlags: 1, domainName: 'x', workstation: 'y', version: { productMajorVersion: 10, productMinorVersion: 0, productBuild: 19041, ntlmRevisionCurrent: 15 } })
    assertRoundTrip(ChallengeMessage, {
      negotiateFlags: NegotiateFlags.Unicode | NegotiateFlags.TargetInfo,
      serverChallenge: Buffer.alloc(8, 1),
      targetName: 'DOM',
      targetInfo: buildAvPairs({ nbDomainName: 'DOM', nbComputerName: 'SRV', timestamp: 133_000_000_000_000_000n }),
    })
    assertRoundTrip(AuthenticateMessage, {
      negotiateFlags: NegotiateFlags.Unicode,
      version: { productMajorVersion: 10, productMinorVersion: 0, productBuild: 0, ntlmRevisionCurrent: 15 },
      mic: Buffer.alloc(16, 9),
      lmChallengeResponse: Buffer.alloc(24),
      ntChallengeResponse: Buffer.alloc(60, 3),
      domainName: 'Dömain',
      userName: 'user',
      workstation: 'WS',
      encryptedRandomSessionKey: Buffer.alloc(16, 5),
    })
  })

  it('writes OEM strings when NTLMSSP_NEGOTIATE_UNICODE is clear', () => {
    const b = encodeAuthenticate({ negotiateFlags: NegotiateFlags.Oem, userName: 'bob', domainName: 'D' })
    const d = decodeAuthenticate(b)
    expect(d.userNameFields.length).toBe(3)
    expect(d.userName).toBe('bob')
    expect(b.includes(Buffer.from('bob', 'latin1'))).toBe(true)
  })

  it('a MIC without VERSION still lands at offset 72 (zero VERSION written)', () => {
    const b = encodeAuthenticate({ negotiateFlags: NegotiateFlags.Unicode, mic: Buffer.alloc(16, 0xee), userName: 'u' })
    expect(b.subarray(64, 72)).toEqual(Buffer.alloc(8))
    expect(b.subarray(72, 88)).toEqual(Buffer.alloc(16, 0xee))
    expect(decodeAuthenticate(b).mic).toEqual(Buffer.alloc(16, 0xee))
  })

  it('AV pairs: names, order and padding', () => {
    const pairs = buildAvPairs({ nbComputerName: 'SRV', nbDomainName: 'DOM', flags: 2, targetName: 'cifs/srv', channelBindings: Buffer.alloc(16) })
    expect(pairs.map((p) => p.avId)).toEqual([2, 1, 6, 9, 10, 0])
    const info = describeAvPairs(pairs)
    expect(info).toMatchObject({ nbComputerName: 'SRV', nbDomainName: 'DOM', flags: 2, targetName: 'cifs/srv' })
    // Pairs after the first MsvAvEOL are padding and not described.
    const padded = [...pairs, { avId: 1, value: Buffer.from('X', 'utf16le') }]
    expect(describeAvPairs(padded).nbComputerName).toBe('SRV')
    expect(AvPair.decode(AvPair.encode({ avId: 7, value: Buffer.alloc(8, 1) }))).toEqual({ avId: 7, avLen: 8, value: Buffer.alloc(8, 1) })
  })

  it('names flags, including reserved bits', () => {
    expect(negotiateFlagNames(0x62088215)).toEqual([
      'NTLMSSP_NEGOTIATE_UNICODE', 'NTLMSSP_REQUEST_TARGET', 'NTLMSSP_NEGOTIATE_SIGN', 'NTLMSSP_NEGOTIATE_NTLM',
      'NTLMSSP_NEGOTIATE_ALWAYS_SIGN', 'NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY', 'NTLMSSP_NEGOTIATE_VERSION',
      'NTLMSSP_NEGOTIATE_128', 'NTLMSSP_NEGOTIATE_KEY_EXCH',
    ])
    expect(negotiateFlagNames(0x0000_0108)).toEqual(['0x00000008', '0x00000100'])
  })
})

describe('bad input', () => {
  const samba = EXCHANGES[0]!
  const auth = extractNtlmToken(hex(samba.authenticate.hex))!
  const chal = extractNtlmToken(hex(samba.challenge.hex))!

  it('pins the errors', () => {
    expect(() => decodeNtlmMessage(Buffer.from('NTLMSSP'))).toThrow(new DecodeError('an NTLMSSP message has at least 12 bytes, got 7', 0, []))
    expect(() => decodeNtlmMessage(Buffer.from('NTLMSSQ\0\x01\0\0\0', 'latin1'))).toThrow('<root> @0x0: signature must be "NTLMSSP\\0", got 4e544c4d53535100')
    expect(() => decodeNtlmMessage(Buffer.from('NTLMSSP\0\x04\0\0\0', 'latin1'))).toThrow('messageType @0x8: unknown NTLMSSP message type 4')
    expect(() => decodeChallenge(auth)).toThrow('messageType @0x8: messageType must be 2, got 3')
    const past = Buffer.from(auth)
    past.writeUInt32LE(auth.length - 4, 16) // LmChallengeResponse offset near the end, length 24
    expect(() => decodeAuthenticate(past)).toThrow(/lmChallengeResponseFields @0x\w+: lmChallengeResponse \[\d+, \+24\) runs past the end of the message/)
    const overlap = Buffer.from(auth)
    overlap.writeUInt32LE(40, 16) // LmChallengeResponse inside the header
    expect(() => decodeAuthenticate(overlap)).toThrow('<root> @0x28: a payload starts at offset 40, inside the 64-byte header')
    const overlapOwn = Buffer.from(auth)
    overlapOwn.writeUInt32LE(8, 16) // LmChallengeResponse before its own fields
    expect(() => decodeAuthenticate(overlapOwn)).toThrow('lmChallengeResponseFields @0xc: lmChallengeResponse at offset 8 overlaps the header (20 bytes so far)')
    const odd = Buffer.from(auth)
    odd.writeUInt16LE(13, 36) // UserName length 13 with UNICODE
    expect(() => decodeAuthenticate(odd)).toThrow(/userName @0x\w+: UTF-16 string of odd length 13/)
    const badAv = Buffer.from(chal)
    const ti = decodeChallenge(chal).targetInfoFields!
    badAv.writeUInt16LE(0x400, ti.bufferOffset + 2) // first AvLen far too long
    expect(() => decodeChallenge(badAv)).toThrow(/^targetInfo\.0\.avLen @0x\w+: value .* runs past the end/)
  })

  it('truncation at every length gives a DecodeError, never anything else', () => {
    for (const m of [auth, chal]) {
      for (let n = 0; n < m.length; n++) {
        try {
          decodeNtlmMessage(m.subarray(0, n))
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError)
        }
      }
    }
  })

  it('random and mutated messages decode or throw DecodeError (property)', () => {
    const samples = captured.map((c) => c.ntlm)
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (msg, edits) => {
          const b = Buffer.from(msg)
          for (const [at, v] of edits) b[at % b.length] = v
          try {
            const d = decodeNtlmMessage(b)
            // Whatever decodes re-encodes to bytes that decode to the same value.
            expect(decodeNtlmMessage(encodeNtlmMessage(d))).toEqual(d)
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e
          }
        },
      ),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const b = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from(bytes)])
        try {
          decodeNtlmMessage(b)
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('records spans for the TUI', () => {
    const spans: { path: string; start: number; end: number }[] = []
    decodeNtlmMessage(auth, spans)
    expect(spans).toContainEqual({ path: 'negotiateFlags', start: 60, end: 64 })
    expect(spans).toContainEqual({ path: 'mic', start: 72, end: 88 })
    const user = spans.find((s) => s.path === 'userName')!
    expect(auth.subarray(user.start, user.end).toString('utf16le')).toBe('labuser')
    expect(new Reader(auth).remaining).toBe(auth.length)
  })
})
