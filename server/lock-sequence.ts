/**
 * Lock sequence verification (MS-SMB2 3.3.5.14); FSCTL_LMR_REQUEST_RESILIENCY is in durable-handles.ts.
 *
 * A LOCK request names a bucket (LockSequenceIndex 1..64) and a 4-bit LockSequenceNumber. On an open that is
 * resilient, durable or persistent, or on any open of an SMB 3.x connection whose negotiated capabilities include
 * SMB2_GLOBAL_CAP_MULTI_CHANNEL (MS-SMB2 3.3.5.14, as Samba: a replay may arrive on another channel), a request
 * whose bucket already holds the same number is a replay of one that succeeded: it is answered STATUS_SUCCESS and
 * not performed again. Any other request in a valid bucket empties that bucket first and records its number only
 * when it succeeds. Other opens are not verified (MS-SMB2 <314>).
 * @module
 */
import type { LockSequence } from '../dissect/smb2/commands/lock.js'
import { Dialect } from '../dissect/smb2/constants/dialect.js'
import { Capabilities } from '../dissect/smb2/constants/flags.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { ServerOpen } from './open.js'
import { SmbError } from './smb-error.js'
import { DurableKind, type OpenGlobal } from './state/global-tables.js'

/** Open.LockSequenceArray, kept with the global open so a reconnected durable open still has it. */
const buckets = new WeakMap<OpenGlobal, Map<number, number>>()

function verified(open: ServerOpen, dialect: number, serverCapabilities: number): boolean {
  if (dialect >= Dialect.Smb300 && dialect !== Dialect.Wildcard && serverCapabilities & Capabilities.MultiChannel) return true
  return dialect >= Dialect.Smb210 && open.global.durable !== DurableKind.None
}

/**
 * Checks a LOCK request's sequence. Returns undefined when the request must be processed (call the returned
 * `done` after it succeeded), or 'replay' when it must be answered STATUS_SUCCESS without being performed.
 */
export function checkLockSequence(open: ServerOpen, seq: LockSequence, dialect: number, serverCapabilities = 0): { replay: true } | { replay: false; done(): void } {
  const index = seq.lockSequenceIndex
  if (!verified(open, dialect, serverCapabilities) || index < 1 || index > 64) return { replay: false, done: () => undefined }
  let map = buckets.get(open.global)
  if (!map) buckets.set(open.global, (map = new Map()))
  if (map.get(index) === seq.lockSequenceNumber) return { replay: true }
  map.delete(index)
  const bucket = map
  return { replay: false, done: () => bucket.set(index, seq.lockSequenceNumber) }
}
