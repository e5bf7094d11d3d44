/**
 * Output plumbing for long streams: a buffered sink that respects back-pressure (so `| head` and slow pipes
 * work without unbounded memory), and a progress line on stderr that only a TTY sees.
 * @module
 */
import type { Writable } from 'node:stream'

export class OutputSink {
  /** Lines are encoded straight into this chunk (no joined string), which is handed to the stream whole. */
  private buf: Buffer | undefined
  private pos = 0
  private closed = false

  constructor(private readonly out: Writable, private readonly chunk = 1 << 16) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      // A closed pipe (`| head`) ends the output quietly.
      if (e.code === 'EPIPE') {
        this.closed = true
        process.exit(0)
      }
    })
  }

  async line(s: string): Promise<void> {
    return this.write(s + '\n')
  }

  /** Room for `n` more bytes; false when the current chunk must be flushed first. */
  private room(n: number): boolean {
    if (!this.buf) {
      this.buf = Buffer.allocUnsafe(Math.max(this.chunk + 4096, n))
      this.pos = 0
    }
    return this.pos + n <= this.buf.length
  }

  private append(s: string, newline: boolean): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const max = s.length * 3 + 1
    if (!this.room(max)) {
      this.handOff()
      this.room(max)
    }
    const b = this.buf!
    this.pos += b.write(s, this.pos)
    if (newline) b[this.pos++] = 10
  }

  /** Buffers a line; true when the buffer is full and `flush()` should be awaited. */
  push(s: string): boolean {
    if (this.closed) return false
    this.append(s, true)
    return this.pos >= this.chunk
  }

  async write(s: string): Promise<void> {
    if (this.closed) return
    this.append(s, false)
    if (this.pos >= this.chunk) await this.flush()
  }

  /** Gives the filled part of the chunk to the stream (which keeps it until written); true when it wants a drain. */
  private handOff(): boolean {
    if (!this.buf || this.pos === 0) return false
    const data = this.buf.subarray(0, this.pos)
    this.buf = undefined
    this.pos = 0
    return !this.out.write(data)
  }

  async flush(): Promise<void> {
    if (this.closed) return
    if (this.handOff()) await new Promise<void>((resolve) => this.out.once('drain', resolve))
  }
}

export class Progress {
  private last = 0
  private shown = false

  constructor(private readonly enabled: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(read: number, total: number | undefined, frames: number): void {
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.last < 200) return
    this.last = now
    const pct = total ? ` ${((100 * read) / total).toFixed(1).padStart(5)}%` : ''
    const width = 30
    const bar = total ? ' [' + '#'.repeat(Math.round((width * read) / total)).padEnd(width) + ']' : ''
    this.stream.write(`\r${bar}${pct} ${(read / 1048576).toFixed(1)} MiB, ${frames} frames `)
    this.shown = true
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K')
    this.shown = false
  }
}
