/**
 * JSON text of trace records written straight into bytes: the hot path of `--format jsonl`, and the one JSON
 * writer of records (`recordToJsonLine` uses it too). The text is `JSON.stringify(toJsonValue(v))` (record.ts
 * rules: FILETIMEs as ISO dates, bigints as numbers or hex, Buffers as hex or a summary; json-bytes.test.ts
 * compares them), written into a growing Buffer with character loops the JIT turns into plain stores: no
 * intermediate string per record to flatten and encode, none for keys, numbers, ids, byte strings or times.
 * @module
 */
import { filetimeToIso, hex64, isTimeKey } from './record.js'

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const U32 = 0xffff_ffffn
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const HEX_HI = new Uint8Array(HEX.map((h) => h.charCodeAt(0)))
const HEX_LO = new Uint8Array(HEX.map((h) => h.charCodeAt(1)))

export class JsonBytes {
  /** The bytes written so far are buf[0, pos). */
  buf: Buffer
  pos = 0

  constructor(private readonly initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial)
  }

  /** Takes the bytes written so far (the caller owns them) and starts a fresh buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos)
    this.buf = Buffer.allocUnsafe(this.initial)
    this.pos = 0
    return out
  }

  private grow(n: number): void {
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(nb, 0, 0, this.pos)
    this.buf = nb
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1)
    this.buf[this.pos++] = c
  }

  /** A string known to be printable ASCII without quotes or backslashes (ids, hex, numbers, ISO times). */
  ascii(s: string): void {
    const n = s.length
    if (this.pos + n > this.buf.length) this.grow(n)
    const b = this.buf
    let p = this.pos
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i)
    this.pos = p
  }

  /** A JSON string literal: plain ASCII is copied as it is checked; anything else goes through JSON.stringify. */
  string(s: string): void {
    const n = s.length
    if (this.pos + n + 2 > this.buf.length) this.grow(n + 2)
    const b = this.buf
    const start = this.pos
    let p = start
    b[p++] = 34
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) {
        this.pos = start
        this.raw(JSON.stringify(s))
        return
      }
      b[p++] = c
    }
    b[p++] = 34
    this.pos = p
  }

  /** Any text, UTF-8 encoded as it is. */
  raw(s: string): void {
    if (this.pos + s.length * 3 > this.buf.length) this.grow(s.length * 3)
    this.pos += this.buf.write(s, this.pos, 'utf8')
  }

  /** A non-negative integer below 2^53 in decimal. */
  private uint(v: number): void {
    if (v < 10) return this.byte(48 + v)
    if (this.pos + 16 > this.buf.length) this.grow(16)
    const b = this.buf
    let digits = 1
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++
    let p = this.pos + digits
    this.pos = p
    while (v >= 10) {
      const q = Math.floor(v / 10)
      b[--p] = 48 + (v - q * 10)
      v = q
    }
    b[--p] = 48 + v
  }

  number(v: number): void {
    if (Number.isInteger(v)) {
      if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && !Object.is(v, -0)) return this.uint(v)
    } else if (v > 0 && v < 4294967296) {
      // A time or duration with at most six decimals (capture timestamps, rtt). With N = sec·10^6 + micro (an
      // exact integer), N / 10^6 is the double nearest to the decimal "sec.micro", so when it gives v back that
      // text reads back as v; and below 2^32 doubles are closer together than 10^-6, so no other text of at
      // most six decimals does: it is the shortest, which is what String(v) prints (trailing zeros cut).
      const sec = Math.floor(v)
      const us = Math.round((v - sec) * 1e6)
      if (us > 0 && us < 1e6 && (sec * 1e6 + us) / 1e6 === v) {
        this.uint(sec)
        if (this.pos + 7 > this.buf.length) this.grow(7)
        const b = this.buf
        b[this.pos] = 46
        let last = 6
        let d = us
        while (d % 10 === 0) {
          d /= 10
          last--
        }
        for (let i = last; i >= 1; i--) {
          b[this.pos + i] = 48 + (d % 10)
          d = Math.floor(d / 10)
        }
        this.pos += last + 1
        return
      }
    }
    this.ascii(Number.isFinite(v) ? String(v) : 'null')
  }

  /** `"` + hex of bytes [start, end) + `"`. */
  private hex(v: Uint8Array, start: number, end: number): void {
    const n = 2 * (end - start) + 2
    if (this.pos + n > this.buf.length) this.grow(n)
    const b = this.buf
    let p = this.pos
    b[p++] = 34
    for (let i = start; i < end; i++) {
      const x = v[i]!
      b[p++] = HEX_HI[x]!
      b[p++] = HEX_LO[x]!
    }
    b[p++] = 34
    this.pos = p
  }

  /** `,"key":` (or `{"key":` for the first member). */
  private key(k: string, first: boolean): void {
    this.byte(first ? 123 : 44)
    this.string(k)
    this.byte(58)
  }

  /** The JSON text of a decoded value: `JSON.stringify(toJsonValue(v, key, { maxHex }))`. */
  value(v: unknown, key = '', maxHex = 64): void {
    switch (typeof v) {
      case 'string':
        return this.string(v)
      case 'number':
        return this.number(v)
      case 'boolean':
        return this.ascii(v ? 'true' : 'false')
      case 'bigint':
        if (isTimeKey(key)) {
          const t = filetimeToIso(v)
          if (t === 0) return this.byte(48)
          this.byte(34)
          this.ascii(t)
          return this.byte(34)
        }
        if (v >= 0n && v <= U32) return this.uint(Number(v))
        if (v <= SAFE) return this.ascii(v.toString())
        this.byte(34)
        this.ascii(hex64(v))
        return this.byte(34)
      case 'object': {
        if (v === null) return this.ascii('null')
        if (v instanceof Uint8Array) {
          if (v.length <= maxHex) return this.hex(v, 0, v.length)
          this.ascii('{"bytes":')
          this.uint(v.length)
          this.ascii(',"head":')
          this.hex(v, 0, Math.min(32, v.length))
          return this.byte(125)
        }
        if (Array.isArray(v)) {
          this.byte(91)
          for (let i = 0; i < v.length; i++) {
            if (i) this.byte(44)
            const e = v[i]
            if (e === undefined) this.ascii('null')
            else this.value(e, key, maxHex)
          }
          return this.byte(93)
        }
        let first = true
        for (const k in v) {
          const e = (v as Record<string, unknown>)[k]
          if (e === undefined || typeof e === 'function') continue
          this.key(k, first)
          first = false
          this.value(e, k, maxHex)
        }
        if (first) return this.ascii('{}')
        return this.byte(125)
      }
      default:
        return this.ascii('null')
    }
  }
}
