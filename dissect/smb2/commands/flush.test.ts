import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { FlushRequest, FlushResponse } from './flush.js'

// suricata-verify_smb302-delete-lease-break-flush.pcap frames 88 / 102.
const REQ = `fe534d4240000100000000000700000100000000000000005600000000000000fffe00000100000039000000007000000000000000000000000000000000000018000000000000000d0100
001c0000003d0000001c000000`
const RESP = `fe534d4240000100000000000700010001000000000000005600000000000000fffe00000100000039000000007000000000000000000000000000000000000004000000`

describe('FLUSH', () => {
  it('decodes captured request and response', () => {
    const q = decodeOne<FlushRequest>(REQ, 'FlushRequest').body
    // tshark: File Id 0000010d-001c-0000-3d00-00001c000000
    expect(q).toEqual({ structureSize: 24, reserved1: 0, reserved2: 0, fileId: { persistent: 0x1c0000010dn, volatile: 0x1c0000003dn } })
    expect(decodeOne<FlushResponse>(RESP, 'FlushResponse').body).toEqual({ structureSize: 4, reserved: 0 })
  })
  it('round-trips', () => {
    assertRoundTrip(FlushRequest, { fileId: { persistent: 5n, volatile: 6n } })
    assertRoundTrip(FlushResponse, {})
  })
})
