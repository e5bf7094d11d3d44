/**
 * ASN.1 DER (ITU-T X.690) as SPNEGO (RFC 4178, MS-SPNG) and Kerberos (RFC 4120) use it: a bounds-checked
 * TLV reader that throws `DecodeError` with the field path, and small builders that produce DER (definite,
 * minimal lengths) for the tokens we send.
 *
 * Only what those protocols need is here: SEQUENCE, context-specific and APPLICATION tags, OBJECT IDENTIFIER,
 * OCTET STRING, BIT STRING, ENUMERATED, INTEGER, BOOLEAN, GeneralString, UTF8String, GeneralizedTime.
 * The reader accepts non-minimal length forms (BER leniency, as peers' tokens are decoded, not judged) but
 * never the indefinite form.
 * @module
 */
import { DecodeError, EncodeError } from '../wire/errors.js'

/** Universal and class bits of the first identifier octet (X.690 8.1.2). */
export const DerTag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Enumerated: 0x0a,
  Utf8String: 0x0c,
  Sequence: 0x30,
  Set: 0x31,
  GeneralizedTime: 0x18,
  GeneralString: 0x1b,
} as const

export const DerClass = { Universal: 0, Application: 1, Context: 2, Private: 3 } as const

/** One decoded TLV. `start` and `end` are absolute positions in the reader's buffer. */
export interface DerNode {
  /** The first identifier octet (class, constructed bit and, for numbers below 31, the tag number). */
  readonly tag: number
  readonly tagClass: number
  readonly constructed: boolean
  readonly tagNumber: number
  readonly start: number
  /** Where the contents begin. */
  readonly contentStart: number
  readonly end: number
  /** A view of the contents. */
  readonly content: Buffer
}

/** The first identifier octet of a constructed context-specific tag `[n]` (n < 31). */
export const contextTag = (n: number): number => 0xa0 | n
/** The first identifier octet of a constructed APPLICATION tag `[APPLICATION n]` (n < 31). */
export const applicationTag = (n: number): number => 0x60 | n

