/**
 * MS-SMB2 3.1.4.3 and 2.2.41 — encrypting an SMB2 message (or a whole compound chain) into an
 * SMB2 TRANSFORM_HEADER: AES-128/256-CCM with an 11-byte nonce or AES-128/256-GCM with a 12-byte nonce
 * (the rest of the 16-byte Nonce field is zero), a 16-byte tag stored in the header's Signature, and as
 * additional authenticated data the 32 header bytes from Nonce to the end (Nonce, OriginalMessageSize,
 * Reserved, Flags/EncryptionAlgorithm, SessionId).
 *
 * Keys: a client encrypts with Session.EncryptionKey = ServerInKey and the server with ServerOutKey
 * (`deriveSessionKeys`); a dissector decrypts client-to-server messages with serverInKey and
 * server-to-client ones with serverOutKey.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes, type CipherCCMTypes, type CipherGCMTypes } from 'node:crypto'
import { isCodecError } from '../wire/errors.js'
import { TRANSFORM_HEADER_SIZE, TRANSFORM_MAGIC, TransformHeader } from '../smb2/header.js'
import { CipherId, cipherKeyLength, cipherName, isCcm, isCipherId, nonceLength, type CipherId as CipherIdT } from './constants.js'
import { CryptoError } from './errors.js'

export const TAG_SIZE = 16
/** Offset and length of the additional authenticated data in the transform header. */
export const AAD_OFFSET = 20
export const AAD_SIZE = 32
/** TRANSFORM_HEADER Flags (3.1.1) / EncryptionAlgorithm (3.0, 3.0.2): 0x0001 = Encrypted / AES-128-CCM. */
export const TRANSFORM_FLAG_ENCRYPTED = 0x0001

/**
 * Nonces for one process: a random prefix fixed at start-up and a 64-bit counter that starts at a random
 * value and is never reused, so no two messages encrypted through the same generator share a nonce,
 * whatever the key. CCM nonces are prefix(3) + counter(8), GCM nonces prefix(4) + counter(8).
 */
export class NonceGenerator {
  private readonly prefix: Buffer
  private readonly start: bigint
  private issued = 0n

  constructor(random: (n: number) => Buffer = randomBytes) {
    this.prefix = random(4)
    this.start = random(8).readBigUInt64LE(0)
  }

  next(cipherId: CipherIdT): Buffer {
    if (this.issued >= 1n << 64n) throw new CryptoError('NONCE_EXHAUSTED', 'no nonces left in this generator')
    const value = (this.start + this.issued) & 0xffff_ffff_ffff_ffffn
    this.issued++
    const len = nonceLength(cipherId)
    const nonce = Buffer.alloc(len)
    this.prefix.copy(nonce, 0, 0, len - 8)
    nonce.writeBigUInt64LE(value, len - 8)
    return nonce
  }
}

/** The generator `encryptMessage` uses when no nonce is given. */
export const defaultNonces = new NonceGenerator()

function algorithm(cipherId: CipherIdT, key: Buffer): CipherCCMTypes | CipherGCMTypes {
  const want = cipherKeyLength(cipherId)
  if (key.length !== want) throw new CryptoError('BAD_KEY', `${cipherName(cipherId)} needs a ${want}-byte key, got ${key.length}`)
  return `aes-${want * 8}-${isCcm(cipherId) ? 'ccm' : 'gcm'}` as CipherCCMTypes | CipherGCMTypes
}

function checkCipher(cipherId: number): CipherIdT {
  if (!isCipherId(cipherId)) throw new CryptoError('UNSUPPORTED', `cipher ${cipherName(cipherId)}`)
  return cipherId
}

export interface EncryptOptions {
  key: Buffer
  cipherId: number
  sessionId: bigint
  /** 11 bytes (CCM) or 12 bytes (GCM); by default the next one from `nonces`. Never reuse one with a key. */
  nonce?: Buffer
  nonces?: NonceGenerator
  /** The Flags/EncryptionAlgorithm field; 0x0001 unless told otherwise. */
  flags?: number
}

