import { describe, expect, it } from 'vitest'
import { DecodeError, EncodeError, assertRoundTrip, decodeWith, encodeWith, type Codec } from '../../wire/index.js'
import { ReparseTag } from '../constants/reparse-tag.js'
import * as io from './index.js'

const key = Buffer.from('6104000070000000 8a077d87c477d701 fffe000000000000'.replace(/ /g, ''), 'hex')

const samples: Array<[string, Codec<any, any>, unknown]> = [
  ['ValidateNegotiateInfoRequest', io.ValidateNegotiateInfoRequest, { capabilities: 0x7f, guid: '98f04f29-bf8c-8254-abba-de7ef764c3d3', securityMode: 1, dialects: [0x202, 0x210, 0x300, 0x302, 0x311] }],
  ['ValidateNegotiateInfoResponse', io.ValidateNegotiateInfoResponse, { capabilities: 0x66, guid: '98f04f29-bf8c-8254-abba-de7ef764c3d3', securityMode: 3, dialect: 0x302 }],
  ['NetworkResiliencyRequest', io.NetworkResiliencyRequest, { timeout: 120000 }],
  ['NetworkInterfaceInfoList', io.NetworkInterfaceInfoList, [
    { ifIndex: 4, capability: 1, linkSpeed: 1_000_000_000n, sockAddrStorage: { family: 2, port: 0, address: '192.168.199.133' } },
    { ifIndex: 4, capability: 3, linkSpeed: 1_000_000_000n, sockAddrStorage: { family: 23, port: 0, address: 'fe80::65b5:3a97:92d1:9199', flowInfo: 0, scopeId: 7 } },
    { ifIndex: 5, capability: 0, linkSpeed: 10n, sockAddrStorage: { family: 23, port: 0, address: '2001:db8::1' } },
  ]],
  ['SrvRequestResumeKeyResponse', io.SrvRequestResumeKeyResponse, { resumeKey: key, context: Buffer.alloc(0) }],
  ['SrvCopychunkCopy', io.SrvCopychunkCopy, { sourceKey: key, chunks: [{ sourceOffset: 0n, targetOffset: 0n, length: 1 << 20 }, { sourceOffset: 1n << 20n, targetOffset: 1n << 20n, length: 4096 }] }],
  ['SrvCopychunkResponse', io.SrvCopychunkResponse, { chunksWritten: 2, chunkBytesWritten: 0, totalBytesWritten: 1052672 }],
  ['SrvReadHashRequest', io.SrvReadHashRequest, { hashType: 1, hashVersion: 2, hashRetrievalType: 2, length: 65536, offset: 0n }],
  ['SrvSnapshotArray', io.SrvSnapshotArray, { snapShots: ['@GMT-2024.01.02-03.04.05', '@GMT-2023.12.31-23.59.59'] }],
  ['DfsReferralRequest', io.DfsReferralRequestCodec, { maxReferralLevel: 4, requestFileName: '\\ADC\\NETLOGON' }],
  ['DfsReferralRequestEx', io.DfsReferralRequestExCodec, { maxReferralLevel: 4, requestFileName: '\\dom\\dfs', siteName: 'Default-First-Site' }],
  ['DfsReferralResponse', io.DfsReferralResponseCodec, {
    pathConsumed: 28, referralHeaderFlags: 3, referralEntries: [
      { versionNumber: 4, serverType: 1, referralEntryFlags: 4, timeToLive: 300, dfsPath: '\\dom\\dfs', dfsAlternatePath: '\\dom\\dfs', networkAddress: '\\srv1\\dfs' },
      { versionNumber: 3, serverType: 0, referralEntryFlags: 2, timeToLive: 600, specialName: '\\DOM', expandedNames: ['\\dc1.dom', '\\dc2.dom'] },
      { versionNumber: 2, serverType: 0, referralEntryFlags: 0, proximity: 0, timeToLive: 300, dfsPath: '\\a', dfsAlternatePath: '\\a', networkAddress: '\\b\\c' },
      { versionNumber: 1, serverType: 1, referralEntryFlags: 0, shareName: '\\srv\\share' },
    ],
  }],
  ['ReparseDataBuffer symlink', io.ReparseDataBufferCodec, { reparseTag: ReparseTag.Symlink, names: { flags: 1, substituteName: '..\\target', printName: '..\\target' } }],
  ['ReparseDataBuffer mount point', io.ReparseDataBufferCodec, { reparseTag: ReparseTag.MountPoint, names: { substituteName: '\\??\\C:\\dir', printName: 'C:\\dir' } }],
  ['ReparseDataBuffer other', io.ReparseDataBufferCodec, { reparseTag: ReparseTag.Nfs, data: Buffer.from('4b4e4c00', 'hex') }],
  ['ReparseDataBuffer third party', io.ReparseDataBufferCodec, { reparseTag: 0x0000_0123, reparseGuid: '00299570-246d-11d0-a768-00aa006e0529', data: Buffer.from('01') }],
  ['FileSetSparseBuffer', io.FileSetSparseBuffer, { setSparse: 1 }],
  ['FileZeroDataInformation', io.FileZeroDataInformation, { fileOffset: 4096n, beyondFinalZero: 8192n }],
  ['FileAllocatedRangeBuffer', io.FileAllocatedRangeBuffer, { fileOffset: 0n, length: 1n << 40n }],
  ['FileAllocatedRanges', io.FileAllocatedRanges, [{ fileOffset: 0n, length: 65536n }, { fileOffset: 1048576n, length: 65536n }]],
  ['FileLevelTrim', io.FileLevelTrim, { key: 0, ranges: [{ offset: 0n, length: 4096n }] }],
  ['FileLevelTrimOutput', io.FileLevelTrimOutput, { numRangesProcessed: 1 }],
  ['DuplicateExtentsData', io.DuplicateExtentsData, { fileHandle: { persistent: 1n, volatile: 2n }, sourceFileOffset: 0n, targetFileOffset: 65536n, byteCount: 65536n }],
  ['DuplicateExtentsDataEx', io.DuplicateExtentsDataEx, { size: 0x30n, fileHandle: { persistent: 1n, volatile: 2n }, sourceFileOffset: 0n, targetFileOffset: 0n, byteCount: 4096n, flags: 1 }],
  ['FileRegionInput', io.FileRegionInput, { fileOffset: 0n, length: 1n << 30n, desiredUsage: 1 }],
  ['FileRegionOutput', io.FileRegionOutput, { flags: 0, totalRegionEntryCount: 1, regions: [{ fileOffset: 0n, length: 4096n, usage: 1 }] }],
  ['FileObjectIdBuffer', io.FileObjectIdBuffer, {
    objectId: 'ca82a458-c1dc-11ef-8f92-c8db83a0ee65', birthVolumeId: 'b77cf12a-0b43-4b33-ae7e-192d4ecb93cf',
    birthObjectId: 'ca82a458-c1dc-11ef-8f92-c8db83a0ee65', domainId: '00000000-0000-0000-0000-000000000000',
  }],
  ['FileObjectIdExtendedInfo', io.FileObjectIdExtendedInfo, { extendedInfo: Buffer.alloc(48, 2) }],
  ['PipeWaitRequest', io.PipeWaitRequest, { timeout: -9223372036854775808n, timeoutSpecified: 1, padding: 0, name: 'PSEXESVC-VICTIM-PC-2412-stdout' }],
  ['PipePeekReply', io.PipePeekReply, { namedPipeState: 3, readDataAvailable: 4, numberOfMessages: 1, messageLength: 4, data: Buffer.from('abcd') }],
  ['OffloadReadInput', io.OffloadReadInput, { size: 0x20, flags: 0, tokenTimeToLive: 0, fileOffset: 0n, copyLength: 1n << 20n }],
  ['OffloadReadOutput', io.OffloadReadOutput, { size: 0x210, flags: 0, transferLength: 1n << 20n, token: Buffer.alloc(512, 9) }],
  ['OffloadWriteInput', io.OffloadWriteInput, { size: 0x228, flags: 0, fileOffset: 0n, copyLength: 1n << 20n, transferOffset: 0n, token: Buffer.alloc(512, 9) }],
  ['OffloadWriteOutput', io.OffloadWriteOutput, { size: 0x10, flags: 0, lengthWritten: 1n << 20n }],
  ['GetIntegrityInformationBuffer', io.GetIntegrityInformationBuffer, { checksumAlgorithm: 2, flags: 0, checksumChunkSizeInBytes: 4096, clusterSizeInBytes: 4096 }],
  ['SetIntegrityInformationBuffer', io.SetIntegrityInformationBuffer, { checksumAlgorithm: 2, flags: 1 }],
  ['CompressionState', io.CompressionState, { compressionState: 2 }],
]

