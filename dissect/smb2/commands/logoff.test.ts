import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { LogoffRequest, LogoffResponse } from './logoff.js'

// samr-enum-lab_smb300-encrypted-ntlm-pw_crackmapexec-3sessions.pcapng frames 37 / 38 (signed, not encrypted).
const REQ = `fe534d42400001000000000002007f0008000000000000000400000000000000000000000000000055000040007000008390f7cd86214a643017170f0bbf921d04000000`
const RESP = `fe534d42400001000000000002007f0009000000000000000400000000000000000000000000000055000040007000005d3152cad15afa2ffd6269f30f4ff53904000000`

describe('LOGOFF', () => {
  it('decodes captured request and response', () => {
    const q = decodeOne<LogoffRequest>(REQ, 'LogoffRequest')
    expect(q.body).toEqual({ structureSize: 4, reserved: 0 })
    expect(q.m.header.sessionId).toBe(0x0000700040000055n)
    expect(decodeOne<LogoffResponse>(RESP, 'LogoffResponse').body).toEqual({ structureSize: 4, reserved: 0 })
  })
  it('round-trips', () => {
    expect(assertRoundTrip(LogoffRequest, {}).bytes.toString('hex')).toBe('04000000')
    assertRoundTrip(LogoffResponse, { reserved: 5 })
  })
})
