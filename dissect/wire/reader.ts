/**
 * A bounds-checked little-endian cursor over a Buffer. Every read checks the remaining length first and
 * throws `DecodeError` (with the current field path) instead of letting Buffer's RangeError escape.
 * Optionally records byte spans (`path -> [start, end)`) for the TUI's hex highlight and for replay.
 * @module
 */
import { DecodeError } from './errors.js'

export interface Span {
  path: string
  start: number
  end: number
}

export class Reader {
  readonly path: string[] = []

  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
    readonly spans?: Span[],
  ) {
    if (end > buf.length || pos > end || pos < 0) {
      throw new DecodeError(`window [${pos}, ${end}) outside a buffer of ${buf.length} bytes`, pos)
    }
  }

  get remaining(): number {
    return this.end - this.pos
  }

  fail(reason: string, at = this.pos): never {
    throw new DecodeError(reason, at, this.path)
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`need ${n} bytes, ${this.end - this.pos} left`)
  }

  /** A reader over `[start, start+length)` of the same buffer that shares the path and span list. */
  window(start: number, length: number): Reader {
    if (start < 0 || length < 0 || start + length > this.end) {
      this.fail(`range [${start}, ${start + length}) outside [0, ${this.end})`, start)
    }
    const r = new Reader(this.buf, start, start + length, this.spans)
    r.path.push(...this.path)
    return r
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.end) this.fail(`seek to ${pos} outside [0, ${this.end}]`, pos)
    this.pos = pos
  }

  skip(n: number): void {
    this.need(n)
    this.pos += n
  }

  u8(): number {
    this.need(1)
    return this.buf[this.pos++]!
  }
  u16(): number {
    this.need(2)
    const v = this.buf.readUInt16LE(this.pos)
    this.pos += 2
    return v
  }
  u16be(): number {
    this.need(2)
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }
  u24be(): number {
    this.need(3)
    const v = this.buf.readUIntBE(this.pos, 3)
    this.pos += 3
    return v
  }
  u32(): number {
    this.need(4)
    const v = this.buf.readUInt32LE(this.pos)
    this.pos += 4
    return v
  }
  u32be(): number {
    this.need(4)
    const v = this.buf.readUInt32BE(this.pos)
    this.pos += 4
    return v
  }
  i32(): number {
    this.need(4)
    const v = this.buf.readInt32LE(this.pos)
    this.pos += 4
    return v
  }
  u64(): bigint {
    this.need(8)
    const v = this.buf.readBigUInt64LE(this.pos)
    this.pos += 8
    return v
  }
  i64(): bigint {
    this.need(8)
    const v = this.buf.readBigInt64LE(this.pos)
    this.pos += 8
    return v
  }
  /** A view (not a copy) of the next n bytes. */
  bytes(n: number): Buffer {
    this.need(n)
    const v = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }
  /** The rest of the window. */
  rest(): Buffer {
    return this.bytes(this.end - this.pos)
  }
  /** n bytes of UTF-16LE (n must be even; an odd trailing byte is an error). */
  utf16(n: number): string {
    if (n & 1) this.fail(`UTF-16 string of odd length ${n}`)
    return this.bytes(n).toString('utf16le')
  }
  /** A GUID in its usual text form (first three groups little-endian), lower case. */
  guid(): string {
    return formatGuid(this.bytes(16))
  }

  /** Runs fn with `name` pushed on the field path; records the span when spans are kept. */
  field<T>(name: string, fn: () => T): T {
    this.path.push(name)
    const start = this.pos
    const v = fn()
    if (this.spans) this.spans.push({ path: this.path.join('.'), start, end: this.pos })
    this.path.pop()
    return v
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function formatGuid(b: Buffer): string {
  const h = (i: number) => HEX[b[i]!]!
  return (
    h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  )
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function parseGuid(s: string): Buffer {
  if (!GUID_RE.test(s)) throw new TypeError(`not a GUID: ${JSON.stringify(s)}`)
  const hex = s.replace(/-/g, '')
  const b = Buffer.from(hex, 'hex')
  b.subarray(0, 4).reverse()
  b.subarray(4, 6).reverse()
  b.subarray(6, 8).reverse()
  return b
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000'