describe('IOCTL codecs round-trip (assertRoundTrip)', () => {
  it.each(samples)('%s', (_n, codec, value) => {
    assertRoundTrip(codec, value as never)
  })

  it('covers every codec the registry uses', () => {
    const used = new Set(samples.map(([, c]) => c))
    for (const e of io.IOCTL_CODECS.values()) for (const c of [e.request, e.response]) if (c) expect(used.has(c), e.name).toBe(true)
  })
})

describe('control codes', () => {
  it('names the codes MS-SMB2 2.2.31 lists and decomposes CTL_CODE', () => {
    expect(io.ctlCodeName(0x0014_40f2)).toBe('FSCTL_SRV_COPYCHUNK')
    expect(io.ctlCodeName(0x0014_80f2)).toBe('FSCTL_SRV_COPYCHUNK_WRITE')
    expect(io.ctlCodeName(0x0011_c017)).toBe('FSCTL_PIPE_TRANSCEIVE')
    expect(io.ctlCodeName(0x0014_0204)).toBe('FSCTL_VALIDATE_NEGOTIATE_INFO')
    expect(io.ctlCodeName(0x0006_0194)).toBe('FSCTL_DFS_GET_REFERRALS')
    expect(io.ctlCodeName(0x1234_5678)).toBe('0x12345678')
    expect(io.ctlCode(0x14, 0x3c, 2, 1)).toBe(io.CtlCode.FSCTL_SRV_COPYCHUNK)
    expect(io.ctlCodeParts(io.CtlCode.FSCTL_PIPE_TRANSCEIVE)).toEqual({
      deviceType: 0x11, device: 'FILE_DEVICE_NAMED_PIPE', access: 'FILE_READ_WRITE_ACCESS', function: 5, method: 'METHOD_NEITHER',
    })
    expect(io.ioctlFlagNames(1)).toEqual(['SMB2_0_IOCTL_IS_FSCTL'])
  })

  it('gives each code one name and each name one code', () => {
    const codes = Object.values(io.CtlCode)
    expect(new Set(codes).size).toBe(codes.length)
    for (const [name, code] of Object.entries(io.CtlCode)) expect(io.ctlCodeName(code)).toBe(name)
    // Aliases (older access forms) only add names for other codes.
    for (const [code, name] of io.CTL_CODE_ALIASES) {
      expect(Object.values(io.CtlCode)).not.toContain(code)
      expect(io.CtlCode[name as keyof typeof io.CtlCode]).toBeDefined()
    }
  })
})

