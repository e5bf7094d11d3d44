import { describe, expect, it } from 'vitest'
import { MessageBufferPool } from './buffer-pool.js'

describe('MessageBufferPool', () => {
  it('allocates small messages as usual and large ones from reusable buffers', () => {
    const pool = new MessageBufferPool(1024, 2)
    const small = pool.allocate(100)
    pool.release(small)
    expect(pool.freeCount).toBe(0)

    const a = pool.allocate(3000)
    const b = pool.allocate(3000)
    expect(a.length).toBe(3000)
    // Two messages alive at once never share memory.
    expect(a.buffer === b.buffer && a.byteOffset === b.byteOffset).toBe(false)
    a.fill(1)
    b.fill(2)
    expect(a.every((x) => x === 1)).toBe(true)
    pool.release(a)
    expect(pool.freeCount).toBe(1)
    // The next large message reuses the released buffer (capacity rounded up to a power of two).
    const c = pool.allocate(4000)
    expect(c.buffer).toBe(a.buffer)
    expect(pool.freeCount).toBe(0)
    // A buffer too small for the request is not used.
    pool.release(b)
    const d = pool.allocate(5000)
    expect(d.buffer).not.toBe(b.buffer)
    expect(pool.freeCount).toBe(1)
  })

  it('keeps at most maxFree buffers and ignores what it did not hand out, or a second release', () => {
    const pool = new MessageBufferPool(1024, 2)
    const bufs = [pool.allocate(2000), pool.allocate(2000), pool.allocate(2000)]
    for (const x of bufs) pool.release(x)
    expect(pool.freeCount).toBe(2)
    pool.release(bufs[0]!)
    pool.release(Buffer.alloc(5000))
    expect(pool.freeCount).toBe(2)
  })
})
