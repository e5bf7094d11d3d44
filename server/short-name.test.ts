import { describe, expect, it } from 'vitest'
import { dirShortName, shortNameOf } from './short-name.js'

describe('8.3 short names', () => {
  it('keeps valid 8.3 names (upper case)', () => {
    expect(shortNameOf('bufsize.txt')).toBe('BUFSIZE.TXT')
    expect(shortNameOf('README')).toBe('README')
  })
  it('mangles long names deterministically into 8.3 shape', () => {
    const a = shortNameOf('a very long file name.document')
    expect(a).toMatch(/^[A-Z0-9_!#$%&'()\-@^`{}]{1,5}~[0-9A-Z_\-!@#$%]{2}\.[A-Z0-9]{1,3}$/)
    expect(shortNameOf('a very long file name.document')).toBe(a)
    expect(shortNameOf('testsmb2_file.dat')).not.toBe(shortNameOf('testsmb2_file2.dat'))
    expect(shortNameOf('.hidden').length).toBeLessThanOrEqual(12)
  })
})

describe('directory-entry short names', () => {
  it('are empty for 8.3 names and dot entries, the mangled alternate name otherwise', () => {
    expect(dirShortName('README.TXT')).toBe('')
    expect(dirShortName('readme.txt')).toBe('')
    expect(dirShortName('.')).toBe('')
    expect(dirShortName('..')).toBe('')
    expect(dirShortName('torture_search-0.txt')).toBe(shortNameOf('torture_search-0.txt'))
    expect(dirShortName('torture_search-0.txt')).toMatch(/^TORTU~..\.TXT$/)
  })
})
