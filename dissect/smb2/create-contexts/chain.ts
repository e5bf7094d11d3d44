/**
 * MS-SMB2 2.2.13.2 / 2.2.14.2 — a chain of SMB2_CREATE_CONTEXT structures: Next (4), NameOffset (2),
 * NameLength (2), Reserved (2), DataOffset (2), DataLength (4), then the name and data. Next, NameOffset and
 * DataOffset count from the start of each context; contexts start 8-aligned.
 *
 * Decode keeps the wire numbers (so captured layouts re-encode byte-exactly: gaps are written as zeros) and
 * the raw name; `tag` is the display form (tag.ts). Data is decoded by the registry variant for the tag,
 * direction and DataLength; data that does not decode to exactly DataLength bytes stays raw with `error`.
 * Encode computes what is not given: name at 16, data at the next 8-byte boundary (DataOffset 0 when
 * there is no data), each context but the last padded to 8 bytes.
 * @module
 */
import { DecodeError, PADDING, Reader, type Ctx, type Direction, type Padding, type VarCodec, type Writer } from '../../wire/index.js'
import { nameOfTag, tagOf } from './tag.js'
import { pickVariant, variantBySpec } from './registry.js'

interface CreateContextLayout {
  /** Offset of the next context from this one's start; 0 on the last. */
  next: number
  nameOffset: number
  nameLength: number
  reserved: number
  dataOffset: number
  dataLength: number
  /** The name bytes as on the wire (4 ASCII bytes or a 16-byte GUID). */
  name: Buffer
}

export type KnownCreateContext<V = unknown> = CreateContextLayout & {
  tag: string
  known: true
  /** MS-SMB2 section of the Data layout (e.g. '2.2.13.2.10' for a v2 lease request). */
  spec: string
  value: V
}
export type UnknownCreateContext = CreateContextLayout & {
  tag: string
  known: false
  data: Buffer
  /** Set when the tag is known but its Data did not decode (the bytes are kept). */
  error?: string
}
export type CreateContext = KnownCreateContext | UnknownCreateContext

/** What encode accepts: a tag (or raw name) and the value or data; every layout number is optional. */
export type CreateContextInput = Partial<CreateContextLayout> & { tag?: string } & (
  | { known: true; spec: string; value: unknown }
  | { known: false; data: Buffer }
)

const HEADER = 16

function readChain(r: Reader, ctx: Ctx): CreateContext[] {
  const out: CreateContext[] = []
  const dir: Direction = ctx.dir ?? 'request'
  const chainEnd = r.end
  let at = r.pos
  let end = r.pos
  for (let i = 0; ; i++) {
    r.path.push(String(i))
    r.seek(at)
    const start = at
    const next = r.u32()
    const nameOffset = r.u16()
    const nameLength = r.u16()
    const reserved = r.u16()
    const dataOffset = r.u16()
    const dataLength = r.u32()
    const nameStart = start + nameOffset
    if (nameOffset < HEADER && nameLength > 0) r.fail(`nameOffset ${nameOffset} points into the context header`, start + 4)
    if (nameStart + nameLength > chainEnd) r.fail(`name [${nameOffset}, +${nameLength}) runs past the end of the contexts`, start + 4)
    const name = r.buf.subarray(nameStart, nameStart + nameLength)
    const dataStart = start + dataOffset
    if (dataLength > 0) {
      if (dataOffset < HEADER) r.fail(`dataOffset ${dataOffset} points into the context header`, start + 10)
      if (dataStart + dataLength > chainEnd) r.fail(`data [${dataOffset}, +${dataLength}) runs past the end of the contexts`, start + 10)
    }
    const data = r.buf.subarray(dataStart, dataStart + dataLength)
    const tag = tagOf(name)
    const layout = { next, nameOffset, nameLength, reserved, dataOffset, dataLength, name }
    const variant = pickVariant(tag, dir, dataLength)
    if (!variant) {
      out.push({ tag, known: false, data, ...layout })
    } else {
      const sub = new Reader(r.buf, dataStart, dataStart + dataLength, r.spans)
      sub.path.push(...r.path, 'value')
      try {
        const value = variant.codec.read(sub, ctx)
        if (sub.remaining !== 0) out.push({ tag, known: false, data, error: `${sub.remaining} bytes left after ${variant.name}`, ...layout })
        else out.push({ tag, known: true, spec: variant.spec, value, ...layout })
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e
        out.push({ tag, known: false, data, error: e.message, ...layout })
      }
    }
    const ctxEnd = Math.max(r.pos, nameStart + nameLength, dataStart + dataLength)
    // Non-zero bytes in this context's padding (after the name, after the data up to Next) are kept so
    // that the chain re-encodes exactly (the PADDING convention of the struct DSL, offsets from the context).
    const pad = nonZeroGaps(r.buf, start, next === 0 ? ctxEnd : Math.min(start + next, chainEnd), nameStart, nameStart + nameLength, dataStart, dataStart + dataLength)
    if (pad) (out[out.length - 1] as unknown as Record<PropertyKey, unknown>)[PADDING] = pad
    if (r.spans) r.spans.push({ path: r.path.join('.'), start, end: ctxEnd })
    r.path.pop()
    if (ctxEnd > end) end = ctxEnd
    if (next === 0) break
    // MS-SMB2 2.2.13.2: Next points forward to the next 8-byte aligned context.
    if (next < HEADER || start + next + HEADER > chainEnd) {
      throw new DecodeError(`next ${next} points outside the contexts`, start, [...r.path, String(i), 'next'])
    }
    at = start + next
  }
  r.pos = end
  return out
}

