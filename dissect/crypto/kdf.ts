/**
 * MS-SMB2 3.1.4.2 — the SP800-108 counter-mode KDF with HMAC-SHA256 (r = 32, one fixed-input block per
 * 256 output bits), and the per-dialect session key derivation of MS-SMB2 3.2.5.3.1 (client) and
 * 3.3.5.5.3 (server).
 * @module
 */
import { createHmac } from 'node:crypto'
import { CipherId, SigningAlgorithm, cipherKeyLength, isCipherId, isSigningAlgorithm, type SigningAlgorithm as SigningAlgorithmT } from './constants.js'
import { CryptoError } from './errors.js'

/**
 * SP800-108 section 5.1 (counter mode), PRF = HMAC-SHA256:
 * K(i) = HMAC(Ki, [i]32be || Label || 0x00 || Context || [L]32be), output = first L bits of K(1) || K(2) ...
 * `label` and `context` are the byte strings without the separator; MS-SMB2's labels already end in a NUL
 * (e.g. "SMB2AESCMAC\0"), which the caller includes.
 */
export function kdfCounterHmacSha256(ki: Buffer, label: Buffer, context: Buffer, lengthBits: number): Buffer {
  if (!Number.isInteger(lengthBits) || lengthBits <= 0 || lengthBits % 8 !== 0) {
    throw new CryptoError('BAD_KEY', `KDF output length ${lengthBits} bits is not a positive multiple of 8`)
  }
  const blocks: Buffer[] = []
  const l = Buffer.alloc(4)
  l.writeUInt32BE(lengthBits)
  for (let i = 1; blocks.length * 256 < lengthBits; i++) {
    const counter = Buffer.alloc(4)
    counter.writeUInt32BE(i)
    blocks.push(createHmac('sha256', ki).update(counter).update(label).update(Buffer.of(0)).update(context).update(l).digest())
  }
  return Buffer.concat(blocks).subarray(0, lengthBits / 8)
}

/** A NUL-terminated ASCII label or context, as MS-SMB2 3.2.5.3.1 writes them ("SMB2AESCMAC" is 12 bytes). */
const z = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1')

/** MS-SMB2 3.2.5.3.1 / 3.3.5.5.3: labels and contexts. 3.1.1 uses the preauth integrity hash as context. */
export const KDF_LABELS = {
  smb30: {
    signing: { label: z('SMB2AESCMAC'), context: z('SmbSign') },
    serverIn: { label: z('SMB2AESCCM'), context: z('ServerIn ') },
    serverOut: { label: z('SMB2AESCCM'), context: z('ServerOut') },
    application: { label: z('SMB2APP'), context: z('SmbRpc') },
  },
  smb311: {
    signing: z('SMBSigningKey'),
    /** Client-to-server: the server's decryption key (Session.DecryptionKey on the server). */
    serverIn: z('SMBC2SCipherKey'),
    /** Server-to-client: the server's encryption key. */
    serverOut: z('SMBS2CCipherKey'),
    application: z('SMBAppKey'),
  },
} as const

export interface SessionKeyInput {
  /** The negotiated dialect (0x0202, 0x0210, 0x0300, 0x0302, 0x0311). */
  dialect: number
  /** The key GSS (NTLMSSP/Kerberos) exported for the session: any length; 16 bytes for NTLMSSP. */
  sessionKey: Buffer
  /** SMB 3.1.1 only: Session.PreauthIntegrityHashValue (64 bytes) after the last SESSION_SETUP request. */
  preauthHash?: Buffer
  /** The negotiated cipher (MS-SMB2 2.2.3.1.2). 3.0/3.0.2 always use AES-128-CCM; default AES-128-CCM. */
  cipherId?: number
  /** The negotiated signing algorithm (MS-SMB2 2.2.3.1.7), 3.1.1 with SIGNING_CAPABILITIES only. */
  signingAlgorithmId?: number
}

export interface SessionKeys {
  /** Session.SigningKey (16 bytes): the session key itself for 2.0.2/2.1. */
  signingKey: Buffer
  /** The algorithm messages of this session are signed with (MS-SMB2 3.1.4.1). */
  signingAlgorithm: SigningAlgorithmT
  /** Client-to-server encryption key (the server's DecryptionKey); absent below SMB 3.0. */
  serverInKey?: Buffer
  /** Server-to-client encryption key (the server's EncryptionKey); absent below SMB 3.0. */
  serverOutKey?: Buffer
  /** Session.ApplicationKey (16 bytes); the session key itself for 2.0.2/2.1. */
  applicationKey: Buffer
  /** The cipher the encryption keys are for (3.x only). */
  cipherId?: CipherId
}

