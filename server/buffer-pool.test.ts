import { describe, expect, it } from 'vitest'
import { BufferPool } from './buffer-pool.js'
import { CreditWindow } from './credits.js'

describe('BufferPool', () => {
  it('serves large messages from recycled slabs and small ones as usual', () => {
    const pool = new BufferPool(1024, 4096, 1)
    const small = pool.take(100)
    expect(small.length).toBe(100)
    pool.give(small)
    expect(pool.idle).toBe(0)
    const a = pool.take(3000)
    expect(a.length).toBe(3000)
    pool.give(a)
    expect(pool.idle).toBe(1)
    pool.give(a) // twice: kept once
    expect(pool.idle).toBe(1)
    const b = pool.take(4000)
    expect(b.buffer).toBe(a.buffer)
    expect(pool.idle).toBe(0)
    const c = pool.take(5000) // larger than a slab
    expect(c.length).toBe(5000)
    pool.give(c)
    expect(pool.idle).toBe(0)
  })
})

describe('credit grants', () => {
  it('give back at least what a multi-credit request charged, even when it asks for fewer', () => {
    const w = new CreditWindow(8192)
    expect(w.grant(300, 1)).toBe(300)
    expect(w.consume(0n, 128).ok).toBe(true)
    expect(w.grant(1, 128)).toBe(128)
    expect(w.outstanding).toBe(301)
  })
})
