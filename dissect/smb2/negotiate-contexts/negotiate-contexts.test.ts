import { describe, expect, it } from 'vitest'
import { assertRoundTrip, decodeWith, encodeWith, struct, countOf, u16, u32, offsetOf, type Infer } from '../../wire/index.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import type { NegotiateRequest } from '../commands/negotiate.js'
import { CompressionCapabilities } from './compression.js'
import { EncryptionCapabilities, cipherName } from './encryption.js'
import { NetnameNegotiateContext } from './netname.js'
import { PosixExtensionsNegotiateContext, POSIX_EXTENSIONS_ID } from './posix.js'
import { PreauthIntegrityCapabilities, hashAlgorithmName } from './preauth-integrity.js'
import { RdmaTransformCapabilities, rdmaTransformName } from './rdma-transform.js'
import { NegotiateContextList, negotiateContextTypeName } from './registry.js'
import { SigningCapabilities, signingAlgorithmName } from './signing.js'
import { TransportCapabilities } from './transport.js'
import { compressionAlgorithmName } from './compression.js'

// zeek_smb311-multichannel_dh2q-lease-break.pcap frame 4: Windows request with TRANSPORT_CAPABILITIES (0x0006).
const WITH_TRANSPORT = `fe534d4240000100000000000000210010000000000000000000000000000000fffe00000000000000000000000000000000000000000000000000000000000024000500010000007f0000
003896c99e8322eb11b7bb005056992e1470000000050000000202100200030203110300000100260000000000010020000100d0dffac55b48d275c822286107fcbfb6c0bd37549c9a205c
5860f9e198c38cde00000200060000000000020002000100000003001000000000000400000001000000040002000300010005001800000000003100370032002e00310037002e0030002e
00310038003900060004000000000000000000`
// zeek_smb311-samba-100-small-files_dhnq-lease-posix.pcap frame 4: smbclient request with the POSIX context (16 bytes).
const WITH_POSIX16 = `fe534d42400000000000000000000a00000000000000000000000000000000001cd90000000000000000000000000000000000000000000000000000000000002400040001000000770000
00b423078eed3645958753d69a421b37a5700000000400000010020003020311030000000001002600000000000100200001005fff570fd77142469982419ce47753c74a302f4fe180165e
9364787de03554c300000200060000000000020002000100000005001200000000003100320037002e0030002e0030002e003100000000000000000110000000000093ad25509cb411e7b4
2383de968bcd7c`
// wiki_smb311-encrypted-aes-128-ccm-filt.pcap frame 1: an older POSIX context of 8 zero bytes.
const WITH_POSIX8 = `fe534d42400000000000000000000200000000000000000000000000000000000b010000000000000000000000000000000000000000000000000000000000002400010001000000770000
00b466f294dc014341828b4cefaf39f64b6800000003000000110300000100260000000000010020000100b9247cbf6ee50ba6d8c1a2af2de2af73bab483ed7003e3202514ccd13dd727e4
00000200040000000000010001000000000000010800000000000000000000000000`

