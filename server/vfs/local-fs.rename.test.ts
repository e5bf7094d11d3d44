import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Access, Disposition, FileAttribute, ShareAccess } from './constants.js'
import { VfsStatus } from './status.js'
import { dirParams, params, statusOf, tempShare, type TempShare } from './testing.js'

let t: TempShare
beforeEach(async () => {
  t = await tempShare()
})
afterEach(async () => {
  await t.cleanup()
})

const S = VfsStatus
const put = (name: string, content = name) => {
  mkdirSync(path.dirname(path.join(t.root, name)), { recursive: true })
  writeFileSync(path.join(t.root, name), content)
}
const at = (name: string) => path.join(t.root, name)
const open = (p: string, extra: Partial<Parameters<typeof params>[0]> = {}) => t.share.create(params({ path: p, disposition: Disposition.Open, ...extra }))

describe('rename (MS-FSA 2.1.5.15.11)', () => {
  it('renames within a directory and into another one; the open follows', async () => {
    put('a.txt', 'A')
    mkdirSync(at('sub'))
    const o = await open('a.txt')
    await t.share.rename(o.open, 'b.txt', { replaceIfExists: false })
    expect(existsSync(at('a.txt'))).toBe(false)
    expect((await t.share.queryInfo(o.open)).path).toBe('\\b.txt')
    await t.share.rename(o.open, '\\SUB\\c.txt', { replaceIfExists: false })
    expect(readFileSync(at('sub/c.txt'), 'utf8')).toBe('A')
    expect((await t.share.queryInfo(o.open)).path).toBe('\\sub\\c.txt')
    await t.share.write(o.open, 1n, Buffer.from('B'))
    expect(readFileSync(at('sub/c.txt'), 'utf8')).toBe('AB')
    await t.share.close(o.open)
  })

  it('conflicts with opens of the target directory that do not share write or hold DELETE', async () => {
    mkdirSync(at('d'))
    put('d/f.txt')
    const cases: Array<[number, number, number]> = [
      // [directory access, directory share, expected status]
      [Access.FileReadData | Access.Delete, ShareAccess.All, S.SharingViolation],
      [Access.FileReadData | Access.Delete, 0, S.SharingViolation],
      [Access.FileReadData | Access.FileWriteData, 0, S.SharingViolation],
      [Access.FileReadData | Access.FileWriteData, ShareAccess.All, S.Success],
      // An open that only reads attributes takes no part in sharing.
      [Access.FileReadAttributes, 0, S.Success],
    ]
    for (const [access, share, expected] of cases) {
      const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open, desiredAccess: access, shareAccess: share }))
      const f = await open(existsSync(at('d/f.txt')) ? 'd\\f.txt' : 'd\\g.txt')
      const to = existsSync(at('d/f.txt')) ? 'd\\g.txt' : 'd\\f.txt'
      if (expected === S.Success) await t.share.rename(f.open, to, { replaceIfExists: false })
      else expect(await statusOf(t.share.rename(f.open, to, { replaceIfExists: false }))).toBe(expected)
      await t.share.close(f.open)
      await t.share.close(d.open)
    }
  })

  it('needs DELETE access', async () => {
    put('a')
    const o = await open('a', { desiredAccess: Access.FileReadData })
    expect(await statusOf(t.share.rename(o.open, 'b', { replaceIfExists: true }))).toBe(S.AccessDenied)
    await t.share.close(o.open)
  })

  it('target exists: collision unless ReplaceIfExists; replaced files lose their data', async () => {
    put('a', 'new')
    put('b', 'old')
    const o = await open('a')
    expect(await statusOf(t.share.rename(o.open, 'B', { replaceIfExists: false }))).toBe(S.ObjectNameCollision)
    await t.share.rename(o.open, 'b', { replaceIfExists: true })
    expect(readdirSync(t.root).sort()).toEqual(['b'])
    expect(readFileSync(at('b'), 'utf8')).toBe('new')
    await t.share.close(o.open)
  })

  it('replacing under a name of different case leaves exactly the requested name', async () => {
    put('a', 'new')
    put('Target', 'old')
    const o = await open('a')
    await t.share.rename(o.open, 'TARGET', { replaceIfExists: true })
    expect(readdirSync(t.root)).toEqual(['TARGET'])
    await t.share.close(o.open)
  })

  it('refuses to replace a directory, a read-only file, an open file or a delete-pending file', async () => {
    put('a')
    mkdirSync(at('dir'))
    put('ro')
    put('busy')
    put('doomed')
    const ro = await open('ro')
    await t.share.setBasicInfo(ro.open, { fileAttributes: FileAttribute.ReadOnly })
    await t.share.close(ro.open)
    const busy = await open('busy', { owner: 'other' })
    const doomed = await open('doomed', { owner: 'other' })
    await t.share.setDisposition(doomed.open, { deleteFile: true })
    const o = await open('a')
    expect(await statusOf(t.share.rename(o.open, 'dir', { replaceIfExists: true }))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.rename(o.open, 'ro', { replaceIfExists: true }))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.rename(o.open, 'busy', { replaceIfExists: true }))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.rename(o.open, 'doomed', { replaceIfExists: true }))).toBe(S.DeletePending)
    expect(readFileSync(at('a'), 'utf8')).toBe('a')
    for (const x of [o, busy, doomed]) await t.share.close(x.open)
  })

  it('same name is a no-op; a case-only rename changes the case', async () => {
    put('Name.txt')
    const o = await open('name.TXT')
    await t.share.rename(o.open, 'Name.txt', { replaceIfExists: false })
    expect(readdirSync(t.root)).toEqual(['Name.txt'])
    await t.share.rename(o.open, 'NAME.txt', { replaceIfExists: false })
    expect(readdirSync(t.root)).toEqual(['NAME.txt'])
    await t.share.close(o.open)
  })

  it('a directory with open files below it cannot be renamed; without them it can', async () => {
    put('d/inner/f')
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open }))
    const f = await open('d\\inner\\f', { owner: 'x' })
    expect(await statusOf(t.share.rename(d.open, 'e', { replaceIfExists: false }))).toBe(S.AccessDenied)
    await t.share.close(f.open)
    await t.share.rename(d.open, 'e', { replaceIfExists: false })
    expect(existsSync(at('e/inner/f'))).toBe(true)
    // Opens made through the new name afterwards work, and the directory open reports its new name.
    const g = await open('E\\INNER\\F')
    expect((await t.share.queryInfo(g.open)).path).toBe('\\e\\inner\\f')
    expect((await t.share.queryInfo(d.open)).path).toBe('\\e')
    await t.share.close(g.open)
    await t.share.close(d.open)
  })

  it('paths of opens below a renamed directory follow it (open taken after the check)', async () => {
    mkdirSync(at('top'))
    const d = await t.share.create(dirParams({ path: 'top', disposition: Disposition.Open }))
    await t.share.rename(d.open, 'moved', { replaceIfExists: false })
    const f = await t.share.create(params({ path: 'moved\\new.txt', disposition: Disposition.Create }))
    expect((await t.share.queryInfo(f.open)).path).toBe('\\moved\\new.txt')
    await t.share.close(f.open)
    await t.share.close(d.open)
  })

  it('bad targets', async () => {
    put('a')
    mkdirSync(at('d'))
    const o = await open('a')
    expect(await statusOf(t.share.rename(o.open, 'nodir\\x', { replaceIfExists: false }))).toBe(S.ObjectPathNotFound)
    expect(await statusOf(t.share.rename(o.open, 'x*y', { replaceIfExists: false }))).toBe(S.ObjectNameInvalid)
    expect(await statusOf(t.share.rename(o.open, '..\\..\\x', { replaceIfExists: false }))).toBe(S.ObjectPathSyntaxBad)
    expect(await statusOf(t.share.rename(o.open, '', { replaceIfExists: false }))).toBe(S.InvalidParameter)
    expect(await statusOf(t.share.rename(o.open, ':s:$DATA', { replaceIfExists: false }))).toBe(S.InvalidParameter)
    await t.share.rename(o.open, '::$DATA', { replaceIfExists: false }) // the default stream: no-op
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open }))
    expect(await statusOf(t.share.rename(d.open, 'd\\below', { replaceIfExists: false }))).toBe(S.InvalidParameter)
    await t.share.close(d.open)
    await t.share.close(o.open)
  })

  it('metadata follows the file across a rename', async () => {
    put('a')
    const o = await open('a')
    await t.share.setBasicInfo(o.open, { fileAttributes: FileAttribute.Hidden })
    await t.share.rename(o.open, 'b', { replaceIfExists: false })
    await t.share.close(o.open)
    const again = await open('b')
    // A rename sets FILE_ATTRIBUTE_ARCHIVE, as on Windows.
    expect(again.info.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.Archive)
    await t.share.close(again.open)
  })
})

