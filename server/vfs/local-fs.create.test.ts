import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Access, CreateAction, CreateOptions, Disposition, FileAttribute, FILE_ALL_ACCESS, ShareAccess } from './constants.js'
import { VfsError, VfsStatus } from './status.js'
import { dirParams, params, statusOf, tempShare, type TempShare } from './testing.js'

let t: TempShare
beforeEach(async () => {
  t = await tempShare()
})
afterEach(async () => {
  await t.cleanup()
})

const file = (name: string, content = 'data') => writeFileSync(path.join(t.root, name), content)

describe('dispositions × existence (MS-FSA 2.1.5.1.1, 2.1.5.1.2)', () => {
  const D = Disposition
  const A = CreateAction
  const S = VfsStatus
  const fileTable: Array<[string, number, boolean, number | { action: number; truncated: boolean }]> = [
    ['SUPERSEDE', D.Supersede, false, { action: A.Created, truncated: false }],
    ['SUPERSEDE', D.Supersede, true, { action: A.Superseded, truncated: true }],
    ['OPEN', D.Open, false, S.ObjectNameNotFound],
    ['OPEN', D.Open, true, { action: A.Opened, truncated: false }],
    ['CREATE', D.Create, false, { action: A.Created, truncated: false }],
    ['CREATE', D.Create, true, S.ObjectNameCollision],
    ['OPEN_IF', D.OpenIf, false, { action: A.Created, truncated: false }],
    ['OPEN_IF', D.OpenIf, true, { action: A.Opened, truncated: false }],
    ['OVERWRITE', D.Overwrite, false, S.ObjectNameNotFound],
    ['OVERWRITE', D.Overwrite, true, { action: A.Overwritten, truncated: true }],
    ['OVERWRITE_IF', D.OverwriteIf, false, { action: A.Created, truncated: false }],
    ['OVERWRITE_IF', D.OverwriteIf, true, { action: A.Overwritten, truncated: true }],
  ]
  it.each(fileTable)('file %s, exists=%s', async (_n, disposition, exists, expected) => {
    if (exists) file('f.txt', 'old content')
    const p = params({ path: 'f.txt', disposition, createOptions: CreateOptions.NonDirectoryFile })
    if (typeof expected === 'number') {
      expect(await statusOf(t.share.create(p))).toBe(expected)
      return
    }
    const r = await t.share.create(p)
    expect(r.createAction).toBe(expected.action)
    expect(r.info.isDirectory).toBe(false)
    const content = readFileSync(path.join(t.root, 'f.txt'), 'utf8')
    expect(content).toBe(exists && !expected.truncated ? 'old content' : '')
    await t.share.close(r.open)
  })

  const dirTable: Array<[string, number, boolean, number]> = [
    ['SUPERSEDE', D.Supersede, false, S.InvalidParameter],
    ['SUPERSEDE', D.Supersede, true, S.InvalidParameter],
    ['OPEN', D.Open, false, S.ObjectNameNotFound],
    ['OPEN', D.Open, true, A.Opened],
    ['CREATE', D.Create, false, A.Created],
    ['CREATE', D.Create, true, S.ObjectNameCollision],
    ['OPEN_IF', D.OpenIf, false, A.Created],
    ['OPEN_IF', D.OpenIf, true, A.Opened],
    ['OVERWRITE', D.Overwrite, false, S.InvalidParameter],
    ['OVERWRITE', D.Overwrite, true, S.InvalidParameter],
    ['OVERWRITE_IF', D.OverwriteIf, false, S.InvalidParameter],
    ['OVERWRITE_IF', D.OverwriteIf, true, S.InvalidParameter],
  ]
  it.each(dirTable)('DIRECTORY_FILE %s, exists=%s', async (_n, disposition, exists, expected) => {
    if (exists) mkdirSync(path.join(t.root, 'd'))
    const p = dirParams({ path: 'd', disposition })
    if (expected >= 0x8000_0000) {
      expect(await statusOf(t.share.create(p))).toBe(expected)
      return
    }
    const r = await t.share.create(p)
    expect(r.createAction).toBe(expected)
    expect(r.info.isDirectory).toBe(true)
    expect(r.info.fileAttributes & FileAttribute.Directory).toBeTruthy()
    await t.share.close(r.open)
  })

  it('an existing directory cannot be overwritten or superseded (collision; access denied on the root)', async () => {
    mkdirSync(path.join(t.root, 'd'))
    for (const disposition of [D.Supersede, D.Overwrite, D.OverwriteIf]) {
      expect(await statusOf(t.share.create(params({ path: 'd', disposition })))).toBe(S.ObjectNameCollision)
      expect(await statusOf(t.share.create(params({ path: '', disposition })))).toBe(S.AccessDenied)
    }
    expect(await statusOf(t.share.create(params({ path: '', disposition: D.Create })))).toBe(S.ObjectNameCollision)
  })

  it('type of file to open (MS-FSA phase 7)', async () => {
    file('f.txt')
    mkdirSync(path.join(t.root, 'd'))
    expect(await statusOf(t.share.create(dirParams({ path: 'f.txt', disposition: D.Open })))).toBe(S.NotADirectory)
    expect(await statusOf(t.share.create(dirParams({ path: 'f.txt', disposition: D.Create })))).toBe(S.ObjectNameCollision)
    expect(await statusOf(t.share.create(params({ path: 'd', createOptions: CreateOptions.NonDirectoryFile })))).toBe(S.FileIsADirectory)
    expect(await statusOf(t.share.create(params({ path: 'd::$DATA' })))).toBe(S.FileIsADirectory)
    expect(await statusOf(t.share.create(params({ path: 'f.txt\\' })))).toBe(S.NotADirectory)
    expect(await statusOf(t.share.create(params({ path: 'x\\', createOptions: CreateOptions.NonDirectoryFile })))).toBe(
      S.ObjectNameInvalid,
    )
    // No options: an existing directory opens as a directory; a trailing backslash creates one.
    const d = await t.share.create(params({ path: 'D', desiredAccess: Access.FileReadAttributes }))
    expect(d.open.isDirectory).toBe(true)
    const n = await t.share.create(params({ path: 'newdir\\' }))
    expect(n.createAction).toBe(A.Created)
    expect(n.open.isDirectory).toBe(true)
    // A file through its default stream name.
    const f = await t.share.create(params({ path: 'f.txt::$DATA', disposition: D.Open }))
    expect(f.open.isDirectory).toBe(false)
    for (const o of [d, n, f]) await t.share.close(o.open)
  })

  it('missing intermediate directory is OBJECT_PATH_NOT_FOUND', async () => {
    expect(await statusOf(t.share.create(params({ path: 'nodir\\f.txt', disposition: D.OpenIf })))).toBe(S.ObjectPathNotFound)
    file('f.txt')
    expect(await statusOf(t.share.create(params({ path: 'f.txt\\g', disposition: D.OpenIf })))).toBe(S.ObjectPathNotFound)
  })

  it('named streams are refused, as Samba does without stream support', async () => {
    file('f.txt')
    expect(await statusOf(t.share.create(params({ path: 'f.txt:ads' })))).toBe(S.ObjectNameInvalid)
  })
})

