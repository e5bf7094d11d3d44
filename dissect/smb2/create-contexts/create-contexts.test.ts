import { describe, expect, it } from 'vitest'
import { assertRoundTrip, decodeWith, encodeWith, lengthOf, offsetOf, struct, u16, u32, type Infer } from '../../wire/index.js'
import type { CreateRequest, CreateResponse } from '../commands/create.js'
import { decodeCaptured, decodeOne, hex } from '../test-helpers/fixtures.js'
import { AllocationSize } from './allocation-size.js'
import { AppInstanceId, AppInstanceVersion } from './app-instance.js'
import { CreateContextChain, findCreateContext, type CreateContext, type CreateContextInput, type KnownCreateContext } from './chain.js'
import {
  DurableHandleReconnect, DurableHandleReconnectV2, DurableHandleRequest, DurableHandleRequestV2, DurableHandleResponse, DurableHandleResponseV2,
} from './durable.js'
import { RequestLease, RequestLeaseV2, ResponseLease, ResponseLeaseV2, leaseStateLetters } from './lease.js'
import { QueryMaximalAccessRequest, QueryMaximalAccessResponse } from './maximal-access.js'
import { PosixCreateRequest, PosixCreateResponse } from './posix.js'
import { QueryOnDiskIdRequest, QueryOnDiskIdResponse } from './query-on-disk-id.js'
import { CREATE_CONTEXTS, pickVariant } from './registry.js'
import { nameOfTag, tagOf } from './tag.js'
import { TimewarpToken } from './timewarp-token.js'

