import fc from 'fast-check'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSmbPath, PathJail } from './path-jail.js'
import { VfsError } from './status.js'
import { matchesExpression } from './wildcard.js'

describe('parseSmbPath never yields an unsafe component (property)', () => {
  const piece = fc.constantFrom('a', 'B', '.', '..', '\\', '/', ':', '*', '?', '<', '>', '"', '|', '\u0000', '\u0007', ' ', 'é', 'CON', '$DATA')
  it('every result is made of plain names, or the parse fails with a VfsError', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const raw = parts.join('')
        let parsed
        try {
          parsed = parseSmbPath(raw, { allowLeadingSeparator: true })
        } catch (e) {
          expect(e).toBeInstanceOf(VfsError)
          return
        }
        for (const c of parsed.components) {
          expect(c).not.toBe('')
          expect(c).not.toBe('.')
          expect(c).not.toBe('..')
          expect(c).not.toMatch(/[\\/:*?<>"|\u0000-\u001f]/)
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe('PathJail.resolve never leaves the root (property)', () => {
  let base: string
  let jail: PathJail
  beforeAll(async () => {
    base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'jail-prop-')))
    const root = path.join(base, 'root')
    mkdirSync(path.join(root, 'dir', 'sub'), { recursive: true })
    writeFileSync(path.join(root, 'dir', 'file'), '')
    writeFileSync(path.join(base, 'secret'), '')
    symlinkSync('..', path.join(root, 'up'))
    symlinkSync('../..', path.join(root, 'dir', 'upup'))
    symlinkSync(base, path.join(root, 'abs-out'))
    symlinkSync(path.join(root, 'dir'), path.join(root, 'in'))
    symlinkSync('sub/../..', path.join(root, 'dir', 'tricky'))
    jail = await PathJail.create(root)
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('resolves inside the root or fails with a VfsError', async () => {
    const name = fc.constantFrom('dir', 'DIR', 'sub', 'file', 'up', 'upup', 'abs-out', 'in', 'tricky', 'secret', 'root', 'missing')
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 6 }), async (components) => {
        try {
          const r = await jail.resolve(components)
          expect(jail.contains(r.absPath)).toBe(true)
          if (r.exists) expect(jail.contains(realpathSync(r.absPath))).toBe(true)
          else expect(jail.contains(r.parentAbs)).toBe(true)
        } catch (e) {
          expect(e).toBeInstanceOf(VfsError)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('matchesExpression agrees with a regex for * and ? (property)', () => {
  const toRegex = (expr: string) =>
    new RegExp('^' + [...expr].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.]/g, '\\.'))).join('') + '$', 'i')
  it('for ASCII names', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'A', '.', '*', '?'), { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
        fc.array(fc.constantFrom('a', 'b', 'B', '.'), { maxLength: 8 }).map((a) => a.join('')),
        (expr, name) => {
          expect(matchesExpression(expr, name)).toBe(toRegex(expr).test(name))
        },
      ),
      { numRuns: 5000 },
    )
  })
})
