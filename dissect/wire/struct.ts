/**
 * The structure DSL: every wire structure is declared once, as a typed schema, and decode, encode, the
 * TypeScript type and the byte spans all come from that one declaration (style.md §3.3).
 *
 * A structure has a fixed part (fields read in order) and an optional variable part (buffers placed by
 * offset/length fields, or inline right after the fixed part). Offsets count from `ctx.pduStart` (the SMB2
 * header) unless the structure says `base: 'self'`. Decoded values keep the wire numbers of offsets,
 * lengths, counts and reserved fields; on encode an `undefined` computes them (canonical layout, buffers
 * 8-aligned) and a number is honoured (faithful re-encoding for replay and fuzzing).
 * @module
 */
import { DecodeError, EncodeError } from './errors.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

export type Direction = 'request' | 'response'

/**
 * Non-zero bytes found between a structure's parts (say, leftovers a client left between an empty name and
 * the create contexts), by offset from the structure's start. Decode attaches them under this symbol key
 * (invisible to JSON and to the decoded type) only when there are some; encode writes them back when every
 * offset is given (faithful re-encoding), so captured bytes survive decode → encode exactly.
 */
export const PADDING: unique symbol = Symbol.for('smbscope.wire.padding')
export type Padding = Array<{ offset: number; bytes: Buffer }>

/** The non-zero bytes of `buf` in [from, to) that no range in `ranges` (flat start/end pairs) covers. */
function uncoveredNonZero(buf: Buffer, base: number, from: number, to: number, ranges: number[]): Padding | undefined {
  const order: number[] = []
  for (let i = 0; i < ranges.length; i += 2) order.push(i)
  order.sort((a, b) => ranges[a]! - ranges[b]!)
  let out: Padding | undefined
  let cursor = from
  const gap = (a: number, b: number) => {
    for (let k = a; k < b; k++) {
      if (buf[k] !== 0) {
        ;(out ??= []).push({ offset: a - base, bytes: buf.subarray(a, b) })
        return
      }
    }
  }
  for (const i of order) {
    const a = ranges[i]!
    const b = ranges[i + 1]!
    if (a > cursor) gap(cursor, Math.min(a, to))
    if (b > cursor) cursor = b
  }
  if (cursor < to) gap(cursor, to)
  return out
}

/** What a codec may need to know about where it is. */
export interface Ctx {
  /** Absolute position of the SMB2 header this structure belongs to (in the reader's or writer's buffer). */
  pduStart: number
  /** End of the enclosing message (exclusive); pointed buffers must lie before it. */
  pduEnd?: number
  dir?: Direction
  /** The negotiated dialect, when the caller knows it. */
  dialect?: number
  /**
   * Encode only: `false` when the caller writes the bytes after the structure itself (a decoded message's
   * trailer), so an odd StructureSize is not padded with its extra byte (the trailer holds it if the wire did).
   */
  oddBytePadding?: boolean
  /** Extras for dependent decoding (e.g. the request's info class for a QUERY_INFO response buffer). */
  [key: string]: unknown
}

export interface Codec<T, In = T> {
  readonly name: string
  /** Byte size when it never varies. */
  readonly size?: number
  read(r: Reader, ctx: Ctx): T
  write(w: Writer, v: In, ctx: Ctx): void
}

/** A field whose value is derived on encode unless given: StructureSize, reserved, offset, length, count. */
export interface Computed<T extends number | bigint = number> {
  readonly computed: true
  readonly kind: 'fixed' | 'reserved' | 'offset' | 'length' | 'count'
  readonly codec: Codec<T>
  /** For offset/length/count: the variable item it describes. */
  readonly ref?: string
  /** For fixed: the expected value. For reserved: the default. */
  readonly value?: T
  /** For offset: what to write when the item is empty and no value was given (default: its position). */
  readonly emptyOffset?: number
}

/** How a variable item is read and written. */
export interface VarCodec<T, In = T> {
  readonly name: string
  /**
   * Reads the item from `r`, a window that ends where the item's length says (or at the end of the message
   * when there is no length field). `count` is given when a count field describes the item.
   */
  read(r: Reader, ctx: Ctx, info: { count?: number; length?: number }): T
  write(w: Writer, v: In, ctx: Ctx): void
  /** The number a count field holds for this value. */
  count?(v: In): number
  /** The value of an absent item. */
  empty(): T
}

export interface VarSpec<T, In = T> {
  readonly varSpec: true
  readonly codec: VarCodec<T, In>
  /** Read and written only when this holds (given the fixed part and context). */
  readonly when?: (fixed: Record<string, unknown>, ctx: Ctx) => boolean
  /** Alignment of a pointed item on canonical encode (relative to the offset base). Default 8. */
  readonly align?: number
}