// suricata-verify_smb2-async-midstream.pcap frames 1 / 3: DHnQ, MxAc, QFid, RqLs v1 request; MxAc, RqLs v1, QFid response.
const V1_REQ = `fe534d4240000100000000000500010000000000000000001801000000000000fffe000005000000450000000004000000000000000000000000000000000000390000ff02000000000000
00000000000000000000000000800011000000000007000000010000002000200078007600f0000000900000005500730075006100720069006f0041005c004400650073006b0074006f00
70005c006400690072006500630074006f00720069006f0043006f006d007000610072007400690064006f005c00310031005c003100340038005c0031003500330038005c004600390037
00360038002e0070006400660000002800000010000400000018001000000044486e510000000000000000000000000000000000000000180000001000040000001800000000004d784163
000000001800000010000400000018000000000051466964000000000000000010000400000018002000000052714c730000000020a57102a0f8ffffa05f09000000000000000000000000
000000000000000000`
const V1_RESP = `fe534d424000010000000000050000000300000000000000180100000000000031000800000000004500000000040000000000000000000000000000000000005900ff00010000002ca0b6
488eb1d4012ca0b6488eb1d4019890d0611716d5019890d0611716d50100201200000000004e1a12000000000020000000000000000d01000030000000b1000000ffffffff980000009000
0000200000001000040000001800080000004d7841630000000000000000ff011f003800000010000400000018002000000052714c730000000020a57102a0f8ffffa05f09000000000000
000000000000000000000000000000000000001000040000001800200000005146696400000000cff800000000040030f0c00180faffff00000000000000000000000000000000`
// suricata-verify_smb311-dh2q-lease-two-sessions.pcap frames 34 / 35: DH2Q, MxAc, QFid, RqLs v2 and their answers.
const V2_REQ = `fe534d4240000100000000000500010038000000000000000700000000000000fffe0000010000005500000c00f40300cae6e085a41b13dd72652e2d351ffc5c390000ff00000000000000
0000000000000000000000000089001200000000000100000001000000640040007800160090000000b40000005f005f004c006500670069007400460069006c0065000000380000001000
0400000018002000000044483251000000000000000000000000000000000000000061ac0b46e4c9ea11a7080050560cd549180000001000040000001800000000004d7841630000000018
00000010000400000018000000000051466964000000000000000010000400000018003400000052714c730000000010e0fc8501c0ffff0a01000000000000070000000400000000000000
00000000106b578f01c0ffff0b0100000000000000000000`
const V2_RESP = `fe534d4240000100000000000500010039000000000000000700000000000000fffe0000010000005500000c00f4030035dd4d1baa1ce1d3df64c923ff10341c5900ff000100000087642e
1cfa5dd60187642e1cfa5dd60187642e1cfa5dd60187642e1cfa5dd60160000000000000005d00000000000000200000000000000054010000fd00000005000000fd00000098000000c800
0000200000001000040000001800080000004d7841630000000000000000ff011f005000000010000400000018003400000052714c730000000010e0fc8501c0ffff0a0100000000000007
000000040000000000000000000000106b578f01c0ffff0b01000000000000010000000000000020000000100004000000180008000000444832510000000020bf02000000000000000000
1000040000001800200000005146696400000000c5db0000000006003423b8520000000000000000000000000000000000000000`
// suricata-verify_smb210-krb5-psexec-dhnq-lease.pcap frame 22: response with the DHnQ (8 bytes) answer.
const DHNQ_RESP = `fe534d4240000100000000000500010009000000000000000400000000000000fffe0000010000004900000400240000e2c96e49c90848518223c737332404745900ff00020000002bb7ec
e51d41d3012bb7ece51d41d3012bb7ece51d41d3012bb7ece51d41d3010000000000000000000000000000000020000000000000002d00000009000000010000000900000098000000b000
0000200000001000040000001800080000004d7841630000000000000000ff011f003800000010000400000018002000000052714c7300000000003b6f02a0f8ffffe45b03000000000007
0000000000000000000000000000002000000010000400000018000800000044486e5100000000000000000000000000000000100004000000180020000000514669640000000008260100
00000c003010730000e0ffff00000000000000000000000000000000`
// samba/durable-open.lock-lease.pcap frame 36: DHnC reconnect with a v1 lease.
const DHNC = `fe534d4240000100000000000500010010000000000000000400000000000000000000002e4782e7b3d4ff2b00000000000000000000000000000000000000003900000000000000000000
00000000000000000000000000000000000000000000000000000000000000000078004800c000000060000000640075007200610062006c0065005f006f00700065006e005f006c006500
6100730065005f006c006f0063006b005f005700760035006c004400530077002b002e006400610074002800000010000400000018001000000044486e43000000007a7547b20000000044
3f11a6000000000000000010000400000018002000000052714c7300000000079ca95100000000f86356aeffffffff07000000000000000000000000000000`
// samba/durable-v2-open.reopen1.pcap frame 18: DH2C reconnect (empty name, contexts at 0x78).
const DH2C = `fe534d42400001000000000005000100100000000000000006000000000000000000000079eb6540a6e3011c00000000000000000000000000000000000000003900000000000000000000
00000000000000000000000000000000000000000000000000000000000000000078000000780000003c0000000000000010000400000018002400000044483243000000001682f6370000
0000e6c850100000000034b5436a7f46e34ab56f9b7774e4815200000000`
// zeek_smb202-ntlm-dhnq-write.pcap frame 32: AlSi (allocation size 1508939).
const ALSI = `fe534d4240000000000000000500010000000000000000000f00000000000000fffe0000010000000500000000040000000000000000000000000000000000003900000902000000000000
000000000000000000000000009f01160020000000000000000200000044000000780020009800000078000000570050005f0053004d00420050006c007500670069006e002e0070006400
66002800000010000400000018001000000044486e51000000000000000000000000000000000000000020000000100004000000180008000000416c5369000000004b0617000000000018
0000001000040000001800000000004d78416300000000000000001000040000001800000000005146696400000000`
// wiki_smb2-prerelease-vista-getinfo-setinfo.cap frame 17: ExtA with two EAs.
const EXTA = `fe534d424000000000000000050000000000000000000000060000000000000000000000010000007d00001400040000000000000000000000000000000000003900000000000000000000
00000000000000000000000000000000028000000007000000050000000000000078002200a000000060000000740065007300740073006d00620032005f00660069006c0065002e006400
61007400000000000000480000001000040000001800300000004578744100000000140000000005060045414f4e450056414c55453100000000000808005345434f4e4445410056616c75
6554776f000000000000001000040000001800000000004d78416300000000`
// suricata-verify_smb302-macos-leases-breaks-5770.pcap frame 406: macOS compound CREATE (AAPL) + CLOSE.
const AAPL_REQ = `fe534d4240000100000000000500000108000000a80000007a00000000000000fffe000001000000050000006bdb719bd1916cee3839a3f0f4283596d0ba0ced3900000002000000000000
0000000000000000000000000080001000100000000700000001000000010000007800000080000000280000000000000000000000000000001000040000001800100000004141504c0000
000002000000000000006ab4b10200000000fe534d424000010000000000060000010c000000000000007b00000000000000fffe000001000000050000006bdb719b7a8566e2b792f4ebc0
5ed716bb8907591800000000000000ffffffffffffffffffffffffffffffff`
// same capture, frame 111: compound response with the AAPL server-query answer (72 bytes) and MxAc.
const AAPL_RESP = `fe534d4240000100000000000500000109000000180100000800000000000000fffe000001000000050000006bdb719b4e79e494779d7bbb90c4b2c5f35aed5459000000010000001b56b0
5d191ad90171a2f55d241ad90148a9e85d241ad90148a9e85d241ad901000000000000000000000000000000001000000000000000bc000000000000000200000000000000980000008000
0000600000001000040000001800480000004141504c00000000010000000000000007000000000000001f000000000000000500000000000000000000001c0000004d006100630042006f
006f006b00500072006f00310036002c00310000000000000000001000040000001800080000004d7841630000000000000000ff011f00fe534d424000010000000000100000010d000000
600000000900000000000000fffe000001000000050000006bdb719ba84aa0369828840a2dbaf7b33e58f0820900480014000000c6000401ff000000080000004e00540046005300000000
00fe534d424000010000000000060000010d000000000000000a00000000000000fffe000001000000050000006bdb719bd83924992259beb6e90827f9144279133c000000000000000000
0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000`

