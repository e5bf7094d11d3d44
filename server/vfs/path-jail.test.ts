import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, renameSync, realpathSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isDeviceName, parseSmbPath, PathJail } from './path-jail.js'
import { VfsError, VfsStatus } from './status.js'
import { statusOf } from './testing.js'

const parseStatus = (raw: string, opts?: Parameters<typeof parseSmbPath>[1]): number | 'ok' => {
  try {
    parseSmbPath(raw, opts)
    return 'ok'
  } catch (e) {
    if (e instanceof VfsError) return e.status
    throw e
  }
}

describe('parseSmbPath (MS-FSCC 2.1.5, MS-SMB2 3.3.5.9)', () => {
  it('splits components and recognises the root', () => {
    expect(parseSmbPath('')).toEqual({ components: [], trailingSeparator: false })
    expect(parseSmbPath('a\\b\\c.txt')).toEqual({ components: ['a', 'b', 'c.txt'], trailingSeparator: false })
    expect(parseSmbPath('dir\\')).toEqual({ components: ['dir'], trailingSeparator: true })
  })

  it('parses stream suffixes', () => {
    expect(parseSmbPath('f.txt::$DATA')).toEqual({ components: ['f.txt'], trailingSeparator: false, stream: { name: '', type: '$DATA' } })
    expect(parseSmbPath('f.txt::$data').stream).toEqual({ name: '', type: '$DATA' })
    expect(parseSmbPath('f.txt:s').stream).toEqual({ name: 's', type: '' })
    expect(parseSmbPath('f.txt:s:$DATA').stream).toEqual({ name: 's', type: '$DATA' })
    expect(parseSmbPath('d:$I30:$INDEX_ALLOCATION').stream).toEqual({ name: '', type: '$INDEX_ALLOCATION' })
  })

  it('folds ".." that stays inside the share', () => {
    expect(parseSmbPath('a\\..\\b').components).toEqual(['b'])
    expect(parseSmbPath('a\\b\\..\\..\\c').components).toEqual(['c'])
  })

  const refused: Array<[string, number, string]> = [
    ['\\a', VfsStatus.InvalidParameter, 'leading backslash (MS-SMB2 3.3.5.9)'],
    ['/etc/passwd', VfsStatus.InvalidParameter, 'absolute POSIX path'],
    ['..', VfsStatus.ObjectPathSyntaxBad, '".." at the root'],
    ['..\\..\\etc\\passwd', VfsStatus.ObjectPathSyntaxBad, '".." escape'],
    ['a\\..\\..\\b', VfsStatus.ObjectPathSyntaxBad, '".." escape after a component'],
    ['C:\\Windows', VfsStatus.ObjectNameInvalid, 'drive letter'],
    ['a/b', VfsStatus.ObjectNameInvalid, 'forward slash'],
    ['a\\\\b', VfsStatus.ObjectNameInvalid, 'empty component'],
    ['.', VfsStatus.ObjectNameInvalid, '"." component'],
    ['a\\.\\b', VfsStatus.ObjectNameInvalid, '"." in the middle'],
    ['a*b', VfsStatus.ObjectNameInvalid, 'wildcard *'],
    ['a?b', VfsStatus.ObjectNameInvalid, 'wildcard ?'],
    ['a<b', VfsStatus.ObjectNameInvalid, 'DOS_STAR'],
    ['a>b', VfsStatus.ObjectNameInvalid, 'DOS_QM'],
    ['a"b', VfsStatus.ObjectNameInvalid, 'DOS_DOT'],
    ['a|b', VfsStatus.ObjectNameInvalid, 'pipe'],
    ['a\u0001b', VfsStatus.ObjectNameInvalid, 'control character'],
    ['a\u0000b', VfsStatus.ObjectNameInvalid, 'NUL'],
    ['x'.repeat(256), VfsStatus.ObjectNameInvalid, 'component over 255'],
    ['a:b\\c', VfsStatus.ObjectNameInvalid, 'colon before the last component'],
    ['f:', VfsStatus.ObjectNameInvalid, 'empty stream'],
    ['f:a:b:c', VfsStatus.ObjectNameInvalid, 'too many colons'],
    ['f::$BOGUS', VfsStatus.ObjectNameInvalid, 'unknown stream type'],
    ['d:x:$INDEX_ALLOCATION', VfsStatus.InvalidParameter, 'named index stream'],
    [':s', VfsStatus.ObjectNameInvalid, 'stream on the root'],
    ['CON', VfsStatus.ObjectNameInvalid, 'device name'],
    ['nul.txt', VfsStatus.ObjectNameInvalid, 'device name with extension'],
    ['dir\\Com1', VfsStatus.ObjectNameInvalid, 'device name below a directory'],
    ['LPT9 .log', VfsStatus.ObjectNameInvalid, 'device name with trailing space'],
  ]
  it.each(refused)('%j → %i (%s)', (raw, status) => {
    expect(parseStatus(raw)).toBe(status)
  })

  it('allows a leading backslash and device names only when asked', () => {
    expect(parseSmbPath('\\a\\b', { allowLeadingSeparator: true }).components).toEqual(['a', 'b'])
    expect(parseSmbPath('CON', { allowDeviceNames: true }).components).toEqual(['CON'])
    expect(isDeviceName('console')).toBe(false)
    expect(isDeviceName('COM10')).toBe(false)
  })
})