describe('decodeIoctl / encodeIoctl', () => {
  it('decodes by control code and direction', () => {
    const buf = encodeWith(io.SrvCopychunkResponse, { chunksWritten: 16, chunkBytesWritten: 1 << 20, totalBytesWritten: 16 << 20 })
    const d = io.decodeIoctl(io.CtlCode.FSCTL_SRV_COPYCHUNK, buf, 'response')
    expect(d).toEqual({ name: 'FSCTL_SRV_COPYCHUNK', value: { chunksWritten: 16, chunkBytesWritten: 1 << 20, totalBytesWritten: 16 << 20 } })
    expect(io.encodeIoctl(io.CtlCode.FSCTL_SRV_COPYCHUNK, d.value, 'response')).toEqual(buf)
  })

  it('keeps transceive payloads, unknown codes and empty buffers raw', () => {
    const rpc = Buffer.from('05000b03100000004800', 'hex')
    expect(io.decodeIoctl(io.CtlCode.FSCTL_PIPE_TRANSCEIVE, rpc, 'request')).toEqual({ name: 'FSCTL_PIPE_TRANSCEIVE', raw: rpc })
    expect(io.decodeIoctl(0x0022_0000, rpc, 'request')).toEqual({ name: '0x00220000', raw: rpc })
    expect(io.decodeIoctl(io.CtlCode.FSCTL_QUERY_NETWORK_INTERFACE_INFO, Buffer.alloc(0), 'request').raw).toEqual(Buffer.alloc(0))
    expect(io.encodeIoctl(io.CtlCode.FSCTL_PIPE_TRANSCEIVE, rpc, 'request')).toBe(rpc)
    expect(() => io.encodeIoctl(io.CtlCode.FSCTL_PIPE_TRANSCEIVE, {}, 'request')).toThrow(EncodeError)
  })

  it('raises DecodeError with the control code at the head of the path', () => {
    const b = encodeWith(io.ValidateNegotiateInfoRequest, { capabilities: 0, guid: '98f04f29-bf8c-8254-abba-de7ef764c3d3', securityMode: 0, dialects: [0x202, 0x311] })
    try {
      io.decodeIoctl(io.CtlCode.FSCTL_VALIDATE_NEGOTIATE_INFO, b.subarray(0, b.length - 1), 'request')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError)
      expect((e as DecodeError).path.slice(0, 3)).toEqual(['FSCTL_VALIDATE_NEGOTIATE_INFO', 'dialects', '1'])
    }
  })
})

