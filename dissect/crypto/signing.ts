/**
 * MS-SMB2 3.1.4.1 — signing an SMB2 message: the 16-byte Signature field (header bytes 48..63) holds a MAC
 * of the whole message computed with that field zeroed.
 *
 * - HMAC-SHA256, first 16 bytes (2.0.2 and 2.1; the key is the session key);
 * - AES-128-CMAC (3.0, 3.0.2, and 3.1.1 unless SIGNING_CAPABILITIES chose otherwise);
 * - AES-128-GMAC (3.1.1 with SIGNING_CAPABILITIES): AES-GCM with no plaintext, the message as AAD, and a
 *   12-byte nonce = MessageId (8 bytes, little-endian) + a 32-bit little-endian word whose bit 0 is set when
 *   the message goes from server to client (SMB2_FLAGS_SERVER_TO_REDIR) and bit 1 when it is a CANCEL
 *   request; the other bits are zero.
 *
 * In a compound chain each message is signed on its own, over its bytes from its header up to the next
 * header (NextCommand, padding included) or the end of the chain for the last one (MS-SMB2 3.2.4.1.4).
 * @module
 */
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto'
import { Smb2Command } from '../smb2/constants/command.js'
import { Smb2Flags } from '../smb2/constants/flags.js'
import { HEADER_SIZE, SMB2_MAGIC } from '../smb2/header.js'
import { aesCmac } from './cmac.js'
import { SigningAlgorithm, signingAlgorithmName, type SigningAlgorithm as SigningAlgorithmT } from './constants.js'
import { CryptoError } from './errors.js'

export const SIGNATURE_OFFSET = 48
export const SIGNATURE_SIZE = 16
const FLAGS_OFFSET = 16
const COMMAND_OFFSET = 12
const MESSAGE_ID_OFFSET = 24
const NEXT_COMMAND_OFFSET = 20

function checkMessage(message: Buffer): void {
  if (message.length < HEADER_SIZE) throw new CryptoError('BAD_MESSAGE', `an SMB2 message has at least ${HEADER_SIZE} bytes, got ${message.length}`)
  if (message.readUInt32LE(0) !== SMB2_MAGIC) throw new CryptoError('BAD_MESSAGE', `not an SMB2 message (ProtocolId 0x${message.readUInt32LE(0).toString(16)})`)
}

/** The AES-GMAC nonce of a message (MS-SMB2 3.1.4.1), from its header. */
export function gmacNonce(message: Buffer): Buffer {
  checkMessage(message)
  const nonce = Buffer.alloc(12)
  message.copy(nonce, 0, MESSAGE_ID_OFFSET, MESSAGE_ID_OFFSET + 8)
  const flags = message.readUInt32LE(FLAGS_OFFSET)
  const response = (flags & Smb2Flags.ServerToRedir) !== 0
  const cancel = !response && message.readUInt16LE(COMMAND_OFFSET) === Smb2Command.Cancel
  nonce.writeUInt32LE((response ? 1 : 0) | (cancel ? 2 : 0), 8)
  return nonce
}

function withZeroSignature(message: Buffer): Buffer {
  const copy = Buffer.from(message)
  copy.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_SIZE)
  return copy
}

/** The 16-byte signature of one SMB2 message, computed as if its Signature field were zero. */
export function sign(message: Buffer, key: Buffer, algorithm: SigningAlgorithmT): Buffer {
  checkMessage(message)
  if (key.length === 0) throw new CryptoError('BAD_KEY', 'empty signing key')
  switch (algorithm) {
    case SigningAlgorithm.HmacSha256:
      return createHmac('sha256', key)
        .update(message.subarray(0, SIGNATURE_OFFSET))
        .update(Buffer.alloc(SIGNATURE_SIZE))
        .update(message.subarray(SIGNATURE_OFFSET + SIGNATURE_SIZE))
        .digest()
        .subarray(0, SIGNATURE_SIZE)
    case SigningAlgorithm.AesCmac:
      return aesCmac(key, withZeroSignature(message))
    case SigningAlgorithm.AesGmac: {
      if (key.length !== 16) throw new CryptoError('BAD_KEY', `AES-128-GMAC key must be 16 bytes, got ${key.length}`)
      const c = createCipheriv('aes-128-gcm', key, gmacNonce(message))
      c.setAAD(withZeroSignature(message))
      c.final()
      return c.getAuthTag()
    }
    default:
      throw new CryptoError('UNSUPPORTED', `signing algorithm ${signingAlgorithmName(algorithm as number)}`)
  }
}

/** True when the message's Signature field holds its signature under `key`. */
export function verify(message: Buffer, key: Buffer, algorithm: SigningAlgorithmT): boolean {
  const expected = sign(message, key, algorithm)
  return timingSafeEqual(expected, message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_SIZE))
}

/**
 * Sets SMB2_FLAGS_SIGNED in the header, then writes the signature into the Signature field (the flag is
 * part of the signed bytes, so it is set first). Returns the same buffer.
 */
export function signInPlace(message: Buffer, key: Buffer, algorithm: SigningAlgorithmT): Buffer {
  checkMessage(message)
  message.writeUInt32LE((message.readUInt32LE(FLAGS_OFFSET) | Smb2Flags.Signed) >>> 0, FLAGS_OFFSET)
  sign(message, key, algorithm).copy(message, SIGNATURE_OFFSET)
  return message
}

export interface ChainPart {
  /** Offset of the message's header in the chain buffer. */
  start: number
  /** End of the message (exclusive): the next header, or the end of the buffer. */
  end: number
}

/** Splits a compound chain by NextCommand (MS-SMB2 3.2.4.1.4) without decoding bodies. */
export function chainParts(buf: Buffer): ChainPart[] {
  const parts: ChainPart[] = []
  let start = 0
  for (;;) {
    checkMessage(buf.subarray(start))
    const next = buf.readUInt32LE(start + NEXT_COMMAND_OFFSET)
    if (next === 0) {
      parts.push({ start, end: buf.length })
      return parts
    }
    if (next < HEADER_SIZE || start + next > buf.length) {
      throw new CryptoError('BAD_MESSAGE', `NextCommand ${next} at offset ${start} points outside the ${buf.length - start} bytes left`)
    }
    parts.push({ start, end: start + next })
    start += next
  }
}

/** Signs each message of a compound chain in place (sets SMB2_FLAGS_SIGNED on each). Returns the buffer. */
export function signChain(buf: Buffer, key: Buffer, algorithm: SigningAlgorithmT): Buffer {
  for (const p of chainParts(buf)) signInPlace(buf.subarray(p.start, p.end), key, algorithm)
  return buf
}

/** Verifies each message of a compound chain; one result per message, in order. */
export function verifyChain(buf: Buffer, key: Buffer, algorithm: SigningAlgorithmT): boolean[] {
  return chainParts(buf).map((p) => verify(buf.subarray(p.start, p.end), key, algorithm))
}