const known = (c: CreateContext | undefined): KnownCreateContext => {
  expect(c?.known).toBe(true)
  return c as KnownCreateContext
}

describe('create context tags', () => {
  it('shows ASCII names as text, known GUID names by name, the rest in hex, and maps back', () => {
    expect(tagOf(Buffer.from('DHnQ'))).toBe('DHnQ')
    expect(tagOf(hex('45bca66aefa7f74a9008fa462e144d74'))).toBe('AppInstanceId')
    expect(tagOf(hex('b982d0b73b56074fa07b524a8116a010'))).toBe('AppInstanceVersion')
    expect(tagOf(hex('9ccbcf9e04c1e643980e158da1f6ec83'))).toBe('SvhdxOpenDeviceContext')
    expect(tagOf(hex('93ad25509cb411e7b42383de968bcd7c'))).toBe('Posix')
    expect(tagOf(hex('00112233'))).toBe('00112233')
    const names: Buffer[] = [Buffer.from('DHnQ'), Buffer.from('AAPL')]
    for (const h of ['45bca66aefa7f74a9008fa462e144d74', '93ad25509cb411e7b42383de968bcd7c', '00112233', '01020304050607080900aabbccddeeff']) names.push(hex(h))
    for (const name of names) {
      expect(nameOfTag(tagOf(name)).equals(name)).toBe(true)
    }
  })

  it('registers every MS-SMB2 2.2.13.2 / 2.2.14.2 context with unique spec sections', () => {
    expect(CREATE_CONTEXTS.map((d) => d.tag)).toEqual([
      'ExtA', 'SecD', 'DHnQ', 'DHnC', 'MxAc', 'AlSi', 'TWrp', 'RqLs', 'QFid', 'DH2Q', 'DH2C', 'AppInstanceId',
      'SvhdxOpenDeviceContext', 'AppInstanceVersion', 'Posix',
    ])
    const specs = CREATE_CONTEXTS.flatMap((d) => d.variants.map((v) => `${d.tag} ${v.spec}`))
    expect(new Set(specs).size).toBe(specs.length)
    expect(pickVariant('RqLs', 'request', 32)?.spec).toBe('2.2.13.2.8')
    expect(pickVariant('RqLs', 'request', 52)?.spec).toBe('2.2.13.2.10')
    expect(pickVariant('RqLs', 'response', 32)?.spec).toBe('2.2.14.2.10')
    expect(pickVariant('RqLs', 'response', 52)?.spec).toBe('2.2.14.2.11')
    expect(pickVariant('RqLs', 'request', 40)).toBeUndefined()
    expect(pickVariant('DHnQ', 'response', 8)?.spec).toBe('2.2.14.2.3')
    expect(pickVariant('AAPL', 'request', 16)).toBeUndefined()
  })
})