describe('create parameter validation (MS-FSA 2.1.5.1 phase 1)', () => {
  const S = VfsStatus
  const cases: Array<[string, Parameters<typeof params>[0], number]> = [
    ['DesiredAccess zero', { path: 'f', desiredAccess: 0 }, S.AccessDenied],
    ['reserved access bits', { path: 'f', desiredAccess: 0x0000_0200 }, S.AccessDenied],
    ['ACCESS_SYSTEM_SECURITY', { path: 'f', desiredAccess: Access.AccessSystemSecurity | Access.FileReadData }, S.PrivilegeNotHeld],
    ['bad disposition', { path: 'f', disposition: 6 }, S.InvalidParameter],
    ['bad share access', { path: 'f', shareAccess: 8 }, S.InvalidParameter],
    ['bad attributes', { path: 'f', fileAttributes: 0x8 }, S.InvalidParameter],
    ['undefined option', { path: 'f', createOptions: 0x0100_0000 }, S.InvalidParameter],
    ['DIRECTORY_FILE and NON_DIRECTORY_FILE', { path: 'f', createOptions: CreateOptions.DirectoryFile | CreateOptions.NonDirectoryFile }, S.InvalidParameter],
    ['DELETE_ON_CLOSE without DELETE', { path: 'f', desiredAccess: Access.FileReadData, createOptions: CreateOptions.DeleteOnClose }, S.InvalidParameter],
    ['both synchronous options', { path: 'f', createOptions: CreateOptions.SynchronousIoAlert | CreateOptions.SynchronousIoNonalert }, S.InvalidParameter],
    ['NO_INTERMEDIATE_BUFFERING with APPEND_DATA', { path: 'f', desiredAccess: Access.FileAppendData, createOptions: CreateOptions.NoIntermediateBuffering }, S.InvalidParameter],
    ['open by file id', { path: 'f', createOptions: CreateOptions.OpenByFileId }, S.NotSupported],
    ['TEMPORARY directory', { path: 'd', createOptions: CreateOptions.DirectoryFile, fileAttributes: FileAttribute.Temporary, disposition: Disposition.Create }, S.InvalidParameter],
    ['READONLY new file with DELETE_ON_CLOSE', { path: 'f', fileAttributes: FileAttribute.ReadOnly, createOptions: CreateOptions.DeleteOnClose }, S.CannotDelete],
    ['leading backslash', { path: '\\f' }, S.InvalidParameter],
    ['escape with ..', { path: '..\\..\\etc\\passwd', disposition: Disposition.Open }, S.ObjectPathSyntaxBad],
    ['device name', { path: 'NUL', disposition: Disposition.OpenIf }, S.ObjectNameInvalid],
  ]
  it.each(cases)('%s', async (_n, p, expected) => {
    expect(await statusOf(t.share.create(params(p)))).toBe(expected)
  })

  it('GENERIC_WRITE with NO_INTERMEDIATE_BUFFERING is fine (the check is on the specific bit)', async () => {
    const r = await t.share.create(params({ path: 'f', desiredAccess: Access.GenericWrite, createOptions: CreateOptions.NoIntermediateBuffering }))
    expect(r.open.grantedAccess & Access.FileAppendData).toBeTruthy()
    await t.share.close(r.open)
  })

  it('maps generic access and resolves MAXIMUM_ALLOWED', async () => {
    file('f.txt')
    const g = await t.share.create(params({ path: 'f.txt', desiredAccess: Access.GenericRead }))
    expect(g.open.grantedAccess).toBe(0x0012_0089)
    const m = await t.share.create(params({ path: 'f.txt', desiredAccess: Access.MaximumAllowed }))
    expect(m.open.grantedAccess).toBe(FILE_ALL_ACCESS)
    expect(m.maximalAccess).toBe(FILE_ALL_ACCESS)
    await t.share.close(g.open)
    await t.share.close(m.open)
  })
})

