import { describe, expect, it } from 'vitest'
import { bitNames, headerFlagNames } from './flags.js'

describe('flag names', () => {
  it('names bit 31 and leaves unknown bits as hex', () => {
    expect(bitNames(0x8000_0001, { Low: 1, High: 0x8000_0000 })).toEqual(['Low', 'High'])
    expect(bitNames(0x8000_0006, { Two: 2 })).toEqual(['Two', '0x80000004'])
  })
  it('names header flags', () => {
    expect(headerFlagNames(0x3000_000d)).toEqual(['RESPONSE', 'RELATED', 'SIGNED', 'DFS', 'REPLAY'])
  })
})