/** Encrypts one SMB2 message or compound chain; returns TRANSFORM_HEADER + ciphertext. */
export function encryptMessage(plain: Buffer, opts: EncryptOptions): Buffer {
  const cipherId = checkCipher(opts.cipherId)
  const alg = algorithm(cipherId, opts.key)
  const nlen = nonceLength(cipherId)
  const nonce = opts.nonce ?? (opts.nonces ?? defaultNonces).next(cipherId)
  if (nonce.length !== nlen) throw new CryptoError('BAD_KEY', `${cipherName(cipherId)} needs an ${nlen}-byte nonce, got ${nonce.length}`)
  const nonceField = Buffer.alloc(16)
  nonce.copy(nonceField)
  const header = TransformHeader.encode({
    signature: Buffer.alloc(TAG_SIZE),
    nonce: nonceField,
    originalMessageSize: plain.length,
    flags: opts.flags ?? TRANSFORM_FLAG_ENCRYPTED,
    sessionId: opts.sessionId,
  })
  const aad = header.subarray(AAD_OFFSET, AAD_OFFSET + AAD_SIZE)
  let ciphertext: Buffer
  let tag: Buffer
  if (isCcm(cipherId)) {
    const c = createCipheriv(alg as CipherCCMTypes, opts.key, nonce, { authTagLength: TAG_SIZE })
    c.setAAD(aad, { plaintextLength: plain.length })
    ciphertext = Buffer.concat([c.update(plain), c.final()])
    tag = c.getAuthTag()
  } else {
    const c = createCipheriv(alg as CipherGCMTypes, opts.key, nonce, { authTagLength: TAG_SIZE })
    c.setAAD(aad)
    ciphertext = Buffer.concat([c.update(plain), c.final()])
    tag = c.getAuthTag()
  }
  tag.copy(header, 4)
  return Buffer.concat([header, ciphertext])
}

/** Decodes the transform header of an encrypted message (to find its SessionId before choosing a key). */
export function readTransformHeader(buf: Buffer): TransformHeader {
  if (buf.length < TRANSFORM_HEADER_SIZE) throw new CryptoError('BAD_TRANSFORM', `a transform header has ${TRANSFORM_HEADER_SIZE} bytes, got ${buf.length}`)
  if (buf.readUInt32LE(0) !== TRANSFORM_MAGIC) throw new CryptoError('BAD_TRANSFORM', `ProtocolId 0x${buf.readUInt32LE(0).toString(16)} is not 0xFD 'SMB'`)
  try {
    return TransformHeader.decode(buf.subarray(0, TRANSFORM_HEADER_SIZE))
  } catch (e) {
    if (isCodecError(e)) throw new CryptoError('BAD_TRANSFORM', e.message, { cause: e })
    throw e
  }
}

/**
 * Decrypts a TRANSFORM_HEADER message; returns the plaintext (an SMB2 message or compound chain, or a
 * compression transform). Throws CryptoError: 'BAD_TRANSFORM' for a malformed header, 'BAD_TAG' when
 * authentication fails, 'BAD_KEY'/'UNSUPPORTED' for a key or cipher that cannot be used.
 */
export function decryptMessage(buf: Buffer, key: Buffer, cipherId: number): Buffer {
  const cid = checkCipher(cipherId)
  const alg = algorithm(cid, key)
  const h = readTransformHeader(buf)
  const ciphertext = buf.subarray(TRANSFORM_HEADER_SIZE)
  if (h.originalMessageSize !== ciphertext.length) {
    throw new CryptoError('BAD_TRANSFORM', `OriginalMessageSize ${h.originalMessageSize} but ${ciphertext.length} encrypted bytes follow the header`)
  }
  const nonce = h.nonce.subarray(0, nonceLength(cid))
  const aad = buf.subarray(AAD_OFFSET, AAD_OFFSET + AAD_SIZE)
  try {
    if (isCcm(cid)) {
      const d = createDecipheriv(alg as CipherCCMTypes, key, nonce, { authTagLength: TAG_SIZE })
      d.setAuthTag(h.signature)
      d.setAAD(aad, { plaintextLength: ciphertext.length })
      const out = d.update(ciphertext)
      d.final()
      return out
    }
    const d = createDecipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: TAG_SIZE })
    d.setAuthTag(h.signature)
    d.setAAD(aad)
    return Buffer.concat([d.update(ciphertext), d.final()])
  } catch (e) {
    throw new CryptoError('BAD_TAG', `${cipherName(cid)} authentication failed for session 0x${h.sessionId.toString(16).padStart(16, '0')}`, { cause: e })
  }
}

/** The cipher 3.0/3.0.2 use (the transform header's EncryptionAlgorithm 0x0001). */
export const SMB30_CIPHER = CipherId.Aes128Ccm