function writeChain(w: Writer, list: CreateContextInput[], ctx: Ctx): void {
  list.forEach((c, i) => {
    w.path.push(String(i))
    const last = i === list.length - 1
    const start = w.pos
    const name = c.name ?? (c.tag !== undefined ? nameOfTag(c.tag) : w.fail('a create context needs a tag or a name'))
    w.zeros(HEADER) // patched below
    if (c.nameOffset !== undefined) w.moveTo(start + c.nameOffset)
    const nameStart = w.pos
    w.bytes(name)
    const nameEnd = w.pos
    // Data: written where the value says, else at the next 8-byte boundary of this context.
    const dataAt = c.dataOffset !== undefined && c.dataOffset !== 0 ? start + c.dataOffset : undefined
    if (dataAt !== undefined) w.moveTo(dataAt)
    else w.align(8, start)
    const dataStart = w.pos
    if (c.known) {
      const tag = c.tag ?? tagOf(name)
      const variant = variantBySpec(tag, c.spec)
      if (!variant) w.fail(`no ${c.spec} variant for create context ${tag}`)
      w.path.push('value')
      variant.codec.write(w, c.value, ctx)
      w.path.pop()
    } else w.bytes(c.data)
    const dataLen = w.pos - dataStart
    let end = w.pos
    if (dataLen === 0 && dataAt === undefined) {
      // No data: nothing was placed; drop the alignment padding again.
      end = nameEnd
      if (w.length === dataStart) w.truncate(nameEnd)
      w.pos = nameEnd
    }
    if (nameEnd > end) end = nameEnd
    const dataOffset = c.dataOffset ?? (dataLen > 0 ? dataStart - start : 0)
    const next = c.next ?? (last ? 0 : (end - start + 7) & ~7)
    w.patch(start, (pw) => {
      pw.u32(next)
      pw.u16(c.nameOffset ?? nameStart - start)
      pw.u16(c.nameLength ?? name.length)
      pw.u16(c.reserved ?? 0)
      pw.u16(dataOffset)
      pw.u32(c.dataLength ?? dataLen)
    })
    if (!last) w.moveTo(start + next)
    else w.pos = end
    const pad = (c as Record<PropertyKey, unknown>)[PADDING] as Padding | undefined
    if (pad && c.next !== undefined && c.nameOffset !== undefined && c.dataOffset !== undefined) {
      for (const { offset, bytes } of pad) {
        const at = start + offset
        if (at + bytes.length <= w.length && w.view().subarray(at, at + bytes.length).every((x) => x === 0)) w.patch(at, (pw) => pw.bytes(bytes))
      }
    }
    w.path.pop()
  })
}

/** Non-zero runs of bytes in [start + 16, end) outside the name and data ranges, offsets from start. */
function nonZeroGaps(buf: Buffer, start: number, end: number, n0: number, n1: number, d0: number, d1: number): Padding | undefined {
  let out: Padding | undefined
  // The covered ranges in order (name and data may come in either order); the gaps are what lies between.
  const first = n0 <= d0 ? [n0, n1, d0, d1] : [d0, d1, n0, n1]
  let cursor = start + HEADER
  const gap = (a: number, b: number) => {
    for (let k = a; k < b; k++) {
      if (buf[k] !== 0) {
        ;(out ??= []).push({ offset: a - start, bytes: buf.subarray(a, b) })
        return
      }
    }
  }
  for (let k = 0; k < 4; k += 2) {
    const a = first[k]!
    const b = first[k + 1]!
    if (b <= a) continue
    if (a > cursor) gap(cursor, Math.min(a, end))
    if (b > cursor) cursor = b
  }
  if (cursor < end) gap(cursor, end)
  return out
}

/** The create context chain as a variable item (the CREATE request/response CreateContexts buffer). */
export const CreateContextChain: VarCodec<CreateContext[], CreateContextInput[]> = {
  name: 'CreateContextChain',
  read: (r, ctx) => (r.remaining === 0 ? [] : readChain(r, ctx)),
  write: writeChain,
  count: (v) => v.length,
  empty: () => [],
}

/** The first context with this tag, if any. */
export function findCreateContext(list: readonly CreateContext[], tag: string): CreateContext | undefined {
  return list.find((c) => c.tag === tag)
}