function tagLabel(tag: number): string {
  const cls = tag >> 6
  const n = tag & 0x1f
  if (cls === DerClass.Context) return `[${n}]`
  if (cls === DerClass.Application) return `[APPLICATION ${n}]`
  const names: Record<number, string> = {
    0x01: 'BOOLEAN', 0x02: 'INTEGER', 0x03: 'BIT STRING', 0x04: 'OCTET STRING', 0x05: 'NULL', 0x06: 'OBJECT IDENTIFIER',
    0x0a: 'ENUMERATED', 0x0c: 'UTF8String', 0x30: 'SEQUENCE', 0x31: 'SET', 0x18: 'GeneralizedTime', 0x1b: 'GeneralString',
  }
  return names[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`
}

/**
 * Reads TLVs from `[pos, end)` of a buffer. Every method checks bounds and throws `DecodeError` (offset and
 * field path) on anything malformed; a Buffer `RangeError` cannot escape.
 */
export class DerReader {
  readonly path: string[]

  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
    path: readonly string[] = [],
  ) {
    this.path = [...path]
    if (pos < 0 || end > buf.length || pos > end) throw new DecodeError(`DER window [${pos}, ${end}) outside ${buf.length} bytes`, pos, path)
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  get remaining(): number {
    return this.end - this.pos
  }

  fail(reason: string, at = this.pos): never {
    throw new DecodeError(reason, at, this.path)
  }

  /** The first identifier octet of the next TLV, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined
  }

  /** Reads any TLV. */
  read(): DerNode {
    const start = this.pos
    if (start >= this.end) this.fail('expected a DER element, found the end of the data')
    const tag = this.buf[this.pos++]!
    let tagNumber = tag & 0x1f
    if (tagNumber === 0x1f) {
      // High tag number form (X.690 8.1.2.4): base-128 digits, the last without bit 8.
      tagNumber = 0
      for (let i = 0; ; i++) {
        if (this.pos >= this.end) this.fail('truncated high tag number', start)
        if (i >= 4) this.fail('tag number too large', start)
        const b = this.buf[this.pos++]!
        tagNumber = tagNumber * 128 + (b & 0x7f)
        if (!(b & 0x80)) break
      }
    }
    if (this.pos >= this.end) this.fail(`${tagLabel(tag)}: missing length`, start)
    const first = this.buf[this.pos++]!
    let length: number
    if (first < 0x80) {
      length = first
    } else if (first === 0x80) {
      this.fail(`${tagLabel(tag)}: indefinite length is not DER`, start)
    } else {
      const n = first & 0x7f
      if (n > 4) this.fail(`${tagLabel(tag)}: length of ${n} octets is too large`, start)
      if (this.pos + n > this.end) this.fail(`${tagLabel(tag)}: truncated length`, start)
      length = 0
      for (let i = 0; i < n; i++) length = length * 256 + this.buf[this.pos++]!
    }
    const contentStart = this.pos
    if (length > this.end - contentStart) {
      this.fail(`${tagLabel(tag)}: length ${length} runs past the end (${this.end - contentStart} bytes left)`, start)
    }
    this.pos = contentStart + length
    return {
      tag,
      tagClass: tag >> 6,
      constructed: (tag & 0x20) !== 0,
      tagNumber,
      start,
      contentStart,
      end: this.pos,
      content: this.buf.subarray(contentStart, this.pos),
    }
  }

  /** Reads the next TLV and checks its first identifier octet. */
  expect(tag: number, name: string): DerNode {
    const at = this.pos
    const t = this.peekTag()
    if (t !== tag) {
      this.path.push(name)
      const found = t === undefined ? 'the end of the data' : tagLabel(t)
      const e = new DecodeError(`expected ${tagLabel(tag)}, found ${found}`, at, this.path)
      this.path.pop()
      throw e
    }
    this.path.push(name)
    try {
      return this.read()
    } finally {
      this.path.pop()
    }
  }

  /** A reader over a node's contents (for constructed types), with `name` appended to the path. */
  into(node: DerNode, name: string): DerReader {
    return new DerReader(this.buf, node.contentStart, node.end, [...this.path, name])
  }

  /** Reads a TLV with `tag` and runs `fn` over its contents. `fn` must consume all of them. */
  nested<T>(tag: number, name: string, fn: (r: DerReader) => T): T {
    const node = this.expect(tag, name)
    const sub = this.into(node, name)
    const v = fn(sub)
    if (!sub.done) sub.fail(`${sub.remaining} unexpected bytes at the end of ${tagLabel(tag)}`)
    return v
  }

  sequence<T>(name: string, fn: (r: DerReader) => T): T {
    return this.nested(DerTag.Sequence, name, fn)
  }

  /** `[n] EXPLICIT`: a constructed context tag around one element read by `fn`. */
  explicit<T>(n: number, name: string, fn: (r: DerReader) => T): T {
    return this.nested(contextTag(n), name, fn)
  }

  /** Like `explicit` but only when the next tag is `[n]`. */
  optionalExplicit<T>(n: number, name: string, fn: (r: DerReader) => T): T | undefined {
    return this.peekTag() === contextTag(n) ? this.explicit(n, name, fn) : undefined
  }

  /** Reads primitive contents of a given universal tag. */
  private primitive(tag: number, name: string): DerNode {
    return this.expect(tag, name)
  }

  oid(name = 'oid'): string {
    const node = this.primitive(DerTag.ObjectIdentifier, name)
    this.path.push(name)
    try {
      return decodeOid(node.content, node.contentStart, this.path)
    } finally {
      this.path.pop()
    }
  }

  octetString(name: string): Buffer {
    return this.primitive(DerTag.OctetString, name).content
  }

  bitString(name: string): DerBitString {
    const node = this.primitive(DerTag.BitString, name)
    if (node.content.length === 0) this.failAt(name, 'BIT STRING without its unused-bits octet', node.start)
    const unusedBits = node.content[0]!
    if (unusedBits > 7) this.failAt(name, `BIT STRING with ${unusedBits} unused bits`, node.start)
    return { unusedBits, bytes: node.content.subarray(1) }
  }

  /** INTEGER that fits in a JS number (up to 6 content octets). */
  integer(name: string): number {
    return this.smallInt(this.primitive(DerTag.Integer, name), name)
  }

  enumerated(name: string): number {
    return this.smallInt(this.primitive(DerTag.Enumerated, name), name)
  }

  boolean(name: string): boolean {
    const node = this.primitive(DerTag.Boolean, name)
    if (node.content.length !== 1) this.failAt(name, `BOOLEAN of ${node.content.length} octets`, node.start)
    return node.content[0] !== 0
  }

  /** GeneralString (Kerberos strings, SPNEGO hintName): bytes kept as latin1 so they re-encode exactly. */
  generalString(name: string): string {
    return this.primitive(DerTag.GeneralString, name).content.toString('latin1')
  }

  utf8String(name: string): string {
    return this.primitive(DerTag.Utf8String, name).content.toString('utf8')
  }

  generalizedTime(name: string): string {
    return this.primitive(DerTag.GeneralizedTime, name).content.toString('latin1')
  }

  private failAt(name: string, reason: string, at: number): never {
    throw new DecodeError(reason, at, [...this.path, name])
  }

  private smallInt(node: DerNode, name: string): number {
    const c = node.content
    if (c.length === 0) this.failAt(name, 'INTEGER without content octets', node.start)
    if (c.length > 6) this.failAt(name, `INTEGER of ${c.length} octets is too large`, node.start)
    return c.readIntBE(0, c.length)
  }
}

export interface DerBitString {
  unusedBits: number
  bytes: Buffer
}

/** Decodes OBJECT IDENTIFIER contents to dotted form (X.690 8.19). */
export function decodeOid(content: Buffer, at = 0, path: readonly string[] = []): string {
  if (content.length === 0) throw new DecodeError('empty OBJECT IDENTIFIER', at, path)
  const arcs: number[] = []
  let v = 0
  let digits = 0
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!
    if (digits === 0 && b === 0x80) throw new DecodeError('OBJECT IDENTIFIER arc with a leading 0x80 octet', at + i, path)
    v = v * 128 + (b & 0x7f)
    digits++
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DecodeError('OBJECT IDENTIFIER arc too large', at + i, path)
    if (!(b & 0x80)) {
      arcs.push(v)
      v = 0
      digits = 0
    }
  }
  if (digits !== 0) throw new DecodeError('truncated OBJECT IDENTIFIER arc', at + content.length - 1, path)
  const first = arcs[0]!
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
  return [...head, ...arcs.slice(1)].join('.')
}

// ---------------------------------------------------------------------------------------------------------
// Builders (DER: definite, minimal lengths)

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** A TLV with a single-octet identifier. */
export function derTlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body])
}

export const der = {
  tlv: derTlv,
  sequence: (...items: Buffer[]): Buffer => derTlv(DerTag.Sequence, ...items),
  /** `[n] EXPLICIT` around one encoded element. */
  explicit: (n: number, inner: Buffer): Buffer => derTlv(contextTag(n), inner),
  application: (n: number, ...items: Buffer[]): Buffer => derTlv(applicationTag(n), ...items),
  octetString: (b: Uint8Array): Buffer => derTlv(DerTag.OctetString, Buffer.from(b)),
  generalString: (s: string): Buffer => derTlv(DerTag.GeneralString, Buffer.from(s, 'latin1')),
  utf8String: (s: string): Buffer => derTlv(DerTag.Utf8String, Buffer.from(s, 'utf8')),
  bitString: (bytes: Uint8Array, unusedBits = 0): Buffer => derTlv(DerTag.BitString, Buffer.from([unusedBits]), Buffer.from(bytes)),
  integer: (v: number): Buffer => derTlv(DerTag.Integer, intContent(v)),
  enumerated: (v: number): Buffer => derTlv(DerTag.Enumerated, intContent(v)),
  boolean: (v: boolean): Buffer => derTlv(DerTag.Boolean, Buffer.from([v ? 0xff : 0])),
  oid: (dotted: string): Buffer => derTlv(DerTag.ObjectIdentifier, encodeOid(dotted)),
}

/** Minimal two's-complement contents of an INTEGER. */
function intContent(v: number): Buffer {
  if (!Number.isSafeInteger(v)) throw new EncodeError(`not a safe integer: ${v}`)
  const bytes: number[] = []
  let x = v
  for (;;) {
    bytes.unshift(((x % 256) + 256) % 256)
    x = Math.floor(x / 256)
    const top = bytes[0]!
    if ((x === 0 && !(top & 0x80)) || (x === -1 && top & 0x80)) break
  }
  return Buffer.from(bytes)
}

/** OBJECT IDENTIFIER contents from dotted form. */
export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new EncodeError(`bad OID ${JSON.stringify(dotted)}`)
    return Number(s)
  })
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! >= 40)) throw new EncodeError(`bad OID ${JSON.stringify(dotted)}`)
  const out: number[] = []
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]
  for (const value of values) {
    const digits: number[] = [value % 128]
    for (let x = Math.floor(value / 128); x > 0; x = Math.floor(x / 128)) digits.unshift((x % 128) | 0x80)
    out.push(...digits)
  }
  return Buffer.from(out)
}
