/**
 * Identifier allocation for the server's global and local tables: SessionId (64-bit), TreeId (32-bit) and the
 * persistent and volatile halves of SMB2_FILEID (64-bit each, MS-SMB2 2.2.14.1).
 *
 * Ids are drawn from a CSPRNG (so a client cannot guess another session's or open's id, MS-SMB2 3.3.5.5.1 asks
 * for session ids that are "unique"; Samba uses random ids too), retried until unused. The caller supplies the
 * "in use" predicate, so an id is never reused while any record holding it exists, including records that only
 * live in the durable store. Reserved values are never produced: 0 (no id) and all-ones (0xFFFFFFFFFFFFFFFF is the
 * "previous open" FileId of related compounds, MS-SMB2 3.3.5.2.7.2; 0xFFFFFFFF is the related TreeId).
 * @module
 */
import { randomFillSync } from 'node:crypto'

export type RandomSource = (bytes: number) => Buffer

/**
 * CSPRNG bytes served from a 4 KiB block refilled when used up: one randomFillSync per 512 ids instead of a
 * randomBytes call (and its syscalls) per id, which showed in every CREATE's profile.
 */
export function pooledRandom(blockSize = 4096): RandomSource {
  const block = Buffer.alloc(blockSize)
  let used = blockSize
  return (bytes) => {
    if (bytes > blockSize) return randomFillSync(Buffer.alloc(bytes))
    if (used + bytes > blockSize) {
      randomFillSync(block)
      used = 0
    }
    const out = Buffer.from(block.subarray(used, used + bytes))
    used += bytes
    return out
  }
}

const MAX_TRIES = 64

export class IdExhaustedError extends Error {}

export class IdAllocator {
  constructor(private readonly random: RandomSource = pooledRandom()) {}

  /** A 64-bit id, never 0 or all-ones, not `inUse`. */
  next64(inUse: (id: bigint) => boolean): bigint {
    for (let i = 0; i < MAX_TRIES; i++) {
      const id = this.random(8).readBigUInt64LE(0)
      if (id === 0n || id === 0xffff_ffff_ffff_ffffn) continue
      if (!inUse(id)) return id
    }
    throw new IdExhaustedError(`no free 64-bit id after ${MAX_TRIES} tries`)
  }

  /** A 32-bit id, never 0 or 0xFFFFFFFF, not `inUse`. */
  next32(inUse: (id: number) => boolean): number {
    for (let i = 0; i < MAX_TRIES; i++) {
      const id = this.random(4).readUInt32LE(0)
      if (id === 0 || id === 0xffff_ffff) continue
      if (!inUse(id)) return id
    }
    throw new IdExhaustedError(`no free 32-bit id after ${MAX_TRIES} tries`)
  }
}
