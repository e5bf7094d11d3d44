import { statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  dateToFiletime,
  effectiveAttributes,
  effectiveTimes,
  filetimeToDate,
  filetimeToNs,
  MetadataStore,
  nsToFiletime,
  signedTime,
} from './attributes.js'
import { Access, Disposition, FileAttribute } from './constants.js'
import { LocalShare } from './local-fs.js'
import { VfsStatus } from './status.js'
import { dirParams, params, statusOf, tempShare, type TempShare } from './testing.js'

const S = VfsStatus

describe('FILETIME conversions (MS-DTYP 2.3.3)', () => {
  it('converts both ways', () => {
    expect(nsToFiletime(0n)).toBe(116_444_736_000_000_000n)
    expect(nsToFiletime(1_577_836_800_000_000_000n)).toBe(132_223_104_000_000_000n) // 2020-01-01T00:00:00Z
    expect(filetimeToNs(132_223_104_000_000_001n)).toBe(1_577_836_800_000_000_100n)
    expect(nsToFiletime(1_577_836_800_123_456_789n)).toBe(132_223_104_001_234_567n) // truncated to 100 ns
    expect(dateToFiletime(new Date('2020-01-01T00:00:00.5Z'))).toBe(132_223_104_005_000_000n)
    expect(filetimeToDate(132_223_104_005_000_000n).toISOString()).toBe('2020-01-01T00:00:00.500Z')
    expect(nsToFiletime(-20_000_000_000_000_000_000n)).toBe(0n) // before 1601 clamps to 0
  })
  it('reads wire times as signed', () => {
    expect(signedTime(0xffff_ffff_ffff_ffffn)).toBe(-1n)
    expect(signedTime(0xffff_ffff_ffff_fffen)).toBe(-2n)
    expect(signedTime(5n)).toBe(5n)
  })
})

describe('MetadataStore', () => {
  let t: TempShare
  beforeEach(async () => {
    t = await tempShare()
  })
  afterEach(async () => {
    await t.cleanup()
  })

  it('persists records across instances and drops stale ones', () => {
    const dir = path.join(t.base, 'meta')
    const a = MetadataStore.open(dir)
    expect(a.persistent).toBe(true)
    a.put('1:2', { attributes: FileAttribute.Hidden, birthNs: 10n, creationTime: 5n, lastWrite: { filetime: 7n, posixNs: 8n } })
    a.close()
    const b = MetadataStore.open(dir)
    expect(b.get('1:2', 10n)).toEqual({ attributes: FileAttribute.Hidden, birthNs: 10n, creationTime: 5n, lastWrite: { filetime: 7n, posixNs: 8n } })
    // Same inode number, different birth time: another file now; the record is discarded.
    expect(b.get('1:2', 11n)).toBeUndefined()
    expect(b.get('1:2', 10n)).toBeUndefined()
    expect(b.count()).toBe(0)
    b.close()
    expect(MetadataStore.open().persistent).toBe(false)
  })

  it('reports pinned times only while the POSIX times still match', () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const st = statSync(path.join(t.root, 'f'), { bigint: true })
    const rec = { lastWrite: { filetime: 123_456_789n, posixNs: st.mtimeNs } }
    expect(effectiveTimes(st, rec).lastWriteTime).toBe(123_456_789n)
    utimesSync(path.join(t.root, 'f'), 1000, 2000)
    const st2 = statSync(path.join(t.root, 'f'), { bigint: true })
    expect(effectiveTimes(st2, rec).lastWriteTime).toBe(nsToFiletime(2_000_000_000_000n))
  })

  it('derives attributes', () => {
    expect(effectiveAttributes(false, undefined, 'f')).toBe(FileAttribute.Archive)
    expect(effectiveAttributes(false, { attributes: 0 }, 'f')).toBe(FileAttribute.Normal)
    expect(effectiveAttributes(true, undefined, 'd')).toBe(FileAttribute.Directory)
    expect(effectiveAttributes(true, { attributes: FileAttribute.Hidden | FileAttribute.Temporary }, 'd')).toBe(
      FileAttribute.Hidden | FileAttribute.Directory,
    )
    expect(effectiveAttributes(false, undefined, '.x', { hideDotFiles: true })).toBe(FileAttribute.Archive | FileAttribute.Hidden)
  })
})

