/** MS-SMB2 2.2.3.1.2 — SMB2_ENCRYPTION_CAPABILITIES (negotiate context 0x0002). @module */
import { arrayOf, countOf, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.2 — Ciphers. */
export const Cipher = {
  Aes128Ccm: 0x0001,
  Aes128Gcm: 0x0002,
  Aes256Ccm: 0x0003,
  Aes256Gcm: 0x0004,
} as const

const CIPHER_NAMES = ['NONE', 'AES-128-CCM', 'AES-128-GCM', 'AES-256-CCM', 'AES-256-GCM']
export const cipherName = (c: number): string => CIPHER_NAMES[c] ?? `0x${c.toString(16).padStart(4, '0')}`

/** MS-SMB2 2.2.3.1.2 — SMB2_ENCRYPTION_CAPABILITIES. */
export const EncryptionCapabilities = struct('EncryptionCapabilities', {
  cipherCount: countOf('ciphers', u16),
}, { ciphers: arrayOf(u16) })
export type EncryptionCapabilities = Infer<typeof EncryptionCapabilities>
