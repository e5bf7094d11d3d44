/** MS-SMB2 2.2.3.1.7 — SMB2_SIGNING_CAPABILITIES (negotiate context 0x0008). @module */
import { arrayOf, countOf, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.7 — SigningAlgorithms. */
export const SigningAlgorithm = {
  HmacSha256: 0x0000,
  AesCmac: 0x0001,
  AesGmac: 0x0002,
} as const

const NAMES = ['HMAC-SHA256', 'AES-CMAC', 'AES-GMAC']
export const signingAlgorithmName = (a: number): string => NAMES[a] ?? `0x${a.toString(16).padStart(4, '0')}`

/** MS-SMB2 2.2.3.1.7 — SMB2_SIGNING_CAPABILITIES. */
export const SigningCapabilities = struct('SigningCapabilities', {
  signingAlgorithmCount: countOf('signingAlgorithms', u16),
}, { signingAlgorithms: arrayOf(u16) })
export type SigningCapabilities = Infer<typeof SigningCapabilities>
