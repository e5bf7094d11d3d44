/**
 * The list shape shared by NEGOTIATE contexts (MS-SMB2 2.2.3.1) and TREE_CONNECT contexts (2.2.9.2): each
 * entry is ContextType (2), DataLength (2), Reserved (4), Data, and every entry after the first starts on an
 * 8-byte boundary (counted from the SMB2 header). Decode skips whatever padding the peer put there (faithful);
 * encode writes zero padding (canonical). Known types decode their Data with the codec registered for
 * them; unknown types, and known types whose Data does not decode to exactly DataLength bytes, keep the raw
 * bytes and re-encode byte-exactly.
 * @module
 */
import { DecodeError, Reader, type Codec, type Ctx, type VarCodec, type Writer } from '../../wire/index.js'

export interface TypedContextDef {
  type: number
  /** The MS-SMB2 constant name, e.g. SMB2_PREAUTH_INTEGRITY_CAPABILITIES. */
  name: string
  /** Spec section of the Data layout. */
  spec: string
  codec?: Codec<any, any>
}

interface TypedContextBase {
  contextType: number
  /** The constant name of contextType (`UNKNOWN_0x....` for unlisted types). */
  name: string
  dataLength: number
  reserved: number
}
export type TypedContext<V = unknown> = TypedContextBase & ({ known: true; value: V } | { known: false; data: Buffer; error?: string })

/** What encode accepts: dataLength and reserved are computed (0) when absent; name is ignored. */
export type TypedContextInput =
  | { contextType: number; dataLength?: number; reserved?: number; name?: string; known: true; value: unknown }
  | { contextType: number; dataLength?: number; reserved?: number; name?: string; known: false; data: Buffer; error?: string }

const HEADER = 8

export function typedContextList(listName: string, defs: readonly TypedContextDef[]): VarCodec<TypedContext[], TypedContextInput[]> {
  const byType = new Map(defs.map((d) => [d.type, d]))
  const nameOf = (t: number): string => byType.get(t)?.name ?? `UNKNOWN_0x${t.toString(16).padStart(4, '0')}`
  return {
    name: listName,
    read(r: Reader, ctx: Ctx, info): TypedContext[] {
      const out: TypedContext[] = []
      const n = info.count
      for (let i = 0; n === undefined ? r.remaining > 0 : i < n; i++) {
        r.path.push(String(i))
        if (i > 0) {
          const over = (r.pos - ctx.pduStart) & 7
          if (over) r.skip(8 - over) // MS-SMB2 2.2.3.1: each context after the first is 8-byte aligned
        }
        const start = r.pos
        const contextType = r.u16()
        const dataLength = r.u16()
        const reserved = r.u32()
        r.path.push('data')
        const data = r.bytes(dataLength)
        r.path.pop()
        if (r.spans) r.spans.push({ path: r.path.join('.'), start, end: r.pos })
        const def = byType.get(contextType)
        const base = { contextType, name: nameOf(contextType), dataLength, reserved }
        if (!def?.codec) {
          out.push({ ...base, known: false, data })
        } else {
          const sub = new Reader(r.buf, start + HEADER, start + HEADER + dataLength, r.spans)
          sub.path.push(...r.path, 'value')
          try {
            const value = def.codec.read(sub, ctx)
            if (sub.remaining !== 0) out.push({ ...base, known: false, data, error: `${sub.remaining} bytes left after ${def.name}` })
            else out.push({ ...base, known: true, value })
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e
            out.push({ ...base, known: false, data, error: e.message })
          }
        }
        r.path.pop()
      }
      return out
    },
    write(w: Writer, list: TypedContextInput[], ctx: Ctx): void {
      list.forEach((c, i) => {
        w.path.push(String(i))
        if (i > 0) w.align(8, ctx.pduStart)
        const start = w.pos
        w.u16(c.contextType)
        w.u16(0) // DataLength, patched below
        w.u32(c.reserved ?? 0)
        const dataStart = w.pos
        if (c.known) {
          const def = byType.get(c.contextType)
          if (!def?.codec) w.fail(`no codec for context type 0x${c.contextType.toString(16)}`)
          def.codec.write(w, c.value, ctx)
        } else w.bytes(c.data)
        const length = c.dataLength ?? w.pos - dataStart
        w.patch(start + 2, (pw) => pw.u16(length))
        w.path.pop()
      })
    },
    count: (v) => v.length,
    empty: () => [],
  }
}
