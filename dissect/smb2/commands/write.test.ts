import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeChain } from '../message.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { WriteRequest, WriteResponse } from './write.js'

// suricata-verify_smb210-krb5-psexec-dhnq-lease.pcap frame 184: 4 bytes to PSEXESVC.
const REQ = `fe534d4240000100000000000900010008000000000000001400000000000000fffe0000010000004500000400240000760fe577eed57c6c7fe69cab9c691e563100700004000000000000
00000000002f00000009000000050000000900000000000000000000000000000000000000604a0000`
// samr-enum-lab_smb311-windows-krb5-signed.pcapng frame 22: Write Count 160, no odd byte sent.
const RESP = `fe534d4240000100000000000900010039000000000000000700000000000000fffe000001000000050000c406540000b5b69c3168ad72f36be3a50f71a31d7211000000a0000000000000
0000000000`
// suricata-verify_smb302-macos-leases-breaks-5770.pcap frame 2229: Length 65542 in a 118-byte message (the
// suricata length-check test case): a DecodeError, the body kept raw.
const TOO_LONG = `fe534d4240000100000000000900010008000000000000001f03000000000000fffe000001000000050000006bdb719b70b543a6abf5b81f8cd61846b46cbb4c3100700006000100000000
000000000056010000000000009c000000000000000000000000000000000000000000000045746f746f0a`

describe('WRITE', () => {
  it('decodes a request and response as tshark shows them', () => {
    const q = decodeOne<WriteRequest>(REQ, 'WriteRequest').body
    expect(q).toMatchObject({ dataOffset: 0x70, length: 4, offset: 0n, channel: 0, remainingBytes: 0, writeChannelInfoOffset: 0, writeChannelInfoLength: 0, flags: 0 })
    expect(q.fileId).toEqual({ persistent: 0x090000002fn, volatile: 0x0900000005n })
    expect(q.data.toString('hex')).toBe('604a0000')
    const r = decodeOne<WriteResponse>(RESP, 'WriteResponse').body
    expect(r).toEqual({ structureSize: 17, reserved: 0, count: 160, remaining: 0, writeChannelInfoOffset: 0, writeChannelInfoLength: 0 })
  })

  it('reports a Length past the message as a DecodeError and keeps the bytes', () => {
    const d = decodeChain(hex(TOO_LONG))
    expect(d.error).toBeUndefined()
    const m = d.messages[0]!
    expect(m.error!.message).toBe('body.length @0x70: data [112, +65542) runs past the end of the message (118)')
    expect(Buffer.isBuffer(m.body)).toBe(true)
    expect((m.body as Buffer).length).toBe(118 - 64)
  })

  it('round-trips data and channel info', () => {
    const { decoded } = assertRoundTrip(WriteRequest, {
      offset: 0n, fileId: { persistent: 1n, volatile: 2n }, channel: 0, remainingBytes: 0, flags: 1,
      data: Buffer.from('some data'), writeChannelInfo: hex('0102030405060708'),
    }, { pduStart: -64 })
    expect([decoded.dataOffset, decoded.length, decoded.writeChannelInfoOffset]).toEqual([0x70, 9, 0x80])
    assertRoundTrip(WriteResponse, { count: 9, remaining: 0 })
  })
})
