/**
 * A growable little-endian writer. Positions can be reserved and patched later (lengths, offsets, counts),
 * and data can be placed at an absolute position ahead of the cursor, which is how variable parts land at
 * the offsets a decoded value recorded (faithful re-encoding) or at the next 8-byte boundary (canonical).
 * @module
 */
import { EncodeError } from './errors.js'
import { parseGuid } from './reader.js'

export class Writer {
  private buf: Buffer
  /** Bytes written so far (high-water mark); `pos` may be moved back below it to patch. */
  private len = 0
  pos = 0
  readonly path: string[] = []

  constructor(initial = 256) {
    this.buf = Buffer.alloc(initial)
  }

  get length(): number {
    return this.len
  }

  private ensure(n: number): void {
    const need = this.pos + n
    if (need > this.buf.length) {
      let size = this.buf.length * 2
      while (size < need) size *= 2
      const nb = Buffer.alloc(size)
      this.buf.copy(nb, 0, 0, this.len)
      this.buf = nb
    }
  }
  private moved(n: number): void {
    this.pos += n
    if (this.pos > this.len) this.len = this.pos
  }

  fail(reason: string): never {
    throw new EncodeError(reason, this.path)
  }

  private checkInt(v: number, bits: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) this.fail(`${v} does not fit in u${bits}`)
  }

  u8(v: number): void {
    this.checkInt(v, 8)
    this.ensure(1)
    this.buf[this.pos] = v
    this.moved(1)
  }
  u16(v: number): void {
    this.checkInt(v, 16)
    this.ensure(2)
    this.buf.writeUInt16LE(v, this.pos)
    this.moved(2)
  }
  u16be(v: number): void {
    this.checkInt(v, 16)
    this.ensure(2)
    this.buf.writeUInt16BE(v, this.pos)
    this.moved(2)
  }
  u24be(v: number): void {
    this.checkInt(v, 24)
    this.ensure(3)
    this.buf.writeUIntBE(v, this.pos, 3)
    this.moved(3)
  }
  u32(v: number): void {
    this.checkInt(v, 32)
    this.ensure(4)
    this.buf.writeUInt32LE(v, this.pos)
    this.moved(4)
  }
  u32be(v: number): void {
    this.checkInt(v, 32)
    this.ensure(4)
    this.buf.writeUInt32BE(v, this.pos)
    this.moved(4)
  }
  i32(v: number): void {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) this.fail(`${v} does not fit in i32`)
    this.ensure(4)
    this.buf.writeInt32LE(v, this.pos)
    this.moved(4)
  }
  u64(v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffff_ffff_ffff_ffffn) this.fail(`${String(v)} does not fit in u64`)
    this.ensure(8)
    this.buf.writeBigUInt64LE(v, this.pos)
    this.moved(8)
  }
  i64(v: bigint): void {
    if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 63n) this.fail(`${String(v)} does not fit in i64`)
    this.ensure(8)
    this.buf.writeBigInt64LE(v, this.pos)
    this.moved(8)
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.moved(b.length)
  }
  zeros(n: number): void {
    if (n < 0) this.fail(`negative padding ${n}`)
    this.ensure(n)
    this.buf.fill(0, this.pos, this.pos + n)
    this.moved(n)
  }
  utf16(s: string): void {
    this.bytes(Buffer.from(s, 'utf16le'))
  }
  guid(s: string): void {
    try {
      this.bytes(parseGuid(s))
    } catch (e) {
      this.fail((e as Error).message)
    }
  }
  /** Pads with zeros until (pos - base) is a multiple of n. */
  align(n: number, base = 0): void {
    const over = (this.pos - base) % n
    if (over) this.zeros(n - over)
  }
  /** Moves the cursor to an absolute position, zero-filling any gap beyond what was written. */
  moveTo(pos: number): void {
    if (pos < 0) this.fail(`negative position ${pos}`)
    if (pos > this.len) {
      this.pos = this.len
      this.zeros(pos - this.len)
    } else {
      this.pos = pos
    }
  }
  /** Drops everything from `pos` on (only below the high-water mark). */
  truncate(pos: number): void {
    if (pos < 0 || pos > this.len) this.fail(`cannot truncate to ${pos} (length ${this.len})`)
    this.len = pos
    this.pos = pos
  }
  /** Writes at an absolute position without disturbing the cursor. */
  patch(at: number, fn: (w: Writer) => void): void {
    const saved = this.pos
    this.pos = at
    fn(this)
    this.pos = saved
  }
  /** A copy of everything written. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len))
  }
  /** A view of everything written (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len)
  }
}
