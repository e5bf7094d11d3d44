import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { recordToJson, recordToJsonLine } from './json.js'
import { JsonBytes } from './json-bytes.js'
import { toJsonValue } from './record.js'

/** The JSON text the record writer gives for any value. */
const textOf = (v: unknown): string => {
  const w = new JsonBytes(16)
  w.value(v)
  return w.take().toString('utf8')
}

describe('JSON text of records', () => {
  const samples: unknown[] = [
    { a: 1, b: 'x"y\n', c: [1n, 2n ** 60n], creationTime: 133_000_000_000_000_000n, timeout: 5n, d: Buffer.from('abc'), e: Buffer.alloc(100, 7), f: undefined, g: null, h: true },
    [],
    { nested: { deep: [{ lastWriteTime: 0n }, Buffer.alloc(0)] } },
    'plain',
    3.5,
  ]
  for (const v of samples) {
    it(`writes the same JSON as toJsonValue for ${JSON.stringify(toJsonValue(v)).slice(0, 40)}`, () => {
      expect(textOf(v)).toBe(JSON.stringify(toJsonValue(v)))
    })
  }
  it('serialises a record line that parses back to recordToJson', () => {
    const r = { frame: 1, time: 2.5, conn: 'a-b', proto: 'tcp' as const, event: 'open' as const }
    expect(JSON.parse(recordToJsonLine(r))).toEqual(recordToJson(r))
  })
  it('writes every number as JSON.stringify does (the integer digits and the sec.micro shortcut)', () => {
    const micro = fc.tuple(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 999_999 })).map(([s, us]) => s + us / 1e6)
    const rtt = fc.integer({ min: 0, max: 10_000_000 }).map((us) => Math.round(us) / 1e6)
    const values = fc.oneof(micro, rtt, fc.double(), fc.integer(), fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(-0, 0.1, 1e-7, 2 ** 53, 1e21, -1.5))
    fc.assert(fc.property(values, (v) => textOf(v) === JSON.stringify(v)), { numRuns: 20_000 })
    fc.assert(fc.property(fc.array(values), (vs) => textOf({ a: vs, b: [], c: {} }) === JSON.stringify({ a: vs, b: [], c: {} })))
  })
})
