import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Access, CreateOptions, Disposition, FileAttribute, NotifyAction, NotifyFilter } from './constants.js'
import { encodedSize, NotifyHub } from './notify.js'
import { VfsStatus } from './status.js'
import { dirParams, params, statusOf, tempShare, type TempShare } from './testing.js'

const S = VfsStatus
const A = NotifyAction
const F = NotifyFilter
const ALL = 0xfff
const tick = () => new Promise((r) => setImmediate(r))

describe('NotifyHub', () => {
  const dir = '/srv/share/dir'
  it('completes a pending request with the changes of one turn', async () => {
    const hub = new NotifyHub()
    const req = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 4096 })
    expect(req.settled).toBe(false)
    hub.renamed(`${dir}/a`, `${dir}/b`, false)
    expect(await req.promise).toEqual({
      status: S.Success,
      changes: [
        { action: A.RenamedOldName, fileName: 'a' },
        { action: A.RenamedNewName, fileName: 'b' },
      ],
    })
  })

  it('buffers changes between requests; overflow becomes NOTIFY_ENUM_DIR', async () => {
    const hub = new NotifyHub()
    const first = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 64 })
    hub.changed(`${dir}/x`, A.Added, F.FileName)
    await first.promise
    hub.changed(`${dir}/y`, A.Added, F.FileName)
    hub.changed(`${dir}/z`, A.Removed, F.FileName)
    await tick()
    const second = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 64 })
    expect(second.settled).toBe(true)
    expect((await second.promise).changes).toEqual([
      { action: A.Added, fileName: 'y' },
      { action: A.Removed, fileName: 'z' },
    ])
    // 64 bytes hold four 1-char entries (16 bytes each); a fifth overflows.
    for (const n of ['1', '2', '3', '4', '5']) hub.changed(`${dir}/${n}`, A.Added, F.FileName)
    await tick()
    const third = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 64 })
    expect(await third.promise).toEqual({ status: S.NotifyEnumDir, changes: [] })
  })

  it('the first request fixes the size of the buffer kept between requests', async () => {
    const hub = new NotifyHub()
    // A tiny first buffer: every later change overflows, whatever later requests ask for.
    const first = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 1 })
    hub.changed(`${dir}/x`, A.Added, F.FileName)
    expect((await first.promise).status).toBe(S.NotifyEnumDir)
    hub.changed(`${dir}/y`, A.Added, F.FileName)
    await tick()
    const second = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 4096 })
    expect(await second.promise).toEqual({ status: S.NotifyEnumDir, changes: [] })
    // A large first buffer stays large after a request with a zero-length buffer.
    const big = hub.request(2, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 4096 })
    hub.changed(`${dir}/a`, A.Added, F.FileName)
    await big.promise
    const zero = hub.request(2, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 0 })
    hub.changed(`${dir}/b`, A.Added, F.FileName)
    expect((await zero.promise).status).toBe(S.NotifyEnumDir)
    hub.changed(`${dir}/c`, A.Added, F.FileName)
    await tick()
    const again = hub.request(2, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 4096 })
    expect(await again.promise).toEqual({ status: S.Success, changes: [{ action: A.Added, fileName: 'c' }] })
  })

  it('a pending request whose buffer is too small completes with NOTIFY_ENUM_DIR', async () => {
    const hub = new NotifyHub()
    const req = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 8 })
    hub.changed(`${dir}/long-name`, A.Added, F.FileName)
    expect((await req.promise).status).toBe(S.NotifyEnumDir)
  })

  it('filters by completion filter, depth and WATCH_TREE; the first request fixes them', async () => {
    const hub = new NotifyHub()
    const flat = hub.request(1, () => dir, { completionFilter: F.DirName, watchTree: false, outputBufferLength: 1024 })
    const tree = hub.request(2, () => dir, { completionFilter: F.FileName | F.Size, watchTree: true, outputBufferLength: 1024 })
    hub.changed(`${dir}/sub/deep.txt`, A.Added, F.FileName) // only the tree watch sees depth 2
    hub.changed(`${dir}/f.txt`, A.Modified, F.Size)
    hub.changed(`${dir}/newdir`, A.Added, F.DirName)
    hub.changed(dir, A.Modified, F.Attributes) // the directory itself: reported to its parent's watchers only
    hub.changed('/srv/share/other/x', A.Added, F.FileName | F.DirName)
    expect((await flat.promise).changes).toEqual([{ action: A.Added, fileName: 'newdir' }])
    expect((await tree.promise).changes).toEqual([
      { action: A.Added, fileName: 'sub\\deep.txt' },
      { action: A.Modified, fileName: 'f.txt' },
    ])
    // A later request with another filter keeps the first one's.
    const again = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: true, outputBufferLength: 1024 })
    hub.changed(`${dir}/file`, A.Added, F.FileName)
    hub.changed(`${dir}/d2`, A.Added, F.DirName)
    expect((await again.promise).changes).toEqual([{ action: A.Added, fileName: 'd2' }])
  })

  it('moves between directories are REMOVED for the source and ADDED for the target', async () => {
    const hub = new NotifyHub()
    const src = hub.request(1, () => '/s/a', { completionFilter: F.FileName, watchTree: false, outputBufferLength: 1024 })
    const dst = hub.request(2, () => '/s/b', { completionFilter: F.FileName, watchTree: false, outputBufferLength: 1024 })
    hub.renamed('/s/a/f', '/s/b/g', false)
    expect((await src.promise).changes).toEqual([{ action: A.Removed, fileName: 'f' }])
    expect((await dst.promise).changes).toEqual([{ action: A.Added, fileName: 'g' }])
  })

  it('coalesces repeated MODIFIED entries, cancels, cleans up on close, validates the filter', async () => {
    const hub = new NotifyHub()
    const r = hub.request(1, () => dir, { completionFilter: F.LastWrite, watchTree: false, outputBufferLength: 1024 })
    for (let i = 0; i < 10; i++) hub.changed(`${dir}/f`, A.Modified, F.LastWrite)
    expect((await r.promise).changes).toEqual([{ action: A.Modified, fileName: 'f' }])
    const c = hub.request(1, () => dir, { completionFilter: F.LastWrite, watchTree: false, outputBufferLength: 1024 })
    expect(c.cancel()).toBe(true)
    expect(await c.promise).toEqual({ status: S.Cancelled, changes: [] })
    const p = hub.request(1, () => dir, { completionFilter: F.LastWrite, watchTree: false, outputBufferLength: 1024 })
    hub.close(1)
    expect(await p.promise).toEqual({ status: S.NotifyCleanup, changes: [] })
    expect(hub.isWatching(1)).toBe(false)
    expect(await statusOf(() => hub.request(1, () => dir, { completionFilter: 0, watchTree: false, outputBufferLength: 1 }))).toBe(S.InvalidParameter)
    // Undefined bits are ignored (as Windows does): the request just waits.
    const odd = hub.request(1, () => dir, { completionFilter: 0x1000, watchTree: false, outputBufferLength: 1 })
    expect(odd.settled).toBe(false)
    odd.cancel()
    hub.close(1)
    // Once the open watches, a later request may pass filter 0: the first request's filter stays in force.
    hub.request(2, () => dir, { completionFilter: F.LastWrite, watchTree: false, outputBufferLength: 1024 }).cancel()
    const again = hub.request(2, () => dir, { completionFilter: 0, watchTree: false, outputBufferLength: 1024 })
    hub.changed(`${dir}/g`, A.Modified, F.LastWrite)
    expect(await again.promise).toEqual({ status: S.Success, changes: [{ action: A.Modified, fileName: 'g' }] })
  })

  it('a move between directories is REMOVED + ADDED even for a tree watch that sees both names', async () => {
    const hub = new NotifyHub()
    const r = hub.request(1, () => dir, { completionFilter: F.FileName, watchTree: true, outputBufferLength: 4096 })
    hub.renamed(`${dir}/sub/a`, `${dir}/b`, false)
    hub.renamed(`${dir}/b`, `${dir}/c`, false)
    expect((await r.promise).changes).toEqual([
      { action: A.Removed, fileName: 'sub\\a' },
      { action: A.Added, fileName: 'b' },
      { action: A.RenamedOldName, fileName: 'b' },
      { action: A.RenamedNewName, fileName: 'c' },
    ])
  })

  it('sizes entries as FILE_NOTIFY_INFORMATION (MS-FSCC 2.4.42)', () => {
    expect(encodedSize([{ action: 1, fileName: 'a' }])).toBe(16)
    expect(encodedSize([{ action: 1, fileName: 'ab' }])).toBe(16)
    expect(encodedSize([{ action: 1, fileName: 'abc' }])).toBe(20)
  })
})