describe('access checks on existing files (MS-FSA 2.1.5.1.2.1)', () => {
  const S = VfsStatus
  async function makeReadOnly(name: string) {
    file(name)
    const o = await t.share.create(params({ path: name, disposition: Disposition.Open }))
    await t.share.setBasicInfo(o.open, { fileAttributes: FileAttribute.ReadOnly })
    await t.share.close(o.open)
  }

  it('a READONLY file refuses write access, overwrite and delete-on-close', async () => {
    await makeReadOnly('ro.txt')
    expect(await statusOf(t.share.create(params({ path: 'ro.txt', desiredAccess: Access.FileWriteData })))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.create(params({ path: 'ro.txt', desiredAccess: Access.FileAppendData })))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.create(params({ path: 'ro.txt', desiredAccess: Access.FileReadData, disposition: Disposition.Overwrite })))).toBe(
      S.AccessDenied,
    )
    expect(await statusOf(t.share.create(params({ path: 'ro.txt', desiredAccess: Access.Delete, createOptions: CreateOptions.DeleteOnClose })))).toBe(
      S.CannotDelete,
    )
    // Reading is fine, and MAXIMUM_ALLOWED drops the write rights.
    const m = await t.share.create(params({ path: 'ro.txt', desiredAccess: Access.MaximumAllowed }))
    expect(m.open.grantedAccess & (Access.FileWriteData | Access.FileAppendData)).toBe(0)
    expect(m.open.grantedAccess & Access.FileReadData).toBeTruthy()
    await t.share.close(m.open)
  })

  it('overwriting a HIDDEN or SYSTEM file needs the same attribute in the request', async () => {
    file('h.txt')
    const o = await t.share.create(params({ path: 'h.txt', disposition: Disposition.Open }))
    await t.share.setBasicInfo(o.open, { fileAttributes: FileAttribute.Hidden | FileAttribute.System })
    await t.share.close(o.open)
    expect(await statusOf(t.share.create(params({ path: 'h.txt', disposition: Disposition.Overwrite, fileAttributes: FileAttribute.Hidden })))).toBe(
      S.AccessDenied,
    )
    const ok = await t.share.create(
      params({ path: 'h.txt', disposition: Disposition.Overwrite, fileAttributes: FileAttribute.Hidden | FileAttribute.System }),
    )
    expect(ok.createAction).toBe(CreateAction.Overwritten)
    expect(ok.info.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.System | FileAttribute.Archive)
    await t.share.close(ok.open)
  })

  it('overwrite replaces the attributes with the requested ones plus ARCHIVE', async () => {
    file('a.txt')
    const o = await t.share.create(params({ path: 'a.txt', disposition: Disposition.OverwriteIf, fileAttributes: FileAttribute.Temporary }))
    expect(o.info.fileAttributes).toBe(FileAttribute.Temporary | FileAttribute.Archive)
    await t.share.close(o.open)
  })

  it('new files get ARCHIVE, new directories DIRECTORY only', async () => {
    const f = await t.share.create(params({ path: 'n.txt', disposition: Disposition.Create, fileAttributes: FileAttribute.Hidden }))
    expect(f.info.fileAttributes).toBe(FileAttribute.Hidden | FileAttribute.Archive)
    const d = await t.share.create(dirParams({ path: 'nd', disposition: Disposition.Create }))
    expect(d.info.fileAttributes).toBe(FileAttribute.Directory)
    await t.share.close(f.open)
    await t.share.close(d.open)
  })

  it('refuses special files (FIFO) without blocking', async () => {
    const { execFileSync } = await import('node:child_process')
    execFileSync('mkfifo', [path.join(t.root, 'fifo')])
    expect(await statusOf(t.share.create(params({ path: 'fifo', disposition: Disposition.Open })))).toBe(S.AccessDenied)
  })
})

