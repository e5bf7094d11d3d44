import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Access, Disposition, FileAttribute } from './constants.js'
import { DirectoryCursor, queryDirectory, type DirEntry } from './dir-enum.js'
import { VfsStatus } from './status.js'
import { dirParams, params, statusOf, tempShare, type TempShare } from './testing.js'

const S = VfsStatus

describe('queryDirectory on a fake source', () => {
  const names = ['b.txt', 'A.txt', 'c.doc', 'Zeta', 'alpha']
  const source = {
    list: async () => [...names],
    describe: async (name: string) =>
      name === 'Zeta'
        ? undefined // a name the share hides
        : {
            fileName: name,
            creationTime: 0n,
            lastAccessTime: 0n,
            lastWriteTime: 0n,
            changeTime: 0n,
            endOfFile: 0n,
            allocationSize: 0n,
            fileAttributes: FileAttribute.Normal,
            fileId: 1n,
            numberOfLinks: 1,
            isDirectory: false,
            eaSize: 0,
            reparseTag: 0,
          },
  }
  const namesOf = (r: { entries: DirEntry[] }) => r.entries.map((e) => e.fileName)

  it('returns . and .. first, then names in upcase order, skipping hidden ones', async () => {
    const c = new DirectoryCursor()
    const r = await queryDirectory(c, source, {})
    expect(r.status).toBe(S.Success)
    expect(namesOf(r)).toEqual(['.', '..', 'A.txt', 'alpha', 'b.txt', 'c.doc'])
    expect((await queryDirectory(c, source, {})).status).toBe(S.NoMoreFiles)
    expect((await queryDirectory(c, source, {})).status).toBe(S.NoMoreFiles)
  })

  it('resumes after a full buffer and with single entries', async () => {
    const c = new DirectoryCursor()
    let room = 3
    const r1 = await queryDirectory(c, source, { pattern: '*' }, () => room-- > 0)
    expect(namesOf(r1)).toEqual(['.', '..', 'A.txt'])
    const r2 = await queryDirectory(c, source, { returnSingleEntry: true })
    expect(namesOf(r2)).toEqual(['alpha'])
    const r3 = await queryDirectory(c, source, {})
    expect(namesOf(r3)).toEqual(['b.txt', 'c.doc'])
  })

  it('reports BUFFER_OVERFLOW without consuming when nothing fits', async () => {
    const c = new DirectoryCursor()
    const r = await queryDirectory(c, source, {}, () => false)
    expect(r).toEqual({ status: S.BufferOverflow, entries: [] })
    expect(namesOf(await queryDirectory(c, source, { returnSingleEntry: true }))).toEqual(['.'])
  })

  it('keeps the first pattern, restarts and reopens (MS-SMB2 2.2.33)', async () => {
    const c = new DirectoryCursor()
    expect(namesOf(await queryDirectory(c, source, { pattern: '*.txt' }))).toEqual(['A.txt', 'b.txt'])
    // A later pattern without RESTART/REOPEN is ignored.
    expect((await queryDirectory(c, source, { pattern: '*' })).status).toBe(S.NoMoreFiles)
    // RESTART_SCANS without a pattern keeps the pattern.
    expect(namesOf(await queryDirectory(c, source, { restartScan: true }))).toEqual(['A.txt', 'b.txt'])
    // REOPEN takes the new pattern.
    expect(namesOf(await queryDirectory(c, source, { reopen: true, pattern: '<.doc' }))).toEqual(['c.doc'])
    // RESTART_SCANS with a pattern takes it.
    expect(namesOf(await queryDirectory(c, source, { restartScan: true, pattern: 'ALPHA' }))).toEqual(['alpha'])
  })

  it('NO_SUCH_FILE for a first query without matches, NO_MORE_FILES afterwards (restarts too), REOPEN starts afresh', async () => {
    const c = new DirectoryCursor()
    expect((await queryDirectory(c, source, { pattern: 'missing.txt' })).status).toBe(S.NoSuchFile)
    expect((await queryDirectory(c, source, {})).status).toBe(S.NoMoreFiles)
    expect((await queryDirectory(c, source, { restartScan: true })).status).toBe(S.NoMoreFiles)
    expect((await queryDirectory(c, source, { restartScan: true, pattern: 'also-missing' })).status).toBe(S.NoMoreFiles)
    expect((await queryDirectory(c, source, { reopen: true, pattern: 'still-missing' })).status).toBe(S.NoSuchFile)
    const fresh = new DirectoryCursor()
    expect((await queryDirectory(fresh, source, { restartScan: true, pattern: 'missing' })).status).toBe(S.NoSuchFile)
  })

  it('resumes after an explicit FileIndex', async () => {
    const c = new DirectoryCursor()
    const all = await queryDirectory(c, source, {})
    const alpha = all.entries.find((e) => e.fileName === 'alpha')!
    expect(namesOf(await queryDirectory(c, source, { fileIndex: alpha.fileIndex }))).toEqual(['b.txt', 'c.doc'])
  })
})

