import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { CancelRequest, CancelResponse } from './cancel.js'

// wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz frame 754: CANCEL of async id 0x8000000100000002.
const REQ = `fe534d4240000000040000000c000100020000000000000000000000000000000200000001000080010000002c2c125c0000000000000000000000000000000004000000`

describe('CANCEL', () => {
  it('decodes a captured async cancel', () => {
    const { body, m } = decodeOne<CancelRequest>(REQ, 'CancelRequest')
    expect(body).toEqual({ structureSize: 4, reserved: 0 })
    expect(m.header.asyncId).toBe(0x8000000100000002n)
    expect(m.header.messageId).toBe(0n)
  })
  it('round-trips', () => {
    assertRoundTrip(CancelRequest, {})
    assertRoundTrip(CancelResponse, {})
  })
})
