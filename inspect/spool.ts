/**
 * The record spool: every record's full JSON, its field spans and its raw bytes, appended to one temporary
 * file during the single streaming pass and read back by offset when a message is opened. Memory stays
 * bounded by the write buffer; the raw bytes are read in windows (a 16 MB WRITE is never loaded whole).
 *
 * Entry layout: u32 jsonLength, u32 spansLength, u32 rawLength, JSON (UTF-8), spans JSON, raw bytes.
 * @module
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Span } from '../dissect/wire/index.js'

/** What is stored per record besides the raw bytes. */
export interface SpoolEntry {
  /** The trace record as JSON-ready data (`toJsonValue`). */
  record: Record<string, unknown>
  /** The decoded wire header (JSON-ready), when the source had it. */
  header?: Record<string, unknown>
  /** Name of the body codec (`CreateRequest`, ...). */
  bodyType?: string
}

export interface SpoolRead {
  entry: SpoolEntry
  spans: Span[]
  rawLength: number
}

/** Byte storage under the spool: a temporary file, or memory for tests. */
export interface SpoolBackend {
  /** Appends the chunks and returns the offset of the first byte. */
  append(chunks: readonly Buffer[]): number
  read(position: number, length: number): Buffer
  readonly size: number
  close(): void
}

const ENTRY_HEAD = 12

export class Spool {
  constructor(readonly backend: SpoolBackend) {}

  /** Appends one record; returns its offset. Spans are relative to `raw`. */
  append(entry: SpoolEntry, spans: readonly Span[] | undefined, raw: Buffer | undefined): number {
    const json = Buffer.from(JSON.stringify(entry), 'utf8')
    const spansJson = Buffer.from(spans?.length ? JSON.stringify(spans.map((s) => [s.path, s.start, s.end])) : '', 'utf8')
    const head = Buffer.alloc(ENTRY_HEAD)
    head.writeUInt32LE(json.length, 0)
    head.writeUInt32LE(spansJson.length, 4)
    head.writeUInt32LE(raw?.length ?? 0, 8)
    return this.backend.append(raw?.length ? [head, json, spansJson, raw] : [head, json, spansJson])
  }

  read(offset: number): SpoolRead {
    const head = this.backend.read(offset, ENTRY_HEAD)
    const jsonLength = head.readUInt32LE(0)
    const spansLength = head.readUInt32LE(4)
    const rawLength = head.readUInt32LE(8)
    const body = this.backend.read(offset + ENTRY_HEAD, jsonLength + spansLength)
    const entry = JSON.parse(body.toString('utf8', 0, jsonLength)) as SpoolEntry
    const spans = spansLength
      ? (JSON.parse(body.toString('utf8', jsonLength)) as Array<[string, number, number]>).map(([path, start, end]) => ({ path, start, end }))
      : []
    return { entry, spans, rawLength }
  }

  /** Raw bytes [start, end) of the record at `offset` (clamped to its length). */
  readRaw(offset: number, start: number, end: number): Buffer {
    const head = this.backend.read(offset, ENTRY_HEAD)
    const skip = head.readUInt32LE(0) + head.readUInt32LE(4)
    const rawLength = head.readUInt32LE(8)
    const s = Math.max(0, Math.min(start, rawLength))
    const e = Math.max(s, Math.min(end, rawLength))
    return e > s ? this.backend.read(offset + ENTRY_HEAD + skip + s, e - s) : Buffer.alloc(0)
  }

  get size(): number {
    return this.backend.size
  }

  close(): void {
    this.backend.close()
  }
}

/** Keeps everything in memory (tests and tiny inputs). */
export class MemoryBackend implements SpoolBackend {
  private readonly chunks: Buffer[] = []
  private whole?: Buffer
  size = 0

  append(chunks: readonly Buffer[]): number {
    const at = this.size
    for (const c of chunks) {
      this.chunks.push(c)
      this.size += c.length
    }
    this.whole = undefined
    return at
  }

  read(position: number, length: number): Buffer {
    this.whole ??= Buffer.concat(this.chunks)
    if (position + length > this.size) throw new RangeError(`spool read [${position}, ${position + length}) past its end ${this.size}`)
    return this.whole.subarray(position, position + length)
  }

  close(): void {
    this.chunks.length = 0
    this.whole = undefined
  }
}

/** A file in a fresh private temporary directory; writes are batched, reads flush first when needed. */
export class FileBackend implements SpoolBackend {
  readonly dir: string
  readonly file: string
  private fd: number | undefined
  private pending: Buffer[] = []
  private pendingBytes = 0
  private flushed = 0

  constructor(base = tmpdir(), private readonly batch = 1 << 20) {
    this.dir = mkdtempSync(join(base, 'smbscope-inspect-'))
    this.file = join(this.dir, 'records.spool')
    this.fd = openSync(this.file, 'w+', 0o600)
  }

  get size(): number {
    return this.flushed + this.pendingBytes
  }

  append(chunks: readonly Buffer[]): number {
    const at = this.size
    for (const c of chunks) {
      this.pending.push(c)
      this.pendingBytes += c.length
    }
    if (this.pendingBytes >= this.batch) this.flush()
    return at
  }

  flush(): void {
    if (this.fd === undefined || this.pendingBytes === 0) return
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes)
    let done = 0
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.flushed + done)
    this.flushed += data.length
    this.pending = []
    this.pendingBytes = 0
  }

  read(position: number, length: number): Buffer {
    if (this.fd === undefined) throw new Error('spool is closed')
    if (position + length > this.size) throw new RangeError(`spool read [${position}, ${position + length}) past its end ${this.size}`)
    if (position + length > this.flushed) this.flush()
    const out = Buffer.allocUnsafe(length)
    let done = 0
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, position + done)
      if (n === 0) throw new Error(`spool file ended at ${position + done}`)
      done += n
    }
    return out
  }

  /** Closes and deletes the file and its directory; safe to call twice. */
  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd)
      } catch {
        // already closed
      }
      this.fd = undefined
    }
    this.pending = []
    this.pendingBytes = 0
    rmSync(this.dir, { recursive: true, force: true })
  }
}