describe('share modes (MS-FSA 2.1.5.1.2.2)', () => {
  const R = Access.FileReadData
  const W = Access.FileWriteData
  const X = Access.FileExecute
  const AP = Access.FileAppendData
  const D = Access.Delete
  const RA = Access.FileReadAttributes
  const WA = Access.FileWriteAttributes | Access.Synchronize
  const sR = ShareAccess.Read
  const sW = ShareAccess.Write
  const sD = ShareAccess.Delete
  // [existing access, existing share, new access, new share, sharing violation?, why]
  const matrix: Array<[number, number, number, number, boolean, string]> = [
    [R, sR, R, sR, false, 'readers sharing read'],
    [R, sR, W, sR | sW, true, 'existing does not share write'],
    [R, sR | sW, W, sR, false, 'existing shares write, new shares read'],
    [W, sR | sW, R, sR, true, 'new does not share write with an existing writer'],
    [RA, 0, R | W, 0, false, 'attribute-only existing open takes no part'],
    [R | W, 0, RA, 0, false, 'attribute-only new open takes no part'],
    [WA, 0, D, 0, false, 'write-attributes is not data access'],
    [D, sR | sW | sD, R, sR | sW, true, 'new does not share delete with an existing deleter'],
    [R, sR | sW, D, sR | sW | sD, true, 'existing does not share delete'],
    [R, sR | sW | sD, D, sR | sW | sD, false, 'delete shared both ways'],
    [X, sW, R, sR | sW, true, 'execute counts as read; existing does not share read'],
    [R, sR, X, sR, false, 'execute with read shared'],
    [AP, sR, AP, sR | sW, true, 'append counts as write'],
    [R, 0, Access.FileReadEa, 0, false, 'EA access is not data access'],
    [R | W | D, sR | sW | sD, R | W | D, sR | sW | sD, false, 'everything shared'],
    [R | W | D, sR | sW, R, sR | sW | sD, false, 'new reader shares all; existing shares read'],
  ]
  it.each(matrix)('existing access %i share %i, new access %i share %i → violation=%s (%s)', async (ea, es, na, ns, violation) => {
    file('s.txt')
    const first = await t.share.create(params({ path: 's.txt', desiredAccess: ea, shareAccess: es, disposition: Disposition.Open, owner: 'a' }))
    const second = t.share.create(params({ path: 's.txt', desiredAccess: na, shareAccess: ns, disposition: Disposition.Open, owner: 'b' }))
    if (violation) {
      const e = await second.then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(e).toBeInstanceOf(VfsError)
      expect((e as VfsError).status).toBe(VfsStatus.SharingViolation)
      expect((e as VfsError).detail).toEqual({ conflicts: [first.open] })
    } else {
      await t.share.close((await second).open)
    }
    await t.share.close(first.open)
  })

  it('the rule is symmetric for every pair of data-access opens', async () => {
    const { shareConflict } = await import('./open-table.js')
    const accesses = [R, W, D, AP, X, R | W, R | D, RA]
    for (const a of accesses) for (const b of accesses) for (let sa = 0; sa < 8; sa++) for (let sb = 0; sb < 8; sb++) {
      expect(shareConflict({ grantedAccess: a, shareAccess: sa }, b, sb)).toBe(shareConflict({ grantedAccess: b, shareAccess: sb }, a, sa))
    }
  })

  it('applies to directories, across owners and through different names of the same file', async () => {
    mkdirSync(path.join(t.root, 'dir'))
    const a = await t.share.create(dirParams({ path: 'dir', shareAccess: 0, owner: 'x' }))
    expect(await statusOf(t.share.create(dirParams({ path: 'DIR', shareAccess: ShareAccess.All, owner: 'y' })))).toBe(VfsStatus.SharingViolation)
    await t.share.close(a.open)
    file('orig.txt')
    const { linkSync } = await import('node:fs')
    linkSync(path.join(t.root, 'orig.txt'), path.join(t.root, 'link.txt'))
    const o = await t.share.create(params({ path: 'orig.txt', shareAccess: 0, disposition: Disposition.Open }))
    expect(await statusOf(t.share.create(params({ path: 'link.txt', disposition: Disposition.Open })))).toBe(VfsStatus.SharingViolation)
    await t.share.close(o.open)
  })

  it('a conflicting overwrite does not truncate', async () => {
    file('keep.txt', 'precious')
    const a = await t.share.create(params({ path: 'keep.txt', desiredAccess: R, shareAccess: sR, disposition: Disposition.Open }))
    expect(await statusOf(t.share.create(params({ path: 'keep.txt', disposition: Disposition.Overwrite })))).toBe(VfsStatus.SharingViolation)
    expect(readFileSync(path.join(t.root, 'keep.txt'), 'utf8')).toBe('precious')
    await t.share.close(a.open)
  })

  it('per-owner open limit', async () => {
    const small = await tempShare({ maxOpensPerOwner: 2 })
    try {
      const a = await small.share.create(params({ path: 'a', owner: 'o' }))
      await small.share.create(params({ path: 'b', owner: 'o' }))
      expect(await statusOf(small.share.create(params({ path: 'c', owner: 'o' })))).toBe(VfsStatus.TooManyOpenedFiles)
      await small.share.create(params({ path: 'c', owner: 'other' }))
      await small.share.close(a.open)
      await small.share.create(params({ path: 'c', owner: 'o' }))
    } finally {
      await small.cleanup()
    }
  })
})

