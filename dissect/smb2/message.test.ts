import { describe, expect, it } from 'vitest'
import { DecodeError } from '../wire/index.js'
import type { CloseRequest } from './commands/close.js'
import type { CreateRequest, CreateResponse } from './commands/create.js'
import { isRelatedFileId } from './commands/file-id.js'
import type { QueryInfoRequest } from './commands/query-info.js'
import type { SetInfoRequest } from './commands/set-info.js'
import { Smb2Flags } from './constants/flags.js'
import { decodeChain, encodeChain } from './message.js'
import { decodeCaptured, hex } from './test-helpers/fixtures.js'

// zeek_smb2-compound-create-setinfo-close.pcap frames 1 / 2: CREATE + SET_INFO + CLOSE, related, and the answers.
const COMPOUND_REQ = `fe534d4240000100000000000500000100000000f80000009803000000000000fffe0000b9b6e317fb8c8dbc0000000000000000000000000000000000000000390000ff02000000000000
0000000000000000000000000080001100800000000000000001000000000000007800180090000000680000007400650073007400660069006c0065002e00740078007400180000001000
040000000000000000004d784163000000000000000010000400000018003400000052714c7300000000aa380037c6de80a30ba559d4e8af6dc500000000040000000000000000000000dd
caa13c97574b0189d461e272e0e4d10000000000000000fe534d4240000100000000001100000104000000680000009903000000000000fffe0000b9b6e317fb8c8dbc0000000000000000
0000000000000000000000002100010d010000006000000000000000ffffffffffffffffffffffffffffffff0100000000000000fe534d4240000100000000000600000104000000000000
009a03000000000000fffe0000b9b6e317fb8c8dbc00000000000000000000000000000000000000001800000000000000ffffffffffffffffffffffffffffffff`
const COMPOUND_RESP = `fe534d4240000100000000000500000001000000080100009803000000000000fffe0000b9b6e317fb8c8dbc00000000000000000000000000000000000000005900ff0001000000f00e7c
b67554da01eaef46d87854da011b187cb67554da011b187cb67554da0100100000000000000c000000000000002000000000000000b3ab5b6400000000bd96b75100000000980000006c00
0000200000001000040000001800080000004d7841630000000000000000ff011f000000000010000400000018003400000052714c7300000000aa380037c6de80a30ba559d4e8af6dc500
000000000000000000000000000000000000000000000000000000000000000100000000000000fe534d4240000100000000001100000005000000480000009903000000000000fffe0000
b9b6e317fb8c8dbc00000000000000000000000000000000000000000200000000000000fe534d4240000100000000000600030005000000000000009a03000000000000fffe0000b9b6e3
17fb8c8dbc00000000000000000000000000000000000000003c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
0000000000000000000000000000`
// ndpi_smb2-deletefile-lease-break-oplock-break.pcap frame 31: CREATE (empty name) + QUERY_INFO (FS size) + CLOSE.
const NDPI_REQ = `fe534d424000010000000000050000010000000098000000b20f000000000000fffe0000110000001d00000000280000000000000000000000000000000000003900000002000000000000
0000000000000000000000000080001000100000000700000001000000010000007800000080000000180000000000000000000000000000001000040000000000000000004d7841630000
0000fe534d424000010000000000100000010400000068000000b30f000000000000fffe0000110000001d0000000028000000000000000000000000000000000000290002031800000000
000000000000000000000000000000fffffffffffffffffffffffffffffffffe534d424000010000000000060000010400000000000000b40f000000000000fffe0000110000001d000000
00280000000000000000000000000000000000001800000000000000ffffffffffffffffffffffffffffffff`
// Two single messages used to build an unrelated compound: samr-enum-lab_smb311-windows-krb5-signed.pcapng
// frame 19 (QUERY_INFO) and frame 23 (READ).
const QUERY_INFO = `fe534d4240000100000000001000010038000000000000000600000000000000fffe000001000000050000c4065400008cba7e3a44c8b6b62510eda8d13a90c82900010518000000680000
00000000000000000000000000544f0000150000000100000015000000`
const READ = `fe534d4240000100000000000800010038000000000000000800000000000000fffe000001000000050000c406540000fb6c3f4dc820bd385e3183bf648c982a3100500000040000000000
0000000000544f00001500000001000000150000000000000000000000000000000000000000`