type AnyCodec = Codec<any, any>
type FieldSpec = AnyCodec | Computed<any>
type VarEntry = VarCodec<any, any> | VarSpec<any, any>

type Simplify<T> = { [K in keyof T]: T[K] } & {}

type FieldOut<S> = S extends Computed<infer T> ? T : S extends Codec<infer T, any> ? T : never
type FieldIn<S> = S extends Computed<infer T> ? T : S extends Codec<any, infer I> ? I : never
type VarOut<S> = S extends VarSpec<infer T, any> ? T : S extends VarCodec<infer T, any> ? T : never
type VarIn<S> = S extends VarSpec<any, infer I> ? I : S extends VarCodec<any, infer I> ? I : never

type ComputedKeys<F> = { [K in keyof F]: F[K] extends Computed<any> ? K : never }[keyof F]
type PlainKeys<F> = Exclude<keyof F, ComputedKeys<F>>

export type Decoded<F, V> = Simplify<{ [K in keyof F]: FieldOut<F[K]> } & { [K in keyof V]: VarOut<V[K]> }>
export type Encodable<F, V> = Simplify<
  { [K in PlainKeys<F>]: FieldIn<F[K]> } & { [K in ComputedKeys<F>]?: FieldIn<F[K]> } & { [K in keyof V]?: VarIn<V[K]> }
>

/** The decoded type of a structure or codec. */
export type Infer<S> = S extends Codec<infer T, any> ? T : S extends VarCodec<infer T, any> ? T : never
/** What encode accepts (computed fields and variable items optional). */
export type Input<S> = S extends Codec<any, infer I> ? I : S extends VarCodec<any, infer I> ? I : never

// ---------------------------------------------------------------------------------------------------------
// Primitive codecs

function prim<T>(name: string, size: number, read: (r: Reader) => T, write: (w: Writer, v: T) => void): Codec<T> {
  return { name, size, read: (r) => read(r), write: (w, v) => write(w, v) }
}

export const u8 = prim('u8', 1, (r) => r.u8(), (w, v: number) => w.u8(v))
export const u16 = prim('u16', 2, (r) => r.u16(), (w, v: number) => w.u16(v))
export const u32 = prim('u32', 4, (r) => r.u32(), (w, v: number) => w.u32(v))
export const i32 = prim('i32', 4, (r) => r.i32(), (w, v: number) => w.i32(v))
export const u64 = prim('u64', 8, (r) => r.u64(), (w, v: bigint) => w.u64(v))
export const i64 = prim('i64', 8, (r) => r.i64(), (w, v: bigint) => w.i64(v))
/** FILETIME: 100 ns intervals since 1601-01-01, kept as the wire bigint. */
export const filetime = prim('filetime', 8, (r) => r.u64(), (w, v: bigint) => w.u64(v))
export const guid = prim('guid', 16, (r) => r.guid(), (w, v: string) => w.guid(v))

/** Exactly n raw bytes. */
export function bytesN(n: number): Codec<Buffer> {
  return prim(`bytes${n}`, n, (r) => r.bytes(n), (w, v: Buffer) => {
    if (v.length !== n) w.fail(`expected ${n} bytes, got ${v.length}`)
    w.bytes(v)
  })
}

// ---------------------------------------------------------------------------------------------------------
// Computed field kinds

/** A constant such as StructureSize: checked on decode, written as given or as `value`. */
export function fixed<T extends number | bigint>(codec: Codec<T>, value: T): Computed<T> {
  return { computed: true, kind: 'fixed', codec, value }
}
/** A reserved field: kept on decode (the wire value), zero (or `value`) on canonical encode. */
export function reserved<T extends number | bigint>(codec: Codec<T>, value?: T): Computed<T> {
  return { computed: true, kind: 'reserved', codec, value }
}
/** Offset of variable item `ref` from the offset base. */
export function offsetOf(ref: string, codec: Codec<number>, opts: { emptyOffset?: number } = {}): Computed<number> {
  return { computed: true, kind: 'offset', codec, ref, emptyOffset: opts.emptyOffset }
}
/** Byte length of variable item `ref`. */
export function lengthOf(ref: string, codec: Codec<number>): Computed<number> {
  return { computed: true, kind: 'length', codec, ref }
}
/** Element count of variable item `ref` (its codec must define `count`). */
export function countOf(ref: string, codec: Codec<number>): Computed<number> {
  return { computed: true, kind: 'count', codec, ref }
}

