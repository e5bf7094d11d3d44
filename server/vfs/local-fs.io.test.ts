import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Access, CreateOptions, Disposition, FileAttribute, ShareAccess, USE_FILE_POINTER_POSITION, WRITE_TO_END_OF_FILE } from './constants.js'
import { addHole, allocatedRangesOf, removeHole } from './local-fs.js'
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
const rw = (path: string, extra: Partial<Parameters<typeof params>[0]> = {}) => t.share.create(params({ path, ...extra }))

describe('read and write (MS-FSA 2.1.5.2, 2.1.5.3)', () => {
  it('writes and reads at offsets, tracks the position, reports end of file', async () => {
    const { open } = await rw('f')
    expect(await t.share.write(open, 0n, Buffer.from('hello'))).toBe(5)
    expect(await t.share.write(open, 10n, Buffer.from('world'))).toBe(5)
    expect(open.position).toBe(15n)
    const all = await t.share.read(open, 0n, 100)
    expect(all).toEqual(Buffer.concat([Buffer.from('hello'), Buffer.alloc(5), Buffer.from('world')]))
    expect((await t.share.read(open, 12n, 2)).toString()).toBe('rl')
    expect(open.position).toBe(14n)
    expect((await t.share.read(open, USE_FILE_POINTER_POSITION, 10)).toString()).toBe('d')
    expect(await statusOf(t.share.read(open, 15n, 1))).toBe(S.EndOfFile)
    expect(await statusOf(t.share.read(open, 1000n, 1))).toBe(S.EndOfFile)
    expect((await t.share.read(open, 1000n, 0)).length).toBe(0)
    expect(await t.share.write(open, 3n, Buffer.alloc(0))).toBe(0)
    expect((await t.share.queryInfo(open)).endOfFile).toBe(15n)
    await t.share.close(open)
  })

  it('appends with WRITE_TO_END_OF_FILE and always for append-only opens', async () => {
    writeFileSync(path.join(t.root, 'log'), 'abc')
    const { open } = await rw('log', { disposition: Disposition.Open })
    await t.share.write(open, WRITE_TO_END_OF_FILE, Buffer.from('def'))
    await t.share.close(open)
    const ap = await rw('log', { disposition: Disposition.Open, desiredAccess: Access.FileAppendData })
    await t.share.write(ap.open, 0n, Buffer.from('ghi'))
    await t.share.close(ap.open)
    expect(readFileSync(path.join(t.root, 'log'), 'utf8')).toBe('abcdefghi')
  })

  it('checks access and object type', async () => {
    writeFileSync(path.join(t.root, 'f'), 'x')
    const ro = await rw('f', { disposition: Disposition.Open, desiredAccess: Access.FileReadData })
    expect(await statusOf(t.share.write(ro.open, 0n, Buffer.from('y')))).toBe(S.AccessDenied)
    const wo = await rw('f', { disposition: Disposition.Open, desiredAccess: Access.FileWriteData })
    expect(await statusOf(t.share.read(wo.open, 0n, 1))).toBe(S.AccessDenied)
    const ex = await rw('f', { disposition: Disposition.Open, desiredAccess: Access.FileExecute })
    expect((await t.share.read(ex.open, 0n, 1)).toString()).toBe('x')
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Create }))
    expect(await statusOf(t.share.read(d.open, 0n, 1))).toBe(S.InvalidDeviceRequest)
    await t.share.close(ro.open)
    expect(await statusOf(t.share.read(ro.open, 0n, 1))).toBe(S.FileClosed)
    expect(await statusOf(t.share.close(ro.open))).toBe(S.FileClosed)
    for (const o of [wo, ex, d]) await t.share.close(o.open)
  })

  it('handles offsets beyond 4 GiB (sparse on disk)', async () => {
    const { open } = await rw('big')
    const off = 5n * 1024n * 1024n * 1024n
    await t.share.write(open, off, Buffer.from('tail'))
    expect((await t.share.queryInfo(open)).endOfFile).toBe(off + 4n)
    expect((await t.share.read(open, off, 4)).toString()).toBe('tail')
    expect((await t.share.read(open, off - 2n, 4)).toString('hex')).toBe('00007461')
    await t.share.close(open)
  })

  it('write-through opens use O_DSYNC and work', async () => {
    const { open } = await rw('wt', { createOptions: CreateOptions.WriteThrough })
    await t.share.write(open, 0n, Buffer.from('sync'))
    await t.share.flush(open)
    expect(open.mode & CreateOptions.WriteThrough).toBeTruthy()
    await t.share.close(open)
    expect(readFileSync(path.join(t.root, 'wt'), 'utf8')).toBe('sync')
  })

  it('flush needs write access (MS-SMB2 3.3.5.11: ADD_FILE/ADD_SUBDIRECTORY on directories)', async () => {
    writeFileSync(path.join(t.root, 'f'), 'x')
    const ro = await rw('f', { disposition: Disposition.Open, desiredAccess: Access.FileReadData })
    expect(await statusOf(t.share.flush(ro.open))).toBe(S.AccessDenied)
    const d = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    expect(await statusOf(t.share.flush(d.open))).toBe(S.AccessDenied)
    const dw = await t.share.create(dirParams({ path: '', disposition: Disposition.Open, desiredAccess: Access.FileReadData | Access.FileWriteData }))
    await t.share.flush(dw.open)
    for (const o of [ro.open, d.open, dw.open]) await t.share.close(o)
  })
})