describe('compound chains', () => {
  it('splits a related CREATE + SET_INFO + CLOSE request on NextCommand, as tshark does', () => {
    const ms = decodeCaptured(COMPOUND_REQ)
    expect(ms.map((m) => [m.header.command, m.header.nextCommand, m.header.messageId, m.bodyType])).toEqual([
      [5, 0xf8, 920n, 'CreateRequest'], [0x11, 0x68, 921n, 'SetInfoRequest'], [6, 0, 922n, 'CloseRequest'],
    ])
    expect(ms.map((m) => m.header.flags & Smb2Flags.RelatedOperations)).toEqual([0, 4, 4])
    expect((ms[0]!.body as CreateRequest).name).toBe('testfile.txt')
    const set = ms[1]!.body as SetInfoRequest
    expect([set.infoType, set.fileInfoClass, set.bufferLength]).toEqual([1, 13, 1]) // FileDispositionInformation
    expect(isRelatedFileId(set.fileId)).toBe(true)
    expect(isRelatedFileId((ms[2]!.body as CloseRequest).fileId)).toBe(true)
    // The padding between messages (8-byte alignment) is each message's trailer.
    expect(ms.map((m) => [m.start, m.end])).toEqual([[0, 0xf8], [0xf8, 0xf8 + 0x68], [0xf8 + 0x68, 0xf8 + 0x68 + 88]])
  })

  it('splits the related response', () => {
    const ms = decodeCaptured(COMPOUND_RESP)
    expect(ms.map((m) => [m.header.command, m.header.nextCommand, m.bodyType])).toEqual([
      [5, 0x108, 'CreateResponse'], [0x11, 0x48, 'SetInfoResponse'], [6, 0, 'CloseResponse'],
    ])
    // tshark: File Id 645babb3-0000-0000-bd96-b75100000000
    expect((ms[0]!.body as CreateResponse).fileId).toEqual({ persistent: 0x645babb3n, volatile: 0x51b796bdn })
  })

  it('splits a macOS CREATE + QUERY_INFO + CLOSE chain', () => {
    const ms = decodeCaptured(NDPI_REQ)
    expect(ms.map((m) => m.bodyType)).toEqual(['CreateRequest', 'QueryInfoRequest', 'CloseRequest'])
    const q = ms[1]!.body as QueryInfoRequest
    expect([q.infoType, q.fileInfoClass]).toEqual([2, 3]) // FS_INFO / FileFsSizeInformation
  })

  it('encodes and decodes an unrelated compound of two independent requests', () => {
    const [a] = decodeCaptured(QUERY_INFO)
    const [b] = decodeCaptured(READ)
    // Canonical chain: no trailers, so the first message is padded to 8 and NextCommand set.
    const chain = encodeChain([{ header: a!.header, body: a!.body }, { header: b!.header, body: b!.body }])
    const d = decodeChain(chain)
    expect(d.error).toBeUndefined()
    expect(d.messages.map((m) => [m.bodyType, m.header.flags & Smb2Flags.RelatedOperations, m.error])).toEqual([
      ['QueryInfoRequest', 0, undefined], ['ReadRequest', 0, undefined],
    ])
    expect(d.messages[0]!.header.nextCommand).toBe(112) // 104 bytes + the odd byte, padded to 8
    expect(d.messages[0]!.trailer.length).toBe(8)
    expect(d.messages[1]!.body).toEqual(b!.body)
    expect(encodeChain(d.messages.map((m) => ({ header: m.header, body: m.body, trailer: m.trailer }))).equals(chain)).toBe(true)
  })

  it('stops at a NextCommand that points past the buffer, keeping the messages before it', () => {
    const b = hex(COMPOUND_REQ)
    b.writeUInt32LE(0x1000, 0xf8 + 20) // the SET_INFO's NextCommand
    const d = decodeChain(b)
    expect(d.messages.map((m) => m.bodyType)).toEqual(['CreateRequest', 'SetInfoRequest'])
    expect(d.error).toBeInstanceOf(DecodeError)
    expect(d.error!.message).toBe('header.nextCommand @0x10c: nextCommand 4096 points outside the 192 bytes left')
  })

  it('rejects a NextCommand shorter than a header, and a bad header in the chain', () => {
    const b = hex(COMPOUND_REQ)
    b.writeUInt32LE(32, 20)
    expect(decodeChain(b).error!.message).toBe('header.nextCommand @0x14: nextCommand 32 points outside the 440 bytes left')
    const c = hex(COMPOUND_REQ)
    c.writeUInt16LE(65, 0xf8 + 4)
    const d = decodeChain(c)
    // The bad header is kept (its ids still say something, as tshark shows them) with the error; the chain
    // goes on from its NextCommand.
    expect(d.messages.length).toBeGreaterThanOrEqual(2)
    expect(d.messages[1]!.error!.message).toBe('header.structureSize @0xfc: structureSize must be 64, got 65')
    expect(d.messages[1]!.bodyType).toBe('raw')
  })

  it('pins the DecodeError of a bad body StructureSize and keeps the raw body', () => {
    const b = hex(COMPOUND_REQ)
    b.writeUInt16LE(58, 64)
    const d = decodeChain(b)
    expect(d.messages).toHaveLength(3)
    expect(d.messages[0]!.error!.message).toBe('body.structureSize @0x40: structureSize must be 57, got 58')
    expect(d.messages[0]!.bodyType).toBe('raw')
    expect((d.messages[0]!.body as Buffer).length).toBe(0xf8 - 64)
    expect(d.messages.slice(1).map((m) => m.error)).toEqual([undefined, undefined])
    // A raw body re-encodes as it was.
    expect(encodeChain(d.messages.map((m) => ({ header: m.header, body: m.body, trailer: m.trailer }))).equals(b)).toBe(true)
  })

  it('never throws on any truncation of a captured chain', () => {
    const full = hex(COMPOUND_REQ)
    for (let n = 0; n <= full.length; n++) {
      const d = decodeChain(full.subarray(0, n))
      for (const m of d.messages) if (m.error) expect(m.error).toBeInstanceOf(DecodeError)
      if (d.error) expect(d.error).toBeInstanceOf(DecodeError)
    }
  })
})
