import { describe, expect, it } from 'vitest'
import { emptySeq, IntList, seqAppend, seqGet, seqIndexOf, seqLowerBound, seqOf, type Seq } from './int-list.js'

const values = (s: Seq) => Array.from({ length: s.length }, (_, i) => seqGet(s, i))

describe('IntList and Seq', () => {
  it('grows and keeps its values', () => {
    const l = new IntList(4)
    for (let i = 0; i < 1000; i++) l.push(i * 3)
    expect(l.length).toBe(1000)
    expect(l.get(999)).toBe(2997)
    expect(l.bytes).toBeGreaterThanOrEqual(4000)
    expect(IntList.of([5, 6]).slice(1).length).toBe(1)
  })

  it('appends in place to the newest snapshot and copies for an older one', () => {
    const s0 = seqOf([1, 2])
    const s1 = seqAppend(s0, [5, 9])
    expect(s1.list).toBe(s0.list)
    const s2 = seqAppend(s0, [3])
    expect(s2.list).not.toBe(s0.list)
    expect(values(s0)).toEqual([1, 2])
    expect(values(s1)).toEqual([1, 2, 5, 9])
    expect(values(s2)).toEqual([1, 2, 3])
    expect(seqAppend(s1, [])).toBe(s1)
    expect(values(seqAppend(emptySeq(), [7]))).toEqual([7])
  })

  it('searches an ascending snapshot', () => {
    const s = seqOf([2, 4, 4, 8])
    expect(seqLowerBound(s, 1)).toBe(0)
    expect(seqLowerBound(s, 4)).toBe(1)
    expect(seqLowerBound(s, 5)).toBe(3)
    expect(seqLowerBound(s, 9)).toBe(4)
    expect(seqIndexOf(s, 8)).toBe(3)
    expect(seqIndexOf(s, 3)).toBe(-1)
    // Values appended after a snapshot are outside it.
    const longer = seqAppend(s, [10])
    expect(seqIndexOf(s, 10)).toBe(-1)
    expect(seqIndexOf(longer, 10)).toBe(4)
  })
})
