/**
 * Append-only lists of row numbers (filter matches, follow sets, divergent steps) stored in a growable
 * Int32Array, and `Seq`, an immutable snapshot of such a list (the list plus the length the snapshot saw).
 * Snapshots share the buffer: appending to the newest snapshot is in place; appending to an older one copies
 * first, so a model kept by a test (or any older state) never sees values appended after it.
 * @module
 */

export class IntList {
  private buf: Int32Array
  private size = 0

  constructor(capacity = 64) {
    this.buf = new Int32Array(Math.max(4, capacity))
  }

  static of(values: Iterable<number>): IntList {
    const l = new IntList()
    for (const v of values) l.push(v)
    return l
  }

  get length(): number {
    return this.size
  }

  push(v: number): void {
    if (this.size === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2)
      next.set(this.buf)
      this.buf = next
    }
    this.buf[this.size++] = v
  }

  get(i: number): number {
    return this.buf[i]!
  }

  /** A copy holding the first `n` values. */
  slice(n: number): IntList {
    const l = new IntList(n + 64)
    l.buf.set(this.buf.subarray(0, n))
    l.size = n
    return l
  }

  /** Bytes held (capacity), for memory accounting. */
  get bytes(): number {
    return this.buf.byteLength
  }
}

/** An immutable view of the first `length` values of an append-only, ascending IntList. */
export interface Seq {
  readonly list: IntList
  readonly length: number
}

export const emptySeq = (): Seq => ({ list: new IntList(), length: 0 })

export const seqOf = (values: readonly number[]): Seq => ({ list: IntList.of(values), length: values.length })

/** Appends ascending values; in place when `s` is the newest snapshot of its list, else on a copy. */
export function seqAppend(s: Seq, values: readonly number[]): Seq {
  if (values.length === 0) return s
  const list = s.list.length === s.length ? s.list : s.list.slice(s.length)
  for (const v of values) list.push(v)
  return { list, length: s.length + values.length }
}

export const seqGet = (s: Seq, i: number): number => s.list.get(i)

/** First position p in [0, s.length] with s[p] >= v. */
export function seqLowerBound(s: Seq, v: number): number {
  let lo = 0
  let hi = s.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (s.list.get(mid) < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Position of `v` in `s`, or -1. */
export function seqIndexOf(s: Seq, v: number): number {
  const p = seqLowerBound(s, v)
  return p < s.length && s.list.get(p) === v ? p : -1
}