describe('create context data', () => {
  it('round-trips every context codec', () => {
    assertRoundTrip(DurableHandleRequest, { durableRequest: Buffer.alloc(16) })
    assertRoundTrip(DurableHandleResponse, {})
    assertRoundTrip(DurableHandleReconnect, { data: { persistent: 0x1122n, volatile: 0x3344n } })
    assertRoundTrip(DurableHandleRequestV2, { timeout: 0, flags: 2, createGuid: '460bac61-c9e4-11ea-a708-0050560cd549' })
    assertRoundTrip(DurableHandleResponseV2, { timeout: 180000, flags: 0 })
    assertRoundTrip(DurableHandleReconnectV2, { fileId: { persistent: 1n, volatile: 2n }, createGuid: '6a43b534-467f-4ae3-b56f-9b7774e48152', flags: 0 })
    assertRoundTrip(RequestLease, { leaseKey: '0271a520-f8a0-ffff-a05f-090000000000', leaseState: 7, leaseFlags: 0, leaseDuration: 0n })
    assertRoundTrip(RequestLeaseV2, { leaseKey: '85fce010-c001-ffff-0a01-000000000000', leaseState: 7, flags: 4, leaseDuration: 0n, parentLeaseKey: '8f576b10-c001-ffff-0b01-000000000000', epoch: 1 })
    assertRoundTrip(ResponseLease, { leaseKey: '0271a520-f8a0-ffff-a05f-090000000000', leaseState: 3, leaseFlags: 2, leaseDuration: 0n })
    assertRoundTrip(ResponseLeaseV2, { leaseKey: '85fce010-c001-ffff-0a01-000000000000', leaseState: 7, flags: 0, leaseDuration: 0n, parentLeaseKey: '00000000-0000-0000-0000-000000000000', epoch: 3 })
    expect(assertRoundTrip(QueryMaximalAccessRequest, {}).bytes.length).toBe(0)
    expect(assertRoundTrip(QueryMaximalAccessRequest, { timestamp: 132_000_000_000_000_000n }).bytes.length).toBe(8)
    assertRoundTrip(QueryMaximalAccessResponse, { queryStatus: 0, maximalAccess: 0x1f01ff })
    expect(assertRoundTrip(QueryOnDiskIdRequest, {}).bytes.length).toBe(0)
    assertRoundTrip(QueryOnDiskIdResponse, { diskFileId: 0x6000000000dbc5n, volumeId: 0x52b82334n, reserved: Buffer.alloc(16) })
    assertRoundTrip(AllocationSize, { allocationSize: 1508939n })
    assertRoundTrip(TimewarpToken, { timestamp: 0x01d5161761d09098n })
    expect(assertRoundTrip(AppInstanceId, { appInstanceId: '11111111-2222-3333-4444-555555555555' }).bytes.length).toBe(20)
    expect(assertRoundTrip(AppInstanceVersion, { appInstanceVersionHigh: 1n, appInstanceVersionLow: 2n }).bytes.length).toBe(24)
    assertRoundTrip(PosixCreateRequest, { mode: 0o644 })
    assertRoundTrip(PosixCreateResponse, { nlinks: 1, reparseTag: 0, posixPerms: 0o755, ownerAndGroupSids: hex('0101000000000005120000000101000000000005120000') })
    expect(leaseStateLetters(7)).toBe('RWH')
  })
})

// The chain alone, as a CREATE would hold it: offset/length from the header.
const Holder = struct('Holder', { offset: offsetOf('contexts', u16), length: lengthOf('contexts', u32) }, { contexts: CreateContextChain })
type Holder = Infer<typeof Holder>

