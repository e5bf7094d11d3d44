/**
 * The built CLI (what `npx smbscope dissect` runs: dist/bin/smbscope.js and the bundle scripts/postbuild.mjs
 * makes of dissect/cli.js) prints the golden trace of a shipped capture (with the lab password the goldens were made with, captures/secrets.json). `npm install` builds, so the build is
 * there in CI; a stale build fails here, which is the point.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pcapFileHeader, pcapRecord, TcpFlag, tcpFrame } from './capture/pcap-writer.js'
import { encodeTransportHeader } from './capture/netbios-framer.js'
import { Smb2Command } from './smb2/constants/command.js'
import { makeHeader } from './smb2/header.js'
import { encodeMessage } from './smb2/message.js'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = join(ROOT, 'dist/bin/smbscope.js')
const BUNDLE = join(ROOT, 'dist/dissect-cli.bundle.js')
const CAPTURE = 'durable-v2-open.reopen1.pcap'

describe.skipIf(!existsSync(CLI))('the built dissect CLI', () => {
  it('is bundled into one file when the build had rolldown', () => {
    expect(existsSync(BUNDLE)).toBe(existsSync(join(ROOT, 'node_modules/rolldown')))
  })
  it(`prints the golden jsonl trace of captures/${CAPTURE}`, () => {
    const out = execFileSync(process.execPath, [CLI, 'dissect', join(ROOT, 'captures', CAPTURE), '--format', 'jsonl', '--password', 'labpass'], { encoding: 'utf8' })
    expect(out).toBe(readFileSync(join(ROOT, 'captures/golden', `${CAPTURE}.trace.jsonl`), 'utf8'))
  })
  it('prints the same trace as a JSON document with --format json', () => {
    const out = execFileSync(process.execPath, [CLI, 'dissect', join(ROOT, 'captures', CAPTURE), '--format', 'json', '--password', 'labpass'], { encoding: 'utf8' })
    const lines = readFileSync(join(ROOT, 'captures/golden', `${CAPTURE}.trace.jsonl`), 'utf8').trim().split('\n')
    expect(JSON.parse(out)).toEqual(lines.map((l) => JSON.parse(l)))
  })
})

describe.skipIf(!existsSync(CLI))('the built dissect CLI on large messages (reused message buffers)', () => {
  it('gives each 2 MiB WRITE its own bytes, with several in flight before their responses', () => {
    const cli = { address: '10.0.0.1', port: 50000 }
    const srv = { address: '10.0.0.2', port: 445 }
    const seq = { c: 1000, s: 5000 }
    const records: Buffer[] = [pcapFileHeader()]
    let t = 1_700_000_000_000
    const send = (fromClient: boolean, msg: Buffer) => {
      const bytes = Buffer.concat([encodeTransportHeader(msg.length), msg])
      for (let o = 0; o < bytes.length; o += 60_000) {
        const payload = bytes.subarray(o, o + 60_000)
        const seg = fromClient
          ? { src: cli, dst: srv, seq: seq.c, ack: seq.s, flags: TcpFlag.Ack | TcpFlag.Psh, payload, side: 1 as const }
          : { src: srv, dst: cli, seq: seq.s, ack: seq.c, flags: TcpFlag.Ack | TcpFlag.Psh, payload, side: 2 as const }
        records.push(pcapRecord(t++, tcpFrame(seg)))
        if (fromClient) seq.c += payload.length
        else seq.s += payload.length
      }
    }
    const fileId = { persistent: 1n, volatile: 2n }
    const write = (id: number, fill: number) =>
      encodeMessage({ header: makeHeader({ command: Smb2Command.Write, messageId: BigInt(id), creditCharge: 32 }), body: { offset: BigInt(id) << 21n, fileId, channel: 0, remainingBytes: 0, flags: 0, data: Buffer.alloc(2 << 20, fill) } })
    const written = (id: number) =>
      encodeMessage({ header: makeHeader({ command: Smb2Command.Write, messageId: BigInt(id), flags: 1, creditCharge: 32 }), body: { count: 2 << 20, remaining: 0, writeChannelInfoOffset: 0, writeChannelInfoLength: 0 } })
    // Three WRITEs in flight, then their responses, then three more one at a time.
    for (const id of [1, 2, 3]) send(true, write(id, 0x10 + id))
    for (const id of [1, 2, 3]) send(false, written(id))
    for (const id of [4, 5, 6]) {
      send(true, write(id, 0x10 + id))
      send(false, written(id))
    }
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-big-'))
    const file = join(dir, 'big.pcap')
    writeFileSync(file, Buffer.concat(records))
    const out = execFileSync(process.execPath, [CLI, 'dissect', file, '--format', 'jsonl'], { encoding: 'utf8', maxBuffer: 1 << 26 })
    const recs = out.trim().split('\n').map((l) => JSON.parse(l))
    const requests = recs.filter((r) => r.cmd === 'WRITE' && r.dir === 'request')
    expect(requests.map((r) => Number(r.messageId))).toEqual([1, 2, 3, 4, 5, 6])
    for (const r of requests) {
      const fill = (0x10 + Number(r.messageId)).toString(16)
      expect(r.body.data).toEqual({ bytes: 2 << 20, head: fill.repeat(32) })
    }
    const responses = recs.filter((r) => r.cmd === 'WRITE' && r.dir === 'response')
    expect(responses.map((r) => r.requestFrame)).toEqual(requests.map((r) => r.frame))
    expect(responses.every((r) => r.status === 'STATUS_SUCCESS' && r.body.count === 2 << 20)).toBe(true)
  })
})