describe('byte-range locks through opens', () => {
  it('reads and writes of other opens meet STATUS_FILE_LOCK_CONFLICT; locks go on close', async () => {
    writeFileSync(path.join(t.root, 'f'), Buffer.alloc(100))
    const a = await rw('f', { disposition: Disposition.Open, owner: 'a' })
    const b = await rw('f', { disposition: Disposition.Open, owner: 'b' })
    expect(t.share.lock(a.open, [{ offset: 10n, length: 10n, exclusive: true }], { failImmediately: true }).status).toBe(S.Success)
    expect(await statusOf(t.share.read(b.open, 15n, 1))).toBe(S.FileLockConflict)
    expect(await statusOf(t.share.write(b.open, 0n, Buffer.alloc(11)))).toBe(S.FileLockConflict)
    expect((await t.share.read(b.open, 0n, 10)).length).toBe(10)
    expect((await t.share.read(a.open, 10n, 10)).length).toBe(10)
    expect(t.share.lock(b.open, [{ offset: 0n, length: 11n, exclusive: false }], { failImmediately: true }).status).toBe(S.LockNotGranted)
    // A waiting lock of b is granted when a closes.
    const wait = t.share.lock(b.open, [{ offset: 10n, length: 1n, exclusive: true }], { failImmediately: false })
    expect(wait.settled).toBe(false)
    await t.share.close(a.open)
    expect(await wait.promise).toBe(S.Success)
    expect(t.share.heldLocks(b.open)).toEqual([{ offset: 10n, length: 1n, exclusive: true }])
    t.share.unlock(b.open, 10n, 1n)
    expect(await statusOf(() => t.share.unlock(b.open, 10n, 1n))).toBe(S.RangeNotLocked)
    await t.share.close(b.open)
  })

  it('a waiting lock is cancellable and is cancelled when its own open closes', async () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const a = await rw('f', { disposition: Disposition.Open, owner: 'a' })
    const b = await rw('f', { disposition: Disposition.Open, owner: 'b' })
    t.share.lock(a.open, [{ offset: 0n, length: 1n, exclusive: true }], { failImmediately: true })
    const w1 = t.share.lock(b.open, [{ offset: 0n, length: 1n, exclusive: true }], { failImmediately: false })
    expect(w1.cancel()).toBe(true)
    expect(await w1.promise).toBe(S.Cancelled)
    const w2 = t.share.lock(b.open, [{ offset: 0n, length: 1n, exclusive: true }], { failImmediately: false })
    await t.share.close(b.open)
    expect(await w2.promise).toBe(S.Cancelled)
    expect(await statusOf(() => t.share.lock(a.open, [{ offset: 0xffff_ffff_ffff_ffffn, length: 2n, exclusive: true }], { failImmediately: true }))).toBe(
      S.InvalidLockRange,
    )
    const d = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    expect(await statusOf(() => t.share.lock(d.open, [{ offset: 0n, length: 1n, exclusive: true }], { failImmediately: true }))).toBe(S.InvalidParameter)
    await t.share.close(d.open)
    await t.share.close(a.open)
  })

  it('restores serialised locks on a new open of the same file', async () => {
    writeFileSync(path.join(t.root, 'f'), '')
    const a = await rw('f', { disposition: Disposition.Open })
    t.share.lock(a.open, [{ offset: 0n, length: 5n, exclusive: true }, { offset: 8n, length: 2n, exclusive: false }], { failImmediately: true })
    const saved = t.share.heldLocks(a.open)
    await t.share.close(a.open)
    const b = await rw('f', { disposition: Disposition.Open })
    t.share.restoreLocks(b.open, saved)
    expect(t.share.heldLocks(b.open)).toEqual(saved)
    await t.share.close(b.open)
  })
})

