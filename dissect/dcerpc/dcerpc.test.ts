import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../wire/index.js'
import {
  BindAckBody, BindBody, ContextResultCode, NDR_SYNTAX, PduType, PfcFlags, decodePdu, encodePdu, peekFragLength,
} from './pdu.js'
import {
  SRVSVC_SYNTAX, ShareTypeCode, decodeNetrServerGetInfoResponse, decodeNetrShareEnumRequest, decodeNetrShareEnumResponse,
  decodeNetrShareGetInfoRequest, decodeNetrShareGetInfoResponse, encodeNetrServerGetInfoResponse, encodeNetrShareEnumRequest,
  encodeNetrShareEnumResponse, encodeNetrShareGetInfoRequest, encodeNetrShareGetInfoResponse,
} from './srvsvc.js'

// `smbclient -L //127.0.0.1 -m SMB3_11` against the lab Samba 4.17 (FSCTL_PIPE_TRANSCEIVE input/output buffers).
const BIND = Buffer.from('05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b10486002000000', 'hex')
const BIND_ACK = Buffer.from('05000c03100000004400000001000000b810b810e34f00000d005c706970655c73727673766300000100000000000000045d888aeb1cc9119fe808002b10486002000000', 'hex')
const REQUEST = Buffer.from('05000003100000005c000000020000004400000000000f00000002000a000000000000000a0000003100320037002e0030002e0030002e00310000000100000001000000040002000000000000000000ffffffff0800020000000000', 'hex')
const RESPONSE = Buffer.from(
  '0500020310000000ec00000002000000d40000000000000001000000010000000c0002000200000010000200020000001400020000000000180002001c0002000300008020000200060000000000000006000000730068006100720065000000010000000000000001000000000000000500000000000000050000004900500043002400000000002300000000000000230000004900500043002000530065007200760069006300650020002800530061006d0062006100200034002e00310037002e00310032002d00440065006200690061006e0029000000000002000000240002000000000000000000',
  'hex',
)

describe('DCE/RPC PDUs (captured from smbclient and Samba)', () => {
  it('decodes the BIND and re-encodes it byte for byte', () => {
    const p = decodePdu(BIND)
    expect(p.ptype).toBe(PduType.Bind)
    expect(p.header).toMatchObject({ rpcVers: 5, pfcFlags: PfcFlags.FirstFrag | PfcFlags.LastFrag, fragLength: 72, callId: 1 })
    const body = p.body as BindBody
    expect(body).toMatchObject({ maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0 })
    expect(body.contextElements).toHaveLength(1)
    expect(body.contextElements[0]!.abstractSyntax).toEqual(SRVSVC_SYNTAX)
    expect(body.contextElements[0]!.transferSyntaxes).toEqual([NDR_SYNTAX])
    expect(encodePdu({ ptype: PduType.Bind, header: p.header, body })).toEqual(BIND)
    expect(peekFragLength(BIND)).toBe(72)
  })

  it('decodes the BIND_ACK (secondary address, 4-byte padding, results) and re-encodes it', () => {
    const p = decodePdu(BIND_ACK)
    const body = p.body as BindAckBody
    expect(body).toEqual({
      maxXmitFrag: 4280,
      maxRecvFrag: 4280,
      assocGroupId: 0x4fe3,
      secondaryAddress: '\\pipe\\srvsvc',
      results: [{ result: ContextResultCode.Acceptance, reason: 0, transferSyntax: NDR_SYNTAX }],
    })
    expect(encodePdu({ ptype: PduType.BindAck, header: p.header, body })).toEqual(BIND_ACK)
  })

  it('decodes the REQUEST and RESPONSE headers', () => {
    const q = decodePdu(REQUEST)
    expect(q.ptype).toBe(PduType.Request)
    expect(q.body).toMatchObject({ allocHint: 0x44, pContId: 0, opnum: 15 })
    expect(encodePdu({ ptype: PduType.Request, header: q.header, body: q.body as never })).toEqual(REQUEST)
    const r = decodePdu(RESPONSE)
    expect(r.body).toMatchObject({ allocHint: 0xd4, pContId: 0, cancelCount: 0 })
    expect(encodePdu({ ptype: PduType.Response, header: r.header, body: r.body as never })).toEqual(RESPONSE)
  })

  it('refuses bad PDUs with a DecodeError', () => {
    expect(() => decodePdu(BIND.subarray(0, 40))).toThrow(/frag_length 72/)
    const bigEndian = Buffer.from(BIND)
    bigEndian[4] = 0x00
    expect(() => decodePdu(bigEndian)).toThrow(/little-endian/)
    const v4 = Buffer.from(BIND)
    v4[0] = 4
    expect(() => decodePdu(v4)).toThrow(/rpc_vers/)
  })

  it('round-trips BIND bodies through the struct harness', () => {
    assertRoundTrip(BindBody, {
      maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 7,
      contextElements: [{ pContId: 0, abstractSyntax: SRVSVC_SYNTAX, transferSyntaxes: [NDR_SYNTAX] }, { pContId: 1, abstractSyntax: SRVSVC_SYNTAX, transferSyntaxes: [] }],
    })
  })
})

