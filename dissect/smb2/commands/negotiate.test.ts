import { describe, expect, it } from 'vitest'
import { assertRoundTrip, DecodeError } from '../../wire/index.js'
import { decodeCaptured, decodeOne, hex } from '../test-helpers/fixtures.js'
import { clientStartTime, NegotiateRequest, NegotiateResponse } from './negotiate.js'
import { decodeChain } from '../message.js'

// samr-enum-lab_smb311-windows-krb5-signed.pcapng frame 6: Windows 3.1.1 request with six contexts.
const WIN_REQ = `fe534d4240000000000000000000000000000000000000000100000000000000fffe00000000000000000000000000000000000000000000000000000000000024000500010000007f0000
007f85a24d17b0ef118ed600155d58761d70000000060000000202100200030203110300000100260000000000010020000100df225ceda7cd5a5c7a958571dfd27ae85a94c55751765cc1
bcfda436714d6c02000002000a0000000000040002000100040003000000000000000300100000000000040000000100000004000200030001000800080000000000030002000100000005
0026000000000079006400630031002e0064006f006d00610069006e002d0079002e006c006f00630061006c00000007000c0000000000020000000000000001000200`
// frame 7: its response, a 120-byte security buffer then five contexts from 0xf8.
const WIN_RESP = `fe534d4240000000000000000000010001000000000000000100000000000000fffe00000000000000000000000000000000000000000000000000000000000041000300110305005206a8
f27cfd654cbba1da5bb331a0d52f000000000080000000800000008000476086d3b649db01000000000000000080007800f8000000607606062b0601050502a06c306aa03c303a060a2b06
010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f69
6e5f5246433431373840706c656173655f69676e6f72650100260000000000010020000100d1e432bb651dae819f8acd3abd6dd4ca3365ee930c3c55c5b439f61a833efccb000002000400
0000000001000200000000000800040000000000010002000000000007000c00000000000200000000000000010002000000000003000c0000000000020000000100000002000400`
// wiki_smb300-encrypted-aes-128-ccm.pcap frame 1: 3.0 only, so the last 8 fixed bytes are ClientStartTime (0).
const REQ_300 = `fe534d4240000000000000000000020000000000000000000000000000000000d5000000000000000000000000000000000000000000000000000000000000002400010001000000570000
00b2fceea195244165893fbf5b2c69acd400000000000000000003`
// zeek_smb311-negotiate-contexts.pcap frame 10: the 0x02ff wildcard answer to an SMB1 negotiate (no contexts).
const RESP_WILDCARD = `fe534d4240000000000000000000010001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000041000100ff0200006e6577
73746f72616765000000000000050000000000800000008000000080004a3c74420159d501000000000000000080004a0000000000604806062b0601050502a03e303ca00e300c060a2b06
010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265`
// wiki_smb2-prerelease-vista-getinfo-setinfo.cap frame 5: pre-release dialect 0x0006.
const RESP_PRERELEASE = `fe534d424000000000000000000001000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004100000006000000bdadb6
af2730664c9ecd6c034b35294b0d000000000001000000010000000100c85e87b63cecc5012c7448e778eac5018000400000000000603e06062b0601050502a0343032a030302e06092a86
4882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020a`

