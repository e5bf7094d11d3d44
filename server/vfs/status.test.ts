import { describe, expect, it } from 'vitest'
import { errnoToStatus, ExtraStatus, isVfsError, toVfsError, VfsError, VfsStatus } from './status.js'
import { statusName } from '../../dissect/smb2/constants/status.js'

const errno = (code: string) => Object.assign(new Error(code), { code })

describe('errno → NTSTATUS (Samba errmap_unix.c where Windows has no equivalent)', () => {
  const table: Array<[string, number]> = [
    ['ENOENT', VfsStatus.ObjectNameNotFound],
    ['ENOTDIR', VfsStatus.ObjectPathNotFound],
    ['EEXIST', VfsStatus.ObjectNameCollision],
    ['EACCES', VfsStatus.AccessDenied],
    ['EPERM', VfsStatus.AccessDenied],
    ['ENOTEMPTY', VfsStatus.DirectoryNotEmpty],
    ['EISDIR', VfsStatus.FileIsADirectory],
    ['ENOSPC', VfsStatus.DiskFull],
    ['EDQUOT', VfsStatus.DiskFull],
    ['EFBIG', VfsStatus.DiskFull],
    ['ENAMETOOLONG', VfsStatus.ObjectNameInvalid],
    ['EXDEV', VfsStatus.NotSameDevice],
    ['ELOOP', VfsStatus.AccessDenied],
    ['EROFS', ExtraStatus.MediaWriteProtected],
    ['EMFILE', VfsStatus.TooManyOpenedFiles],
    ['ENFILE', VfsStatus.TooManyOpenedFiles],
    ['EMLINK', ExtraStatus.TooManyLinks],
    ['EIO', ExtraStatus.IoDeviceError],
    ['EBADF', VfsStatus.InvalidHandle],
    ['EINVAL', VfsStatus.InvalidParameter],
    ['EBUSY', VfsStatus.SharingViolation],
    ['ETXTBSY', VfsStatus.SharingViolation],
    ['ENOTSUP', VfsStatus.NotSupported],
    ['EWHATEVER', VfsStatus.AccessDenied],
  ]
  it.each(table)('%s', (code, status) => {
    expect(errnoToStatus(errno(code))).toBe(status)
  })

  it('ENOENT of an intermediate directory is OBJECT_PATH_NOT_FOUND', () => {
    expect(errnoToStatus(errno('ENOENT'), 'path')).toBe(VfsStatus.ObjectPathNotFound)
  })

  it('non-errno errors are internal errors; VfsErrors pass through', () => {
    expect(errnoToStatus(new TypeError('bug'))).toBe(VfsStatus.InternalError)
    const e = new VfsError(VfsStatus.DeletePending, 'x')
    expect(toVfsError(e)).toBe(e)
    expect(toVfsError(errno('ENOENT'), 'name', 'open').message).toMatch(/^open: ENOENT/)
    expect(isVfsError(e, VfsStatus.DeletePending)).toBe(true)
    expect(isVfsError(e, VfsStatus.AccessDenied)).toBe(false)
  })

  it('extra codes carry their MS-ERREF values', () => {
    expect(ExtraStatus.InvalidLockRange).toBe(0xc00001a1)
    expect(statusName(VfsStatus.ObjectPathSyntaxBad)).toBe('STATUS_OBJECT_PATH_SYNTAX_BAD')
    expect(new VfsError(0xc00001a1).message).toBe('NTSTATUS 0xc00001a1')
  })
})
