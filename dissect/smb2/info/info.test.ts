import { describe, expect, it } from 'vitest'
import { DecodeError, EncodeError, assertRoundTrip, decodeWith, encodeWith, type Codec } from '../../wire/index.js'
import { FileInformationClass as F, FsInformationClass as Fs, InfoType } from '../constants/info-class.js'
import { makeSecurityDescriptor } from '../security/index.js'
import * as info from './index.js'

const t = 132_706_381_060_805_574n
const times = { creationTime: t, lastAccessTime: t + 1n, lastWriteTime: t + 2n, changeTime: t + 3n }

/** One representative value per codec; every codec in the module must appear (checked below). */
const samples: Array<[string, Codec<any, any>, unknown]> = [
  ['FileBasicInformation', info.FileBasicInformation, { ...times, fileAttributes: 0x20 }],
  ['FileStandardInformation', info.FileStandardInformation, { allocationSize: 4096n, endOfFile: 10n, numberOfLinks: 1, deletePending: 0, directory: 0 }],
  ['FileInternalInformation', info.FileInternalInformation, { indexNumber: 0x000c_0000_0000_1234n }],
  ['FileEaInformation', info.FileEaInformation, { eaSize: 41 }],
  ['FileAccessInformation', info.FileAccessInformation, { accessFlags: 0x001f_01ff }],
  ['FilePositionInformation', info.FilePositionInformation, { currentByteOffset: 123456n }],
  ['FileModeInformation', info.FileModeInformation, { mode: 2 }],
  ['FileAlignmentInformation', info.FileAlignmentInformation, { alignmentRequirement: 0 }],
  ['FileNameInformation', info.FileNameInformation, { fileName: '\\dir\\file.txt' }],
  ['FileAllInformation', info.FileAllInformation, {
    basicInformation: { ...times, fileAttributes: 0x80 },
    standardInformation: { allocationSize: 8n, endOfFile: 7n, numberOfLinks: 1, deletePending: 0, directory: 0 },
    internalInformation: { indexNumber: 1n }, eaInformation: { eaSize: 0 }, accessInformation: { accessFlags: 0x12019f },
    positionInformation: { currentByteOffset: 0n }, modeInformation: { mode: 0 }, alignmentInformation: { alignmentRequirement: 0 },
    nameInformation: { fileName: '\\a.txt' },
  }],
  ['FileRenameInformation', info.FileRenameInformation, { replaceIfExists: 1, rootDirectory: 0n, fileName: 'dir\\new name.txt' }],
  ['FileRenameInformationEx', info.FileRenameInformationEx, { flags: 3, rootDirectory: 0n, fileName: 'x' }],
  ['FileLinkInformation', info.FileLinkInformation, { replaceIfExists: 0, rootDirectory: 0n, fileName: 'link' }],
  ['FileLinkInformationEx', info.FileLinkInformationEx, { flags: 1, rootDirectory: 0n, fileName: 'link' }],
  ['FileDispositionInformation', info.FileDispositionInformation, { deletePending: 1 }],
  ['FileDispositionInformationEx', info.FileDispositionInformationEx, { flags: 0x13 }],
  ['FileAllocationInformation', info.FileAllocationInformation, { allocationSize: 4096n }],
  ['FileEndOfFileInformation', info.FileEndOfFileInformation, { endOfFile: 1508939n }],
  ['FileValidDataLengthInformation', info.FileValidDataLengthInformation, { validDataLength: 10n }],
  ['FileStreamInformation', info.FileStreamInformation, [
    { streamSize: 6148n, streamAllocationSize: 8192n, streamName: '::$DATA' },
    { streamSize: 60n, streamAllocationSize: 64n, streamName: ':AFP_AfpInfo:$DATA' },
  ]],
  ['FilePipeInformation', info.FilePipeInformation, { readMode: 1, completionMode: 0 }],
  ['FilePipeLocalInformation', info.FilePipeLocalInformation, {
    namedPipeType: 1, namedPipeConfiguration: 2, maximumInstances: 0xffffffff, currentInstances: 3, inboundQuota: 4096,
    readDataAvailable: 0, outboundQuota: 4096, writeQuotaAvailable: 4096, namedPipeState: 3, namedPipeEnd: 0,
  }],
  ['FilePipeRemoteInformation', info.FilePipeRemoteInformation, { collectDataTime: 0n, maximumCollectionCount: 0 }],
  ['FileCompressionInformation', info.FileCompressionInformation, { compressedFileSize: 7n, compressionFormat: 2, compressionUnitShift: 16, chunkShift: 12, clusterShift: 12 }],
  ['FileNetworkOpenInformation', info.FileNetworkOpenInformation, { ...times, allocationSize: 1187840n, endOfFile: 1186382n, fileAttributes: 0x20 }],
  ['FileAttributeTagInformation', info.FileAttributeTagInformation, { fileAttributes: 0x410, reparseTag: 0xa000000c }],
  ['FileIdInformation', info.FileIdInformation, { volumeSerialNumber: 0x1234n, fileId: Buffer.alloc(16, 7) }],
  ['FileObjectIdInformation', info.FileObjectIdInformation, {
    fileReference: 5n, objectId: 'ca82a458-c1dc-11ef-8f92-c8db83a0ee65', birthVolumeId: 'b77cf12a-0b43-4b33-ae7e-192d4ecb93cf',
    birthObjectId: 'ca82a458-c1dc-11ef-8f92-c8db83a0ee65', domainId: '00000000-0000-0000-0000-000000000000',
  }],
  ['FileReparsePointInformation', info.FileReparsePointInformation, { fileReferenceNumber: 9n, tag: 0xa0000003 }],
  ['FileStandardLinkInformation', info.FileStandardLinkInformation, { numberOfAccessibleLinks: 1, totalNumberOfLinks: 2, deletePending: 0, directory: 1 }],
  ['FileCaseSensitiveInformation', info.FileCaseSensitiveInformation, { flags: 1 }],
  ['FileStatInformation', info.FileStatInformation, { fileId: 3n, ...times, allocationSize: 0n, endOfFile: 0n, fileAttributes: 0x10, reparseTag: 0, numberOfLinks: 1, effectiveAccess: 0x1f01ff }],
  ['FilePosixInformation', info.FilePosixInformation, {
    ...times, endOfFile: 5n, allocationSize: 8n, fileAttributes: 0x80, inode: 1234n, deviceId: 2049, hardLinks: 1, reparseTag: 0,
    mode: 0o644, owner: 'S-1-22-1-1000', group: 'S-1-22-2-1000',
  }],
  ['FileFullEaInformation', info.FileFullEaInformation, [
    { flags: 0, eaName: 'EAONE', eaValue: Buffer.from('value1') },
    { flags: 0x80, eaName: 'SECONDEA', eaValue: Buffer.from('12345678') },
  ]],
  ['FileGetEaInformation', info.FileGetEaInformation, [{ eaName: 'EAONE' }, { eaName: 'user.DOSATTRIB' }]],
  ['FileQuotaInformation', info.FileQuotaInformation, [
    { changeTime: t, quotaUsed: 1024n, quotaThreshold: -1n, quotaLimit: -1n, sid: 'S-1-5-21-1-2-3-1000' },
    { changeTime: t, quotaUsed: 0n, quotaThreshold: 100n, quotaLimit: 200n, sid: 'S-1-5-32-544' },
  ]],
  ['FileGetQuotaInformation', info.FileGetQuotaInformation, [{ sid: 'S-1-5-21-1-2-3-1000' }, { sid: 'S-1-1-0' }]],
  ['QueryQuotaInfo', info.QueryQuotaInfo, { returnSingle: 0, restartScan: 1, sidList: [{ sid: 'S-1-5-32-544' }], startSid: null }],
  ['FileFsVolumeInformation', info.FileFsVolumeInformation, { volumeCreationTime: t, volumeSerialNumber: 0xc4c5c6c7, supportsObjects: 1, volumeLabel: 'CDRIVE' }],
  ['FileFsLabelInformation', info.FileFsLabelInformation, { volumeLabel: 'DATA' }],
  ['FileFsSizeInformation', info.FileFsSizeInformation, { totalAllocationUnits: 58451967n, availableAllocationUnits: 37669902n, sectorsPerAllocationUnit: 8, bytesPerSector: 512 }],
  ['FileFsDeviceInformation', info.FileFsDeviceInformation, { deviceType: 7, characteristics: 0x20 }],
  ['FileFsAttributeInformation', info.FileFsAttributeInformation, { fileSystemAttributes: 0xc706ff, maximumComponentNameLength: 255, fileSystemName: 'NTFS' }],
  ['FileFsControlInformation', info.FileFsControlInformation, {
    freeSpaceStartFiltering: 0n, freeSpaceThreshold: 0n, freeSpaceStopFiltering: 0n, defaultQuotaThreshold: 0xffff_ffff_ffff_ffffn,
    defaultQuotaLimit: 0xffff_ffff_ffff_ffffn, fileSystemControlFlags: 0,
  }],
  ['FileFsFullSizeInformation', info.FileFsFullSizeInformation, { totalAllocationUnits: 2620415n, callerAvailableAllocationUnits: 883121n, actualAvailableAllocationUnits: 883121n, sectorsPerAllocationUnit: 8, bytesPerSector: 512 }],
  ['FileFsObjectIdInformation', info.FileFsObjectIdInformation, { objectId: 'b77cf12a-0b43-4b33-ae7e-192d4ecb93cf', extendedInfo: Buffer.alloc(48, 1) }],
  ['FileFsSectorSizeInformation', info.FileFsSectorSizeInformation, {
    logicalBytesPerSector: 512, physicalBytesPerSectorForAtomicity: 4096, physicalBytesPerSectorForPerformance: 4096,
    fileSystemEffectivePhysicalBytesPerSectorForAtomicity: 4096, flags: 3, byteOffsetForSectorAlignment: 0, byteOffsetForPartitionAlignment: 0,
  }],
  ['FileNotifyInformation', info.FileNotifyInformation, [{ action: 4, fileName: 'old.txt' }, { action: 5, fileName: 'new name.txt' }]],
]