describe('negotiate contexts', () => {
  it('round-trips each context data codec', () => {
    assertRoundTrip(PreauthIntegrityCapabilities, { hashAlgorithms: [1], salt: Buffer.alloc(32, 0xab) })
    assertRoundTrip(EncryptionCapabilities, { ciphers: [1, 2, 3, 4] })
    assertRoundTrip(CompressionCapabilities, { flags: 1, compressionAlgorithms: [1, 2, 3, 4] })
    assertRoundTrip(NetnameNegotiateContext, { netName: 'fileserver.example' })
    assertRoundTrip(TransportCapabilities, { flags: 1 })
    assertRoundTrip(RdmaTransformCapabilities, { rdmaTransformIds: [1, 2] })
    assertRoundTrip(SigningCapabilities, { signingAlgorithms: [2, 1, 0] })
    assertRoundTrip(PosixExtensionsNegotiateContext, { reserved: POSIX_EXTENSIONS_ID })
  })

  it('names types and algorithm ids', () => {
    expect([1, 2, 3, 5, 6, 7, 8, 0x100, 9].map(negotiateContextTypeName)).toEqual([
      'SMB2_PREAUTH_INTEGRITY_CAPABILITIES', 'SMB2_ENCRYPTION_CAPABILITIES', 'SMB2_COMPRESSION_CAPABILITIES',
      'SMB2_NETNAME_NEGOTIATE_CONTEXT_ID', 'SMB2_TRANSPORT_CAPABILITIES', 'SMB2_RDMA_TRANSFORM_CAPABILITIES',
      'SMB2_SIGNING_CAPABILITIES', 'SMB2_POSIX_EXTENSIONS_AVAILABLE', 'UNKNOWN_0x0009',
    ])
    expect([1, 2, 3, 4, 9].map(cipherName)).toEqual(['AES-128-CCM', 'AES-128-GCM', 'AES-256-CCM', 'AES-256-GCM', '0x0009'])
    expect([0, 1, 2].map(signingAlgorithmName)).toEqual(['HMAC-SHA256', 'AES-CMAC', 'AES-GMAC'])
    expect([0, 1, 2, 3, 4].map(compressionAlgorithmName)).toEqual(['NONE', 'LZNT1', 'LZ77', 'LZ77+Huffman', 'Pattern_V1'])
    expect(hashAlgorithmName(1)).toBe('SHA-512')
    expect(rdmaTransformName(2)).toBe('SMB2_RDMA_TRANSFORM_SIGNING')
  })

  it('decodes TRANSPORT_CAPABILITIES and NETNAME from a Windows request (tshark: Flags 0, Netname 172.17.0.189)', () => {
    const { body } = decodeOne<NegotiateRequest>(WITH_TRANSPORT, 'NegotiateRequest')
    const list = body.negotiateContextList
    expect(list.map((c) => c.contextType)).toEqual([1, 2, 3, 5, 6])
    expect(list[3]).toMatchObject({ dataLength: 24, known: true, value: { netName: '172.17.0.189' } })
    expect(list[4]).toMatchObject({ dataLength: 4, known: true, value: { flags: 0 } })
    expect(list[1]).toMatchObject({ dataLength: 6, value: { cipherCount: 2, ciphers: [2, 1] } })
  })

  it('decodes the POSIX extensions context in both captured forms', () => {
    const a = decodeOne<NegotiateRequest>(WITH_POSIX16, 'NegotiateRequest').body.negotiateContextList
    expect(a.map((c) => c.contextType)).toEqual([1, 2, 5, 0x100])
    expect(a[2]).toMatchObject({ value: { netName: '127.0.0.1' } })
    expect(a[3]).toMatchObject({ name: 'SMB2_POSIX_EXTENSIONS_AVAILABLE', dataLength: 16, known: true })
    expect((a[3] as { value: { reserved: Buffer } }).value.reserved.equals(POSIX_EXTENSIONS_ID)).toBe(true)
    const b = decodeOne<NegotiateRequest>(WITH_POSIX8, 'NegotiateRequest').body.negotiateContextList
    expect(b[2]).toMatchObject({ contextType: 0x100, dataLength: 8, known: true })
    expect((b[2] as { value: { reserved: Buffer } }).value.reserved.toString('hex')).toBe('0000000000000000')
  })

  // A stand-alone holder: offset (header-relative) + count, like the NEGOTIATE request's fields.
  const Holder = struct('Holder', { offset: offsetOf('list', u32), count: countOf('list', u16) }, { list: NegotiateContextList })
  type Holder = Infer<typeof Holder>

  it('aligns every context after the first to 8 bytes from the header, and round-trips unknown types raw', () => {
    const { bytes, decoded } = assertRoundTrip(Holder, {
      list: [
        { contextType: 5, known: true, value: { netName: 'a' } }, // 8 + 2 bytes, then 6 padding
        { contextType: 0x0042, known: false, data: Buffer.from('0102030405', 'hex') },
        { contextType: 8, known: true, value: { signingAlgorithms: [1] } },
      ],
    })
    expect(decoded.offset).toBe(8)
    expect(bytes.subarray(8).toString('hex')).toBe(
      '0500020000000000' + '6100' + '000000000000' + '4200050000000000' + '0102030405' + '000000' + '0800040000000000' + '01000100',
    )
    expect(decoded.list[1]).toEqual({ contextType: 0x42, name: 'UNKNOWN_0x0042', dataLength: 5, reserved: 0, known: false, data: Buffer.from('0102030405', 'hex') })
  })

  it('skips any padding bytes on decode (faithful) and writes zeros on encode (canonical)', () => {
    const b = hex('0800' + '0000' + '0200' + '0000' + '0500020000000000' + '6100' + 'eeeeeeeeeeee' + '0800040000000000' + '01000100')
    const v = decodeWith(Holder, b) as Holder
    expect(v.list.map((c) => c.contextType)).toEqual([5, 8])
    expect(encodeWith(Holder, v).toString('hex')).toBe(b.toString('hex').replace('eeeeeeeeeeee', '000000000000'))
  })

  it('keeps a known type whose data does not decode as raw bytes with the reason', () => {
    // ENCRYPTION_CAPABILITIES announcing 3 ciphers in 4 bytes of data.
    const b = hex('0800' + '0000' + '0100' + '0000' + '0200040000000000' + '03000100')
    const v = decodeWith(Holder, b) as Holder
    expect(v.list[0]).toMatchObject({ contextType: 2, known: false, data: hex('03000100') })
    expect((v.list[0] as { error: string }).error).toBe('list.0.value.ciphers.1 @0x14: need 2 bytes, 0 left')
    expect(encodeWith(Holder, v).equals(b)).toBe(true)
    // Data longer than the structure needs is kept raw too, so nothing is lost.
    const c = hex('0800' + '0000' + '0100' + '0000' + '0600060000000000' + '010000000000')
    const w = decodeWith(Holder, c) as Holder
    expect(w.list[0]).toMatchObject({ known: false, error: '2 bytes left after SMB2_TRANSPORT_CAPABILITIES' })
    expect(encodeWith(Holder, w).equals(c)).toBe(true)
  })
})
