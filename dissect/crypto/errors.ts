/**
 * The one error the crypto functions throw for bad input or failed authentication, with a code the
 * dissector can record and the server can act on (MS-SMB2 3.3.5.2.1.1: a message that does not decrypt
 * makes the server drop the connection).
 * @module
 */

export type CryptoErrorCode =
  /** The AES-CCM/GCM tag did not match: wrong key, wrong cipher or tampered bytes. */
  | 'BAD_TAG'
  /** The transform header is malformed (short, wrong ProtocolId, sizes that do not add up). */
  | 'BAD_TRANSFORM'
  /** A key of the wrong length for the algorithm, or a missing key input. */
  | 'BAD_KEY'
  /** A cipher or signing algorithm id this module does not implement. */
  | 'UNSUPPORTED'
  /** A message too short to carry an SMB2 header, or a compound chain whose NextCommand is out of range. */
  | 'BAD_MESSAGE'
  /** The nonce generator ran out of nonces for a key (2^64 messages). */
  | 'NONCE_EXHAUSTED'

export class CryptoError extends Error {
  override readonly name = 'CryptoError'
  constructor(readonly code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options)
  }
}

export const isCryptoError = (e: unknown): e is CryptoError => e instanceof CryptoError
