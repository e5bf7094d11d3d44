/**
 * MS-SMB2 2.2.3.1.2 (SMB2_ENCRYPTION_CAPABILITIES cipher ids) and 2.2.3.1.7 (SMB2_SIGNING_CAPABILITIES
 * algorithm ids): the numbers the negotiate contexts carry, which this module's functions take.
 * @module
 */

export const CipherId = {
  Aes128Ccm: 0x0001,
  Aes128Gcm: 0x0002,
  Aes256Ccm: 0x0003,
  Aes256Gcm: 0x0004,
} as const
export type CipherId = (typeof CipherId)[keyof typeof CipherId]

export const SigningAlgorithm = {
  HmacSha256: 0x0000,
  AesCmac: 0x0001,
  AesGmac: 0x0002,
} as const
export type SigningAlgorithm = (typeof SigningAlgorithm)[keyof typeof SigningAlgorithm]

export function cipherName(id: number): string {
  switch (id) {
    case CipherId.Aes128Ccm: return 'AES-128-CCM'
    case CipherId.Aes128Gcm: return 'AES-128-GCM'
    case CipherId.Aes256Ccm: return 'AES-256-CCM'
    case CipherId.Aes256Gcm: return 'AES-256-GCM'
    default: return `0x${id.toString(16).padStart(4, '0')}`
  }
}

export function signingAlgorithmName(id: number): string {
  switch (id) {
    case SigningAlgorithm.HmacSha256: return 'HMAC-SHA256'
    case SigningAlgorithm.AesCmac: return 'AES-CMAC'
    case SigningAlgorithm.AesGmac: return 'AES-GMAC'
    default: return `0x${id.toString(16).padStart(4, '0')}`
  }
}

export const isCipherId = (id: number): id is CipherId => id >= 1 && id <= 4
export const isSigningAlgorithm = (id: number): id is SigningAlgorithm => id >= 0 && id <= 2

/** Key length in bytes for a cipher: 16 for the AES-128 ciphers, 32 for the AES-256 ones. */
export const cipherKeyLength = (id: CipherId): 16 | 32 => (id === CipherId.Aes256Ccm || id === CipherId.Aes256Gcm ? 32 : 16)

/** True for AES-CCM (11-byte nonce), false for AES-GCM (12-byte nonce). */
export const isCcm = (id: CipherId): boolean => id === CipherId.Aes128Ccm || id === CipherId.Aes256Ccm

/** Nonce length in the transform header (the rest of its 16-byte Nonce field is zero), MS-SMB2 2.2.41. */
export const nonceLength = (id: CipherId): 11 | 12 => (isCcm(id) ? 11 : 12)