describe('hard links (MS-FSA 2.1.5.15.8)', () => {
  it('adds a name to the same file', async () => {
    put('a', 'shared')
    const o = await open('a')
    await t.share.link(o.open, 'b', { replaceIfExists: false })
    expect(statSync(at('b')).ino).toBe(statSync(at('a')).ino)
    expect((await t.share.queryInfo(o.open)).numberOfLinks).toBe(2)
    expect(await statusOf(t.share.link(o.open, 'b', { replaceIfExists: false }))).toBe(S.ObjectNameCollision)
    put('c')
    await t.share.link(o.open, 'c', { replaceIfExists: true })
    expect(readFileSync(at('c'), 'utf8')).toBe('shared')
    await t.share.close(o.open)
    const d = await t.share.create(dirParams({ path: 'dir', disposition: Disposition.Create }))
    expect(await statusOf(t.share.link(d.open, 'dir2', { replaceIfExists: false }))).toBe(S.FileIsADirectory)
    await t.share.close(d.open)
  })

  it('renaming onto another link of the same file removes that link', async () => {
    put('a', 'x')
    const o = await open('a')
    await t.share.link(o.open, 'b', { replaceIfExists: false })
    await t.share.rename(o.open, 'b', { replaceIfExists: false })
    expect(readdirSync(t.root)).toEqual(['b'])
    await t.share.close(o.open)
  })
})