describe('LocalShare.queryDirectory', () => {
  let t: TempShare
  beforeEach(async () => {
    t = await tempShare()
  })
  afterEach(async () => {
    await t.cleanup()
  })

  it('lists real entries with metadata; . is the directory, .. its parent (the root for the root)', async () => {
    mkdirSync(path.join(t.root, 'sub'))
    writeFileSync(path.join(t.root, 'sub', 'f.bin'), Buffer.alloc(1234))
    const d = await t.share.create(dirParams({ path: 'sub', disposition: Disposition.Open }))
    const r = await t.share.queryDirectory(d.open, {})
    expect(r.entries.map((e) => e.fileName)).toEqual(['.', '..', 'f.bin'])
    const [dot, dotdot, f] = r.entries
    expect(dot!.isDirectory && dotdot!.isDirectory).toBe(true)
    expect(dot!.fileId).toBe(d.info.fileId)
    expect(f!.endOfFile).toBe(1234n)
    expect(f!.fileAttributes).toBe(FileAttribute.Archive)
    expect(f!.shortName).toBe('')
    const root = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    const rr = await t.share.queryDirectory(root.open, { pattern: '..' })
    expect(rr.entries[0]!.fileId).toBe(root.info.fileId)
    await t.share.close(d.open)
    await t.share.close(root.open)
  })

  it('hides what clients cannot see or must not reach', async () => {
    writeFileSync(path.join(t.root, 'ok.txt'), '')
    writeFileSync(path.join(t.root, 'bad:name'), '')
    writeFileSync(path.join(t.root, 'star*'), '')
    writeFileSync(path.join(t.root, 'CON'), '')
    symlinkSync('/etc/passwd', path.join(t.root, 'escape'))
    symlinkSync(path.join(t.root, 'ok.txt'), path.join(t.root, 'inside-link'))
    const { execFileSync } = await import('node:child_process')
    execFileSync('mkfifo', [path.join(t.root, 'fifo')])
    const root = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    const r = await t.share.queryDirectory(root.open, {})
    expect(r.entries.map((e) => e.fileName)).toEqual(['.', '..', 'inside-link', 'ok.txt'])
    await t.share.close(root.open)
  })

  it('skips entries deleted after the snapshot and enumerates a large directory across buffers', async () => {
    mkdirSync(path.join(t.root, 'big'))
    for (let i = 0; i < 300; i++) writeFileSync(path.join(t.root, 'big', `f${String(i).padStart(3, '0')}`), '')
    const d = await t.share.create(dirParams({ path: 'big', disposition: Disposition.Open }))
    const first = await t.share.queryDirectory(d.open, { pattern: 'f*' }, (() => {
      let n = 0
      return () => n++ < 100
    })())
    expect(first.entries.length).toBe(100)
    unlinkSync(path.join(t.root, 'big', 'f150'))
    const seen = first.entries.map((e) => e.fileName)
    for (;;) {
      const r = await t.share.queryDirectory(d.open, {}, (() => {
        let n = 0
        return () => n++ < 64
      })())
      if (r.status !== S.Success) {
        expect(r.status).toBe(S.NoMoreFiles)
        break
      }
      seen.push(...r.entries.map((e) => e.fileName))
    }
    expect(seen.length).toBe(299)
    expect(new Set(seen).size).toBe(299)
    expect(seen).not.toContain('f150')
    expect(seen[0]).toBe('f000')
    await t.share.close(d.open)
  })

  it('needs a directory open with FILE_LIST_DIRECTORY; bad patterns are refused', async () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const f = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    expect(await statusOf(t.share.queryDirectory(f.open, {}))).toBe(S.InvalidParameter)
    const d = await t.share.create(dirParams({ path: '', disposition: Disposition.Open, desiredAccess: Access.FileReadAttributes }))
    expect(await statusOf(t.share.queryDirectory(d.open, {}))).toBe(S.AccessDenied)
    const ok = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    expect(await statusOf(t.share.queryDirectory(ok.open, { pattern: 'a\\b' }))).toBe(S.ObjectNameInvalid)
    for (const o of [f, d, ok]) await t.share.close(o.open)
  })

  it('reports HIDDEN for dot files only when asked', async () => {
    const hidden = await tempShare({ hideDotFiles: true })
    try {
      writeFileSync(path.join(hidden.root, '.profile'), '')
      const root = await hidden.share.create(dirParams({ path: '', disposition: Disposition.Open }))
      const r = await hidden.share.queryDirectory(root.open, { pattern: '.profile' })
      expect(r.entries[0]!.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.Archive)
      await hidden.share.close(root.open)
    } finally {
      await hidden.cleanup()
    }
  })
})

describe('concurrent queries on one open', () => {
  it('are serialised: no entry is returned twice', async () => {
    const t = await tempShare()
    try {
      for (let i = 0; i < 50; i++) writeFileSync(path.join(t.root, `n${i}`), '')
      const d = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
      const results = await Promise.all(Array.from({ length: 10 }, () => t.share.queryDirectory(d.open, { returnSingleEntry: true })))
      const names = results.flatMap((r) => r.entries.map((e) => e.fileName))
      expect(names.length).toBe(10)
      expect(new Set(names).size).toBe(10)
      await t.share.close(d.open)
    } finally {
      await t.cleanup()
    }
  })
})