describe('body details', () => {
  it('SOCKADDR_STORAGE: family, big-endian port, address text (MS-SMB2 2.2.32.5.1)', () => {
    const b = encodeWith(io.SockAddrStorageCodec, { family: 2, port: 445, address: '10.0.0.1' })
    expect(b.length).toBe(128)
    expect(b.subarray(0, 8).toString('hex')).toBe('0200' + '01bd' + '0a000001')
    const v6 = encodeWith(io.SockAddrStorageCodec, { family: 23, port: 0, address: '::1', scopeId: 3 })
    expect(v6.subarray(0, 28).toString('hex')).toBe('1700' + '0000' + '00000000' + '00'.repeat(15) + '01' + '03000000')
    expect(decodeWith(io.SockAddrStorageCodec, v6).address).toBe('::1')
    expect(() => encodeWith(io.SockAddrStorageCodec, { family: 2, port: 0, address: '300.1.1.1' })).toThrow(/bad IPv4/)
    expect(() => encodeWith(io.SockAddrStorageCodec, { family: 23, port: 0, address: '1::2::3' })).toThrow(/bad IPv6/)
  })

  it('NETWORK_INTERFACE_INFO entries are 152 bytes linked by Next', () => {
    const b = encodeWith(io.NetworkInterfaceInfoList, [
      { ifIndex: 1, capability: 0, linkSpeed: 1n, sockAddrStorage: { family: 2, port: 0, address: '1.2.3.4' } },
      { ifIndex: 2, capability: 0, linkSpeed: 1n, sockAddrStorage: { family: 2, port: 0, address: '5.6.7.8' } },
    ])
    expect(b.length).toBe(304)
    expect(b.readUInt32LE(0)).toBe(152)
    expect(b.readUInt32LE(152)).toBe(0)
  })

  it('SRV_SNAPSHOT_ARRAY: multi-string, and counts only when the buffer was too small', () => {
    const b = encodeWith(io.SrvSnapshotArray, { snapShots: ['@GMT-2024.01.02-03.04.05'] })
    expect(b.readUInt32LE(8)).toBe((24 + 1 + 1) * 2)
    expect(b.subarray(12).toString('utf16le')).toBe('@GMT-2024.01.02-03.04.05\0\0')
    const small = encodeWith(io.SrvSnapshotArray, { numberOfSnapShots: 3, numberOfSnapShotsReturned: 0, snapShotArraySize: 154, snapShots: null })
    expect(small.length).toBe(12)
    expect(decodeWith(io.SrvSnapshotArray, small)).toEqual({ numberOfSnapShots: 3, numberOfSnapShotsReturned: 0, snapShotArraySize: 154, snapShots: null })
    const empty = encodeWith(io.SrvSnapshotArray, { snapShots: [] })
    expect(decodeWith(io.SrvSnapshotArray, empty).snapShots).toEqual([])
    const bad = Buffer.from(b)
    bad.writeUInt16LE(0x41, bad.length - 2)
    bad.writeUInt16LE(0x41, bad.length - 4)
    expect(() => decodeWith(io.SrvSnapshotArray, bad)).toThrow(/not NUL-terminated/)
  })

  it('REPARSE_DATA_BUFFER: symlink layout and bounds', () => {
    const b = encodeWith(io.ReparseDataBufferCodec, { reparseTag: ReparseTag.Symlink, names: { flags: 1, substituteName: 'ab', printName: 'c' } })
    // tag, ReparseDataLength = 12 + 4 + 2, reserved; offsets 0/4 (substitute first), lengths 4/2, flags 1; names.
    expect(b.toString('hex')).toBe('0c0000a0' + '1200' + '0000' + '0000' + '0400' + '0400' + '0200' + '01000000' + '61006200' + '6300')
    const d = decodeWith(io.ReparseDataBufferCodec, b)
    expect(d.names).toMatchObject({ substituteName: 'ab', printName: 'c', flags: 1 })
    const bad = Buffer.from(b)
    bad.writeUInt16LE(40, 12) // PrintNameOffset past the PathBuffer
    expect(() => decodeWith(io.ReparseDataBufferCodec, bad)).toThrow(/printName \[40, \+2\) runs past the PathBuffer/)
    const long = Buffer.from(b)
    long.writeUInt16LE(100, 4)
    expect(() => decodeWith(io.ReparseDataBufferCodec, long)).toThrow(/ReparseDataLength 100 runs past the buffer/)
    expect(decodeWith(io.ReparseDataBufferCodec, Buffer.from('0c0000a000000000', 'hex'))).toEqual({ reparseTag: 0xa000000c, reparseDataLength: 0, reserved: 0 })
  })

  it('FSCTL_SET_SPARSE without a buffer means TRUE (null here)', () => {
    expect(decodeWith(io.FileSetSparseBuffer, Buffer.alloc(0))).toEqual({ setSparse: null })
    expect(encodeWith(io.FileSetSparseBuffer, { setSparse: null }).length).toBe(0)
  })

  it('DFS referral: strings shared by entries and offsets pointing outside fail', () => {
    const b = encodeWith(io.DfsReferralResponseCodec, {
      pathConsumed: 0, referralHeaderFlags: 0,
      referralEntries: [{ versionNumber: 3, serverType: 0, referralEntryFlags: 2, timeToLive: 600, specialName: '\\TEST', expandedNames: [] }],
    })
    expect(b.readUInt16LE(8 + 2)).toBe(18)
    const d = decodeWith(io.DfsReferralResponseCodec, b)
    expect(d.referralEntries[0]).toMatchObject({ specialName: '\\TEST', specialNameOffset: 18, expandedNames: [] })
    const bad = Buffer.from(b)
    bad.writeUInt16LE(200, 8 + 12)
    expect(() => decodeWith(io.DfsReferralResponseCodec, bad)).toThrow(/specialName 200 points outside the response/)
    const badSize = Buffer.from(b)
    badSize.writeUInt16LE(4, 8 + 2)
    expect(() => decodeWith(io.DfsReferralResponseCodec, badSize)).toThrow(/referral Size 4 is outside/)
  })

  it('copychunk request counts its chunks (MS-SMB2 2.2.31.1)', () => {
    const b = encodeWith(io.SrvCopychunkCopy, { sourceKey: key, chunks: [{ sourceOffset: 0n, targetOffset: 0n, length: 10 }] })
    expect(b.length).toBe(24 + 4 + 4 + 24)
    expect(b.readUInt32LE(24)).toBe(1)
    const bad = Buffer.from(b)
    bad.writeUInt32LE(2, 24)
    expect(() => decodeWith(io.SrvCopychunkCopy, bad)).toThrow(DecodeError)
  })
})

describe('agreement with Wireshark (tshark 4.0 smb2.ioctl.function value strings)', () => {
  it('names every control code Wireshark names for SMB2, the same way', async () => {
    const { readFileSync } = await import('node:fs')
    const ws = JSON.parse(readFileSync(new URL('./fixtures/wireshark-ctl-codes.json', import.meta.url), 'utf8')) as { ctlCodes: Array<[number, string]> }
    const differ: string[] = []
    for (const [code, name] of ws.ctlCodes) if (io.ctlCodeName(code) !== name) differ.push(`0x${code.toString(16)} ${name} → ${io.ctlCodeName(code)}`)
    expect(differ).toEqual([])
    expect(ws.ctlCodes.length).toBe(89)
  })
})