/** A variable item with options. */
export function opt<T, In>(codec: VarCodec<T, In>, o: { when?: VarSpec<T, In>['when']; align?: number }): VarSpec<T, In> {
  return { varSpec: true, codec, ...o }
}

// ---------------------------------------------------------------------------------------------------------
// Variable codecs

/** Raw bytes (a view into the input on decode). */
export const bytes: VarCodec<Buffer> = {
  name: 'bytes',
  read: (r) => r.rest(),
  write: (w, v) => w.bytes(v),
  empty: () => Buffer.alloc(0),
}

/** UTF-16LE text filling its length. */
export const utf16: VarCodec<string> = {
  name: 'utf16',
  read: (r) => r.utf16(r.remaining),
  write: (w, v) => w.utf16(v),
  empty: () => '',
}

/** `count` elements of a fixed codec (count from a countOf field, else as many as the length holds). */
export function arrayOf<T, In>(codec: Codec<T, In>): VarCodec<T[], In[]> {
  return {
    name: `${codec.name}[]`,
    read(r, ctx, info) {
      const out: T[] = []
      const n = info.count
      if (n !== undefined) {
        for (let i = 0; i < n; i++) out.push(r.field(String(i), () => codec.read(r, ctx)))
      } else {
        for (let i = 0; r.remaining > 0; i++) out.push(r.field(String(i), () => codec.read(r, ctx)))
      }
      return out
    },
    write(w, v, ctx) {
      v.forEach((e, i) => {
        w.path.push(String(i))
        codec.write(w, e, ctx)
        w.path.pop()
      })
    },
    count: (v) => v.length,
    empty: () => [],
  }
}

// ---------------------------------------------------------------------------------------------------------
// struct()

export interface StructOptions {
  /** What offsets count from: the SMB2 header (`ctx.pduStart`, default) or this structure's first byte. */
  base?: 'pdu' | 'self'
  /**
   * Bytes of the variable part that StructureSize counts besides the fixed part: the LOCK request's
   * StructureSize (48) includes its first LOCK_ELEMENT (MS-SMB2 2.2.26). Default 0.
   */
  structureSizeCountsVariable?: number
}

export interface Struct<D, I> extends Codec<D, I> {
  readonly fields: Readonly<Record<string, FieldSpec>>
  readonly variable: Readonly<Record<string, VarEntry>>
  /** Size of the fixed part in bytes. */
  readonly fixedSize: number
  /** The declared StructureSize, when the structure has one. */
  readonly structureSize?: number
  /** Decodes a whole buffer (ctx.pduStart defaults to 0). */
  decode(buf: Buffer, ctx?: Partial<Ctx>): D
  /** Encodes to a new buffer (ctx.pduStart defaults to 0). */
  encode(v: I, ctx?: Partial<Ctx>): Buffer
}

const isComputed = (f: FieldSpec): f is Computed<any> => (f as Computed<any>).computed === true
const asVarSpec = (v: VarEntry): VarSpec<any, any> =>
  (v as VarSpec<any, any>).varSpec === true ? (v as VarSpec<any, any>) : { varSpec: true, codec: v as VarCodec<any, any> }

interface FieldPlan {
  key: string
  spec: FieldSpec
  codec: AnyCodec
}
interface VarPlan {
  key: string
  spec: VarSpec<any, any>
  offsetKey?: string
  lengthKey?: string
  countKey?: string
}

/**
 * Declares a structure. `fields` is the fixed part in wire order; `variable` the items that follow it,
 * in the order canonical encoding places them.
 */
