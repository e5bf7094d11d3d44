/**
 * The one error a handler throws to answer a request with a status (Hono's HTTPException pattern, style.md §3.4).
 * The dispatcher maps by layer: `SmbError(status)` answers that status (with the ERROR body's ErrorData when
 * given); a `DecodeError` from a body codec answers STATUS_INVALID_PARAMETER; a `VfsError` answers its status;
 * anything else answers STATUS_INTERNAL_ERROR and is logged with the connection and message id.
 * @module
 */
import type { ErrorDataInput } from '../dissect/smb2/commands/error.js'
import { NtStatus, statusName } from '../dissect/smb2/constants/status.js'
import { DecodeError } from '../dissect/wire/errors.js'
import { VfsError } from './vfs/status.js'

export class SmbError extends Error {
  override readonly name = 'SmbError'
  constructor(
    readonly status: number,
    /** ErrorData of the ERROR response (MS-SMB2 2.2.2), e.g. the required length of STATUS_BUFFER_TOO_SMALL. */
    readonly errorData?: ErrorDataInput,
    message?: string,
  ) {
    super(message ?? statusName(status))
  }

  /** Set on open-lookup failures, which do not make later related requests of a chain fail (dispatch.ts). */
  related = false

  asRelated(): this {
    this.related = true
    return this
  }
}

/** Closes the connection without a response (MS-SMB2 says "disconnect" for some violations). */
export class DisconnectError extends Error {
  override readonly name = 'DisconnectError'
}

export interface MappedError {
  status: number
  errorData?: ErrorDataInput
  /** True when the error is a bug or a host failure (logged at error level). */
  internal: boolean
}

/** The layer mapping of style.md §3.4. */
export function mapError(e: unknown): MappedError {
  if (e instanceof SmbError) return { status: e.status, errorData: e.errorData, internal: false }
  if (e instanceof VfsError) return { status: e.status, internal: e.status === NtStatus.InternalError }
  if (e instanceof DecodeError) return { status: NtStatus.InvalidParameter, internal: false }
  return { status: NtStatus.InternalError, internal: true }
}

/** Shorthand: `throw fail(NtStatus.AccessDenied)`. */
export const fail = (status: number, message?: string): SmbError => new SmbError(status, undefined, message)