describe('end of file, allocation, sparse', () => {
  it('sets end of file and allocation size', async () => {
    const { open } = await rw('f')
    await t.share.write(open, 0n, Buffer.from('0123456789'))
    await t.share.setEndOfFile(open, 4n)
    expect(readFileSync(path.join(t.root, 'f'), 'utf8')).toBe('0123')
    await t.share.setEndOfFile(open, 8n)
    expect(statSync(path.join(t.root, 'f')).size).toBe(8)
    await t.share.setAllocationSize(open, 1_000_000n)
    expect((await t.share.queryInfo(open)).allocationSize).toBe(1_003_520n) // rounded up to 4 KiB
    await t.share.setAllocationSize(open, 2n)
    expect((await t.share.queryInfo(open)).endOfFile).toBe(2n)
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Create }))
    expect(await statusOf(t.share.setEndOfFile(d.open, 0n))).toBe(S.InvalidParameter)
    const ro = await rw('f', { disposition: Disposition.Open, desiredAccess: Access.FileReadData })
    expect(await statusOf(t.share.setEndOfFile(ro.open, 0n))).toBe(S.AccessDenied)
    for (const o of [open, d.open, ro.open]) await t.share.close(o)
  })

  it('an allocation size given at create is reported', async () => {
    const r = await rw('pre', { disposition: Disposition.Create, allocationSize: 10_000n })
    expect(r.info.allocationSize).toBe(12_288n)
    await t.share.close(r.open)
  })

  it('sparse flag, zeroing and allocated ranges', async () => {
    const { open } = await rw('s')
    const data = Buffer.alloc(3 * 65536, 0x61)
    await t.share.write(open, 0n, data)
    await t.share.setSparse(open, true)
    expect((await t.share.queryInfo(open)).fileAttributes & FileAttribute.SparseFile).toBeTruthy()
    // Zero the middle: written as zeros.
    await t.share.zeroData(open, 65536n, 131072n)
    const mid = await t.share.read(open, 65530n, 12)
    expect(mid.toString('hex')).toBe('616161616161000000000000')
    // Zero the tail of a sparse file: deallocated, size unchanged.
    await t.share.zeroData(open, 65536n, 1n << 40n)
    expect((await t.share.queryInfo(open)).endOfFile).toBe(BigInt(data.length))
    expect((await t.share.read(open, BigInt(data.length) - 4n, 4)).toString('hex')).toBe('00000000')
    // Only the first 64 KiB unit still holds data.
    const ranges = await t.share.allocatedRanges(open, 0n, 1n << 40n)
    expect(ranges).toEqual([{ offset: 0n, length: 65536n }])
    // Writing into a hole allocates its unit again.
    await t.share.write(open, 150_000n, Buffer.from('x'))
    expect(await t.share.allocatedRanges(open, 0n, 1n << 40n)).toEqual([
      { offset: 0n, length: 65536n },
      { offset: 131072n, length: 65536n },
    ])
    expect(await t.share.allocatedRanges(open, BigInt(data.length), 100n)).toEqual([])
    await t.share.setSparse(open, false)
    expect((await t.share.queryInfo(open)).fileAttributes & FileAttribute.SparseFile).toBe(0)
    await t.share.close(open)
    const empty = await rw('e')
    await t.share.setEndOfFile(empty.open, 1_000_000n)
    // A file that is not sparse is allocated throughout (as Windows and Samba report it).
    expect(await t.share.allocatedRanges(empty.open, 0n, 1_000_000n)).toEqual([{ offset: 0n, length: 1_000_000n }])
    await t.share.setSparse(empty.open, true)
    await t.share.setEndOfFile(empty.open, 0n)
    await t.share.setEndOfFile(empty.open, 1_000_000n)
    expect(await t.share.allocatedRanges(empty.open, 0n, 1_000_000n)).toEqual([])
    await t.share.close(empty.open)
  })
})

