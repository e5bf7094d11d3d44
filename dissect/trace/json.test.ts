import { describe, expect, it } from 'vitest'
import { recordToJson, recordToJsonLine } from './json.js'
import { toJsonText, toJsonValue } from './record.js'

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
      expect(toJsonText(v)).toBe(JSON.stringify(toJsonValue(v)))
    })
  }
  it('serialises a record line that parses back to recordToJson', () => {
    const r = { frame: 1, time: 2.5, conn: 'a-b', proto: 'tcp' as const, event: 'open' as const }
    expect(JSON.parse(recordToJsonLine(r))).toEqual(recordToJson(r))
  })
})
