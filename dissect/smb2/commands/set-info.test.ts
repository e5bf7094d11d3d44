import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { SetInfoRequest, SetInfoResponse } from './set-info.js'

// suricata-verify_smb311-dh2q-lease-two-sessions.pcap frame 42: FileDispositionInformation (delete pending = 1).
const REQ = `fe534d4240000100000000001100010038000000000000000b00000000000000fffe0000010000005500000c00f40300e35cd7b0f8e38bc1c75594d630b9fa142100010d01000000600000
000000000055010000fd00000009000000fd00000001`
// suricata-verify_smb2-async-midstream.pcap frame 6: the 2-byte response.
const RESP = `fe534d4240000100000000001100010001000000000000001901000000000000fffe0000050000004500000000040000000000000000000000000000000000000200`

describe('SET_INFO', () => {
  it('decodes a captured request and response as tshark shows them', () => {
    const q = decodeOne<SetInfoRequest>(REQ, 'SetInfoRequest').body
    expect(q).toMatchObject({ infoType: 1, fileInfoClass: 0x0d, bufferLength: 1, bufferOffset: 0x60, reserved: 0, additionalInformation: 0 })
    expect(q.fileId).toEqual({ persistent: 0xfd00000155n, volatile: 0xfd00000009n })
    expect(q.buffer.toString('hex')).toBe('01')
    expect(decodeOne<SetInfoResponse>(RESP, 'SetInfoResponse').body).toEqual({ structureSize: 2 })
  })
  it('round-trips', () => {
    const { decoded } = assertRoundTrip(SetInfoRequest, { infoType: 1, fileInfoClass: 4, additionalInformation: 0, fileId: { persistent: 1n, volatile: 2n }, buffer: Buffer.alloc(40) }, { pduStart: -64 })
    expect([decoded.bufferOffset, decoded.bufferLength]).toEqual([0x60, 40])
    expect(assertRoundTrip(SetInfoResponse, {}).bytes.toString('hex')).toBe('0200')
  })
})
