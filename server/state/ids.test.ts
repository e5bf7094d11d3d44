import { describe, expect, it } from 'vitest'
import { IdAllocator, IdExhaustedError } from './ids.js'

/** A random source that plays back the given 64-bit values (little-endian), for deterministic collision tests. */
function scripted(values: bigint[]): (n: number) => Buffer {
  let i = 0
  return (n) => {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(values[i++ % values.length]!)
    return b.subarray(0, n)
  }
}

describe('IdAllocator', () => {
  it('draws 20000 distinct 64-bit ids, none reserved', () => {
    const ids = new IdAllocator()
    const seen = new Set<bigint>()
    for (let i = 0; i < 20000; i++) seen.add(ids.next64((id) => seen.has(id)))
    expect(seen.size).toBe(20000)
    expect(seen.has(0n)).toBe(false)
    expect(seen.has(0xffff_ffff_ffff_ffffn)).toBe(false)
    // Not trivially guessable: not a counter (consecutive draws are not neighbours).
    const arr = [...seen].slice(0, 100)
    const adjacent = arr.slice(1).filter((v, i) => v - arr[i]! === 1n).length
    expect(adjacent).toBe(0)
  })

  it('skips 0 and all-ones (the related-compound FileId) and values in use', () => {
    const ids = new IdAllocator(scripted([0n, 0xffff_ffff_ffff_ffffn, 42n, 43n]))
    expect(ids.next64((id) => id === 42n)).toBe(43n)
  })

  it('32-bit tree ids skip 0 and 0xFFFFFFFF', () => {
    const ids = new IdAllocator(scripted([0n, 0xffff_ffffn, 7n]))
    expect(ids.next32(() => false)).toBe(7)
  })

  it('gives up with IdExhaustedError instead of looping forever', () => {
    const ids = new IdAllocator(scripted([5n]))
    expect(() => ids.next64((id) => id === 5n)).toThrow(IdExhaustedError)
  })
})
