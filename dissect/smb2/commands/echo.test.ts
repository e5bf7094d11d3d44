import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { EchoRequest, EchoResponse } from './echo.js'

// suricata-verify_smb302-macos-leases-breaks-5770.pcap frames 145 / 150 (tshark: "KeepAlive").
const REQ = `fe534d4240000100000000000d00010008000000000000001500000000000000fffe000000000000050000006bdb719bf59c559893b636450c14b304b2f9dacc04000000`
const RESP = `fe534d4240000100000000000d00010009000000000000001500000000000000fffe000000000000050000006bdb719be23161f9c8e3183fc75ff4f49abe9e7904000000`

describe('ECHO', () => {
  it('decodes captured request and response', () => {
    expect(decodeOne<EchoRequest>(REQ, 'EchoRequest').body).toEqual({ structureSize: 4, reserved: 0 })
    expect(decodeOne<EchoResponse>(RESP, 'EchoResponse').body).toEqual({ structureSize: 4, reserved: 0 })
  })
  it('round-trips', () => {
    expect(assertRoundTrip(EchoRequest, {}).bytes.toString('hex')).toBe('04000000')
    assertRoundTrip(EchoResponse, {})
  })
})