describe('delete-on-close and delete-pending (MS-FSA 2.1.5.4, 2.1.5.15.3)', () => {
  const S = VfsStatus
  const exists = (n: string) => existsSync(path.join(t.root, n))

  it('DELETE_ON_CLOSE: others may open until it closes, then the file is delete pending until the last close', async () => {
    const doc = await t.share.create(params({ path: 'f', disposition: Disposition.Create, createOptions: CreateOptions.DeleteOnClose }))
    const other = await t.share.create(params({ path: 'f', disposition: Disposition.Open, owner: 'o' }))
    await t.share.close(doc.open)
    expect(exists('f')).toBe(true)
    expect((await t.share.queryInfo(other.open)).deletePending).toBe(true)
    expect(await statusOf(t.share.create(params({ path: 'f', disposition: Disposition.Open })))).toBe(S.DeletePending)
    expect(await statusOf(t.share.create(params({ path: 'f', disposition: Disposition.Create })))).toBe(S.DeletePending)
    const r = await t.share.close(other.open)
    expect(r.deleted).toBe(true)
    expect(exists('f')).toBe(false)
    const again = await t.share.create(params({ path: 'f', disposition: Disposition.Create }))
    await t.share.close(again.open)
  })

  it('FileDispositionInformation sets and clears delete-pending', async () => {
    file('f')
    const a = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    await t.share.setDisposition(a.open, { deleteFile: true })
    expect(await statusOf(t.share.create(params({ path: 'f', disposition: Disposition.Open })))).toBe(S.DeletePending)
    await t.share.setDisposition(a.open, { deleteFile: false })
    const b = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    await t.share.setDisposition(b.open, { deleteFile: true })
    await t.share.close(a.open)
    expect(exists('f')).toBe(true)
    expect((await t.share.close(b.open)).deleted).toBe(true)
    expect(exists('f')).toBe(false)
  })

  it('needs DELETE access; read-only files and non-empty directories refuse', async () => {
    file('f')
    const noDel = await t.share.create(params({ path: 'f', desiredAccess: Access.FileReadData, disposition: Disposition.Open }))
    expect(await statusOf(t.share.setDisposition(noDel.open, { deleteFile: true }))).toBe(S.AccessDenied)
    await t.share.close(noDel.open)
    const a = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    await t.share.setBasicInfo(a.open, { fileAttributes: FileAttribute.ReadOnly })
    expect(await statusOf(t.share.setDisposition(a.open, { deleteFile: true }))).toBe(S.CannotDelete)
    await t.share.setDisposition(a.open, { deleteFile: true, ignoreReadOnly: true })
    await t.share.close(a.open)
    expect(exists('f')).toBe(false)

    mkdirSync(path.join(t.root, 'd'))
    file('d/child')
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open }))
    expect(await statusOf(t.share.setDisposition(d.open, { deleteFile: true }))).toBe(S.DirectoryNotEmpty)
    await t.share.close(d.open)
  })

  it('DELETE_ON_CLOSE on a non-empty directory opens fine and leaves it in place', async () => {
    mkdirSync(path.join(t.root, 'd'))
    file('d/child')
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open, createOptions: CreateOptions.DirectoryFile | CreateOptions.DeleteOnClose }))
    expect((await t.share.close(d.open)).deleted).toBe(false)
    expect(exists('d/child')).toBe(true)
    const e = await t.share.create(dirParams({ path: 'e', disposition: Disposition.Create, createOptions: CreateOptions.DirectoryFile | CreateOptions.DeleteOnClose }))
    expect((await t.share.close(e.open)).deleted).toBe(true)
    expect(exists('e')).toBe(false)
  })

  it('no new entries in a delete-pending directory', async () => {
    mkdirSync(path.join(t.root, 'd'))
    const d = await t.share.create(dirParams({ path: 'd', disposition: Disposition.Open }))
    await t.share.setDisposition(d.open, { deleteFile: true })
    expect(await statusOf(t.share.create(params({ path: 'd\\new', disposition: Disposition.Create })))).toBe(S.DeletePending)
    await t.share.close(d.open)
    expect(exists('d')).toBe(false)
  })

  it('POSIX semantics: the name goes when the setting open closes; other opens keep working', async () => {
    file('p', 'posix')
    const a = await t.share.create(params({ path: 'p', disposition: Disposition.Open }))
    const b = await t.share.create(params({ path: 'p', disposition: Disposition.Open, owner: 'o' }))
    await t.share.setDisposition(a.open, { deleteFile: true, posixSemantics: true })
    expect((await t.share.close(a.open)).deleted).toBe(true)
    expect(exists('p')).toBe(false)
    expect((await t.share.read(b.open, 0n, 100)).toString()).toBe('posix')
    const fresh = await t.share.create(params({ path: 'p', disposition: Disposition.Create }))
    expect(fresh.open.node).not.toBe(b.open.node)
    await t.share.close(fresh.open)
    expect((await t.share.close(b.open)).deleted).toBe(false)
    expect(exists('p')).toBe(true)
  })

  it('FILE_DISPOSITION_ON_CLOSE toggles this open\'s delete-on-close', async () => {
    file('f')
    const a = await t.share.create(params({ path: 'f', disposition: Disposition.Open }))
    await t.share.setDisposition(a.open, { deleteFile: true, onClose: true })
    // Not delete pending yet: others may still open it.
    const b = await t.share.create(params({ path: 'f', disposition: Disposition.Open, owner: 'o' }))
    await t.share.close(b.open)
    await t.share.setDisposition(a.open, { deleteFile: false, onClose: true })
    await t.share.close(a.open)
    expect(exists('f')).toBe(true)
  })

  it('the share root cannot be deleted', async () => {
    // DELETE may be granted on the root (clients ask for GENERIC_ALL), but deleting it is refused.
    const root = await t.share.create(dirParams({ path: '', disposition: Disposition.Open, desiredAccess: Access.GenericAll }))
    expect(await statusOf(t.share.setDisposition(root.open, { deleteFile: true }))).toBe(S.AccessDenied)
    expect(await statusOf(t.share.rename(root.open, 'x', { replaceIfExists: false }))).toBe(S.AccessDenied)
    await t.share.close(root.open)
    const doc = dirParams({ path: '', disposition: Disposition.Open, createOptions: CreateOptions.DirectoryFile | CreateOptions.DeleteOnClose })
    expect(await statusOf(t.share.create(doc))).toBe(S.AccessDenied)
    expect(existsSync(t.root)).toBe(true)
  })
})