describe('create context chain', () => {
  it('lays out a chain canonically: name at 16, data 8-aligned, Next to the 8-aligned next context, DataOffset 0 without data', () => {
    const list: CreateContextInput[] = [
      { tag: 'DHnQ', known: true, spec: '2.2.13.2.3', value: { durableRequest: Buffer.alloc(16) } },
      { tag: 'MxAc', known: true, spec: '2.2.13.2.5', value: {} },
      { tag: 'AppInstanceId', known: true, spec: '2.2.13.2.13', value: { appInstanceId: '11111111-2222-3333-4444-555555555555' } },
      { tag: 'AAPL', known: false, data: hex('0100000000000000') },
    ]
    const { bytes, decoded } = assertRoundTrip(Holder, { contexts: list }, { dir: 'request' })
    const c = decoded.contexts
    expect(c.map((x) => [x.tag, x.next, x.nameOffset, x.nameLength, x.dataOffset, x.dataLength])).toEqual([
      ['DHnQ', 40, 16, 4, 24, 16],
      ['MxAc', 24, 16, 4, 0, 0],
      ['AppInstanceId', 56, 16, 16, 32, 20],
      ['AAPL', 0, 16, 4, 24, 8],
    ])
    expect(decoded.offset).toBe(8)
    expect(decoded.length).toBe(40 + 24 + 56 + 32)
    expect(bytes.length).toBe(8 + 152)
    expect(c[3]).toMatchObject({ known: false, data: hex('0100000000000000') })
    expect(known(c[2]).value).toEqual({ structureSize: 20, reserved: 0, appInstanceId: '11111111-2222-3333-4444-555555555555' })
  })

  it('chooses RqLs v1 or v2 by DataLength and direction', () => {
    const v1 = { tag: 'RqLs', known: true as const, spec: '2.2.13.2.8', value: { leaseKey: '00000000-0000-0000-0000-000000000001', leaseState: 7, leaseFlags: 0, leaseDuration: 0n } }
    const v2 = { tag: 'RqLs', known: true as const, spec: '2.2.14.2.11', value: { leaseKey: '00000000-0000-0000-0000-000000000001', leaseState: 7, flags: 0, leaseDuration: 0n, parentLeaseKey: '00000000-0000-0000-0000-000000000000', epoch: 2 } }
    const a = assertRoundTrip(Holder, { contexts: [v1] }, { dir: 'request' }).decoded.contexts[0]!
    expect([known(a).spec, a.dataLength]).toEqual(['2.2.13.2.8', 32])
    const b = assertRoundTrip(Holder, { contexts: [v2] }, { dir: 'response' }).decoded.contexts[0]!
    expect([known(b).spec, b.dataLength]).toEqual(['2.2.14.2.11', 52])
    // The same 32 bytes read as a response are the 2.2.14.2.10 layout.
    const bytes = encodeWith(Holder, { contexts: [v1] }, { dir: 'request' })
    expect(known(decodeWith(Holder, bytes, { dir: 'response' }).contexts[0]).spec).toBe('2.2.14.2.10')
  })

  it('keeps a known tag whose data does not fit as raw bytes with the reason, byte-exactly', () => {
    // DH2Q request data of 24 bytes (needs 32): no variant accepts it, so it stays raw without an error...
    const odd = encodeWith(Holder, { contexts: [{ tag: 'DH2Q', known: false, data: Buffer.alloc(24, 1) }] })
    const d = decodeWith(Holder, odd, { dir: 'request' })
    expect(d.contexts[0]).toMatchObject({ tag: 'DH2Q', known: false, dataLength: 24 })
    // ...while an AppInstanceId with a wrong StructureSize is a variant that fails to decode: raw, with the error.
    const bad = encodeWith(Holder, { contexts: [{ tag: 'AppInstanceId', known: false, data: hex('1500' + '0000' + '11'.repeat(16)) }] })
    const e = decodeWith(Holder, bad, { dir: 'request' }).contexts[0] as Extract<CreateContext, { known: false }>
    expect(e.known).toBe(false)
    expect(e.error).toBe('contexts.0.value.structureSize @0x28: structureSize must be 20, got 21')
    expect(encodeWith(Holder, decodeWith(Holder, bad, { dir: 'request' }), { dir: 'request' }).equals(bad)).toBe(true)
  })

  it('keeps non-zero padding inside a context and writes it back on faithful re-encode', () => {
    const b = encodeWith(Holder, { contexts: [
      { tag: 'DHnQ', known: true, spec: '2.2.13.2.3', value: { durableRequest: Buffer.alloc(16) } },
      { tag: 'MxAc', known: true, spec: '2.2.13.2.5', value: {} },
    ] }, { dir: 'request' })
    b.write('junk', 8 + 20, 'latin1') // the 4 padding bytes between "DHnQ" and its data
    const v = decodeWith(Holder, b, { dir: 'request' })
    expect(Object.getOwnPropertySymbols(v.contexts[0]!)).toHaveLength(1)
    expect(v.contexts[0]!.known).toBe(true)
    expect(encodeWith(Holder, v, { dir: 'request' }).equals(b)).toBe(true)
  })

  it('rejects Next pointing outside the contexts and names running past them', () => {
    const b = encodeWith(Holder, { contexts: [{ tag: 'MxAc', known: true, spec: '2.2.13.2.5', value: {} }, { tag: 'QFid', known: true, spec: '2.2.13.2.9', value: {} }] })
    const far = Buffer.from(b)
    far.writeUInt32LE(0x100, 8)
    expect(() => decodeWith(Holder, far)).toThrow('contexts.0.next @0x8: next 256 points outside the contexts')
    const longName = Buffer.from(b)
    longName.writeUInt16LE(200, 8 + 24 + 6)
    expect(() => decodeWith(Holder, longName)).toThrow('contexts.1 @0x24: name [16, +200) runs past the end of the contexts')
  })
})

