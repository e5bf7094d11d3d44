/** MS-SMB2 2.2.3.1.1 — SMB2_PREAUTH_INTEGRITY_CAPABILITIES (negotiate context 0x0001). @module */
import { arrayOf, bytes, countOf, lengthOf, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.1 — HashAlgorithms. */
export const HashAlgorithm = {
  Sha512: 0x0001,
} as const

export const hashAlgorithmName = (a: number): string => (a === 1 ? 'SHA-512' : `0x${a.toString(16).padStart(4, '0')}`)

/** MS-SMB2 2.2.3.1.1 — SMB2_PREAUTH_INTEGRITY_CAPABILITIES. */
export const PreauthIntegrityCapabilities = struct('PreauthIntegrityCapabilities', {
  hashAlgorithmCount: countOf('hashAlgorithms', u16),
  saltLength: lengthOf('salt', u16),
}, { hashAlgorithms: arrayOf(u16), salt: bytes })
export type PreauthIntegrityCapabilities = Infer<typeof PreauthIntegrityCapabilities>