const dirEntry = { fileIndex: 0, ...times, endOfFile: 6148n, allocationSize: 8192n, fileAttributes: 0x22, fileName: '.DS_Store' }
const dirSamples: Array<[number, unknown[]]> = [
  [F.FileDirectoryInformation, [dirEntry, { ...dirEntry, fileName: 'b' }]],
  [F.FileFullDirectoryInformation, [{ ...dirEntry, eaSize: 0 }]],
  [F.FileBothDirectoryInformation, [{ ...dirEntry, eaSize: 0, shortName: 'DS_STO~1' }]],
  [F.FileNamesInformation, [{ fileIndex: 0, fileName: '.' }, { fileIndex: 0, fileName: '..' }, { fileIndex: 0, fileName: 'x.txt' }]],
  [F.FileIdBothDirectoryInformation, [{ ...dirEntry, eaSize: 0, shortName: '', fileId: 2915131839n }]],
  [F.FileIdFullDirectoryInformation, [{ ...dirEntry, eaSize: 0, fileId: 7n }, { ...dirEntry, eaSize: 0, fileId: 8n, fileName: 'second' }]],
  [F.FileIdExtdDirectoryInformation, [{ ...dirEntry, eaSize: 0, reparsePointTag: 0, fileId: Buffer.alloc(16, 3) }]],
  [F.FileIdExtdBothDirectoryInformation, [{ ...dirEntry, eaSize: 0, reparsePointTag: 0, fileId: Buffer.alloc(16, 3), shortName: 'A~1' }]],
  [F.FilePosixInformation, [{ ...dirEntry, inode: 9n, deviceId: 1, hardLinks: 1, reparseTag: 0, mode: 0o755, owner: 'S-1-22-1-0', group: 'S-1-22-2-0' }]],
]

