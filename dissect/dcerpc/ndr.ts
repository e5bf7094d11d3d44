/**
 * NDR 2.0 transfer syntax (C706 chapter 14, MS-RPCE 2.2.5) for little-endian stubs: the primitives the named-pipe
 * interfaces here need. Alignment counts from the start of the stub. Pointers: a full/unique pointer is a 32-bit
 * referent id (0 = NULL); a pointer embedded in a structure or array has its pointee deferred until after the
 * outermost construct (C706 14.3.12.3), so `NdrWriter.deferred` queues pointee writers and `flush()` runs them in
 * order; the reader mirrors it with `deferred` readers.
 * @module
 */
import { DecodeError, Reader, Writer } from '../wire/index.js'

/** The first referent id Windows and Samba use; later ones step by 4. */
export const FIRST_REFERENT_ID = 0x0002_0000

export class NdrWriter {
  readonly w = new Writer(256)
  private nextRef: number
  private queue: Array<() => void> = []

  /** `firstReferentId`: where referent ids start (a server continuing the request's numbering, as Samba does). */
  constructor(firstReferentId = FIRST_REFERENT_ID) {
    this.nextRef = firstReferentId
  }

  align(n: number): void {
    this.w.align(n, 0)
  }
  u8(v: number): void {
    this.w.u8(v)
  }
  u16(v: number): void {
    this.align(2)
    this.w.u16(v)
  }
  u32(v: number): void {
    this.align(4)
    this.w.u32(v >>> 0)
  }
  /** A unique/full pointer's referent id (0 for null); returns whether a pointee follows. */
  pointer(present: boolean): boolean {
    this.u32(present ? this.ref() : 0)
    return present
  }
  private ref(): number {
    const r = this.nextRef
    this.nextRef += 4
    return r
  }
  /** Queues the pointee of an embedded pointer. */
  defer(write: () => void): void {
    this.queue.push(write)
  }
  /** Writes the queued pointees (and whatever they queue in turn) in order. */
  flush(): void {
    while (this.queue.length) {
      const batch = this.queue
      this.queue = []
      for (const f of batch) f()
    }
  }
  /** A conformant varying UTF-16 string with its terminating NUL ([string, charset(UTF16)]). */
  string(s: string): void {
    const units = s.length + 1
    this.u32(units)
    this.u32(0)
    this.u32(units)
    this.w.utf16(s)
    this.w.u16(0)
  }
  /** A unique pointer to a string, its pointee written at once (a top-level parameter). */
  uniqueString(s: string | null): void {
    if (this.pointer(s !== null)) this.string(s!)
  }
  /** A unique pointer to a string embedded in a structure: the string is deferred. */
  embeddedString(s: string | null): void {
    if (this.pointer(s !== null)) this.defer(() => this.string(s!))
  }
  finish(): Buffer {
    this.flush()
    return this.w.finish()
  }
}

export class NdrReader {
  readonly r: Reader
  private queue: Array<() => void> = []

  constructor(buf: Buffer, path = 'ndr') {
    this.r = new Reader(buf)
    this.r.path.push(path)
  }

  align(n: number): void {
    const over = this.r.pos % n
    if (over) this.r.skip(n - over)
  }
  u8(): number {
    return this.r.u8()
  }
  u16(): number {
    this.align(2)
    return this.r.u16()
  }
  u32(): number {
    this.align(4)
    return this.r.u32()
  }
  /** A unique/full pointer's referent id; true when a pointee follows. */
  pointer(): boolean {
    return this.u32() !== 0
  }
  defer(read: () => void): void {
    this.queue.push(read)
  }
  flush(): void {
    while (this.queue.length) {
      const batch = this.queue
      this.queue = []
      for (const f of batch) f()
    }
  }
  /** A conformant varying UTF-16 string; the terminating NUL (when present) is dropped. */
  string(): string {
    const max = this.u32()
    const offset = this.u32()
    const actual = this.u32()
    if (offset !== 0 || actual > max) throw new DecodeError(`bad string bounds max=${max} offset=${offset} actual=${actual}`, this.r.pos, this.r.path)
    const s = this.r.bytes(actual * 2).toString('utf16le')
    return s.endsWith('\0') ? s.slice(0, -1) : s
  }
  uniqueString(): string | null {
    return this.pointer() ? this.string() : null
  }
  embeddedString(set: (s: string | null) => void): void {
    if (this.pointer()) this.defer(() => set(this.string()))
    else set(null)
  }
  get remaining(): number {
    return this.r.remaining
  }
}
