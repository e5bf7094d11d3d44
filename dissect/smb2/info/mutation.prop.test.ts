/**
 * Property: decoding mutated real buffers (bytes changed, truncated, extended) either returns a value or
 * throws DecodeError, never anything else (style.md §3.5, mqtt-packet's random test, but asserting).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../wire/index.js'
import { decodeIoctl } from '../ioctl/index.js'
import { decodeDirectory, decodeInfo, decodeNotify } from './index.js'
import { loadFixtures, type Fixture } from './fixtures/tshark-oracle.js'

const all: Fixture[] = [
  ...loadFixtures(new URL('./fixtures/captured.json', import.meta.url)),
  ...loadFixtures(new URL('../ioctl/fixtures/captured.json', import.meta.url)),
].filter((f) => f.hex.length > 0)

function decodeAny(f: Fixture, buf: Buffer): unknown {
  switch (f.kind) {
    case 'directory': return decodeDirectory(f.infoClass!, buf)
    case 'notify': return decodeNotify(buf)
    case 'request':
    case 'response': return decodeIoctl(f.ctlCode!, buf, f.kind)
    default: return decodeInfo(f.infoType!, f.infoClass!, buf, f.kind === 'query' ? 'response' : 'request', { op: f.kind === 'query-input' ? 'query' : 'set' })
  }
}

const mutation = fc.record({
  fixture: fc.integer({ min: 0, max: all.length - 1 }),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  extra: fc.uint8Array({ maxLength: 16 }),
})

describe('mutated captured buffers', () => {
  it('decode or raise DecodeError', () => {
    fc.assert(
      fc.property(mutation, ({ fixture, edits, cut, extra }) => {
        const f = all[fixture]!
        let buf = Buffer.from(f.hex, 'hex')
        for (const [at, v] of edits) buf[at % buf.length] = v
        if (cut !== undefined) buf = buf.subarray(0, cut % (buf.length + 1))
        buf = Buffer.concat([buf, Buffer.from(extra)])
        try {
          decodeAny(f, buf)
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 3000), ...(process.env.FUZZ_RUNS ? {} : { seed: 20240611 }) },
    )
    expect(all.length).toBeGreaterThan(100)
  })
})