describe('information class codecs round-trip (assertRoundTrip)', () => {
  it.each(samples)('%s', (_name, codec, value) => {
    assertRoundTrip(codec, value as never)
  })

  it.each(dirSamples)('directory class %i', (cls, entries) => {
    assertRoundTrip(info.directoryChain(cls)!, entries as never)
  })

  it('covers every codec the registry uses', () => {
    const used = new Set(samples.map(([, c]) => c))
    for (const e of info.INFO_CLASSES) for (const c of [e.query, e.set, e.queryInput]) if (c) expect(used.has(c), `${e.className}`).toBe(true)
  })
})

describe('layouts pinned to the specification', () => {
  it('FILE_RENAME_INFORMATION_TYPE_2: 7 reserved bytes, 8-byte RootDirectory, name at 20 (MS-FSCC 2.4.37.2)', () => {
    const b = encodeWith(info.FileRenameInformation, { replaceIfExists: 1, rootDirectory: 0n, fileName: 'ab' })
    expect(b.toString('hex')).toBe('01' + '00'.repeat(7) + '00'.repeat(8) + '04000000' + '61006200')
  })

  it('FILE_ALL_INFORMATION is 100 bytes before the name', () => {
    const v = samples.find(([n]) => n === 'FileAllInformation')![2]
    const b = encodeWith(info.FileAllInformation, v as never)
    expect(b.length).toBe(100 + Buffer.byteLength('\\a.txt', 'utf16le'))
    expect(b.readUInt32LE(96)).toBe(12)
  })

  it('FILE_FULL_EA_INFORMATION: NUL after the name, 4-aligned entries', () => {
    const b = encodeWith(info.FileFullEaInformation, [{ eaName: 'A', eaValue: Buffer.from('xy') }, { eaName: 'BC', eaValue: Buffer.alloc(0) }])
    // entry 0: 4+1+1+2 + "A\0" + "xy" = 12 → next 12; entry 1: 8 + "BC\0" = 11
    expect(b.toString('hex')).toBe('0c000000' + '00' + '01' + '0200' + '4100' + '7879' + '00000000' + '00' + '02' + '0000' + '424300')
  })

  it('directory entries start 8-aligned; the last has NextEntryOffset 0', () => {
    const b = encodeWith(info.directoryChain(F.FileNamesInformation)!, [{ fileIndex: 0, fileName: 'a' }, { fileIndex: 0, fileName: 'bb' }])
    expect(b.readUInt32LE(0)).toBe(16) // 12 + 2 → 14, aligned to 16
    expect(b.readUInt32LE(16)).toBe(0)
    expect(b.length).toBe(16 + 12 + 4)
  })

  it('FILE_NOTIFY_INFORMATION entries are 4-aligned', () => {
    const { buffer, count } = info.encodeNotify([{ action: 1, fileName: 'a' }, { action: 2, fileName: 'b' }])
    expect(count).toBe(2)
    expect(buffer.readUInt32LE(0)).toBe(16) // 12 + 2 = 14 → 16
    expect(info.decodeNotify(buffer).map((e) => e.fileName)).toEqual(['a', 'b'])
  })

  it('the short name slot keeps the bytes servers leave after the 8.3 name', () => {
    const e = { ...dirEntry, eaSize: 0, shortNameLength: 0, shortName: '        \u1040', fileId: 1n }
    const b = encodeWith(info.FileIdBothDirectoryEntry, e)
    const d = decodeWith(info.FileIdBothDirectoryEntry, b)
    expect(d.shortName).toBe('        \u1040')
    expect(info.shortNameText(d)).toBe('')
    expect(encodeWith(info.FileIdBothDirectoryEntry, d)).toEqual(b)
  })
})

