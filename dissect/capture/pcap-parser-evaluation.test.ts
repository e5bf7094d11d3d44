/**
 * Why capture-file.ts reads pcap itself instead of using the `pcap-parser` package (0.2.1) the design names:
 * these tests pin the behaviours that rule it out. If a new version fixes them, these tests fail and the
 * choice should be reconsidered.
 */
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { CaptureFileReader } from './capture-file.js'
import { pcapFile } from './test-helpers/build.js'

interface PcapParserModule {
  parse(input: NodeJS.ReadableStream | string): EventEmitter
}
const pcapParser = createRequire(import.meta.url)('pcap-parser') as PcapParserModule

interface Outcome {
  packets: number
  errors: string[]
}

function runPcapParser(bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = new PassThrough()
    const p = pcapParser.parse(s)
    const out: Outcome = { packets: 0, errors: [] }
    p.on('packet', () => out.packets++)
    p.on('error', (e: Error) => out.errors.push(e.message))
    p.on('end', () => resolve(out))
    s.end(bytes)
  })
}

function runOurs(bytes: Buffer): { packets: number; warnings: string[] } {
  const out = { packets: 0, warnings: [] as string[] }
  const r = new CaptureFileReader({ packet: () => out.packets++, warning: (m) => out.warnings.push(m) })
  r.push(bytes)
  r.end()
  return out
}

const packets = [1, 2, 3].map((i) => ({ time: 1_700_000_000 + i, data: Buffer.alloc(60, i) }))

describe('pcap-parser 0.2.1 evaluation', () => {
  it('rejects nanosecond pcap files (magic a1b23c4d); we read them', async () => {
    const ns = pcapFile(packets, { nano: true })
    expect(await runPcapParser(ns)).toEqual({ packets: 0, errors: ['unknown magic number: 4d3cb2a1'] })
    expect(runOurs(ns)).toEqual({ packets: 3, warnings: [] })
  })

  it('ends silently on a truncated file (the cut packet vanishes without a word); we warn', async () => {
    const cut = pcapFile(packets).subarray(0, 24 + 76 * 2 + 30)
    expect(await runPcapParser(cut)).toEqual({ packets: 2, errors: [] })
    const ours = runOurs(cut)
    expect(ours.packets).toBe(2)
    expect(ours.warnings).toEqual(['capture file truncated: it ends inside the record that starts at byte 176 (30 of 76 bytes present); 2 frames read'])
  })

  it('accepts an absurd record length and buffers the rest of the file waiting for it; we stop with a warning', async () => {
    const f = pcapFile(packets)
    f.writeUInt32LE(0xfffffff0, 24 + 8)
    expect(await runPcapParser(f)).toEqual({ packets: 0, errors: [] })
    expect(runOurs(f).warnings[0]).toMatch(/^capture file corrupt: /)
  })

  it('does not read pcapng at all', async () => {
    const ng = Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex')
    expect((await runPcapParser(ng)).errors).toEqual(['unknown magic number: 0a0d0d0a'])
  })
})
