import { describe, expect, it } from 'vitest'
import { compareNames, hasWildcards, matchesExpression, namesEqual, upcase } from './wildcard.js'

/**
 * MS-FSA 2.1.4.4 table. DOS_STAR '<', DOS_QM '>', DOS_DOT '"' are what a Windows client sends for the DOS forms
 * "*." / "?" / "." next to a wildcard (e.g. "*.txt" → "<.txt", "*.???" → '<">>>').
 */
const table: Array<[expression: string, name: string, expected: boolean]> = [
  // '*' and '?'
  ['*', 'anything.at.all', true],
  ['*', '.', true],
  ['*.txt', 'a.txt', true],
  ['*.txt', 'A.TXT', true],
  ['*.txt', 'a.txt.bak', false],
  ['*.txt', '.txt', true],
  ['*.*', 'abc', false], // no special case: '*.*' needs a dot
  ['*.*', 'a.b', true],
  ['*.*', '..', true],
  ['?', 'a', true],
  ['?', 'ab', false],
  ['?', '.', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['*a', 'bbba', true],
  ['*a', 'bbbab', false],
  ['a*b*c', 'aXXbYYc', true],
  ['a*b*c', 'aXXcYYb', false],
  ['file', 'FILE', true],
  ['file', 'file2', false],
  ['ñ*', 'Ñandu', true],
  ['[x]', '[X]', true],
  // DOS_STAR '<': zero or more characters, never the last dot
  ['<.txt', 'a.txt', true],
  ['<.txt', 'a.b.txt', true],
  ['<.txt', '.txt', true],
  ['<.txt', 'atxt', false],
  ['<', 'abc', true], // "*." : names without an extension
  ['<', 'a.b', false],
  ['<', 'a.b.c', false],
  ['<.<', 'a.b.c', true],
  ['foo<', 'foobar', true],
  ['foo<', 'foo.bar', false],
  ['<b', 'ab', true],
  ['<b', 'a.b', false],
  // DOS_QM '>': one non-dot character, or nothing at a dot or at the end
  ['>>>', 'ab', true],
  ['>>>', 'abc', true],
  ['>>>', 'abcd', false],
  ['>>>', 'a.b', false],
  ['>>>.>>>', 'ab.cd', true],
  ['>>>.>>>', 'abc.', true],
  ['>>>.>>>', 'abcd.e', false],
  ['>.txt', 'a.txt', true],
  ['>.txt', '.txt', true],
  ['>.txt', 'ab.txt', false],
  ['a>', 'a', true],
  ['a>', 'ab', true],
  ['a>', 'abc', false],
  // DOS_DOT '"': a dot, or nothing at the end
  ['a"b', 'a.b', true],
  ['a"b', 'ab', false],
  ['abc"', 'abc', true],
  ['abc"', 'abc.', true],
  ['abc"*', 'abc.def', true],
  ['<">>>', 'a.txt', true], // "*.???"
  ['<">>>', 'a.text', false],
  ['<">>>', 'abc', true], // "*.???" also matches names without an extension, as in DOS
  ['>>>>>>>>">>>', 'readme.md', true], // "????????.???"
  ['>>>>>>>>">>>', 'toolongname.md', false],
]

describe('matchesExpression (MS-FSA 2.1.4.4)', () => {
  it.each(table)('%s vs %s → %s', (expression, name, expected) => {
    expect(matchesExpression(expression, name)).toBe(expected)
  })

  it('empty expression matches nothing', () => {
    expect(matchesExpression('', '')).toBe(false)
    expect(matchesExpression('', 'a')).toBe(false)
  })

  it('handles long names without exponential backtracking', () => {
    const name = 'a'.repeat(250)
    const t0 = Date.now()
    expect(matchesExpression('*a*a*a*a*a*a*a*a*b', name)).toBe(false)
    expect(Date.now() - t0).toBeLessThan(1000)
  })
})

describe('upcase and comparisons', () => {
  it('keeps the length (ß does not become SS)', () => {
    expect(upcase('straße')).toBe('STRAßE')
    expect(upcase('ÀéÎ')).toBe('ÀÉÎ')
  })
  it('compares names case-insensitively', () => {
    expect(namesEqual('Readme.TXT', 'README.txt')).toBe(true)
    expect(namesEqual('a', 'b')).toBe(false)
    expect(['b', 'A', 'a', 'C'].sort(compareNames)).toEqual(['A', 'a', 'b', 'C'])
  })
  it('detects wildcards', () => {
    expect(hasWildcards('a*')).toBe(true)
    expect(hasWildcards('a<')).toBe(true)
    expect(hasWildcards('a"b')).toBe(true)
    expect(hasWildcards('plain.txt')).toBe(false)
  })
})