describe('decodeInfo / encodeInfo', () => {
  it('decodes by info type and class, with the class name', () => {
    const buf = encodeWith(info.FileStandardInformation, { allocationSize: 0n, endOfFile: 0n, numberOfLinks: 1, deletePending: 1, directory: 0 })
    const d = info.decodeInfo(InfoType.File, F.FileStandardInformation, buf, 'response')
    expect(d.className).toBe('FileStandardInformation')
    expect(d.value).toMatchObject({ deletePending: 1, numberOfLinks: 1 })
    expect(info.encodeInfo(InfoType.File, F.FileStandardInformation, d.value)).toEqual(buf)
  })

  it('picks the SET_INFO or the QUERY_INFO input codec for requests', () => {
    const getEa = encodeWith(info.FileGetEaInformation, [{ eaName: 'X' }])
    expect(info.decodeInfo(1, F.FileFullEaInformation, getEa, 'request', { op: 'query' }).value).toEqual([{ nextEntryOffset: 0, eaNameLength: 1, eaName: 'X' }])
    const fullEa = encodeWith(info.FileFullEaInformation, [{ eaName: 'X', eaValue: Buffer.from('1') }])
    expect(info.decodeInfo(1, F.FileFullEaInformation, fullEa, 'request').value).toMatchObject([{ eaName: 'X' }])
    const quota = encodeWith(info.QueryQuotaInfo, { returnSingle: 1, restartScan: 0, sidList: [], startSid: 'S-1-5-32-544' })
    const q = info.decodeInfo(InfoType.Quota, 0, quota, 'request', { op: 'query' })
    expect(q.value).toMatchObject({ returnSingle: 1, startSid: 'S-1-5-32-544', startSidLength: 16, sidListLength: 0 })
  })

  it('decodes security descriptors whatever the class byte', () => {
    const sd = encodeWith(info.infoCodec(InfoType.Security, 0, 'response')!, makeSecurityDescriptor({ owner: 'S-1-1-0' }))
    expect(info.decodeInfo(InfoType.Security, 0, sd, 'response').value).toMatchObject({ owner: 'S-1-1-0' })
    expect(info.decodeInfo(InfoType.Security, 7, sd, 'request').className).toBe('SecurityDescriptor')
  })

  it('returns raw bytes for classes and directions it has no codec for', () => {
    const b = Buffer.from('0102', 'hex')
    expect(info.decodeInfo(InfoType.File, F.FileMailslotQueryInformation, b, 'response')).toEqual({ className: 'FileMailslotQueryInformation', raw: b })
    expect(info.decodeInfo(InfoType.File, F.FileAllInformation, b, 'request')).toEqual({ className: 'FileAllInformation', raw: b })
    expect(info.decodeInfo(9, 1, b, 'response')).toEqual({ className: '0x09:0x01', raw: b })
    expect(info.encodeInfo(9, 1, b)).toBe(b)
    expect(() => info.encodeInfo(InfoType.File, F.FileAllInformation, {}, 'request')).toThrow(EncodeError)
  })

  it('reports bytes after the value as trailing (padding some clients send)', () => {
    const b = Buffer.from('01000000', 'hex')
    const d = info.decodeInfo(InfoType.File, F.FileDispositionInformation, b, 'request')
    expect(d.value).toEqual({ deletePending: 1 })
    expect(d.trailing).toEqual(Buffer.from('000000', 'hex'))
  })

  it('raises DecodeError with the class at the head of the path', () => {
    const buf = Buffer.alloc(10)
    try {
      info.decodeInfo(InfoType.File, F.FileBasicInformation, buf, 'response')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError)
      expect((e as DecodeError).path).toEqual(['FileBasicInformation', 'lastAccessTime'])
      expect((e as DecodeError).message).toBe('FileBasicInformation.lastAccessTime @0x8: need 8 bytes, 2 left')
    }
  })

  it('records spans relative to the buffer', () => {
    const buf = encodeWith(info.FileEndOfFileInformation, { endOfFile: 5n })
    const spans: { path: string; start: number; end: number }[] = []
    info.decodeInfo(InfoType.File, F.FileEndOfFileInformation, buf, 'request', { spans })
    expect(spans).toContainEqual({ path: 'FileEndOfFileInformation.endOfFile', start: 0, end: 8 })
  })

  it('lists the file system classes the brief names', () => {
    for (const c of [Fs.FileFsVolumeInformation, Fs.FileFsLabelInformation, Fs.FileFsSizeInformation, Fs.FileFsDeviceInformation,
      Fs.FileFsAttributeInformation, Fs.FileFsControlInformation, Fs.FileFsFullSizeInformation, Fs.FileFsObjectIdInformation,
      Fs.FileFsSectorSizeInformation]) {
      expect(info.infoClass(InfoType.Filesystem, c), String(c)).toBeDefined()
    }
  })
})

