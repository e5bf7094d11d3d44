import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { CloseRequest, CloseResponse } from './close.js'
import { CloseFlags } from '../constants/index.js'

// suricata-verify_smb311-dh2q-lease-two-sessions.pcap frames 32 / 33: CLOSE with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB.
const REQ = `fe534d4240000100000000000600010038000000000000000600000000000000fffe0000010000005500000c00f4030024cdab33c9224ff62b283a22c5657b3f1800010000000000530100
00fd00000001000000fd000000`
const RESP = `fe534d4240000100000000000600010039000000000000000600000000000000fffe0000010000005500000c00f403001f907af71b3cafa1b5bba4653c1977843c0001000000000087642e
1cfa5dd60187642e1cfa5dd60187642e1cfa5dd60187642e1cfa5dd60160000000000000005d0000000000000020000000`

describe('CLOSE', () => {
  it('decodes a POSTQUERY_ATTRIB close and the attributes in its response', () => {
    const q = decodeOne<CloseRequest>(REQ, 'CloseRequest').body
    // tshark: File Id 00000153-00fd-0000-0100-0000fd000000
    expect(q).toEqual({ structureSize: 24, flags: CloseFlags.PostqueryAttrib, reserved: 0, fileId: { persistent: 0xfd00000153n, volatile: 0xfd00000001n } })
    const r = decodeOne<CloseResponse>(RESP, 'CloseResponse').body
    expect(r.flags).toBe(1)
    expect(r.creationTime).toBe(0x01d65dfa1c2e6487n) // Jul 19, 2020 18:26:25.001792700 UTC
    expect(r.changeTime).toBe(r.creationTime)
    expect([r.allocationSize, r.endOfFile, r.fileAttributes]).toEqual([96n, 93n, 0x20])
  })
  it('round-trips', () => {
    expect(assertRoundTrip(CloseRequest, { flags: 0, fileId: { persistent: 1n, volatile: 2n } }).bytes.length).toBe(24)
    expect(assertRoundTrip(CloseResponse, {
      flags: 0, creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n, allocationSize: 0n, endOfFile: 0n, fileAttributes: 0,
    }).bytes.length).toBe(60)
  })
})