describe('NEGOTIATE', () => {
  it('decodes a Windows 3.1.1 request as tshark shows it', () => {
    const { body } = decodeOne<NegotiateRequest>(WIN_REQ, 'NegotiateRequest')
    expect(body.dialectCount).toBe(5)
    expect(body.dialects).toEqual([0x0202, 0x0210, 0x0300, 0x0302, 0x0311])
    expect(body.securityMode).toBe(0x01)
    expect(body.capabilities).toBe(0x7f)
    expect(body.clientGuid).toBe('4da2857f-b017-11ef-8ed6-00155d58761d')
    expect(body.negotiateContextOffset).toBe(0x70)
    expect(body.negotiateContextCount).toBe(6)
    expect(body.negotiateContextList.map((c) => [c.contextType, c.dataLength, c.known])).toEqual([
      [0x0001, 38, true], [0x0002, 10, true], [0x0003, 16, true], [0x0008, 8, true], [0x0005, 38, true], [0x0007, 12, true],
    ])
    const values = body.negotiateContextList.map((c) => (c.known ? c.value : undefined)) as any[]
    expect(values[0].hashAlgorithms).toEqual([1])
    expect(values[0].salt.toString('hex')).toBe('df225ceda7cd5a5c7a958571dfd27ae85a94c55751765cc1bcfda436714d6c02')
    expect(values[1].ciphers).toEqual([2, 1, 4, 3])
    expect(values[2]).toMatchObject({ compressionAlgorithmCount: 4, flags: 1, compressionAlgorithms: [4, 2, 3, 1] }) // Flags: Chained
    expect(values[3].signingAlgorithms).toEqual([2, 1, 0])
    expect(values[4].netName).toBe('ydc1.domain-y.local')
    expect(values[5]).toMatchObject({ transformCount: 2, rdmaTransformIds: [1, 2] })
  })

  it('decodes the matching response: dialect, sizes, security buffer and contexts after it', () => {
    const { body } = decodeOne<NegotiateResponse>(WIN_RESP, 'NegotiateResponse')
    expect(body.securityMode).toBe(3)
    expect(body.dialectRevision).toBe(0x0311)
    expect(body.negotiateContextCount).toBe(5)
    expect(body.serverGuid).toBe('f2a80652-fd7c-4c65-bba1-da5bb331a0d5')
    expect(body.capabilities).toBe(0x2f)
    expect([body.maxTransactSize, body.maxReadSize, body.maxWriteSize]).toEqual([8388608, 8388608, 8388608])
    expect(body.serverStartTime).toBe(0n)
    expect([body.securityBufferOffset, body.securityBufferLength]).toEqual([0x80, 120])
    expect(body.securityBuffer.subarray(0, 4).toString('hex')).toBe('60760606')
    expect(body.negotiateContextOffset).toBe(0xf8)
    expect(body.negotiateContextList.map((c) => c.name)).toEqual([
      'SMB2_PREAUTH_INTEGRITY_CAPABILITIES', 'SMB2_ENCRYPTION_CAPABILITIES', 'SMB2_SIGNING_CAPABILITIES',
      'SMB2_RDMA_TRANSFORM_CAPABILITIES', 'SMB2_COMPRESSION_CAPABILITIES',
    ])
    const sign = body.negotiateContextList[2]!
    expect(sign.known && sign.value).toEqual({ signingAlgorithmCount: 1, signingAlgorithms: [2] })
  })

  it('reads ClientStartTime fields but no context list when 0x0311 is not offered', () => {
    const { body } = decodeOne<NegotiateRequest>(REQ_300, 'NegotiateRequest')
    expect(body.dialects).toEqual([0x0300])
    expect(body.negotiateContextList).toEqual([])
    expect(clientStartTime(body)).toBe(0n)
    // Non-zero ClientStartTime bytes are kept as the three fields and re-encoded exactly.
    const buf = hex(REQ_300)
    buf.writeBigUInt64LE(0x01d5_0159_4274_3c4an, 64 + 28)
    const m = decodeChain(buf).messages[0]!
    expect(m.error).toBeUndefined()
    expect(clientStartTime(m.body as NegotiateRequest)).toBe(0x01d5_0159_4274_3c4an)
  })

  it('decodes the 0x02ff wildcard response (no contexts)', () => {
    const { body } = decodeOne<NegotiateResponse>(RESP_WILDCARD, 'NegotiateResponse')
    expect(body.dialectRevision).toBe(0x02ff)
    expect(body.serverGuid).toBe('7377656e-6f74-6172-6765-000000000000')
    expect(body.securityBufferLength).toBe(74)
    expect(body.negotiateContextList).toEqual([])
  })

  it('decodes the pre-release (0x0006) response', () => {
    const { body } = decodeOne<NegotiateResponse>(RESP_PRERELEASE, 'NegotiateResponse')
    expect(body.dialectRevision).toBe(0x0006)
    expect(body.capabilities).toBe(0x0d)
    expect(body.maxReadSize).toBe(65536)
    expect(body.securityBufferLength).toBe(64)
  })

  it('round-trips requests and responses built by hand (canonical layout)', () => {
    const { bytes, decoded } = assertRoundTrip(NegotiateRequest, {
      dialectCount: undefined,
      securityMode: 1,
      capabilities: 0x7f,
      clientGuid: '4da2857f-b017-11ef-8ed6-00155d58761d',
      dialects: [0x0202, 0x0311],
      negotiateContextList: [
        { contextType: 1, known: true, value: { hashAlgorithms: [1], salt: Buffer.alloc(32, 7) } },
        { contextType: 2, known: true, value: { ciphers: [4, 2] } },
        { contextType: 0x7777, known: false, data: Buffer.from('abc') },
      ],
    }, { pduStart: 0 })
    expect(decoded.negotiateContextOffset).toBe(40) // 36 + 2*2 dialects = 40, already 8-aligned
    expect(decoded.negotiateContextCount).toBe(3)
    expect(decoded.negotiateContextList[2]).toMatchObject({ known: false, name: 'UNKNOWN_0x7777', dataLength: 3 })
    expect(bytes.length).toBe(40 + 8 + 38 + 2 + 8 + 6 + 2 + 8 + 3)
    assertRoundTrip(NegotiateResponse, {
      securityMode: 1,
      dialectRevision: 0x0311,
      serverGuid: '00000000-0000-0000-0000-000000000001',
      capabilities: 0,
      maxTransactSize: 1 << 20,
      maxReadSize: 1 << 20,
      maxWriteSize: 1 << 20,
      systemTime: 133_000_000_000_000_000n,
      serverStartTime: 0n,
      securityBuffer: Buffer.from('601c', 'hex'),
      negotiateContextList: [{ contextType: 8, known: true, value: { signingAlgorithms: [1] } }],
    })
    assertRoundTrip(NegotiateResponse, {
      securityMode: 1, dialectRevision: 0x0210, serverGuid: '00000000-0000-0000-0000-000000000001', capabilities: 0,
      maxTransactSize: 65536, maxReadSize: 65536, maxWriteSize: 65536, systemTime: 0n, serverStartTime: 0n,
      negotiateContextCount: 0, negotiateContextOffset: 0, securityBuffer: Buffer.alloc(0),
    })
  })

  it('rejects a bad StructureSize and a context list past the end with DecodeErrors', () => {
    const bad = hex(WIN_REQ)
    bad.writeUInt16LE(35, 64)
    const m = decodeChain(bad).messages[0]!
    expect(m.error).toBeInstanceOf(DecodeError)
    expect(m.error!.message).toBe('body.structureSize @0x40: structureSize must be 36, got 35')
    const cut = hex(WIN_REQ).subarray(0, 200)
    const c = decodeChain(cut).messages[0]!
    expect(c.error!.message).toBe('body.negotiateContextList.2.data @0xc0: need 16 bytes, 8 left')
    const far = hex(WIN_RESP)
    far.writeUInt32LE(0x1000, 64 + 60)
    expect(decodeChain(far).messages[0]!.error!.message).toBe('body.negotiateContextOffset @0x40: negotiateContextOffset 4096 points outside the message')
  })

  it('keeps all captured payloads of the fixtures byte-exact (compound-free)', () => {
    for (const f of [WIN_REQ, WIN_RESP, REQ_300, RESP_WILDCARD, RESP_PRERELEASE]) expect(decodeCaptured(f)).toHaveLength(1)
  })
})
