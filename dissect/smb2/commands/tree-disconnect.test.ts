import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { TreeDisconnectRequest, TreeDisconnectResponse } from './tree-disconnect.js'

// samr-enum-lab_smb311-samba-rpcclient-signed.pcapng frames 60 / 61.
const REQ = `fe534d4240000100000000000400010018000000000000000e0000000000000000000000010000006100008000740000f8e1d53bc1293d9abb40429cb19d8dea04000000`
const RESP = `fe534d4240000100000000000400010019000000000000000e0000000000000000000000010000006100008000740000499cd548a8f4336277d2c758fef4fd6204000000`

describe('TREE_DISCONNECT', () => {
  it('decodes captured request and response', () => {
    const q = decodeOne<TreeDisconnectRequest>(REQ, 'TreeDisconnectRequest')
    expect(q.body).toEqual({ structureSize: 4, reserved: 0 })
    expect([q.m.header.messageId, q.m.header.treeId]).toEqual([14n, 1])
    expect(decodeOne<TreeDisconnectResponse>(RESP, 'TreeDisconnectResponse').body).toEqual({ structureSize: 4, reserved: 0 })
  })
  it('round-trips', () => {
    assertRoundTrip(TreeDisconnectRequest, {})
    assertRoundTrip(TreeDisconnectResponse, {})
  })
})
