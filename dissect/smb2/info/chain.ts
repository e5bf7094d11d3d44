/**
 * Entry chains linked by NextEntryOffset (MS-FSCC 2.4: directory entries, FILE_FULL_EA_INFORMATION,
 * FILE_STREAM_INFORMATION, FILE_NOTIFY_INFORMATION, FILE_QUOTA_INFORMATION, ...; MS-SMB2 2.2.32.5
 * NETWORK_INTERFACE_INFO). Each entry starts with a 32-bit NextEntryOffset counted from the entry's first
 * byte; zero ends the chain.
 *
 * Decoding reads each entry inside a window that ends where the next entry starts, so an entry whose content
 * runs into the next one, an offset past the buffer, or an offset smaller than the entry's fixed part is a
 * `DecodeError`. Offsets are unsigned and must be non-zero to continue, so every step moves forward and a
 * chain can never loop.
 *
 * Encoding honours a given `nextEntryOffset` (faithful re-encoding) and otherwise computes it: the entry
 * size rounded up to the chain's alignment, zero for the last entry. Gaps between entries are zeros, except
 * that an entry decoded with non-zero bytes in its gap carries them as `padding` and they are written back
 * (some servers leave stale bytes there), so captured chains re-encode byte for byte.
 * @module
 */
import { Reader, Writer, reserved, u32, type Codec, type Computed, type Ctx, type VarCodec } from '../../wire/index.js'

/** The NextEntryOffset field: kept on decode, computed by the chain on encode when not given. */
export const nextEntryOffset = (): Computed<number> => reserved(u32)

export interface ChainOptions {
  /** Alignment of each entry's start on canonical encode (8 for directory and stream entries, 4 for EAs and notifications). */
  align: number
  /** Smallest valid entry (its fixed part); a shorter NextEntryOffset is an overlap. */
  minEntrySize: number
  /** Name of the link field in the entry's value (default `nextEntryOffset`; NETWORK_INTERFACE_INFO says `next`). */
  linkField?: string
}

type WithNext = { padding?: Buffer }
/** An entry as a chain decodes it: non-zero bytes between it and the next entry, if any, as `padding`. */
export type ChainEntry<T> = T & { padding?: Buffer }

function readChain<T>(entry: Codec<T, any>, o: ChainOptions, r: Reader, ctx: Ctx): ChainEntry<T>[] {
  const out: ChainEntry<T>[] = []
  let p = r.pos
  const end = r.end
  if (p === end) return out
  for (let i = 0; ; i++) {
    if (end - p < 4) r.fail(`entry ${i}: ${end - p} bytes left, too short for NextEntryOffset`, p)
    r.seek(p)
    const next = r.u32()
    if (next !== 0) {
      if (next < o.minEntrySize) r.fail(`entry ${i}: NextEntryOffset ${next} overlaps the entry (at least ${o.minEntrySize} bytes)`, p)
      // The next entry needs room for at least its fixed part.
      if (next > end - p - o.minEntrySize) r.fail(`entry ${i}: NextEntryOffset ${next} runs past the end of the buffer (${end - p} bytes left)`, p)
    }
    const w = r.window(p, next !== 0 ? next : end - p)
    w.path.push(String(i))
    const e = entry.read(w, ctx) as ChainEntry<T>
    if (next !== 0 && w.pos < p + next) {
      r.seek(w.pos)
      const gap = r.bytes(p + next - w.pos)
      if (gap.some((b) => b !== 0)) (e as { padding?: Buffer }).padding = gap
    }
    out.push(e)
    if (next === 0) {
      r.pos = w.pos
      return out
    }
    p += next
  }
}

function writeChain<T extends object>(entry: Codec<any, T>, o: ChainOptions, w: Writer, list: readonly T[], ctx: Ctx): void {
  list.forEach((e, i) => {
    w.path.push(String(i))
    const start = w.pos
    entry.write(w, e, ctx)
    const size = w.pos - start
    const last = i === list.length - 1
    const given = (e as Record<string, unknown>)[o.linkField ?? 'nextEntryOffset'] as number | undefined
    if (given === undefined) {
      const next = last ? 0 : Math.ceil(size / o.align) * o.align
      w.patch(start, (pw) => pw.u32(next))
      if (!last) gap(w, e as WithNext, start + next)
    } else if (!last) {
      if (given === 0) w.fail(`nextEntryOffset 0 on entry ${i} of ${list.length} would end the chain early`)
      if (given < size) w.fail(`nextEntryOffset ${given} is smaller than the entry (${size} bytes)`)
      gap(w, e as WithNext, start + given)
    }
    w.path.pop()
  })
}

/** Moves to the next entry's start, writing the entry's captured padding when it fits the gap exactly. */
function gap(w: Writer, e: WithNext, to: number): void {
  if (e.padding && e.padding.length === to - w.pos) w.bytes(e.padding)
  else w.moveTo(to)
}

/** A NextEntryOffset chain as a variable item (reads to the end of its window). */
export function chainOf<T, In extends object>(entry: Codec<T, In>, o: ChainOptions): VarCodec<ChainEntry<T>[], In[]> {
  return {
    name: `${entry.name}[]`,
    read: (r, ctx) => readChain(entry, o, r, ctx),
    write: (w, v, ctx) => writeChain(entry, o, w, v, ctx),
    count: (v) => v.length,
    empty: () => [],
  }
}

/** The same chain as a stand-alone codec (for decodeInfo/decodeIoctl, which read whole buffers). */
export function chainCodec<T, In extends object>(entry: Codec<T, In>, o: ChainOptions): Codec<ChainEntry<T>[], In[]> {
  return {
    name: `${entry.name}[]`,
    read: (r, ctx) => readChain(entry, o, r, ctx),
    write: (w, v, ctx) => writeChain(entry, o, w, v, ctx),
  }
}

/**
 * Encodes as many entries as fit in `maxLength` bytes (canonical offsets; each entry starts `align`-aligned;
 * the last one written gets NextEntryOffset 0). `count` says how many fit; zero means not even the first.
 * Servers use this to fill QUERY_DIRECTORY and CHANGE_NOTIFY output buffers (MS-SMB2 3.3.5.18, 3.3.5.19).
 */
export function encodeChainLimited<In extends object>(
  entry: Codec<any, In>,
  entries: Iterable<In>,
  maxLength: number,
  align: number,
  ctx: Partial<Ctx> = {},
  linkField = 'nextEntryOffset',
): { buffer: Buffer; count: number } {
  const w = new Writer()
  const c: Ctx = { pduStart: 0, ...ctx }
  let count = 0
  let prevStart = -1
  let prevEnd = 0
  for (const e of entries) {
    const start = prevStart < 0 ? 0 : Math.ceil(prevEnd / align) * align
    if (start >= maxLength) break
    w.moveTo(start)
    w.path.push(String(count))
    entry.write(w, { ...e, [linkField]: 0, padding: undefined }, c)
    w.path.pop()
    if (w.pos > maxLength) {
      w.truncate(prevEnd)
      break
    }
    if (prevStart >= 0) {
      const next = start - prevStart
      w.patch(prevStart, (pw) => pw.u32(next))
    }
    prevStart = start
    prevEnd = w.pos
    count++
  }
  if (count === 0) w.truncate(0)
  return { buffer: w.finish(), count }
}
