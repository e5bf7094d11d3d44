import { describe, expect, it } from 'vitest'
import { seg } from './styled.js'
import { toTags } from './view-blessed.js'

describe('toTags (styled lines → blessed markup)', () => {
  it('wraps styled segments in tags and closes them', () => {
    expect(toTags([seg('a'), seg('b', 'red', 'bold'), seg('c', 'highlight')])).toBe('a{red-fg}{bold}b{/}{black-fg}{yellow-bg}c{/}')
  })

  it('escapes braces in text so data cannot inject tags', () => {
    expect(toTags([seg('{red-fg}x}')])).toBe('{open}red-fg{close}x{close}')
  })

  it('uses single-width ASCII stand-ins when the terminal has no UTF-8', () => {
    expect(toTags([seg('── → ▸ ▾ … ═ │ «x» ▏')], false)).toBe('-- > + - ~ = | <x> _')
    expect(toTags([seg('→')], true)).toBe('→')
  })
})
