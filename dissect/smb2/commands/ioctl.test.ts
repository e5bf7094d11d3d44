import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import type { ErrorResponse } from './error.js'
import { IoctlFlags, IoctlRequest, IoctlResponse } from './ioctl.js'

// samr-enum-lab_smb311-samba-rpcclient-signed.pcapng frames 33 / 34: FSCTL_PIPE_TRANSCEIVE carrying a DCE/RPC bind / bind_ack.
const REQ = `fe534d4240000100000000000b000100180000000000000005000000000000000000000001000000610000800074000005d7dd023a61fae84e4e1ca50dad5b083900000017c01100d80600
001d000000010000001d0000007800000048000000000000007800000000000000b8100000010000000000000005000b03100000004800000001000000b810b81000000000010000000000
0100785734123412cdabef000123456789ac01000000045d888aeb1cc9119fe808002b10486002000000`
const RESP = `fe534d4240000100000000000b00010019000000000000000500000000000000000000000100000061000080007400008e93c315b2b2cd0ddc8efe467eb4cd6e3100000017c01100d80600
001d000000010000001d00000070000000000000007000000044000000000000000000000005000c03100000004400000001000000b810b810bd0d00000c005c706970655c6c7361737300
00000100000000000000045d888aeb1cc9119fe808002b10486002000000`
// suricata-verify_smb311-async-large-read.pcap frame 22: STATUS_NOT_FOUND, an ERROR body (StructureSize 9).
const ERR = `fe534d4240000100250200c00b0001001100000000000000040000000000000000000000b99f1ef89d0122150000000000000000000000000000000000000000090000000000000000`

describe('IOCTL', () => {
  it('decodes a pipe transceive request and response, buffers raw', () => {
    const q = decodeOne<IoctlRequest>(REQ, 'IoctlRequest').body
    expect(q.ctlCode).toBe(0x0011c017)
    expect(q.fileId).toEqual({ persistent: 0x1d000006d8n, volatile: 0x1d00000001n })
    expect([q.inputOffset, q.inputCount, q.maxInputResponse, q.outputOffset, q.outputCount, q.maxOutputResponse]).toEqual([0x78, 72, 0, 0x78, 0, 4280])
    expect(q.flags).toBe(IoctlFlags.IsFsctl)
    expect(q.input.length).toBe(72)
    expect(q.input.subarray(0, 4).toString('hex')).toBe('05000b03') // DCE/RPC v5.0 bind
    expect(q.output.length).toBe(0)
    const r = decodeOne<IoctlResponse>(RESP, 'IoctlResponse').body
    expect([r.ctlCode, r.inputOffset, r.inputCount, r.outputOffset, r.outputCount, r.flags]).toEqual([0x0011c017, 0x70, 0, 0x70, 68, 0])
    expect(r.output.subarray(0, 4).toString('hex')).toBe('05000c03') // bind_ack
  })

  it('takes a failed IOCTL answer with StructureSize 9 as an ERROR body', () => {
    const { body, m } = decodeOne<ErrorResponse>(ERR, 'ErrorResponse')
    expect(m.header.status).toBe(0xc0000225)
    expect(body).toMatchObject({ structureSize: 9, errorContextCount: 0, byteCount: 0, errorData: { kind: 'raw' } })
    expect(m.trailer.toString('hex')).toBe('00') // the one ErrorData byte of an empty ErrorData
  })

  it('round-trips with both buffers', () => {
    const { decoded } = assertRoundTrip(IoctlRequest, {
      ctlCode: 0x00060194, fileId: { persistent: 0xffff_ffff_ffff_ffffn, volatile: 0xffff_ffff_ffff_ffffn }, maxInputResponse: 0,
      maxOutputResponse: 4096, flags: 1, input: Buffer.from('ab'), output: Buffer.from('cdef'),
    }, { pduStart: -64 })
    expect([decoded.inputOffset, decoded.outputOffset]).toEqual([0x78, 0x80])
    assertRoundTrip(IoctlResponse, { ctlCode: 0x00140204, fileId: { persistent: 1n, volatile: 1n }, flags: 0, input: Buffer.alloc(0), output: Buffer.alloc(24, 1) })
  })
})