describe('create contexts in captured CREATEs (values as tshark shows them)', () => {
  it('DHnQ, MxAc, QFid and a v1 lease in a request; MxAc, v1 lease and QFid in the response', () => {
    const q = decodeOne<CreateRequest>(V1_REQ, 'CreateRequest').body.createContexts
    expect(q.map((c) => [c.tag, c.known && c.spec, c.dataLength])).toEqual([
      ['DHnQ', '2.2.13.2.3', 16], ['MxAc', '2.2.13.2.5', 0], ['QFid', '2.2.13.2.9', 0], ['RqLs', '2.2.13.2.8', 32],
    ])
    expect(known(q[0]).value).toEqual({ durableRequest: Buffer.alloc(16) })
    expect(known(q[3]).value).toEqual({ leaseKey: '0271a520-f8a0-ffff-a05f-090000000000', leaseState: 0, leaseFlags: 0, leaseDuration: 0n })
    const r = decodeOne<CreateResponse>(V1_RESP, 'CreateResponse').body.createContexts
    expect(r.map((c) => [c.tag, c.known && c.spec])).toEqual([['MxAc', '2.2.14.2.5'], ['RqLs', '2.2.14.2.10'], ['QFid', '2.2.14.2.9']])
    expect(known(r[0]).value).toEqual({ queryStatus: 0, maximalAccess: 0x001f01ff })
    // tshark: Opaque File ID cff800000000040030f0c00180faffff + 16 zero bytes
    expect(known(r[2]).value).toEqual({ diskFileId: 0x0004_0000_0000_f8cfn, volumeId: 0xfffffa8001c0f030n, reserved: Buffer.alloc(16) })
  })

  it('DH2Q and a v2 lease with a parent key; DH2Q response timeout 180000', () => {
    const q = decodeOne<CreateRequest>(V2_REQ, 'CreateRequest').body
    expect(q.name).toBe('__LegitFile')
    expect(q.createContexts.map((c) => c.tag)).toEqual(['DH2Q', 'MxAc', 'QFid', 'RqLs'])
    expect(known(findCreateContext(q.createContexts, 'DH2Q')).value).toEqual({ timeout: 0, flags: 0, reserved: 0n, createGuid: '460bac61-c9e4-11ea-a708-0050560cd549' })
    expect(known(findCreateContext(q.createContexts, 'RqLs')).value).toEqual({
      leaseKey: '85fce010-c001-ffff-0a01-000000000000', leaseState: 7, flags: 4, leaseDuration: 0n,
      parentLeaseKey: '8f576b10-c001-ffff-0b01-000000000000', epoch: 0, reserved: 0,
    })
    const r = decodeOne<CreateResponse>(V2_RESP, 'CreateResponse').body.createContexts
    expect(r.map((c) => [c.tag, c.known && c.spec])).toEqual([['MxAc', '2.2.14.2.5'], ['RqLs', '2.2.14.2.11'], ['DH2Q', '2.2.14.2.12'], ['QFid', '2.2.14.2.9']])
    expect(known(r[1]).value).toMatchObject({ leaseState: 7, flags: 4, parentLeaseKey: '8f576b10-c001-ffff-0b01-000000000000', epoch: 1 })
    expect(known(r[2]).value).toEqual({ timeout: 180000, flags: 0 })
    expect(known(r[3]).value).toMatchObject({ diskFileId: 0x0006000000_00dbc5n, volumeId: 0x52b82334n })
  })

  it('the 8-byte DHnQ response', () => {
    const r = decodeOne<CreateResponse>(DHNQ_RESP, 'CreateResponse').body.createContexts
    expect(r.map((c) => c.tag)).toEqual(['MxAc', 'RqLs', 'DHnQ', 'QFid'])
    expect(known(r[2])).toMatchObject({ spec: '2.2.14.2.3', dataLength: 8, value: { reserved: 0n } })
    expect(known(r[1]).value).toMatchObject({ leaseKey: '026f3b00-f8a0-ffff-e45b-030000000000', leaseState: 7 })
  })

  it('DHnC and DH2C reconnects (Samba smbtorture)', () => {
    const a = decodeOne<CreateRequest>(DHNC, 'CreateRequest').body
    expect(a.name).toBe('durable_open_lease_lock_Wv5lDSw+.dat')
    // tshark: File Id b247757a-0000-0000-443f-11a600000000
    expect(known(findCreateContext(a.createContexts, 'DHnC'))).toMatchObject({ spec: '2.2.13.2.4', value: { data: { persistent: 0xb247757an, volatile: 0xa6113f44n } } })
    expect(known(findCreateContext(a.createContexts, 'RqLs')).value).toMatchObject({ leaseKey: '51a99c07-0000-0000-f863-56aeffffffff', leaseState: 7 })
    const b = decodeOne<CreateRequest>(DH2C, 'CreateRequest').body
    expect([b.name, b.createContextsOffset, b.createContextsLength]).toEqual(['', 0x78, 60])
    expect(known(b.createContexts[0])).toMatchObject({
      tag: 'DH2C', spec: '2.2.13.2.12', dataLength: 36,
      value: { fileId: { persistent: 0x37f68216n, volatile: 0x1050c8e6n }, createGuid: '6a43b534-467f-4ae3-b56f-9b7774e48152', flags: 0 },
    })
  })

  it('AlSi and ExtA (EA list kept raw)', () => {
    const a = decodeOne<CreateRequest>(ALSI, 'CreateRequest').body.createContexts
    expect(a.map((c) => c.tag)).toEqual(['DHnQ', 'AlSi', 'MxAc', 'QFid'])
    expect(known(a[1]).value).toEqual({ allocationSize: 1508939n })
    const e = decodeOne<CreateRequest>(EXTA, 'CreateRequest').body.createContexts
    expect(e.map((c) => c.tag)).toEqual(['ExtA', 'MxAc'])
    const ea = known(e[0])
    expect([ea.spec, ea.dataLength]).toEqual(['2.2.13.2.1', 48])
    expect((ea.value as Buffer).includes(Buffer.from('EAONE'))).toBe(true)
    expect((ea.value as Buffer).includes(Buffer.from('ValueTwo'))).toBe(true)
  })

  it("keeps Apple's AAPL contexts (request and response) as unknown data, byte-exactly", () => {
    const [create] = decodeCaptured(AAPL_REQ)
    const q = (create!.body as CreateRequest).createContexts
    expect(q).toHaveLength(1)
    expect(q[0]).toMatchObject({ tag: 'AAPL', known: false, dataLength: 16 })
    // tshark: Command code Resolve ID (2), File Id 0x0000000002b1b46a
    expect((q[0] as { data: Buffer }).data.toString('hex')).toBe('02000000' + '00000000' + '6ab4b10200000000')
    const [resp] = decodeCaptured(AAPL_RESP)
    const r = (resp!.body as CreateResponse).createContexts
    expect(r.map((c) => [c.tag, c.known, c.dataLength])).toEqual([['AAPL', false, 72], ['MxAc', true, 8]])
    expect((r[0] as { data: Buffer }).data.includes(Buffer.from('MacBookPro16,1', 'utf16le'))).toBe(true)
  })
})