describe('concurrent creates', () => {
  it('CREATE of one name in parallel: exactly one wins, the rest collide', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => t.share.create(params({ path: 'race', disposition: Disposition.Create, owner: `o${i}` }))),
    )
    const ok = results.filter((r) => r.status === 'fulfilled')
    expect(ok.length).toBe(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as VfsError).status).toBe(VfsStatus.ObjectNameCollision)
    await t.share.close((ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof t.share.create>>>).value.open)
  })

  it('OPEN_IF without sharing in parallel: one open, the others see a sharing violation', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => t.share.create(params({ path: 'race2', shareAccess: 0, owner: `o${i}` }))),
    )
    const ok = results.filter((r) => r.status === 'fulfilled') as Array<PromiseFulfilledResult<Awaited<ReturnType<typeof t.share.create>>>>
    expect(ok.length).toBe(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as VfsError).status).toBe(VfsStatus.SharingViolation)
    expect(t.share.openTable.size.opens).toBe(1)
    await t.share.close(ok[0]!.value.open)
    expect(t.share.openTable.size).toEqual({ nodes: 0, opens: 0 })
  })
})

describe('symlink races between the walk and the open (resolve, then re-check)', () => {
  /** Runs `swap` right after the next path walk, before the open. */
  function afterNextWalk(swap: () => void) {
    const jail = t.share.jail
    const orig = jail.resolve.bind(jail)
    jail.resolve = async (c) => {
      const r = await orig(c)
      jail.resolve = orig
      swap()
      return r
    }
  }
  const outside = () => path.join(t.base, 'outside')

  it('a final component swapped for a symlink is refused (O_NOFOLLOW)', async () => {
    mkdirSync(outside())
    writeFileSync(path.join(outside(), 'secret'), 'secret')
    file('f', 'inside')
    afterNextWalk(() => {
      renameSync(path.join(t.root, 'f'), path.join(t.root, 'f.old'))
      symlinkSync(path.join(outside(), 'secret'), path.join(t.root, 'f'))
    })
    expect(await statusOf(t.share.create(params({ path: 'f', disposition: Disposition.Open })))).toBe(VfsStatus.AccessDenied)
  })

  it('an intermediate directory swapped for a symlink is caught through the descriptor', async () => {
    mkdirSync(path.join(outside(), 'd'), { recursive: true })
    writeFileSync(path.join(outside(), 'd', 'f'), 'secret')
    mkdirSync(path.join(t.root, 'd'))
    file('d/f', 'inside')
    afterNextWalk(() => {
      renameSync(path.join(t.root, 'd'), path.join(t.root, 'd.old'))
      symlinkSync(path.join(outside(), 'd'), path.join(t.root, 'd'))
    })
    expect(await statusOf(t.share.create(params({ path: 'd\\f', disposition: Disposition.Open })))).toBe(VfsStatus.AccessDenied)
  })

  it('a file created through a swapped directory is removed again', async () => {
    mkdirSync(path.join(outside(), 'd'), { recursive: true })
    mkdirSync(path.join(t.root, 'd'))
    afterNextWalk(() => {
      renameSync(path.join(t.root, 'd'), path.join(t.root, 'd.old'))
      symlinkSync(path.join(outside(), 'd'), path.join(t.root, 'd'))
    })
    expect(await statusOf(t.share.create(params({ path: 'd\\new', disposition: Disposition.Create })))).toBe(VfsStatus.AccessDenied)
    expect(readdirSync(path.join(outside(), 'd'))).toEqual([])
  })
})