describe('entries opened through another name', () => {
  it('deleting one hard link removes only that name and keeps the metadata', async () => {
    put('a', 'x')
    const first = await open('a')
    await t.share.setBasicInfo(first.open, { fileAttributes: FileAttribute.Hidden })
    await t.share.link(first.open, 'b', { replaceIfExists: false })
    await t.share.close(first.open)
    const viaB = await open('b')
    await t.share.setDisposition(viaB.open, { deleteFile: true })
    expect((await t.share.close(viaB.open)).deleted).toBe(true)
    expect(readdirSync(t.root)).toEqual(['a'])
    const again = await open('a')
    expect(again.info.fileAttributes).toBe(FileAttribute.Hidden)
    await t.share.close(again.open)
  })

  it('renaming or deleting an inside symlink acts on the link, not on its target', async () => {
    const { symlinkSync, lstatSync } = await import('node:fs')
    put('target.txt', 'T')
    symlinkSync(at('target.txt'), at('link.txt'))
    const o = await open('link.txt')
    expect((await t.share.queryInfo(o.open)).path).toBe('\\link.txt')
    await t.share.rename(o.open, 'moved-link.txt', { replaceIfExists: false })
    expect(lstatSync(at('moved-link.txt')).isSymbolicLink()).toBe(true)
    expect(readFileSync(at('target.txt'), 'utf8')).toBe('T')
    await t.share.setDisposition(o.open, { deleteFile: true })
    expect((await t.share.close(o.open)).deleted).toBe(true)
    expect(readdirSync(t.root)).toEqual(['target.txt'])
  })

  it('a pending delete follows a rename made through another open', async () => {
    put('f')
    const a = await open('f')
    const b = await open('f', { owner: 'b' })
    await t.share.setDisposition(a.open, { deleteFile: true })
    await t.share.rename(b.open, 'g', { replaceIfExists: false })
    await t.share.close(a.open)
    expect((await t.share.close(b.open)).deleted).toBe(true)
    expect(readdirSync(t.root)).toEqual([])
  })
})
