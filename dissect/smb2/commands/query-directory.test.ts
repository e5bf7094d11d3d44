import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { QueryDirectoryRequest, QueryDirectoryResponse } from './query-directory.js'
import { QueryDirectoryFlags } from '../constants/index.js'

// ndpi_smb2-deletefile-lease-break-oplock-break.pcap frame 47: FileIdBothDirectoryInformation (37), pattern "*".
const REQ = `fe534d4240001000000000000e0000010000000000000000cd0f000000000000fffe0000110000001d000000002800000000000000000000000000000000000021002500000000001b0400
000a0000007d0030000a00000060000200000010002a00`
// samba/durable-v2-open.reopen2-lease-v2.pcap frame 81: two FileBothDirectoryInfo-style entries "." and "..".
const RESP = `fe534d4240000100000000000e00010011000000000000000a0000000000000000000000f11a0acada3d79de00000000000000000000000000000000000000000900480020000000100000
0000000000020000002e0000000000000000000000040000002e002e00`

describe('QUERY_DIRECTORY', () => {
  it('decodes a captured request and response as tshark shows them', () => {
    const q = decodeOne<QueryDirectoryRequest>(REQ, 'QueryDirectoryRequest').body
    expect(q).toMatchObject({ fileInformationClass: 37, flags: 0, fileIndex: 0, fileNameOffset: 0x60, fileNameLength: 2, outputBufferLength: 1048576, fileName: '*' })
    expect(q.fileId).toEqual({ persistent: 0x0a0000041bn, volatile: 0x0a0030007dn })
    const r = decodeOne<QueryDirectoryResponse>(RESP, 'QueryDirectoryResponse').body
    expect([r.outputBufferOffset, r.outputBufferLength]).toEqual([0x48, 32])
    expect(r.outputBuffer.toString('hex')).toBe('1000000000000000020000002e0000000000000000000000040000002e002e00')
  })
  it('round-trips', () => {
    const { decoded } = assertRoundTrip(QueryDirectoryRequest, {
      fileInformationClass: 37, flags: QueryDirectoryFlags.RestartScans, fileIndex: 0, fileId: { persistent: 1n, volatile: 2n }, outputBufferLength: 65536, fileName: '*.txt',
    }, { pduStart: -64 })
    expect(decoded.fileNameOffset).toBe(0x60)
    assertRoundTrip(QueryDirectoryResponse, { outputBuffer: Buffer.alloc(104, 3) })
  })
})