describe('change notify fed by LocalShare operations', () => {
  let t: TempShare
  beforeEach(async () => {
    t = await tempShare()
  })
  afterEach(async () => {
    await t.cleanup()
  })

  async function watch(dirPath: string, completionFilter: number, watchTree = false) {
    // A watcher lists the directory (as Explorer does); DELETE access would block renames into it.
    const d = await t.share.create(dirParams({ path: dirPath, disposition: Disposition.OpenIf, desiredAccess: Access.FileReadData | Access.FileReadAttributes }))
    const next = () => t.share.changeNotify(d.open, { completionFilter, watchTree, outputBufferLength: 4096 }).promise
    return { open: d.open, next }
  }

  it('reports creates, writes, attribute and time changes, renames and deletes', async () => {
    const w = await watch('', ALL)
    let p = w.next()
    const f = await t.share.create(params({ path: 'new.txt', disposition: Disposition.Create }))
    expect((await p).changes).toEqual([{ action: A.Added, fileName: 'new.txt' }])
    p = w.next()
    await t.share.write(f.open, 0n, Buffer.from('abc'))
    expect((await p).changes).toEqual([{ action: A.Modified, fileName: 'new.txt' }])
    p = w.next()
    await t.share.setBasicInfo(f.open, { fileAttributes: FileAttribute.Hidden })
    expect((await p).changes).toEqual([{ action: A.Modified, fileName: 'new.txt' }])
    p = w.next()
    await t.share.rename(f.open, 'renamed.txt', { replaceIfExists: false })
    expect((await p).changes).toEqual([
      { action: A.RenamedOldName, fileName: 'new.txt' },
      { action: A.RenamedNewName, fileName: 'renamed.txt' },
    ])
    // The archive bit a rename sets is reported, as Windows does, when the renaming handle closes.
    p = w.next()
    const again = await t.share.create(params({ path: 'renamed.txt', disposition: Disposition.Open }))
    await t.share.close(f.open)
    expect((await p).changes).toEqual([{ action: A.Modified, fileName: 'renamed.txt' }])
    p = w.next()
    await t.share.setDisposition(again.open, { deleteFile: true })
    await t.share.close(again.open)
    expect((await p).changes).toEqual([{ action: A.Removed, fileName: 'renamed.txt' }])
    await t.share.close(w.open)
  })

  it('a watched directory made delete pending by another handle ends the watch with DELETE_PENDING', async () => {
    mkdirSync(path.join(t.root, 'doomed'))
    const w = await t.share.create(dirParams({ path: 'doomed', disposition: Disposition.Open, desiredAccess: Access.FileReadData, shareAccess: 7 }))
    const p = t.share.changeNotify(w.open, { completionFilter: F.FileName, watchTree: false, outputBufferLength: 1000 }).promise
    const d = await t.share.create(dirParams({ path: 'doomed', disposition: Disposition.Open, desiredAccess: Access.Delete, shareAccess: 7 }))
    await t.share.setDisposition(d.open, { deleteFile: true, onClose: true })
    await t.share.close(d.open)
    expect(await p).toEqual({ status: S.DeletePending, changes: [] })
    await t.share.close(w.open)
    expect(existsSync(path.join(t.root, 'doomed'))).toBe(false)
  })

  it('honours the completion filter: a FILE_NAME watch ignores writes and directory creation', async () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const w = await watch('', F.FileName)
    const p = w.next()
    const f = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    await t.share.write(f.open, 0n, Buffer.from('x'))
    const d = await t.share.create(dirParams({ path: 'sub', disposition: Disposition.Create }))
    const g = await t.share.create(params({ path: 'g', disposition: Disposition.Create }))
    expect((await p).changes).toEqual([{ action: A.Added, fileName: 'g' }])
    for (const o of [f, d, g, w]) await t.share.close('open' in o ? o.open : o)
  })

  it('WATCH_TREE sees changes below; pending requests end with NOTIFY_CLEANUP on close', async () => {
    mkdirSync(path.join(t.root, 'a', 'b'), { recursive: true })
    const w = await watch('', F.FileName, true)
    let p = w.next()
    const f = await t.share.create(params({ path: 'a\\b\\deep', disposition: Disposition.Create }))
    expect((await p).changes).toEqual([{ action: A.Added, fileName: 'a\\b\\deep' }])
    p = w.next()
    await t.share.close(w.open)
    expect(await p).toEqual({ status: S.NotifyCleanup, changes: [] })
    await t.share.close(f.open)
  })

  it('names follow a renamed watched directory', async () => {
    mkdirSync(path.join(t.root, 'old'))
    const w = await watch('old', F.FileName)
    const d = await t.share.create(dirParams({ path: 'old', disposition: Disposition.Open, owner: 'mover' }))
    await t.share.rename(d.open, 'new', { replaceIfExists: false })
    await t.share.close(d.open)
    const p = w.next()
    const f = await t.share.create(params({ path: 'new\\x', disposition: Disposition.Create }))
    expect((await p).changes).toEqual([{ action: A.Added, fileName: 'x' }])
    await t.share.close(f.open)
    await t.share.close(w.open)
  })

  it('security changes reported by the SMB layer, and refusals', async () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const w = await watch('', F.Security)
    const p = w.next()
    const f = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    t.share.reportSecurityChange(f.open)
    expect((await p).changes).toEqual([{ action: A.Modified, fileName: 'f' }])
    expect(await statusOf(() => t.share.changeNotify(f.open, { completionFilter: ALL, watchTree: false, outputBufferLength: 10 }))).toBe(
      S.InvalidParameter,
    )
    const noList = await t.share.create(dirParams({ path: '', disposition: Disposition.Open, desiredAccess: Access.FileReadAttributes }))
    expect(await statusOf(() => t.share.changeNotify(noList.open, { completionFilter: ALL, watchTree: false, outputBufferLength: 10 }))).toBe(
      S.AccessDenied,
    )
    const doomed = await t.share.create(dirParams({ path: 'dd', disposition: Disposition.Create, createOptions: CreateOptions.DirectoryFile }))
    await t.share.setDisposition(doomed.open, { deleteFile: true })
    expect(await statusOf(() => t.share.changeNotify(doomed.open, { completionFilter: ALL, watchTree: false, outputBufferLength: 10 }))).toBe(
      S.DeletePending,
    )
    for (const o of [f.open, noList.open, doomed.open, w.open]) await t.share.close(o)
  })
})
