import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { JsonBytes } from './json-bytes.js'
import { toJsonValue } from './record.js'

/** The reference: JSON.stringify of the JSON-ready value (a bare undefined, which JSON.stringify leaves out, is null). */
const reference = (v: unknown, maxHex?: number): string => JSON.stringify(toJsonValue(v, '', { maxHex })) ?? 'null'

const bytesOf = (v: unknown, maxHex?: number): string => {
  const w = new JsonBytes(16) // small, so values grow the buffer mid-write
  w.value(v, '', maxHex)
  return w.take().toString('utf8')
}

describe('JsonBytes', () => {
  const keyName = fc.constantFrom('a', 'creationTime', 'timeout', 'lastWriteTime', 'fileId', 'x_y', 'data')
  const leaf = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }), // lone surrogates, control characters
    fc.double(),
    fc.integer(),
    fc.constantFrom(-0, 2 ** 53, 2 ** 53 + 2, 1e21, 0.1, 1795630897.38078, 0.000631, 4294967295.5, 1e-7),
    fc.tuple(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 999_999 })).map(([s, us]) => s + us / 1e6),
    fc.integer({ min: 0, max: 10_000_000 }).map((us) => us / 1e6),
    // Below -2^53 the text keeps every digit, which no JSON-ready number can (checked on its own below).
    fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 70n }),
    fc.bigInt({ min: 116444736000000000n, max: 140000000000000000n }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    fc.uint8Array({ maxLength: 80 }),
  )
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(keyName, tie('node'))),
  })).node

  it('writes exactly JSON.stringify(toJsonValue(v)) for any decoded value', () => {
    fc.assert(fc.property(tree, (v) => bytesOf(v) === reference(v)), { numRuns: 5000 })
    fc.assert(fc.property(tree, fc.integer({ min: 0, max: 40 }), (v, max) => bytesOf(v, max) === reference(v, max)), { numRuns: 1000 })
  })

  it('writes time-named bigints as ISO dates and long buffers as a summary', () => {
    expect(bytesOf({ creationTime: 133_000_000_000_000_000n, timeout: 5n, zeroTime: 0n })).toBe('{"creationTime":"2022-06-18T04:26:40.000Z","timeout":5,"zeroTime":0}')
    expect(bytesOf({ d: Buffer.alloc(65, 0xab) })).toBe(`{"d":{"bytes":65,"head":"${'ab'.repeat(32)}"}}`)
    expect(bytesOf({ big: 2n ** 60n, s: 'é"\n' })).toBe('{"big":"0x1000000000000000","s":"é\\"\\n"}')
    expect(bytesOf({ small: -(2n ** 60n) - 3n })).toBe('{"small":-1152921504606846979}')
  })

  it('hands over what it wrote and starts afresh', () => {
    const w = new JsonBytes(4)
    w.value({ a: [1, 2, 3] })
    expect(w.take().toString()).toBe('{"a":[1,2,3]}')
    expect(w.take().length).toBe(0)
    w.raw('é\n')
    expect(w.take().toString()).toBe('é\n')
  })
})
