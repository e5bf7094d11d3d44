/**
 * Output plumbing for long streams: a buffered sink that respects back-pressure (so `| head` and slow pipes
 * work without unbounded memory), and a progress line on stderr that only a TTY sees.
 * @module
 */
import type { Writable } from 'node:stream'

export class OutputSink {
  private buf: string[] = []
  private size = 0
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

  /** Buffers a line; true when the buffer is full and `flush()` should be awaited. */
  push(s: string): boolean {
    if (this.closed) return false
    this.buf.push(s, '\n')
    this.size += s.length + 1
    return this.size >= this.chunk
  }

  async write(s: string): Promise<void> {
    if (this.closed) return
    this.buf.push(s)
    this.size += s.length
    if (this.size >= this.chunk) await this.flush()
  }

  async flush(): Promise<void> {
    if (!this.buf.length || this.closed) return
    const data = this.buf.join('')
    this.buf = []
    this.size = 0
    if (!this.out.write(data)) await new Promise<void>((resolve) => this.out.once('drain', resolve))
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
