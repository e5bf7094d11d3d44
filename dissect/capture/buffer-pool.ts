/**
 * Buffers for large reassembled messages (8 MiB READs and WRITEs), reused once the consumer is done with them.
 *
 * A message's bytes are an owned copy (CaptureMessage.data). Dead copies of large messages live on outside the
 * JavaScript heap until the garbage collector notices them, which it does by external-memory pressure, tens of
 * megabytes late: on a 400 MB bulk capture that was a third of the peak memory. A consumer that keeps nothing of a
 * message once it has handled it (the dissect CLI writing records as it goes, without raw bytes) hands each message
 * back with `release`, and the next large message reuses its buffer. Small messages are allocated as usual.
 * @module
 */
export class MessageBufferPool {
  private readonly free: Buffer[] = []
  /** The whole pooled buffer behind each view handed out. */
  private readonly backing = new WeakMap<Buffer, Buffer>()

  constructor(
    /** Messages at least this long come from the pool. */
    readonly minSize = 1 << 20,
    /** Free buffers kept for reuse at most. */
    readonly maxFree = 4,
  ) {}

  /** A buffer of `length` bytes (contents undefined), for NetbiosFramer's `allocate`. */
  readonly allocate = (length: number): Buffer => {
    if (length < this.minSize) return Buffer.allocUnsafe(length)
    let whole: Buffer | undefined
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i]!.length >= length) {
        whole = this.free[i]!
        this.free.splice(i, 1)
        break
      }
    }
    whole ??= Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(length)))
    const view = whole.subarray(0, length)
    this.backing.set(view, whole)
    return view
  }

  /** Gives back a message's buffer: the caller and everything it handed the bytes to are done with them. */
  release(view: Buffer): void {
    const whole = this.backing.get(view)
    if (!whole) return
    this.backing.delete(view)
    if (this.free.length < this.maxFree) this.free.push(whole)
  }

  /** Free buffers held (for tests). */
  get freeCount(): number {
    return this.free.length
  }
}
