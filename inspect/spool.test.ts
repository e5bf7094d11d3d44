import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileBackend, MemoryBackend, Spool, type SpoolBackend } from './spool.js'

const base = mkdtempSync(join(tmpdir(), 'inspect-spool-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const backends: Array<[string, () => SpoolBackend]> = [
  ['memory', () => new MemoryBackend()],
  ['file', () => new FileBackend(base, 256)],
]

describe.each(backends)('Spool over the %s backend', (_name, make) => {
  it('reads back every entry, its spans and raw windows, in any order', () => {
    const spool = new Spool(make())
    const entries = Array.from({ length: 50 }, (_, i) => ({
      entry: { record: { frame: i + 1, cmd: i % 2 ? 'READ' : 'WRITE', path: `dir\\f${i}.txt`, body: { n: i, text: 'é'.repeat(i) } }, bodyType: i % 3 ? 'ReadRequest' : undefined },
      spans: i % 4 ? [{ path: 'header.messageId', start: 24, end: 32 }, { path: `body.x${i}`, start: 64, end: 64 + i }] : undefined,
      raw: i % 5 ? Buffer.from(Array.from({ length: 64 + i * 3 }, (_, k) => (k + i) & 0xff)) : undefined,
    }))
    const offsets = entries.map((e) => spool.append(e.entry as never, e.spans, e.raw))
    for (const i of [49, 0, 17, 3, 48, 25]) {
      const e = entries[i]!
      const got = spool.read(offsets[i]!)
      expect(got.entry).toEqual(JSON.parse(JSON.stringify(e.entry)))
      expect(got.spans).toEqual(e.spans ?? [])
      expect(got.rawLength).toBe(e.raw?.length ?? 0)
      if (e.raw) {
        expect(spool.readRaw(offsets[i]!, 0, e.raw.length)).toEqual(e.raw)
        expect(spool.readRaw(offsets[i]!, 10, 20)).toEqual(e.raw.subarray(10, 20))
        // Windows are clamped to the record.
        expect(spool.readRaw(offsets[i]!, e.raw.length - 4, e.raw.length + 100)).toEqual(e.raw.subarray(e.raw.length - 4))
        expect(spool.readRaw(offsets[i]!, e.raw.length + 5, e.raw.length + 9).length).toBe(0)
      } else expect(spool.readRaw(offsets[i]!, 0, 100).length).toBe(0)
    }
    spool.close()
  })

  it('refuses reads past its end', () => {
    const spool = new Spool(make())
    spool.append({ record: { frame: 1 } }, undefined, undefined)
    expect(() => spool.backend.read(spool.size, 12)).toThrow(/past its end/)
    spool.close()
  })
})

describe('FileBackend', () => {
  it('lives in a private temporary directory, batches writes, and removes everything on close (twice is fine)', () => {
    const b = new FileBackend(base, 1000)
    expect(existsSync(b.file)).toBe(true)
    expect(statSync(b.dir).mode & 0o777).toBe(0o700)
    const at = b.append([Buffer.alloc(300, 1)])
    expect(statSync(b.file).size).toBe(0)
    // A read of bytes still in the batch flushes first.
    expect(b.read(at + 10, 5)).toEqual(Buffer.alloc(5, 1))
    expect(statSync(b.file).size).toBe(300)
    b.append([Buffer.alloc(800, 2), Buffer.alloc(300, 3)])
    expect(statSync(b.file).size).toBe(1400)
    expect(b.read(1099, 2)).toEqual(Buffer.from([2, 3]))
    b.close()
    b.close()
    expect(existsSync(b.dir)).toBe(false)
    expect(() => b.read(0, 1)).toThrow(/closed/)
    expect(readdirSync(base).filter((n) => n.startsWith('smbscope-inspect-'))).toEqual([])
  })
})
