import { describe, expect, it } from 'vitest'
import { assertRoundTrip, PADDING } from '../../wire/index.js'
import { decodeChain } from '../message.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { CreateRequest, CreateResponse } from './create.js'
import { CreateDisposition, OplockLevel, oplockLevelName } from '../constants/index.js'

// suricata-verify_smb2-async-midstream.pcap frame 1: Windows 2.1 CREATE with DHnQ, MxAc, QFid and a v1 lease.
const REQ = `fe534d4240000100000000000500010000000000000000001801000000000000fffe000005000000450000000004000000000000000000000000000000000000390000ff02000000000000
00000000000000000000000000800011000000000007000000010000002000200078007600f0000000900000005500730075006100720069006f0041005c004400650073006b0074006f00
70005c006400690072006500630074006f00720069006f0043006f006d007000610072007400690064006f005c00310031005c003100340038005c0031003500330038005c004600390037
00360038002e0070006400660000002800000010000400000018001000000044486e510000000000000000000000000000000000000000180000001000040000001800000000004d784163
000000001800000010000400000018000000000051466964000000000000000010000400000018002000000052714c730000000020a57102a0f8ffffa05f09000000000000000000000000
000000000000000000`
// frame 3: its final (async) response with MxAc, RqLs and QFid.
const RESP = `fe534d424000010000000000050000000300000000000000180100000000000031000800000000004500000000040000000000000000000000000000000000005900ff00010000002ca0b6
488eb1d4012ca0b6488eb1d4019890d0611716d5019890d0611716d50100201200000000004e1a12000000000020000000000000000d01000030000000b1000000ffffffff980000009000
0000200000001000040000001800080000004d7841630000000000000000ff011f003800000010000400000018002000000052714c730000000020a57102a0f8ffffa05f09000000000000
000000000000000000000000000000000000001000040000001800200000005146696400000000cff800000000040030f0c00180faffff00000000000000000000000000000000`
// wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz frame 718: empty name; 8 leftover bytes between the name
// offset (0x78) and the create contexts (0x80) are not zero.
const PADDED = `fe534d4240000100040000000500010000000000000000006c00000000000000fffe000001000000010000002c2c125c000000000000000000000000000000003900000002000000000000
0000000000000000000000000080001000800000000300000001000000200020007800000080000000180000000000000010000400000000001000040000001800000000004d7841630000
0000`
// samr-enum-lab_smb311-samba-rpcclient-signed.pcapng frame 31: a response without contexts and without the odd byte.
const RESP_BARE = `fe534d424000010000000000050001001900000000000000040000000000000000000000010000006100008000740000f9fd23efd4702ac481ce4f8ee925440a5900000001000000000000
0000000000000000000000000000000000000000000000000000000000001000000000000000000000000000008000000000000000d80600001d000000010000001d000000000000000000
0000`

