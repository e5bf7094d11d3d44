/**
 * NTSTATUS codes for the file-system layer, and the error type its operations throw.
 *
 * `VfsStatus` re-exports the shared `NtStatus` table (dissect/smb2/constants/status.ts) and adds the few codes the
 * MS-FSA algorithms need that the shared table does not list (yet). Those extra codes belong in the shared table;
 * they are kept here, named as MS-ERREF 2.3.1 names them, so this layer does not depend on when that table grows.
 *
 * Every operation of this layer either resolves or rejects with a `VfsError` carrying one NTSTATUS code. Any other
 * rejection is a bug (or an unexpected host failure) and the SMB layer answers it with STATUS_INTERNAL_ERROR.
 * @module
 */

import { NtStatus } from '../../dissect/smb2/constants/status.js'

/** MS-ERREF 2.3.1 codes used here but absent from the shared table when this layer was written. */
export const ExtraStatus = {
  /** STATUS_INVALID_LOCK_RANGE: a byte range whose last byte lies beyond 2^64-1 (MS-FSA 2.1.5.8). */
  InvalidLockRange: 0xc000_01a1,
  /** STATUS_TOO_MANY_LINKS (EMLINK). */
  TooManyLinks: 0xc000_0265,
  /** STATUS_IO_DEVICE_ERROR (EIO). */
  IoDeviceError: 0xc000_0185,
  /** STATUS_MEDIA_WRITE_PROTECTED: a write on a read-only volume (MS-FSA 2.1.5.1 phase 2). */
  MediaWriteProtected: 0xc000_00a2,
  /** STATUS_RETRY (EINTR). */
  Retry: 0xc000_022d,
  /** STATUS_NETWORK_BUSY (EAGAIN). */
  NetworkBusy: 0xc000_00bf,
  /** STATUS_DEVICE_DOES_NOT_EXIST (ENODEV). */
  DeviceDoesNotExist: 0xc000_00c0,
} as const

/** The shared table plus the extra codes above: the only status names this layer uses. */
export const VfsStatus = { ...NtStatus, ...ExtraStatus } as const
export type VfsStatusCode = number

/** The one error type thrown by the file-system layer: an NTSTATUS code plus a human message. */
export class VfsError extends Error {
  /**
   * @param status NTSTATUS code (MS-ERREF 2.3)
   * @param message what failed, for logs; never sent to clients
   * @param detail optional machine-readable extra (e.g. the conflicting opens of a sharing violation)
   */
  constructor(
    readonly status: number,
    message?: string,
    readonly detail?: unknown,
  ) {
    super(message ?? `NTSTATUS 0x${(status >>> 0).toString(16).padStart(8, '0')}`)
    this.name = 'VfsError'
  }
}

/** True when `e` is a VfsError with the given status (or any VfsError when `status` is omitted). */
export function isVfsError(e: unknown, status?: number): e is VfsError {
  return e instanceof VfsError && (status === undefined || e.status === status)
}

/**
 * Where an errno came from, which changes the status Windows and Samba give for ENOENT: a missing final component
 * is OBJECT_NAME_NOT_FOUND, a missing intermediate directory is OBJECT_PATH_NOT_FOUND.
 */
export type ErrnoContext = 'name' | 'path'

/**
 * Maps a Node.js system error (`err.code`) to an NTSTATUS, following Samba's unix_dos_nt_errmap
 * (source3/lib/errmap_unix.c) where Windows has no direct equivalent. Errors without an errno code are not
 * file-system errors and are returned as STATUS_INTERNAL_ERROR.
 */
export function errnoToStatus(err: unknown, context: ErrnoContext = 'name'): number {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return context === 'path' ? VfsStatus.ObjectPathNotFound : VfsStatus.ObjectNameNotFound
    case 'ENOTDIR':
      return VfsStatus.ObjectPathNotFound
    case 'EEXIST':
      return VfsStatus.ObjectNameCollision
    case 'EACCES':
    case 'EPERM':
      return VfsStatus.AccessDenied
    case 'ENOTEMPTY':
      return VfsStatus.DirectoryNotEmpty
    case 'EISDIR':
      return VfsStatus.FileIsADirectory
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return VfsStatus.DiskFull
    case 'ENAMETOOLONG':
      return VfsStatus.ObjectNameInvalid
    case 'EXDEV':
      return VfsStatus.NotSameDevice
    case 'ELOOP':
      // O_NOFOLLOW met a symlink that appeared after our checks: treat as an escape attempt.
      return VfsStatus.AccessDenied
    case 'EROFS':
      return VfsStatus.MediaWriteProtected
    case 'EMFILE':
    case 'ENFILE':
      return VfsStatus.TooManyOpenedFiles
    case 'ENOMEM':
      return VfsStatus.NoMemory
    case 'ENOBUFS':
      return VfsStatus.InsufficientResources
    case 'EMLINK':
      return VfsStatus.TooManyLinks
    case 'EIO':
      return VfsStatus.IoDeviceError
    case 'EBADF':
      return VfsStatus.InvalidHandle
    case 'EINVAL':
      return VfsStatus.InvalidParameter
    case 'EBUSY':
    case 'ETXTBSY':
      return VfsStatus.SharingViolation
    case 'EINTR':
      return VfsStatus.Retry
    case 'EAGAIN':
      return VfsStatus.NetworkBusy
    case 'ENODEV':
      return VfsStatus.DeviceDoesNotExist
    case 'ENOSYS':
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return VfsStatus.NotSupported
    case 'ECANCELED':
      return VfsStatus.Cancelled
    default:
      return code ? VfsStatus.AccessDenied : VfsStatus.InternalError
  }
}

/** Wraps a host error as a VfsError (a VfsError passes through unchanged). */
export function toVfsError(err: unknown, context: ErrnoContext = 'name', what?: string): VfsError {
  if (err instanceof VfsError) return err
  const e = err as NodeJS.ErrnoException
  return new VfsError(errnoToStatus(err, context), `${what ? what + ': ' : ''}${e?.code ?? ''} ${e?.message ?? String(err)}`.trim())
}
