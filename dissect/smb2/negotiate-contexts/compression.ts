/** MS-SMB2 2.2.3.1.3 — SMB2_COMPRESSION_CAPABILITIES (negotiate context 0x0003). @module */
import { arrayOf, countOf, reserved, struct, u16, u32, type Infer } from '../../wire/index.js'
export { CompressionAlgorithm, compressionAlgorithmName } from '../header.js'

/** MS-SMB2 2.2.3.1.3 — Flags. */
export const CompressionCapabilitiesFlags = {
  None: 0x0000_0000,
  /** SMB2_COMPRESSION_CAPABILITIES_FLAG_CHAINED: chained compression is supported. */
  Chained: 0x0000_0001,
} as const

/** MS-SMB2 2.2.3.1.3 — SMB2_COMPRESSION_CAPABILITIES. */
export const CompressionCapabilities = struct('CompressionCapabilities', {
  compressionAlgorithmCount: countOf('compressionAlgorithms', u16),
  padding: reserved(u16),
  flags: u32,
}, { compressionAlgorithms: arrayOf(u16) })
export type CompressionCapabilities = Infer<typeof CompressionCapabilities>
