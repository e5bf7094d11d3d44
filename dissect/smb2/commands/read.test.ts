import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeChain } from '../message.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { ReadRequest, ReadResponse } from './read.js'
import { Channel } from '../constants/index.js'

// samr-enum-lab_smb311-windows-krb5-signed.pcapng frame 23: a pipe read; the odd StructureSize byte follows.
const REQ = `fe534d4240000100000000000800010038000000000000000800000000000000fffe000001000000050000c406540000fb6c3f4dc820bd385e3183bf648c982a3100500000040000000000
0000000000544f00001500000001000000150000000000000000000000000000000000000000`
// zeek_smb311-samba-100-small-files_dhnq-lease-posix.pcap frame 439: a 2-byte read answer (DataOffset 0x50).
const RESP = `fe534d424000010000000000080002000100000000000000b40000000000000046d934008441506e9e08a55000000000000000000000000000000000000000001100500002000000000000
0000000000310a`

describe('READ', () => {
  it('decodes a request as tshark shows it', () => {
    const { body, m } = decodeOne<ReadRequest>(REQ, 'ReadRequest')
    expect(body).toMatchObject({ padding: 0x50, flags: 0, length: 1024, offset: 0n, minimumCount: 0, channel: Channel.None, remainingBytes: 0, readChannelInfoOffset: 0, readChannelInfoLength: 0 })
    expect(body.fileId).toEqual({ persistent: 0x1500004f54n, volatile: 0x1500000001n })
    expect(body.readChannelInfo.length).toBe(0)
    expect(m.trailer.toString('hex')).toBe('00') // the byte the client sets to 0 (MS-SMB2 2.2.19 Buffer)
  })

  it('decodes a response with its one-byte DataOffset', () => {
    const { body } = decodeOne<ReadResponse>(RESP, 'ReadResponse')
    expect(body).toEqual({ structureSize: 17, dataOffset: 0x50, reserved: 0, dataLength: 2, dataRemaining: 0, flags: 0, data: hex('310a') })
  })

  it('round-trips with channel info and data', () => {
    const { decoded } = assertRoundTrip(ReadRequest, {
      padding: 0x50, flags: 0, length: 65536, offset: 4096n, fileId: { persistent: 1n, volatile: 2n }, minimumCount: 0,
      channel: Channel.RdmaV1, remainingBytes: 0, readChannelInfo: hex('00000000000000001122334400100000'),
    }, { pduStart: -64 })
    expect([decoded.readChannelInfoOffset, decoded.readChannelInfoLength]).toEqual([0x70, 16])
    const { bytes } = assertRoundTrip(ReadResponse, { dataRemaining: 0, flags: 0, data: Buffer.from('hello') }, { pduStart: -64 })
    expect(bytes[2]).toBe(0x50) // DataOffset: 64 + 16 = 0x50
  })

  it('rejects data that runs past the message', () => {
    const b = hex(RESP)
    b.writeUInt32LE(3, 64 + 4)
    expect(decodeChain(b).messages[0]!.error!.message).toBe('body.dataLength @0x50: data [80, +3) runs past the end of the message (82)')
  })
})
