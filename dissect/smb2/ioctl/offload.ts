/**
 * Offloaded data transfer (ODX), MS-FSCC 2.3: FSCTL_OFFLOAD_READ returns a 512-byte token for a
 * range; FSCTL_OFFLOAD_WRITE writes from it. The STORAGE_OFFLOAD_TOKEN stays raw.
 * @module
 */
import { bytesN, reserved, struct, u32, u64, type Infer } from '../../wire/index.js'

/** FSCTL_OFFLOAD_READ_INPUT (Size 0x20). */
export const OffloadReadInput = struct('OffloadReadInput', {
  size: u32,
  flags: u32,
  tokenTimeToLive: u32,
  reserved: reserved(u32),
  fileOffset: u64,
  copyLength: u64,
})
export type OffloadReadInput = Infer<typeof OffloadReadInput>

/** FSCTL_OFFLOAD_READ_OUTPUT (Size 0x210). */
export const OffloadReadOutput = struct('OffloadReadOutput', {
  size: u32,
  flags: u32,
  transferLength: u64,
  token: bytesN(512),
})
export type OffloadReadOutput = Infer<typeof OffloadReadOutput>

/** FSCTL_OFFLOAD_WRITE_INPUT (Size 0x228). */
export const OffloadWriteInput = struct('OffloadWriteInput', {
  size: u32,
  flags: u32,
  fileOffset: u64,
  copyLength: u64,
  transferOffset: u64,
  token: bytesN(512),
})
export type OffloadWriteInput = Infer<typeof OffloadWriteInput>

/** FSCTL_OFFLOAD_WRITE_OUTPUT (Size 0x10). */
export const OffloadWriteOutput = struct('OffloadWriteOutput', {
  size: u32,
  flags: u32,
  lengthWritten: u64,
})
export type OffloadWriteOutput = Infer<typeof OffloadWriteOutput>