describe('sparse allocation bookkeeping', () => {
  it('merges and splits holes', () => {
    let h = addHole([], 10n, 20n)
    h = addHole(h, 30n, 40n)
    h = addHole(h, 15n, 35n)
    expect(h).toEqual([{ start: 10n, end: 40n }])
    h = removeHole(h, 20n, 25n)
    expect(h).toEqual([
      { start: 10n, end: 20n },
      { start: 25n, end: 40n },
    ])
    expect(removeHole(h, 0n, 100n)).toEqual([])
  })

  it('reports allocated 64 KiB units clipped to the request and end of file', () => {
    const U = 65536n
    expect(allocatedRangesOf(10n * U, false, [{ start: 0n, end: 10n * U }], 5n, 100n)).toEqual([{ offset: 5n, length: 100n }])
    expect(allocatedRangesOf(4n * U, true, [{ start: U, end: 3n * U }], 0n, 1n << 40n)).toEqual([
      { offset: 0n, length: U },
      { offset: 3n * U, length: U },
    ])
    // A hole covering only part of a unit leaves the unit allocated.
    expect(allocatedRangesOf(2n * U, true, [{ start: 10n, end: U + 10n }], 0n, 2n * U)).toEqual([{ offset: 0n, length: 2n * U }])
    expect(allocatedRangesOf(U, true, [], U, 10n)).toEqual([])
  })

  it('a write past the end of a sparse file leaves the gap unallocated', async () => {
    const { open } = await rw('gap')
    await t.share.setSparse(open, true)
    await t.share.write(open, 0n, Buffer.from('a'))
    await t.share.write(open, 4n * 65536n, Buffer.from('b'))
    expect(await t.share.allocatedRanges(open, 0n, 1n << 40n)).toEqual([
      { offset: 0n, length: 65536n },
      { offset: 4n * 65536n, length: 1n },
    ])
    await t.share.setEndOfFile(open, 8n * 65536n)
    expect(await t.share.allocatedRanges(open, 0n, 1n << 40n)).toEqual([
      { offset: 0n, length: 65536n },
      { offset: 4n * 65536n, length: 65536n },
    ])
    await t.share.close(open)
  })
})

