import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { makeHeader } from '../dissect/smb2/header.js'
import { encodeMessage } from '../dissect/smb2/message.js'
import { dissectAll } from '../dissect/trace/dissect-file.js'
import { isSmb } from '../dissect/trace/record.js'
import { PcapRecorder } from './record-pcap.js'
import type { Transport } from './session/transport.js'

const dir = mkdtempSync(join(tmpdir(), 'smbscope-record-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const fakeTransport = (local: string, lport: number, remote: string, rport: number): Transport =>
  ({ local: { address: local, port: lport }, remote: { address: remote, port: rport } }) as unknown as Transport

function echo(messageId: bigint, response: boolean): Buffer {
  const header = makeHeader({ command: Smb2Command.Echo, messageId, credits: 1, flags: response ? Smb2Flags.ServerToRedir : 0 })
  return encodeMessage({ header, body: { reserved: 0 } })
}

describe('PcapRecorder', () => {
  it('writes a capture the dissector reads back: handshake, messages both ways, a 300 KB message split in segments, FIN', async () => {
    const path = join(dir, 'v4.pcap')
    const rec = new PcapRecorder(path)
    const t = fakeTransport('127.0.0.1', 40000, '127.0.0.1', 4452)
    rec.open(t)
    rec.data(t, true, echo(0n, false))
    rec.data(t, false, echo(0n, true))
    const write = encodeMessage({
      header: makeHeader({ command: Smb2Command.Write, messageId: 1n, creditCharge: 5, credits: 1, sessionId: 7n, treeId: 3 }),
      body: { writeChannelInfoOffset: 0, offset: 0n, fileId: { persistent: 1n, volatile: 2n }, channel: 0, remainingBytes: 0, flags: 0, data: Buffer.alloc(300_000, 0x5a) },
    })
    rec.data(t, true, write)
    rec.close(t, 'client', false)
    expect(rec.lastFrame).toBe(3 + 2 + 5 + 3) // SYN/SYN-ACK/ACK, two echoes, 300 KB in 5 segments, FIN/FIN/ACK
    await rec.finish()

    const { items } = await dissectAll(path)
    const recs = items.map((d) => d.record)
    const smb = recs.filter(isSmb)
    expect(smb.map((r) => `${r.cmd} ${r.dir}`)).toEqual(['ECHO request', 'ECHO response', 'WRITE request'])
    expect(smb[2]!.frame).toBe(10) // completed by the last of its segments
    expect((smb[2]!.body as { length?: number }).length).toBe(300_000)
    expect(recs.filter((r) => r.proto === 'tcp').map((r) => (r as { event: string }).event)).toEqual(['open', 'close', 'close'])
    expect(smb[0]!.conn).toBe('127.0.0.1:40000-127.0.0.1:4452')
  })

  it('IPv6 and a reset', async () => {
    const path = join(dir, 'v6.pcap')
    const rec = new PcapRecorder(path)
    const t = fakeTransport('::1', 40001, '::1', 445)
    rec.open(t)
    rec.data(t, true, echo(0n, false))
    rec.close(t, 'server', true)
    await rec.finish()
    const { items } = await dissectAll(path)
    const recs = items.map((d) => d.record)
    expect(recs.filter(isSmb).map((r) => r.conn)).toEqual(['[::1]:40001-[::1]:445'])
    expect(recs.filter((r) => r.proto === 'tcp').map((r) => (r as { event: string }).event)).toEqual(['open', 'reset'])
  })
})