describe('FileBasicInformation (MS-FSA 2.1.5.15.2)', () => {
  let t: TempShare
  beforeEach(async () => {
    t = await tempShare()
  })
  afterEach(async () => {
    await t.cleanup()
  })

  const T1 = 132_223_104_001_234_567n // 2020-01-01 00:00:00.1234567
  const T2 = 130_000_000_000_000_001n
  const T3 = 125_000_000_000_000_009n

  it('sets exact times (100 ns precision survives) and attributes; they survive a restart', async () => {
    const r = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    await t.share.setBasicInfo(r.open, {
      creationTime: T3,
      lastAccessTime: T2,
      lastWriteTime: T1,
      changeTime: T2 + 1n,
      fileAttributes: FileAttribute.Hidden | FileAttribute.ReadOnly,
    })
    const q = await t.share.queryInfo(r.open)
    expect([q.creationTime, q.lastAccessTime, q.lastWriteTime, q.changeTime]).toEqual([T3, T2, T1, T2 + 1n])
    expect(q.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.ReadOnly)
    // The POSIX mtime carries the time up to the precision utimes() allows.
    const mtimeMs = statSync(path.join(t.root, 'f')).mtimeMs
    expect(Math.abs(mtimeMs - Number((T1 - 116_444_736_000_000_000n) / 10_000n))).toBeLessThan(2)
    await t.share.close(r.open)
    // A new LocalShare on the same state directory: a server restart.
    await t.share.dispose()
    const again = await LocalShare.open({ name: 'test', root: t.root, stateDir: t.stateDir })
    t.share = again
    const o = await again.create(params({ path: 'f', disposition: Disposition.Open, desiredAccess: Access.FileReadAttributes }))
    expect([o.info.creationTime, o.info.lastAccessTime, o.info.lastWriteTime, o.info.changeTime]).toEqual([T3, T2, T1, T2 + 1n])
    expect(o.info.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.ReadOnly)
    await again.close(o.open)
  })

  it('a change made behind the server shows the real time again', async () => {
    const r = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    await t.share.setBasicInfo(r.open, { lastWriteTime: T1 })
    utimesSync(path.join(t.root, 'f'), 1_600_000_000, 1_600_000_000)
    expect((await t.share.queryInfo(r.open)).lastWriteTime).toBe(nsToFiletime(1_600_000_000_000_000_000n))
    await t.share.close(r.open)
  })

  it('-1 freezes LastWriteTime for writes through this open only; -2 unfreezes', async () => {
    const a = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    const b = await t.share.create(params({ path: 'f', disposition: Disposition.Open, owner: 'b' }))
    await t.share.setBasicInfo(a.open, { lastWriteTime: T1 })
    await t.share.write(a.open, 0n, Buffer.from('x'))
    expect((await t.share.queryInfo(a.open)).lastWriteTime).toBe(T1) // explicit set is sticky for this open
    await t.share.setBasicInfo(a.open, { lastWriteTime: -2n & 0xffff_ffff_ffff_ffffn })
    await t.share.write(a.open, 1n, Buffer.from('y'))
    const moved = (await t.share.queryInfo(a.open)).lastWriteTime
    expect(moved).not.toBe(T1)
    await t.share.setBasicInfo(a.open, { lastWriteTime: 0xffff_ffff_ffff_ffffn }) // -1 on the wire
    await new Promise((r) => setTimeout(r, 5))
    await t.share.write(a.open, 2n, Buffer.from('z'))
    expect((await t.share.queryInfo(a.open)).lastWriteTime).toBe(moved)
    // Writes through another open still update it.
    await new Promise((r) => setTimeout(r, 5))
    await t.share.write(b.open, 3n, Buffer.from('w'))
    expect((await t.share.queryInfo(b.open)).lastWriteTime).not.toBe(moved)
    await t.share.close(a.open)
    await t.share.close(b.open)
  })

  it('0 changes nothing, NORMAL clears the settable attributes, SPARSE is kept', async () => {
    const r = await t.share.create(params({ path: 'f', disposition: Disposition.Create, fileAttributes: FileAttribute.Hidden }))
    const before = await t.share.queryInfo(r.open)
    await t.share.setBasicInfo(r.open, { creationTime: 0n, lastWriteTime: 0n, fileAttributes: 0 })
    const same = await t.share.queryInfo(r.open)
    expect([same.creationTime, same.lastWriteTime, same.fileAttributes]).toEqual([before.creationTime, before.lastWriteTime, before.fileAttributes])
    await t.share.setSparse(r.open, true)
    await t.share.setBasicInfo(r.open, { fileAttributes: FileAttribute.Normal })
    expect((await t.share.queryInfo(r.open)).fileAttributes).toBe(FileAttribute.SparseFile)
    await t.share.close(r.open)
  })

  it('writing sets ARCHIVE again', async () => {
    const r = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    await t.share.setBasicInfo(r.open, { fileAttributes: FileAttribute.Normal })
    expect((await t.share.queryInfo(r.open)).fileAttributes).toBe(FileAttribute.Normal)
    await t.share.write(r.open, 0n, Buffer.from('a'))
    expect((await t.share.queryInfo(r.open)).fileAttributes).toBe(FileAttribute.Archive)
    await t.share.close(r.open)
  })

  it('validates the request', async () => {
    const f = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Create, desiredAccess: Access.FileReadData | Access.FileWriteAttributes }))
    const ro = await t.share.create(params({ path: 'f', disposition: Disposition.Open, desiredAccess: Access.FileReadData }))
    expect(await statusOf(t.share.setBasicInfo(f.open, { fileAttributes: FileAttribute.Directory }))).toBe(S.InvalidParameter)
    expect(await statusOf(t.share.setBasicInfo(d.open, { fileAttributes: FileAttribute.Temporary }))).toBe(S.InvalidParameter)
    expect(await statusOf(t.share.setBasicInfo(f.open, { lastWriteTime: 0xffff_ffff_ffff_fffdn }))).toBe(S.InvalidParameter)
    expect(await statusOf(t.share.setBasicInfo(ro.open, { fileAttributes: FileAttribute.Hidden }))).toBe(S.AccessDenied)
    await t.share.setBasicInfo(d.open, { fileAttributes: FileAttribute.Directory | FileAttribute.Hidden })
    expect((await t.share.queryInfo(d.open)).fileAttributes).toBe(FileAttribute.Directory | FileAttribute.Hidden)
    for (const o of [f, d, ro]) await t.share.close(o.open)
  })

  it('creation time comes from the birth time and stays put', async () => {
    const r = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    const c0 = r.info.creationTime
    await new Promise((res) => setTimeout(res, 5))
    await t.share.write(r.open, 0n, Buffer.from('more'))
    const q = await t.share.queryInfo(r.open)
    expect(q.creationTime).toBe(c0)
    expect(q.lastWriteTime).toBeGreaterThanOrEqual(c0)
    await t.share.close(r.open)
  })

  it('refuses a state directory inside the share', async () => {
    await expect(LocalShare.open({ name: 'x', root: t.root, stateDir: path.join(t.root, '.state') })).rejects.toThrow(/inside share/)
  })
})