/**
 * Session.SessionKey: the first 16 bytes of the GSS key, right-padded with zeros when shorter
 * (MS-SMB2 3.2.5.3.1 / 3.3.5.5.3).
 */
export function sessionKey16(fullKey: Buffer): Buffer {
  const k = Buffer.alloc(16)
  fullKey.copy(k, 0, 0, Math.min(16, fullKey.length))
  return k
}

/** Which signing algorithm a dialect uses (MS-SMB2 3.1.4.1). */
export function signingAlgorithmFor(dialect: number, signingAlgorithmId?: number): SigningAlgorithmT {
  if (dialect < 0x0300 || dialect === 0x02ff) return SigningAlgorithm.HmacSha256
  if (dialect === 0x0311 && signingAlgorithmId !== undefined) {
    if (!isSigningAlgorithm(signingAlgorithmId)) throw new CryptoError('UNSUPPORTED', `signing algorithm 0x${signingAlgorithmId.toString(16)}`)
    return signingAlgorithmId
  }
  return SigningAlgorithm.AesCmac
}

/**
 * Derives the session's signing, encryption and application keys for its dialect.
 *
 * - 2.0.2 / 2.1: signing key = application key = Session.SessionKey; no encryption.
 * - 3.0 / 3.0.2: KDF(SessionKey, "SMB2AESCMAC", "SmbSign"), ("SMB2AESCCM", "ServerIn "/"ServerOut"),
 *   ("SMB2APP", "SmbRpc"), 128 bits each; the cipher is AES-128-CCM.
 * - 3.1.1: labels "SMBSigningKey", "SMBC2SCipherKey", "SMBS2CCipherKey", "SMBAppKey", context = the
 *   preauth integrity hash. For AES-256-CCM/GCM the cipher keys are derived from the full GSS key with
 *   L = 256; signing and application keys stay 128-bit from Session.SessionKey (MS-SMB2 3.3.5.5.3).
 */
export function deriveSessionKeys(input: SessionKeyInput): SessionKeys {
  const { dialect, preauthHash } = input
  if (input.sessionKey.length === 0) throw new CryptoError('BAD_KEY', 'empty session key')
  const key = sessionKey16(input.sessionKey)
  const signingAlgorithm = signingAlgorithmFor(dialect, input.signingAlgorithmId)
  if (dialect < 0x0300 || dialect === 0x02ff) {
    return { signingKey: key, signingAlgorithm, applicationKey: key }
  }
  if (dialect !== 0x0311) {
    const l = KDF_LABELS.smb30
    return {
      signingKey: kdfCounterHmacSha256(key, l.signing.label, l.signing.context, 128),
      signingAlgorithm,
      serverInKey: kdfCounterHmacSha256(key, l.serverIn.label, l.serverIn.context, 128),
      serverOutKey: kdfCounterHmacSha256(key, l.serverOut.label, l.serverOut.context, 128),
      applicationKey: kdfCounterHmacSha256(key, l.application.label, l.application.context, 128),
      cipherId: CipherId.Aes128Ccm,
    }
  }
  if (!preauthHash || preauthHash.length !== 64) {
    throw new CryptoError('BAD_KEY', `SMB 3.1.1 key derivation needs the 64-byte preauth integrity hash, got ${preauthHash ? preauthHash.length : 'none'}`)
  }
  const cipherId = input.cipherId ?? CipherId.Aes128Ccm
  if (!isCipherId(cipherId)) throw new CryptoError('UNSUPPORTED', `cipher 0x${cipherId.toString(16)}`)
  const wide = cipherKeyLength(cipherId) === 32
  const cipherKi = wide ? input.sessionKey : key
  const cipherBits = wide ? 256 : 128
  const l = KDF_LABELS.smb311
  return {
    signingKey: kdfCounterHmacSha256(key, l.signing, preauthHash, 128),
    signingAlgorithm,
    serverInKey: kdfCounterHmacSha256(cipherKi, l.serverIn, preauthHash, cipherBits),
    serverOutKey: kdfCounterHmacSha256(cipherKi, l.serverOut, preauthHash, cipherBits),
    applicationKey: kdfCounterHmacSha256(key, l.application, preauthHash, 128),
    cipherId,
  }
}
