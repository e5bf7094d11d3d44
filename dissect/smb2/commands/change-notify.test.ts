import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { ChangeNotifyRequest, ChangeNotifyResponse } from './change-notify.js'
import { ChangeNotifyFlags, CompletionFilter } from '../constants/index.js'
import type { ErrorResponse } from './error.js'

// ndpi_smb2-deletefile-lease-break-oplock-break.pcap frame 16: request; frame 20: its STATUS_PENDING interim
// answer (async, an ERROR body); frame 11: a completed notification (FILE_ACTION_REMOVED innosetup-5.6.1.exe).
const REQ = `fe534d4240000100000000000f0000010000000000000000a90f000000000000fffe0000110000001d000000002800000000000000000000000000000000000020000000000001007d0300
000a000000210020000a000000470d000000000000`
const PENDING = `fe534d4240000100030100000f0001000300000000000000a90f00000000000015000003000000001d00000000280000000000000000000000000000000000000900000000000000`
const RESP = `fe534d4240000100000000000f0000000300000000000000000f0000000000000d000003000000001d00000000280000000000000000000000000000000000000900480032000000000000
00020000002600000069006e006e006f00730065007400750070002d0035002e0036002e0031002e00650078006500`

describe('CHANGE_NOTIFY', () => {
  it('decodes a request as tshark shows it', () => {
    const q = decodeOne<ChangeNotifyRequest>(REQ, 'ChangeNotifyRequest').body
    expect(q).toMatchObject({ flags: 0, outputBufferLength: 65536, completionFilter: 0x0d47, reserved: 0 })
    expect(q.completionFilter & CompletionFilter.Security).toBe(CompletionFilter.Security)
    expect(q.fileId).toEqual({ persistent: 0x0a0000037dn, volatile: 0x0a00200021n })
  })

  it('decodes the STATUS_PENDING interim answer as an ERROR body', () => {
    const { body, m } = decodeOne<ErrorResponse>(PENDING, 'ErrorResponse')
    expect([m.header.status, m.header.asyncId]).toEqual([0x103, 0x3000015n])
    expect(body).toMatchObject({ errorContextCount: 0, byteCount: 0 })
    expect(m.trailer.length).toBe(0) // this server sends no ErrorData byte
  })

  it('decodes a completed notification, buffer raw', () => {
    const r = decodeOne<ChangeNotifyResponse>(RESP, 'ChangeNotifyResponse').body
    expect([r.outputBufferOffset, r.outputBufferLength]).toEqual([0x48, 50])
    expect(r.outputBuffer.readUInt32LE(4)).toBe(2) // FILE_ACTION_REMOVED
    expect(r.outputBuffer.subarray(12).toString('utf16le')).toBe('innosetup-5.6.1.exe')
  })

  it('round-trips', () => {
    assertRoundTrip(ChangeNotifyRequest, { flags: ChangeNotifyFlags.WatchTree, outputBufferLength: 4096, fileId: { persistent: 1n, volatile: 2n }, completionFilter: 0x17 })
    assertRoundTrip(ChangeNotifyResponse, { outputBuffer: Buffer.alloc(20, 9) })
  })
})
