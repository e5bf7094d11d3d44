import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeChain } from '../message.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { SessionSetupRequest, SessionSetupRequestPreRelease, SessionSetupResponse } from './session-setup.js'
import { SessionSetupFlags } from '../constants/index.js'

// zeek_smb311-dh2q-lease-cancel-nonzero-reserved1.pcap frame 70: a multichannel binding request (signed).
const BINDING = `fe534d4240000100000000000100210018000000000000000100000000000000fffe00000000000025000000002c0100df0c73e4afb6dada13c5f84fd8db4c8f1900010101000000000000
0058004a000000000000000000604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d5353500001000000978208e2000000000000000000000000
000000000a0063450000000f`
// samba/session.reconnect1.pcap frame 25: smbtorture reconnecting with PreviousSessionId 0xeae76f05.
const RECONNECT = `fe534d42400001000000000001001f001000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000001900000100000000000000
0058004a00056fe7ea00000000604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d535350000100000015820862000000002800000000000000
28000000060100000000000f`
// wiki_smb2-prerelease-vista-getinfo-setinfo.cap frame 7: pre-release request, StructureSize 17, buffer at 0x50.
const PRERELEASE = `fe534d42400000000000000001000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000110000000f000000000000
0050004a00604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d53535000010000000502086005000500200000000300030025000000564e4554
33424c55`
// wiki_smb300-encrypted-aes-128-ccm.pcap frame 6: final response, no buffer and no padding byte (72 bytes).
const RESPONSE = `fe534d4240000000000000000100030009000000000000000200000000000000d5000000000000003d00009400480000cbd96f2608ad231666121653f2b2c0b50900000048000000`

describe('SESSION_SETUP', () => {
  it('decodes a binding request (Flags 1 = SMB2_SESSION_FLAG_BINDING)', () => {
    const { body, m } = decodeOne<SessionSetupRequest>(BINDING, 'SessionSetupRequest')
    expect(m.header.sessionId).toBe(0x00012c0000000025n)
    expect(body.flags & SessionSetupFlags.Binding).toBe(1)
    expect(body.securityMode).toBe(1)
    expect(body.capabilities).toBe(1)
    expect(body.channel).toBe(0)
    expect(body.previousSessionId).toBe(0n)
    expect([body.securityBufferOffset, body.securityBufferLength]).toEqual([0x58, 74])
    expect(body.securityBuffer.subarray(0, 6).toString('hex')).toBe('604806062b06')
  })

  it('decodes PreviousSessionId of a reconnect', () => {
    const { body } = decodeOne<SessionSetupRequest>(RECONNECT, 'SessionSetupRequest')
    expect(body.flags).toBe(0)
    expect(body.previousSessionId).toBe(0xeae76f05n)
    expect(body.securityBufferLength).toBe(74)
  })

  it('decodes the pre-release request (no PreviousSessionId) by its StructureSize', () => {
    const { body } = decodeOne<SessionSetupRequestPreRelease>(PRERELEASE, 'SessionSetupRequestPreRelease')
    expect(body).toMatchObject({ structureSize: 17, flags: 0, securityMode: 0, capabilities: 0x0f, channel: 0, securityBufferOffset: 0x50, securityBufferLength: 74 })
    expect('previousSessionId' in body).toBe(false)
    // The standard layout cannot read it.
    expect(() => SessionSetupRequest.decode(hex(PRERELEASE).subarray(64), { pduStart: -64 })).toThrow('structureSize must be 25, got 17')
  })

  it('decodes a response without buffer', () => {
    const { body } = decodeOne<SessionSetupResponse>(RESPONSE, 'SessionSetupResponse')
    expect(body).toEqual({ structureSize: 9, sessionFlags: 0, securityBufferOffset: 0x48, securityBufferLength: 0, securityBuffer: Buffer.alloc(0) })
  })

  it('round-trips built values', () => {
    const { decoded } = assertRoundTrip(SessionSetupRequest, {
      flags: SessionSetupFlags.Binding, securityMode: 1, capabilities: 1, channel: 0, previousSessionId: 0x1234n,
      securityBuffer: Buffer.from('4e544c4d53535000', 'hex'),
    })
    expect(decoded.securityBufferOffset).toBe(24) // canonical: right after the 24-byte fixed part
    assertRoundTrip(SessionSetupRequestPreRelease, { flags: 0, securityMode: 0, capabilities: 0, channel: 0, securityBuffer: Buffer.from('60') })
    assertRoundTrip(SessionSetupResponse, { sessionFlags: 1, securityBuffer: Buffer.from('a1073005a0030a0100', 'hex') })
  })

  it('rejects a security buffer that runs past the message', () => {
    const b = hex(BINDING)
    b.writeUInt16LE(0x200, 64 + 14)
    expect(decodeChain(b).messages[0]!.error!.message).toBe('body.securityBufferLength @0x58: securityBuffer [88, +512) runs past the end of the message (162)')
  })
})
