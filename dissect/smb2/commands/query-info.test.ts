import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import type { ErrorResponse } from './error.js'
import { QueryInfoRequest, QueryInfoResponse } from './query-info.js'
import { InfoType, infoTypeName } from '../constants/index.js'

// samr-enum-lab_smb311-windows-krb5-signed.pcapng frame 19: FILE_INFO / FileStandardInformation, no input buffer.
const REQ = `fe534d4240000100000000001000010038000000000000000600000000000000fffe000001000000050000c4065400008cba7e3a44c8b6b62510eda8d13a90c82900010518000000680000
00000000000000000000000000544f0000150000000100000015000000`
// wiki_smb2-prerelease-vista-getinfo-setinfo.cap frame 104: a 4-byte FileEaInformation answer (EA size 41).
const RESP = `fe534d424000000000000000100001000100000000000000300000000000000000000000010000007d00001400040000000000000000000000000000000000000900480004000000290000
00`
// suricata-verify_smb210-krb5-psexec-dhnq-lease.pcap frame 196: STATUS_FILE_CLOSED with ErrorData byte 0x68.
const ERR = `fe534d4240000100280100c01000010009000000000000001800000000000000fffe0000010000004500000400240000add781bbd803c59344da674a13322293090000000000000068`

describe('QUERY_INFO', () => {
  it('decodes a request and a response as tshark shows them', () => {
    const q = decodeOne<QueryInfoRequest>(REQ, 'QueryInfoRequest').body
    expect(q).toMatchObject({ infoType: InfoType.File, fileInfoClass: 5, outputBufferLength: 24, inputBufferOffset: 0x68, inputBufferLength: 0, additionalInformation: 0, flags: 0 })
    expect(q.fileId).toEqual({ persistent: 0x1500004f54n, volatile: 0x1500000001n })
    expect(infoTypeName(q.infoType)).toBe('SMB2_0_INFO_FILE')
    const r = decodeOne<QueryInfoResponse>(RESP, 'QueryInfoResponse').body
    expect([r.outputBufferOffset, r.outputBufferLength]).toEqual([0x48, 4])
    expect(r.outputBuffer.readUInt32LE(0)).toBe(41)
  })

  it('keeps a non-zero ErrorData byte of an empty ERROR body in the trailer (byte-exact)', () => {
    const { m, body } = decodeOne<ErrorResponse>(ERR, 'ErrorResponse')
    expect(m.header.status).toBe(0xc0000128)
    expect(body.byteCount).toBe(0)
    expect(m.trailer.toString('hex')).toBe('68')
  })

  it('round-trips', () => {
    const { decoded } = assertRoundTrip(QueryInfoRequest, {
      infoType: InfoType.Security, fileInfoClass: 0, outputBufferLength: 4096, additionalInformation: 7, flags: 0,
      fileId: { persistent: 1n, volatile: 2n }, inputBuffer: Buffer.from('0102', 'hex'),
    }, { pduStart: -64 })
    expect(decoded.inputBufferOffset).toBe(0x68)
    assertRoundTrip(QueryInfoResponse, { outputBuffer: Buffer.alloc(24, 1) })
  })
})