describe('srvsvc NDR stubs (captured)', () => {
  const reqStub = (decodePdu(REQUEST).body as { stub: Buffer }).stub
  const respStub = (decodePdu(RESPONSE).body as { stub: Buffer }).stub

  it('decodes NetrShareEnum (opnum 15) as smbclient sends it', () => {
    expect(decodeNetrShareEnumRequest(reqStub)).toEqual({ serverName: '127.0.0.1', level: 1, preferedMaximumLength: 0xffffffff, resumeHandle: 0 })
    expect(encodeNetrShareEnumRequest(decodeNetrShareEnumRequest(reqStub))).toEqual(reqStub)
  })

  it('decodes the Samba answer and re-encodes it byte for byte (same referent numbering)', () => {
    const v = decodeNetrShareEnumResponse(respStub)
    expect(v).toEqual({
      level: 1,
      shares: [
        { name: 'share', type: ShareTypeCode.DiskTree, comment: '' },
        { name: 'IPC$', type: (ShareTypeCode.Ipc | ShareTypeCode.Special) >>> 0, comment: 'IPC Service (Samba 4.17.12-Debian)' },
      ],
      totalEntries: 2,
      resumeHandle: 0,
      result: 0,
    })
    expect(encodeNetrShareEnumResponse(v, 0x0002000c)).toEqual(respStub)
  })

  it('round-trips every share level and the other calls', () => {
    for (const level of [0, 1, 2, 501]) {
      const shares = [{ name: 'data', type: 0, comment: 'x', permissions: 0, maxUses: 0xffffffff, currentUses: 1, path: 'C:\\data', password: null, flags: 0 }]
      const v = decodeNetrShareEnumResponse(encodeNetrShareEnumResponse({ level, shares, totalEntries: 1, resumeHandle: null, result: 0 }))
      expect(v.shares[0]!.name).toBe('data')
      expect(v.level).toBe(level)
      if (level === 2) expect(v.shares[0]).toMatchObject({ path: 'C:\\data', password: null, currentUses: 1 })
    }
    const gi = { serverName: 'srv', netName: 'data', level: 2 }
    expect(decodeNetrShareGetInfoRequest(encodeNetrShareGetInfoRequest(gi))).toEqual(gi)
    const gr = { level: 1, share: { name: 'data', type: 0, comment: 'c' }, result: 0 }
    expect(decodeNetrShareGetInfoResponse(encodeNetrShareGetInfoResponse(gr))).toEqual(gr)
    expect(decodeNetrShareGetInfoResponse(encodeNetrShareGetInfoResponse({ level: 1, share: null, result: 0x906 }))).toEqual({ level: 1, share: null, result: 0x906 })
    const si = { level: 101, info: { platformId: 500, name: 'SRV', versionMajor: 10, versionMinor: 0, type: 0x9003, comment: 'smbscope' }, result: 0 }
    expect(decodeNetrServerGetInfoResponse(encodeNetrServerGetInfoResponse(si))).toEqual(si)
  })

  it('refuses truncated stubs with a DecodeError', () => {
    for (let n = 0; n < reqStub.length - 4; n += 3) expect(() => decodeNetrShareEnumRequest(reqStub.subarray(0, n))).toThrow()
  })
})
