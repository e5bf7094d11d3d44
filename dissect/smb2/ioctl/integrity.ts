/**
 * MS-FSCC 2.3 — FSCTL_GET_INTEGRITY_INFORMATION output / FSCTL_SET_INTEGRITY_INFORMATION input, and
 * FSCTL_GET_COMPRESSION output / FSCTL_SET_COMPRESSION input.
 * @module
 */
import { reserved, struct, u16, u32, type Infer } from '../../wire/index.js'

/** FSCTL_GET_INTEGRITY_INFORMATION_BUFFER. */
export const GetIntegrityInformationBuffer = struct('GetIntegrityInformationBuffer', {
  checksumAlgorithm: u16,
  reserved: reserved(u16),
  flags: u32,
  checksumChunkSizeInBytes: u32,
  clusterSizeInBytes: u32,
})
export type GetIntegrityInformationBuffer = Infer<typeof GetIntegrityInformationBuffer>

/** FSCTL_SET_INTEGRITY_INFORMATION_BUFFER. */
export const SetIntegrityInformationBuffer = struct('SetIntegrityInformationBuffer', {
  checksumAlgorithm: u16,
  reserved: reserved(u16),
  flags: u32,
})
export type SetIntegrityInformationBuffer = Infer<typeof SetIntegrityInformationBuffer>

/** COMPRESSION_FORMAT_* state of GET/SET_COMPRESSION (0 none, 1 default, 2 LZNT1). */
export const CompressionState = struct('CompressionState', { compressionState: u16 })
export type CompressionState = Infer<typeof CompressionState>