export function struct<F extends Record<string, FieldSpec>, V extends Record<string, VarEntry> = {}>(
  name: string,
  fields: F,
  variable?: V,
  options: StructOptions = {},
): Struct<Decoded<F, V>, Encodable<F, V>> {
  const fieldPlans: FieldPlan[] = Object.entries(fields).map(([key, spec]) => ({
    key,
    spec,
    codec: isComputed(spec) ? spec.codec : spec,
  }))
  const varPlans: VarPlan[] = Object.entries(variable ?? {}).map(([key, v]) => ({ key, spec: asVarSpec(v) }))
  for (const f of fieldPlans) {
    if (!isComputed(f.spec) || !f.spec.ref) continue
    const vp = varPlans.find((v) => v.key === (f.spec as Computed).ref)
    if (!vp) throw new Error(`${name}.${f.key}: refers to unknown variable item ${(f.spec as Computed).ref}`)
    if (f.spec.kind === 'offset') vp.offsetKey = f.key
    else if (f.spec.kind === 'length') vp.lengthKey = f.key
    else if (f.spec.kind === 'count') vp.countKey = f.key
  }
  let fixedSize = 0
  for (const f of fieldPlans) {
    if (f.codec.size === undefined) {
      fixedSize = NaN
      break
    }
    fixedSize += f.codec.size
  }
  const ss = fields['structureSize']
  const structureSize = ss && isComputed(ss) && ss.kind === 'fixed' ? (ss.value as number) : undefined
  // MS-SMB2 2.2: an odd StructureSize counts one byte of the variable part; the fixed part is the rest.
  const countedVariable = options.structureSizeCountsVariable ?? 0
  if (structureSize !== undefined && !Number.isNaN(fixedSize) && fixedSize + countedVariable !== (structureSize & ~1)) {
    throw new Error(`${name}: fixed part is ${fixedSize} bytes but StructureSize ${structureSize} implies ${(structureSize & ~1) - countedVariable}`)
  }
  const selfBase = options.base === 'self'

  function read(r: Reader, ctx: Ctx): Decoded<F, V> {
    const start = r.pos
    const base = selfBase ? start : ctx.pduStart
    const out: Record<string, unknown> = {}
    for (const f of fieldPlans) {
      r.path.push(f.key)
      const at = r.pos
      const v = f.codec.read(r, ctx)
      if (isComputed(f.spec) && f.spec.kind === 'fixed' && v !== f.spec.value) {
        throw new DecodeError(`${f.key} must be ${String(f.spec.value)}, got ${String(v)}`, at, r.path)
      }
      if (r.spans) r.spans.push({ path: r.path.join('.'), start: at, end: r.pos })
      r.path.pop()
      out[f.key] = v
    }
    // MS-SMB2 2.2: an odd StructureSize counts one byte of the variable part. When no variable item uses
    // it, it is padding that peers send or omit (and fill as they like): decode leaves it to the caller (the
    // message's trailer) so captured bytes re-encode exactly.
    let end = r.pos
    let inlinePos = r.pos
    let pointed: number[] | undefined
    const limit = ctx.pduEnd !== undefined && !selfBase ? Math.min(ctx.pduEnd, r.end) : r.end
    for (const vp of varPlans) {
      const codec = vp.spec.codec
      if (vp.spec.when && !vp.spec.when(out, ctx)) {
        out[vp.key] = codec.empty()
        continue
      }
      const length = vp.lengthKey !== undefined ? (out[vp.lengthKey] as number) : undefined
      const count = vp.countKey !== undefined ? (out[vp.countKey] as number) : undefined
      let itemStart: number
      if (vp.offsetKey !== undefined) {
        const off = out[vp.offsetKey] as number
        if (length === 0 || (length === undefined && count === 0)) {
          out[vp.key] = codec.empty()
          continue
        }
        itemStart = base + off
        if (itemStart < 0 || itemStart > limit) {
          throw new DecodeError(`${vp.offsetKey} ${off} points outside the message`, start, [...r.path, vp.offsetKey])
        }
      } else {
        itemStart = inlinePos
      }
      const itemEnd = length !== undefined ? itemStart + length : limit
      if (itemEnd > limit || itemEnd < itemStart) {
        throw new DecodeError(
          `${vp.key} [${itemStart - base}, +${length}) runs past the end of the message (${limit - base})`,
          itemStart,
          [...r.path, vp.lengthKey ?? vp.key],
        )
      }
      const sub = new Reader(r.buf, itemStart, itemEnd, r.spans)
      sub.path.push(...r.path, vp.key)
      const v = codec.read(sub, ctx, { count, length })
      if (r.spans) r.spans.push({ path: sub.path.join('.'), start: itemStart, end: sub.pos })
      out[vp.key] = v
      if (vp.offsetKey === undefined) inlinePos = sub.pos
      else if (sub.pos > itemStart) (pointed ??= []).push(itemStart, sub.pos)
      if (sub.pos > end) end = sub.pos
    }
    r.pos = Math.max(end, inlinePos)
    if (pointed) {
      const pad = uncoveredNonZero(r.buf, start, inlinePos, r.pos, pointed)
      if (pad) (out as Record<PropertyKey, unknown>)[PADDING] = pad
    }
    return out as Decoded<F, V>
  }

  function write(w: Writer, value: Encodable<F, V>, ctx: Ctx): void {
    const v = value as Record<string, unknown>
    const start = w.pos
    const base = selfBase ? start : ctx.pduStart
    const at: Record<string, number> = {}
    for (const f of fieldPlans) {
      w.path.push(f.key)
      at[f.key] = w.pos
      const given = v[f.key]
      if (isComputed(f.spec)) {
        const s = f.spec
        if (given !== undefined) f.codec.write(w, given, ctx)
        else if (s.kind === 'fixed' || s.kind === 'reserved') f.codec.write(w, s.value ?? (f.codec.size === 8 ? 0n : 0), ctx)
        else f.codec.write(w, 0, ctx) // patched below
      } else {
        if (given === undefined) {
          w.path.pop()
          throw new EncodeError(`missing field ${f.key}`, [...w.path, f.key])
        }
        f.codec.write(w, given, ctx)
      }
      w.path.pop()
    }
    const fixedEnd = w.pos
    for (const vp of varPlans) {
      const codec = vp.spec.codec
      const present = !vp.spec.when || vp.spec.when(v, ctx)
      const item = v[vp.key] ?? codec.empty()
      const patches: Array<[string, number]> = []
      if (!present) continue
      w.path.push(vp.key)
      let itemStart: number
      let itemLen: number
      if (vp.offsetKey !== undefined) {
        const givenOff = v[vp.offsetKey] as number | undefined
        const save = w.pos
        const saveLen = w.length
        if (givenOff !== undefined) w.moveTo(base + givenOff)
        else w.align(vp.spec.align ?? 8, base)
        itemStart = w.pos
        codec.write(w, item, ctx)
        itemLen = w.pos - itemStart
        if (itemLen === 0) {
          // Empty: nothing placed. The offset is what was given, the empty convention, or where it would go.
          const conv = (fields[vp.offsetKey] as Computed).emptyOffset
          if (givenOff === undefined) patches.push([vp.offsetKey, conv ?? itemStart - base])
          if (saveLen === save) w.truncate(save)
          else w.moveTo(save)
        } else if (givenOff === undefined) {
          patches.push([vp.offsetKey, itemStart - base])
        }
      } else {
        itemStart = w.pos
        codec.write(w, item, ctx)
        itemLen = w.pos - itemStart
      }
      if (vp.lengthKey !== undefined && v[vp.lengthKey] === undefined) patches.push([vp.lengthKey, itemLen])
      if (vp.countKey !== undefined && v[vp.countKey] === undefined) {
        if (!codec.count) throw new EncodeError(`${vp.key} has a count field but its codec cannot count`, w.path)
        patches.push([vp.countKey, codec.count(item)])
      }
      for (const [key, num] of patches) {
        const fp = fieldPlans.find((f) => f.key === key)!
        w.patch(at[key]!, (pw) => fp.codec.write(pw, num, ctx))
      }
      w.path.pop()
    }
    const pad = (value as Record<PropertyKey, unknown>)[PADDING] as Padding | undefined
    if (pad && varPlans.every((vp) => vp.offsetKey === undefined || v[vp.offsetKey] !== undefined)) {
      // Faithful layout: put back the non-zero padding decode found, where it is still padding (zeros).
      for (const { offset, bytes: b } of pad) {
        const at = start + offset
        if (at + b.length > w.length) continue
        const cur = w.view().subarray(at, at + b.length)
        if (cur.every((x) => x === 0)) w.patch(at, (pw) => pw.bytes(b))
      }
    }
    // MS-SMB2 2.2: a structure with an odd StructureSize is never shorter than StructureSize.
    if (structureSize !== undefined && structureSize & 1 && ctx.oddBytePadding !== false && w.length - start < structureSize && w.pos === fixedEnd) {
      w.zeros(1)
    }
  }

  const s: Struct<Decoded<F, V>, Encodable<F, V>> = {
    name,
    size: varPlans.length === 0 && !Number.isNaN(fixedSize) ? fixedSize : undefined,
    fields,
    variable: variable ?? {},
    fixedSize,
    structureSize,
    read: (r, ctx) => read(r, ctx),
    write: (w, v, ctx) => write(w, v, ctx),
    decode(buf, ctx = {}) {
      return read(new Reader(buf), { pduStart: 0, ...ctx })
    },
    encode(v, ctx = {}) {
      const w = new Writer()
      write(w, v, { pduStart: 0, ...ctx })
      return w.finish()
    },
  }
  return s
}

/** A codec chosen at run time from what has been read (e.g. OPLOCK_BREAK by StructureSize). */
export function custom<T, In = T>(
  name: string,
  read: (r: Reader, ctx: Ctx) => T,
  write: (w: Writer, v: In, ctx: Ctx) => void,
  size?: number,
): Codec<T, In> {
  return { name, size, read, write }
}
