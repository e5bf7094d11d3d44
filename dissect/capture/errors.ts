/** Errors of the capture reader. @module */

/**
 * The input is not a capture file (or not one this reader knows): unknown magic, empty file, a header too short
 * to be one. The message is one line, meant to be printed as is (the CLI exits 2 on it).
 */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError'
}

export function isCaptureFormatError(e: unknown): e is CaptureFormatError {
  return e instanceof CaptureFormatError
}

/** The first bytes of a buffer as `aa bb cc dd`, for messages. */
export function hexPreview(b: Buffer, n = 4): string {
  return [...b.subarray(0, n)].map((x) => x.toString(16).padStart(2, '0')).join(' ')
}
