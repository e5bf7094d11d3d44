import { describe, expect, it } from 'vitest'
import { IdMap } from './id-map.js'

const ONES = 0xffff_ffff_ffff_ffffn

describe('IdMap', () => {
  it('maps sessions, and passes unknown ones and the markers through', () => {
    const m = new IdMap()
    m.setSession(0x2bf11036n, 0x9000n)
    expect(m.session(0x2bf11036n)).toBe(0x9000n)
    expect(m.capturedSession(0x9000n)).toBe(0x2bf11036n)
    expect(m.session(0x1234n)).toBe(0x1234n)
    expect(m.session(0n)).toBe(0n)
    expect(m.session(ONES)).toBe(ONES)
    expect(m.stats().unmapped).toBe(1)
  })

  it('keys trees by session: the same captured TreeId in two sessions maps apart', () => {
    const m = new IdMap()
    m.setTree(1n, 0x53fd15a2, 7)
    m.setTree(2n, 0x53fd15a2, 9)
    expect(m.tree(1n, 0x53fd15a2)).toBe(7)
    expect(m.tree(2n, 0x53fd15a2)).toBe(9)
    expect(m.tree(1n, 0xffff_ffff)).toBe(0xffff_ffff)
    expect(m.treesOf(2n)).toEqual([{ captured: 0x53fd15a2, live: 9 }])
  })

  it('maps whole FileIds both ways; the related-compound all-ones FileId never changes', () => {
    const m = new IdMap()
    const cap = { persistent: 0xdeadn, volatile: 0xbeefn }
    const live = { persistent: 0x1n, volatile: 0x2n }
    m.setFile(cap, live)
    expect(m.file(cap)).toEqual(live)
    expect(m.capturedFile(live)).toEqual(cap)
    expect(m.file({ persistent: ONES, volatile: ONES })).toEqual({ persistent: ONES, volatile: ONES })
    m.setFile({ persistent: ONES, volatile: ONES }, live)
    expect(m.file({ persistent: ONES, volatile: ONES })).toEqual({ persistent: ONES, volatile: ONES })
    expect(m.file({ persistent: 0xdeadn, volatile: 0x0n })).toEqual({ persistent: 0xdeadn, volatile: 0x0n })
  })

  it('keeps client-chosen GUIDs unless regenerating, then one stand-in per value, mapped back', () => {
    const keep = new IdMap()
    const g = '1c86536f-089f-4e55-b9b6-d2f97ffacc12'
    expect(keep.guid(g)).toBe(g)
    let n = 0
    const regen = new IdMap(true, () => `00000000-0000-0000-0000-00000000000${++n}`)
    const a = regen.guid(g)
    expect(a).not.toBe(g)
    expect(regen.guid(g)).toBe(a)
    expect(regen.guid('aaaaaaaa-0000-0000-0000-000000000000')).not.toBe(a)
    expect(regen.capturedGuid(a)).toBe(g)
    expect(regen.guid('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000')
  })

  it('maps AsyncIds for CANCEL', () => {
    const m = new IdMap()
    m.setAsyncId(5n, 77n)
    expect(m.asyncId(5n)).toBe(77n)
    expect(m.asyncId(6n)).toBeUndefined()
  })
})
