/**
 * Output plumbing for long streams: a buffered sink that respects back-pressure (so `| head` and slow pipes
 * work without unbounded memory), and a progress line on stderr that only a TTY sees.
 * @module
 */
import type { Writable } from 'node:stream'
import { JsonBytes } from './json-bytes.js'

export class OutputSink {
  /** Text and records are encoded straight into this chunk (no joined string), which is handed to the stream whole. */
  private readonly w: JsonBytes
  private closed = false

  constructor(private readonly out: Writable, private readonly chunk = 1 << 16) {
    this.w = new JsonBytes(chunk + 4096)
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
    this.w.raw(s)
    this.w.byte(10)
    return this.w.pos >= this.chunk
  }

  /**
   * Buffers the JSON text of a record (as `recordToJsonLine` gives it) and a newline, after `prefix` (e.g. the
   * comma between the elements of `--format json`); true when `flush()` should be awaited.
   */
  pushJson(v: unknown, prefix = ''): boolean {
    if (this.closed) return false
    if (prefix) this.w.raw(prefix)
    this.w.value(v)
    this.w.byte(10)
    return this.w.pos >= this.chunk
  }

  async write(s: string): Promise<void> {
    if (this.closed) return
    this.w.raw(s)
    if (this.w.pos >= this.chunk) await this.flush()
  }

  /** Gives the filled part of the chunk to the stream (which keeps it until written); true when it wants a drain. */
  private handOff(): boolean {
    if (this.w.pos === 0) return false
    return !this.out.write(this.w.take())
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