describe('position, mode, streams, volume', () => {
  it('position and mode information', async () => {
    const { open } = await rw('f', { createOptions: CreateOptions.SynchronousIoNonalert | CreateOptions.SequentialOnly })
    t.share.setPosition(open, 42n)
    expect((await t.share.queryInfo(open)).currentByteOffset).toBe(42n)
    expect(() => t.share.setPosition(open, -1n)).toThrow()
    expect(open.mode).toBe(CreateOptions.SynchronousIoNonalert | CreateOptions.SequentialOnly)
    t.share.setMode(open, CreateOptions.SynchronousIoNonalert | CreateOptions.WriteThrough)
    expect(open.mode).toBe(CreateOptions.SynchronousIoNonalert | CreateOptions.WriteThrough)
    expect(await statusOf(() => t.share.setMode(open, CreateOptions.WriteThrough))).toBe(S.InvalidParameter)
    expect(await statusOf(() => t.share.setMode(open, CreateOptions.DeleteOnClose | CreateOptions.SynchronousIoNonalert))).toBe(S.InvalidParameter)
    await t.share.close(open)
  })

  it('stream information and names', async () => {
    const { open } = await t.share.create(params({ path: 'Dir\\', disposition: Disposition.Create }))
    expect(await t.share.streams(open)).toEqual([])
    const f = await rw('Dir\\File.txt', { disposition: Disposition.Create })
    await t.share.write(f.open, 0n, Buffer.from('abc'))
    const [s] = await t.share.streams(f.open)
    expect(s!.streamName).toBe('::$DATA')
    expect(s!.streamSize).toBe(3n)
    const info = await t.share.queryInfo(f.open)
    expect(info.path).toBe('\\Dir\\File.txt')
    expect(info.fileName).toBe('File.txt')
    expect(info.fileId).toBe(BigInt(statSync(path.join(t.root, 'Dir', 'File.txt')).ino))
    expect(info.accessFlags).toBe(f.open.grantedAccess)
    expect(t.share.fileId128(f.open).readBigUInt64LE(0)).toBe(info.fileId)
    const root = await t.share.create(dirParams({ path: '', disposition: Disposition.Open }))
    expect((await t.share.queryInfo(root.open)).path).toBe('\\')
    for (const o of [open, f.open, root.open]) await t.share.close(o)
  })

  it('volume information', async () => {
    const v = await t.share.volumeInfo()
    expect(v.fileSystemName).toBe('NTFS')
    expect(v.label).toBe('test')
    expect(v.totalAllocationUnits).toBeGreaterThan(0n)
    expect(v.bytesPerSector * v.sectorsPerAllocationUnit).toBeGreaterThanOrEqual(512)
    expect(v.serialNumber).toBe((await t.share.volumeInfo()).serialNumber)
    expect(v.maximumComponentNameLength).toBe(255)
  })

  it('a read-only share refuses changes with STATUS_MEDIA_WRITE_PROTECTED', async () => {
    writeFileSync(path.join(t.root, 'f'), 'x')
    const ro = await tempShare({ readOnly: true })
    try {
      writeFileSync(path.join(ro.root, 'f'), 'x')
      expect(await statusOf(ro.share.create(params({ path: 'n', disposition: Disposition.Create })))).toBe(S.MediaWriteProtected)
      expect(await statusOf(ro.share.create(params({ path: 'n', disposition: Disposition.OpenIf })))).toBe(S.MediaWriteProtected)
      expect(await statusOf(ro.share.create(params({ path: 'f', disposition: Disposition.Open, desiredAccess: Access.FileWriteData })))).toBe(
        S.AccessDenied,
      )
      const r = await ro.share.create(params({ path: 'f', disposition: Disposition.Open, desiredAccess: Access.MaximumAllowed, shareAccess: ShareAccess.Read }))
      expect(r.open.grantedAccess & Access.FileWriteData).toBe(0)
      expect((await ro.share.volumeInfo()).fileSystemAttributes & 0x0008_0000).toBeTruthy()
    } finally {
      await ro.cleanup()
    }
  })
})

describe('opens outlive their owner (durable handles)', () => {
  it('an open moves to a new owner with its locks and position intact', async () => {
    const small = await tempShare({ maxOpensPerOwner: 1 })
    try {
      const r = await small.share.create(params({ path: 'd', owner: 'session-1' }))
      await small.share.write(r.open, 0n, Buffer.from('abc'))
      small.share.lock(r.open, [{ offset: 0n, length: 1n, exclusive: true }], { failImmediately: true })
      // The session goes away; the SMB layer keeps the open and later hands it to the reconnecting session.
      small.share.reassign(r.open, 'session-2')
      expect(small.share.openTable.countFor('session-1')).toBe(0)
      expect(small.share.openTable.countFor('session-2')).toBe(1)
      expect(r.open.position).toBe(3n)
      expect(small.share.heldLocks(r.open)).toEqual([{ offset: 0n, length: 1n, exclusive: true }])
      expect((await small.share.read(r.open, 0n, 3)).toString()).toBe('abc')
      const other = await small.share.create(params({ path: 'e', owner: 'session-3' }))
      expect(await statusOf(() => small.share.reassign(other.open, 'session-2'))).toBe(S.TooManyOpenedFiles)
      await small.share.close(other.open)
      await small.share.close(r.open)
    } finally {
      await small.cleanup()
    }
  })

  it('two shares on one open table see each other\'s share modes', async () => {
    const { OpenTable } = await import('./open-table.js')
    const { LocalShare } = await import('./local-fs.js')
    const table = new OpenTable()
    const a = await LocalShare.open({ name: 'a', root: t.root, openTable: table })
    const b = await LocalShare.open({ name: 'b', root: t.root, openTable: table })
    const x = await a.create(params({ path: 'shared', shareAccess: 0 }))
    expect(await statusOf(b.create(params({ path: 'shared', disposition: Disposition.Open })))).toBe(S.SharingViolation)
    await a.close(x.open)
    await a.dispose()
    await b.dispose()
  })
})
