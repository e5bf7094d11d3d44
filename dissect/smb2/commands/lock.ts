/** MS-SMB2 2.2.26 / 2.2.27 — SMB2 LOCK Request and Response. @module */
import { arrayOf, countOf, custom, fixed, reserved, struct, u16, u32, u64, type Infer, type Input } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.26.1 — SMB2_LOCK_ELEMENT (24 bytes). */
export const LockElement = struct('LockElement', {
  offset: u64,
  length: u64,
  flags: u32,
  reserved: reserved(u32),
})
export type LockElement = Infer<typeof LockElement>

/**
 * MS-SMB2 2.2.26 — LockSequenceNumber (low 4 bits) and LockSequenceIndex (high 28 bits), packed in one
 * little-endian u32 (used for lock replay detection in 2.1 and 3.x). Decoded into its two parts; the pair
 * is lossless, so `lockSequenceValue()` gives back the wire u32.
 */
export interface LockSequence {
  lockSequenceNumber: number
  lockSequenceIndex: number
}
export const LockSequence = custom<LockSequence>(
  'LockSequence',
  (r) => {
    const v = r.u32()
    return { lockSequenceNumber: v & 0xf, lockSequenceIndex: v >>> 4 }
  },
  (w, v) => {
    if (v.lockSequenceNumber < 0 || v.lockSequenceNumber > 0xf) w.fail(`lockSequenceNumber ${v.lockSequenceNumber} does not fit in 4 bits`)
    if (v.lockSequenceIndex < 0 || v.lockSequenceIndex > 0x0fff_ffff) w.fail(`lockSequenceIndex ${v.lockSequenceIndex} does not fit in 28 bits`)
    w.u32(((v.lockSequenceIndex << 4) | v.lockSequenceNumber) >>> 0)
  },
  4,
)
/** The wire u32 of a LockSequence. */
export const lockSequenceValue = (s: LockSequence): number => ((s.lockSequenceIndex << 4) | s.lockSequenceNumber) >>> 0

/**
 * MS-SMB2 2.2.26 — SMB2 LOCK Request. StructureSize (48) counts the first LOCK_ELEMENT; LockCount elements
 * follow the 24-byte fixed part.
 */
export const LockRequest = struct('LockRequest', {
  structureSize: fixed(u16, 48),
  lockCount: countOf('locks', u16),
  lockSequence: LockSequence,
  fileId: FileId,
}, { locks: arrayOf(LockElement) }, { structureSizeCountsVariable: 24 })
export type LockRequest = Infer<typeof LockRequest>
export type LockRequestInput = Input<typeof LockRequest>

/** MS-SMB2 2.2.27 — SMB2 LOCK Response. */
export const LockResponse = struct('LockResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type LockResponse = Infer<typeof LockResponse>
