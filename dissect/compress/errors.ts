/**
 * The one error the decompressors throw on bad input. It is a `DecodeError` (so the dissector's existing
 * handling applies) whose offset is the position in the compressed input and whose path names the
 * algorithm (`['LZNT1']`, `['compression', 'payload[1]', 'LZ77+Huffman']`, ...).
 * @module
 */
import { DecodeError } from '../wire/errors.js'

export class CompressionError extends DecodeError {
  constructor(reason: string, offset: number, path: readonly string[]) {
    super(reason, offset, path)
  }
}

export const isCompressionError = (e: unknown): e is CompressionError => e instanceof CompressionError

/** Decompressed output is capped at this many bytes unless the caller says otherwise (16 MiB). */
export const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024
