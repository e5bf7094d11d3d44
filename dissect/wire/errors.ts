/**
 * The only two errors the codec throws. A `DecodeError` names where in the input it happened (byte offset
 * from the start of the buffer being read) and the field path that was being decoded, so the dissector can
 * annotate the record and the server can answer STATUS_INVALID_PARAMETER.
 * @module
 */

export class DecodeError extends Error {
  override readonly name = 'DecodeError'
  readonly path: readonly string[]
  constructor(readonly reason: string, readonly offset: number, path: readonly string[] = []) {
    super(`${path.join('.') || '<root>'} @0x${offset.toString(16)}: ${reason}`)
    this.path = [...path]
  }
}

export class EncodeError extends Error {
  override readonly name = 'EncodeError'
  constructor(readonly reason: string, readonly path: readonly string[] = []) {
    super(`${path.join('.') || '<root>'}: ${reason}`)
  }
}

/** True for the errors the codec raises on bad input (never a bare RangeError). */
export function isCodecError(e: unknown): e is DecodeError | EncodeError {
  return e instanceof DecodeError || e instanceof EncodeError
}