describe('CREATE', () => {
  it('decodes a request as tshark shows it', () => {
    const { body, m } = decodeOne<CreateRequest>(REQ, 'CreateRequest')
    expect(m.header.messageId).toBe(280n)
    expect(body.requestedOplockLevel).toBe(OplockLevel.Lease)
    expect(body.impersonationLevel).toBe(2)
    expect(body.desiredAccess).toBe(0x00110080)
    expect(body.fileAttributes).toBe(0)
    expect(body.shareAccess).toBe(7)
    expect(body.createDisposition).toBe(CreateDisposition.Open)
    expect(body.createOptions).toBe(0x00200020)
    expect([body.nameOffset, body.nameLength]).toEqual([0x78, 118])
    expect(body.name).toBe('UsuarioA\\Desktop\\directorioCompartido\\11\\148\\1538\\F9768.pdf')
    expect([body.createContextsOffset, body.createContextsLength]).toEqual([0xf0, 144])
    expect(body.createContexts.map((c) => c.tag)).toEqual(['DHnQ', 'MxAc', 'QFid', 'RqLs'])
  })

  it('decodes the response as tshark shows it', () => {
    const { body, m } = decodeOne<CreateResponse>(RESP, 'CreateResponse')
    expect(m.header.asyncId).toBe(0x80031n)
    expect(body.oplockLevel).toBe(0xff)
    expect(oplockLevelName(body.oplockLevel)).toBe('SMB2_OPLOCK_LEVEL_LEASE')
    expect(body.flags).toBe(0)
    expect(body.createAction).toBe(1)
    expect(body.creationTime).toBe(0x01d4b18e48b6a02cn) // Jan 21, 2019 13:36:16.398750000 UTC
    expect(body.lastWriteTime).toBe(0x01d5161761d09098n) // May 29, 2019 12:09:35.841500000 UTC
    expect(body.allocationSize).toBe(1187840n)
    expect(body.endOfFile).toBe(1186382n)
    expect(body.fileAttributes).toBe(0x20)
    // tshark prints the FileId as a GUID: 0000010d-0030-0000-b100-0000ffffffff
    expect(body.fileId).toEqual({ persistent: 0x000000300000010dn, volatile: 0xffffffff000000b1n })
    expect([body.createContextsOffset, body.createContextsLength]).toEqual([0x98, 144])
    expect(body.createContexts.map((c) => c.tag)).toEqual(['MxAc', 'RqLs', 'QFid'])
  })

  it('keeps non-zero bytes between the name and the contexts so they re-encode exactly', () => {
    const { body } = decodeOne<CreateRequest>(PADDED, 'CreateRequest')
    expect(body.name).toBe('')
    expect(body.createContextsOffset).toBe(0x80)
    const pad = (body as Record<PropertyKey, unknown>)[PADDING] as Array<{ offset: number; bytes: Buffer }>
    expect(pad).toHaveLength(1)
    expect(pad[0]!.offset).toBe(0x78 - 64 + 0) // body-relative: right after the 56-byte fixed part
    expect(pad[0]!.bytes.length).toBe(8)
  })

  it('decodes a response with no contexts and no padding byte', () => {
    const { body, m } = decodeOne<CreateResponse>(RESP_BARE, 'CreateResponse')
    expect(body.createContexts).toEqual([])
    expect([body.createContextsOffset, body.createContextsLength]).toEqual([0, 0])
    expect(m.trailer.length).toBe(0)
    expect(m.end - m.start).toBe(64 + 88)
  })

  it('round-trips built values with the canonical layout', () => {
    const { bytes, decoded } = assertRoundTrip(CreateRequest, {
      securityFlags: 0, requestedOplockLevel: OplockLevel.Batch, impersonationLevel: 2, smbCreateFlags: 0n,
      desiredAccess: 0x0012019f, fileAttributes: 0x80, shareAccess: 7, createDisposition: CreateDisposition.OpenIf,
      createOptions: 0x40, name: 'dir\\file.txt',
      createContexts: [{ tag: 'MxAc', known: true, spec: '2.2.13.2.5', value: {} }],
    }, { pduStart: -64 })
    expect(decoded.nameOffset).toBe(0x78)
    expect(decoded.createContextsOffset).toBe(0x78 + 24) // name (24 bytes) then 8-aligned
    expect(bytes.length).toBe(56 + 24 + 20) // the last context is not padded
    assertRoundTrip(CreateResponse, {
      oplockLevel: 0, flags: 0, createAction: 2, creationTime: 1n, lastAccessTime: 2n, lastWriteTime: 3n, changeTime: 4n,
      allocationSize: 0n, endOfFile: 0n, fileAttributes: 0x20, fileId: { persistent: 1n, volatile: 2n },
      createContexts: [{ tag: 'DH2Q', known: true, spec: '2.2.14.2.12', value: { timeout: 60000, flags: 0 } }],
    }, { pduStart: -64 })
  })

  it('rejects a name that runs past the message and contexts that point outside it', () => {
    const a = hex(REQ)
    a.writeUInt16LE(0x400, 64 + 46)
    expect(decodeChain(a).messages[0]!.error!.message).toBe('body.nameLength @0x78: name [120, +1024) runs past the end of the message (384)')
    const b = hex(REQ)
    b.writeUInt32LE(0x1000, 64 + 48)
    expect(decodeChain(b).messages[0]!.error!.message).toBe('body.createContextsOffset @0x40: createContextsOffset 4096 points outside the message')
  })
})
