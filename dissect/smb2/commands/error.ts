/**
 * MS-SMB2 2.2.2 — SMB2 ERROR Response, with the 3.1.1 error contexts (2.2.2.1) and the error data formats
 * of 2.2.2.2 (symbolic link, share redirect) kept as raw bytes where not decoded.
 * @module
 */
import { bytes, fixed, lengthOf, reserved, struct, u16, u32, u8, type Infer } from '../../wire/index.js'

export const ErrorResponse = struct('ErrorResponse', {
  structureSize: fixed(u16, 9),
  errorContextCount: u8,
  reserved: reserved(u8),
  byteCount: lengthOf('errorData', u32),
}, { errorData: bytes })
export type ErrorResponse = Infer<typeof ErrorResponse>

/** MS-SMB2 2.2.2.1 — SMB2 ERROR Context Response (3.1.1, when ErrorContextCount > 0). */
export const ErrorContext = struct('ErrorContext', {
  errorDataLength: lengthOf('errorContextData', u32),
  errorId: u32,
}, { errorContextData: bytes })
