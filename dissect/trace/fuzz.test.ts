/**
 * Fuzz: mutated real captures go through the whole dissector (capture reader, reassembly, codec, security,
 * tracker, JSON) without an exception escaping, and memory stays flat over many rounds.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openCapture } from '../capture/index.js'
import { Dissector } from './dissector.js'
import { recordToJsonLine } from './json.js'
import { rng } from '../test-helpers/random.js'

const DIR = resolve(import.meta.dirname, '../../captures')
const files = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()

const MAGIC = Buffer.from([0xfe, 0x53, 0x4d, 0x42])
const magics = new Map<Buffer, number[]>()
function smbOffsets(b: Buffer): number[] {
  let list = magics.get(b)
  if (!list) {
    list = []
    for (let i = b.indexOf(MAGIC); i >= 0; i = b.indexOf(MAGIC, i + 1)) list.push(i)
    magics.set(b, list)
  }
  return list
}

function mutate(buf: Buffer, seed: number): Buffer {
  const r = rng(seed)
  const b = Buffer.from(buf)
  const smb = smbOffsets(buf)
  const n = 1 + Math.floor(r() * 24)
  for (let i = 0; i < n; i++) {
    // Half the mutations land in an SMB2 header or body (so they reach the codec), the rest anywhere but
    // the file header (framing, IP, TCP).
    const at = smb.length && r() < 0.5
      ? Math.min(b.length - 1, smb[Math.floor(r() * smb.length)]! + Math.floor(r() * 160))
      : 24 + Math.floor(r() * (b.length - 24))
    switch (Math.floor(r() * 4)) {
      case 0: b[at] = Math.floor(r() * 256); break
      case 1: b[at] ^= 1 << Math.floor(r() * 8); break
      case 2: b.writeUInt16LE(Math.floor(r() * 65536), Math.min(at, b.length - 2)); break
      default: b.fill(r() < 0.5 ? 0 : 0xff, at, Math.min(b.length, at + Math.floor(r() * 16)))
    }
  }
  return r() < 0.1 ? b.subarray(0, Math.floor(r() * b.length)) : b
}

/** Dissects and serialises everything; returns how many records came out annotated as malformed. */
async function run(buf: Buffer): Promise<number> {
  const d = new Dissector({ passwords: ['labpass'], spans: true })
  let malformed = 0
  for await (const batch of openCapture(buf).batches()) {
    for (const ev of batch) {
      for (const x of d.feed(ev)) {
        recordToJsonLine(x.record)
        if (x.record.proto !== 'tcp' && (x.record.error || x.record.notes?.some((n) => n.group === 'malformed'))) malformed++
      }
    }
  }
  return malformed
}

describe('dissector fuzz over mutated real captures', () => {
  it('never lets an exception escape (seeded, 600 mutants)', async () => {
    const originals = files.map((f) => readFileSync(join(DIR, f)))
    const failures: string[] = []
    let malformed = 0
    for (let seed = 1; seed <= 600; seed++) {
      const i = seed % originals.length
      try {
        malformed += await run(mutate(originals[i]!, seed))
      } catch (e) {
        // A mutated file header may make the input "not a capture": that is the one error allowed out.
        if ((e as Error).name !== 'CaptureFormatError') failures.push(`${files[i]} seed ${seed}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`)
      }
    }
    expect(failures).toEqual([])
    // The mutations do reach the SMB layer: many records come out annotated instead of crashing.
    expect(malformed).toBeGreaterThan(25)
  }, 120_000)

  it('keeps memory flat over repeated runs', async () => {
    const buf = readFileSync(join(DIR, 'lease.break.pcap'))
    for (let i = 0; i < 20; i++) await run(mutate(buf, 1000 + i))
    global.gc?.()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200; i++) await run(mutate(buf, 2000 + i))
    global.gc?.()
    const grown = process.memoryUsage().heapUsed - before
    // 200 runs of a 67 KB capture; without leaks the heap returns to where it was (GC noise well under 32 MiB).
    expect(grown).toBeLessThan(32 * 1024 * 1024)
  }, 120_000)
})