describe('NextEntryOffset chains', () => {
  const two = encodeWith(info.FileNotifyInformation, [{ action: 1, fileName: 'abcd' }, { action: 2, fileName: 'e' }])

  it('reject an offset that overlaps the entry', () => {
    const b = Buffer.from(two)
    b.writeUInt32LE(8, 0)
    expect(() => info.decodeNotify(b)).toThrow('FileNotifyInformation @0x0: entry 0: NextEntryOffset 8 overlaps the entry (at least 12 bytes)')
  })

  it('reject an entry whose name runs into the next entry', () => {
    const b = Buffer.from(two)
    b.writeUInt32LE(12, 0) // next entry would start inside this entry's name
    expect(() => info.decodeNotify(b)).toThrow(DecodeError)
  })

  it('reject an offset past the end of the buffer', () => {
    const b = Buffer.from(two)
    b.writeUInt32LE(0xffff_fff0, 0)
    expect(() => info.decodeNotify(b)).toThrow(/NextEntryOffset 4294967280 runs past the end of the buffer/)
  })

  it('cannot loop: every step moves forward, so a long chain ends or fails', () => {
    // 2000 entries of 12 bytes each pointing exactly at the next; the last points past the end.
    const n = 2000
    const b = Buffer.alloc(n * 12)
    for (let i = 0; i < n; i++) b.writeUInt32LE(12, i * 12)
    const started = Date.now()
    expect(() => info.decodeNotify(b)).toThrow(/entry 1999: NextEntryOffset 12 runs past the end/)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('reject a truncated last entry and bytes after the last entry', () => {
    expect(() => info.decodeNotify(two.subarray(0, two.length - 1))).toThrow(DecodeError)
    expect(() => info.decodeNotify(Buffer.concat([two, Buffer.alloc(4)]))).toThrow(/4 bytes after the last entry/)
    expect(() => info.decodeNotify(Buffer.from('0000', 'hex'))).toThrow(/too short for NextEntryOffset/)
  })

  it('accept the alignment padding a server puts after the last entry (Samba pads to 4 bytes)', () => {
    expect(info.decodeNotify(Buffer.concat([two, Buffer.alloc(2)]))).toHaveLength(2)
  })

  it('keeps non-zero padding between entries so captured bytes re-encode exactly', () => {
    const b = Buffer.from(two)
    const withGap = encodeWith(info.FileNotifyInformation, [{ action: 1, fileName: 'abc', nextEntryOffset: 24 }, { action: 2, fileName: 'e' }])
    withGap[18] = 0xaa
    const d = info.decodeNotify(withGap)
    expect(d[0]!.padding).toEqual(Buffer.from([0xaa, 0, 0, 0, 0, 0]))
    expect(encodeWith(info.FileNotifyInformation, d)).toEqual(withGap)
    expect(info.decodeNotify(b)[0]!.padding).toBeUndefined()
  })

  it('refuse to encode an offset shorter than the entry or a zero offset before the end', () => {
    expect(() => encodeWith(info.FileNotifyInformation, [{ action: 1, fileName: 'abc', nextEntryOffset: 8 }, { action: 1, fileName: 'x' }])).toThrow(/smaller than the entry/)
    expect(() => encodeWith(info.FileNotifyInformation, [{ action: 1, fileName: 'abc', nextEntryOffset: 0 }, { action: 1, fileName: 'x' }])).toThrow(/would end the chain early/)
  })
})

describe('encodeDirectory (server side)', () => {
  const entries = Array.from({ length: 10 }, (_, i) => ({ ...dirEntry, eaSize: 0, shortName: `F${i}`, fileId: BigInt(i), fileName: `file-${i}.txt` }))
  const one = info.encodeDirectory(F.FileIdBothDirectoryInformation, entries.slice(0, 1)).buffer.length // 104 + 20 = 124

  it('fills up to OutputBufferLength and says how many entries fit', () => {
    const all = info.encodeDirectory(F.FileIdBothDirectoryInformation, entries)
    expect(all.count).toBe(10)
    const aligned = Math.ceil(one / 8) * 8
    const limited = info.encodeDirectory(F.FileIdBothDirectoryInformation, entries, aligned * 3 + one)
    expect(limited.count).toBe(4)
    expect(limited.buffer.length).toBe(aligned * 3 + one)
    const d = info.decodeDirectory(F.FileIdBothDirectoryInformation, limited.buffer)
    expect(d.entries!.map((e) => e.fileName)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'file-3.txt'])
    expect(d.entries!.map((e) => 'shortNameLength' in e && e.shortNameLength)).toEqual([4, 4, 4, 4])
    expect(d.entries!.at(-1)!.nextEntryOffset).toBe(0)
    expect(info.encodeDirectory(F.FileIdBothDirectoryInformation, entries, aligned * 3 + one - 1).count).toBe(3)
  })

  it('reports zero when not even the first entry fits', () => {
    const r = info.encodeDirectory(F.FileIdBothDirectoryInformation, entries, one - 1)
    expect(r.count).toBe(0)
    expect(r.buffer.length).toBe(0)
  })

  it('ignores offsets carried by decoded entries', () => {
    const d = info.decodeDirectory(F.FileIdBothDirectoryInformation, info.encodeDirectory(F.FileIdBothDirectoryInformation, entries).buffer)
    const again = info.encodeDirectory(F.FileIdBothDirectoryInformation, d.entries!.slice(2, 4) as never)
    expect(again.count).toBe(2)
    expect(info.decodeDirectory(F.FileIdBothDirectoryInformation, again.buffer).entries!.map((e) => e.fileName)).toEqual(['file-2.txt', 'file-3.txt'])
  })

  it('returns unknown classes raw and refuses to encode them', () => {
    expect(info.decodeDirectory(99, Buffer.from('00', 'hex'))).toEqual({ className: '0x63', raw: Buffer.from('00', 'hex') })
    expect(() => info.encodeDirectory(99, [])).toThrow(EncodeError)
  })

  it('knows the fixed size of every directory entry layout', () => {
    for (const d of info.DIRECTORY_CLASSES.values()) expect(Number.isFinite(d.minEntrySize) && d.minEntrySize >= 12, d.className).toBe(true)
    expect(info.DIRECTORY_CLASSES.get(F.FileIdBothDirectoryInformation)!.minEntrySize).toBe(104)
    expect(info.DIRECTORY_CLASSES.get(F.FileIdExtdDirectoryInformation)!.minEntrySize).toBe(88)
    expect(info.DIRECTORY_CLASSES.get(F.FileBothDirectoryInformation)!.minEntrySize).toBe(94)
  })

  it('decodes an empty buffer as no entries', () => {
    expect(info.decodeDirectory(F.FileNamesInformation, Buffer.alloc(0)).entries).toEqual([])
  })
})
