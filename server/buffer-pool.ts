/**
 * Recycled buffers for large incoming messages (multi-credit WRITEs of up to MaxWriteSize). Allocating a fresh
 * 8 MiB buffer per WRITE costs a page fault per 4 KiB on first touch and keeps the garbage collector busy with
 * external memory; a few slabs reused across messages avoid both. Small messages are allocated as usual.
 *
 * A buffer may be given back only when nothing refers to it any more: the WRITE handler does so for a single,
 * unencrypted WRITE request once its data is on disk (a compound's later requests may still point into theirs).
 * @module
 */

export class BufferPool {
  private readonly free: ArrayBuffer[] = []
  private readonly mine = new WeakSet<ArrayBuffer>()

  /**
   * @param minSize messages at least this large come from the pool
   * @param slabSize size of each slab (the largest message the pool serves)
   * @param maxFree slabs kept for reuse; more are left to the garbage collector
   */
  constructor(
    readonly minSize: number,
    readonly slabSize: number,
    readonly maxFree = 8,
  ) {}

  /** A buffer of `length` bytes (uninitialised). */
  take(length: number): Buffer {
    if (length < this.minSize || length > this.slabSize) return Buffer.allocUnsafe(length)
    let ab = this.free.pop()
    if (!ab) {
      ab = new ArrayBuffer(this.slabSize)
      this.mine.add(ab)
    }
    return Buffer.from(ab, 0, length)
  }

  /** Returns a buffer from `take` for reuse; anything else is ignored. */
  give(buf: Buffer): void {
    const ab = buf.buffer as ArrayBuffer
    if (!this.mine.has(ab) || this.free.length >= this.maxFree || this.free.includes(ab)) return
    this.free.push(ab)
  }

  /** Slabs waiting for reuse. */
  get idle(): number {
    return this.free.length
  }
}