describe('PathJail.resolve', () => {
  let base: string
  let root: string
  let jail: PathJail
  beforeEach(async () => {
    base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'jail-')))
    root = path.join(base, 'share')
    mkdirSync(path.join(root, 'Docs', 'Sub'), { recursive: true })
    writeFileSync(path.join(root, 'Docs', 'Report.TXT'), 'r')
    writeFileSync(path.join(base, 'secret'), 's')
    jail = await PathJail.create(root)
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  it('finds names case-insensitively and returns the on-disk case', async () => {
    const r = await jail.resolve(['DOCS', 'report.txt'])
    expect(r.exists).toBe(true)
    expect(r.leafName).toBe('Report.TXT')
    expect(r.absPath).toBe(path.join(root, 'Docs', 'Report.TXT'))
    expect(r.parentAbs).toBe(path.join(root, 'Docs'))
  })

  it('prefers the exact name when several differ only in case', async () => {
    writeFileSync(path.join(root, 'Docs', 'report.txt'), 'lower')
    expect((await jail.resolve(['docs', 'report.txt'])).leafName).toBe('report.txt')
    expect((await jail.resolve(['docs', 'Report.TXT'])).leafName).toBe('Report.TXT')
    // No exact match: the first in upcase order, deterministically.
    expect((await jail.resolve(['docs', 'REPORT.TXT'])).leafName).toBe('Report.TXT')
  })

  it('reports a missing last component and refuses a missing directory', async () => {
    const r = await jail.resolve(['Docs', 'new.txt'])
    expect(r).toMatchObject({ exists: false, leafName: 'new.txt', parentAbs: path.join(root, 'Docs') })
    expect(await statusOf(jail.resolve(['nodir', 'x']))).toBe(VfsStatus.ObjectPathNotFound)
    expect(await statusOf(jail.resolve(['Docs', 'Report.TXT', 'x']))).toBe(VfsStatus.ObjectPathNotFound)
  })

  it('resolves the root', async () => {
    const r = await jail.resolve([])
    expect(r).toMatchObject({ exists: true, isRoot: true, absPath: root })
  })

  it('refuses symlinks that lead outside the share (file, directory, /etc, dangling)', async () => {
    symlinkSync(path.join(base, 'secret'), path.join(root, 'out-file'))
    symlinkSync(base, path.join(root, 'out-dir'))
    symlinkSync('/etc', path.join(root, 'etc'))
    symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling'))
    symlinkSync('../../secret', path.join(root, 'Docs', 'rel-out'))
    expect(await statusOf(jail.resolve(['out-file']))).toBe(VfsStatus.AccessDenied)
    expect(await statusOf(jail.resolve(['out-dir', 'secret']))).toBe(VfsStatus.AccessDenied)
    expect(await statusOf(jail.resolve(['etc', 'passwd']))).toBe(VfsStatus.AccessDenied)
    expect(await statusOf(jail.resolve(['ETC']))).toBe(VfsStatus.AccessDenied)
    expect(await statusOf(jail.resolve(['dangling']))).toBe(VfsStatus.AccessDenied)
    expect(await statusOf(jail.resolve(['Docs', 'rel-out']))).toBe(VfsStatus.AccessDenied)
  })

  it('follows symlinks that stay inside, and none under the "never" policy', async () => {
    symlinkSync(path.join(root, 'Docs'), path.join(root, 'link-docs'))
    const r = await jail.resolve(['link-docs', 'report.txt'])
    expect(r.absPath).toBe(path.join(root, 'Docs', 'Report.TXT'))
    const strict = await PathJail.create(root, { symlinks: 'never' })
    expect(await statusOf(strict.resolve(['link-docs', 'report.txt']))).toBe(VfsStatus.AccessDenied)
  })

  it('drops the case-insensitive cache when the directory changes', async () => {
    expect((await jail.resolve(['docs', 'SUB'])).leafName).toBe('Sub')
    renameSync(path.join(root, 'Docs', 'Sub'), path.join(root, 'Docs', 'Other'))
    jail.invalidate(path.join(root, 'Docs'))
    expect((await jail.resolve(['docs', 'SUB'])).exists).toBe(false)
    expect((await jail.resolve(['docs', 'OTHER'])).leafName).toBe('Other')
  })

  it('verifies descriptors against the root', async () => {
    const fs = await import('node:fs/promises')
    const inside = await fs.open(path.join(root, 'Docs', 'Report.TXT'), 'r')
    const outside = await fs.open(path.join(base, 'secret'), 'r')
    try {
      expect(await jail.verifyDescriptor(inside.fd, await inside.stat({ bigint: true }), path.join(root, 'Docs', 'Report.TXT'))).toBe(
        path.join(root, 'Docs', 'Report.TXT'),
      )
      expect(await statusOf(jail.verifyDescriptor(outside.fd, await outside.stat({ bigint: true }), path.join(base, 'secret')))).toBe(
        VfsStatus.AccessDenied,
      )
    } finally {
      await inside.close()
      await outside.close()
    }
  })

  it('maps relative paths for notifications and names', () => {
    expect(jail.relative(path.join(root, 'Docs', 'Sub'))).toBe('Docs\\Sub')
    expect(jail.relative(root)).toBe('')
    expect(jail.relative(base)).toBeUndefined()
    expect(jail.contains(root + '-other')).toBe(false)
  })
})

describe('PathJail listing cache after own creations (noteCreated)', () => {
  it('keeps an exact listing current instead of reading the directory again', async () => {
    const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'jail-note-')))
    try {
      const old = new Date(Date.now() - 60_000)
      utimesSync(root, old, old)
      const jail = new PathJail(root)
      expect(await jail.lookupName(root, 'MISSING')).toBeUndefined() // builds a trusted listing
      writeFileSync(path.join(root, 'Ours.txt'), '')
      const tick = Math.floor(Date.now() / 1000) // whole seconds: utimes sets them exactly
      utimesSync(root, tick, tick)
      jail.noteCreated(root, 'Ours.txt')
      expect(await jail.lookupName(root, 'OURS.TXT')).toBe('Ours.txt')
      // The cache is what answered: a case variant made behind our back in the same mtime tick is not seen...
      writeFileSync(path.join(root, 'Theirs.txt'), '')
      utimesSync(root, tick, tick)
      expect(await jail.lookupName(root, 'THEIRS.TXT')).toBeUndefined()
      // ...until the directory changes again.
      writeFileSync(path.join(root, 'later'), '')
      expect(await jail.lookupName(root, 'THEIRS.TXT')).toBe('Theirs.txt')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
