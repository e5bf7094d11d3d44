/**
 * Lock sequence verification (MS-SMB2 3.3.5.14) and FSCTL_LMR_REQUEST_RESILIENCY (3.3.5.15.9).
 *
 * A LOCK request names a bucket (LockSequenceIndex 1..64) and a 4-bit LockSequenceNumber. On an open that is
 * resilient, durable or persistent, a request whose bucket already holds the same number is a replay of one that
 * succeeded: it is answered STATUS_SUCCESS and not performed again. Any other request in a valid bucket empties
 * that bucket first and records its number only when it succeeds. Like Windows (MS-SMB2 <314>) and Samba, plain
 * opens are not verified: this server does not offer multichannel, where the spec asks it for every open.
 * @module
 */
import type { LockSequence } from '../dissect/smb2/commands/lock.js'
import { Dialect } from '../dissect/smb2/constants/dialect.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { ServerOpen } from './open.js'
import { SmbError } from './smb-error.js'
import { DurableKind, type OpenGlobal } from './state/global-tables.js'

/** Open.LockSequenceArray, kept with the global open so a reconnected durable open still has it. */
const buckets = new WeakMap<OpenGlobal, Map<number, number>>()

/** MaxResiliencyTimeout (MS-SMB2 3.3.3): Windows' five minutes. */
export const MAX_RESILIENCY_TIMEOUT_MS = 300_000
/** The timeout used when the client asks for 0 (an implementation-specific default; Windows uses 2 minutes). */
const DEFAULT_RESILIENCY_TIMEOUT_MS = 120_000

function verified(open: ServerOpen, dialect: number): boolean {
  return dialect >= Dialect.Smb210 && open.global.durable !== DurableKind.None
}

/**
 * Checks a LOCK request's sequence. Returns undefined when the request must be processed (call the returned
 * `done` after it succeeded), or 'replay' when it must be answered STATUS_SUCCESS without being performed.
 */
export function checkLockSequence(open: ServerOpen, seq: LockSequence, dialect: number): { replay: true } | { replay: false; done(): void } {
  const index = seq.lockSequenceIndex
  if (!verified(open, dialect) || index < 1 || index > 64) return { replay: false, done: () => undefined }
  let map = buckets.get(open.global)
  if (!map) buckets.set(open.global, (map = new Map()))
  if (map.get(index) === seq.lockSequenceNumber) return { replay: true }
  map.delete(index)
  const bucket = map
  return { replay: false, done: () => bucket.set(index, seq.lockSequenceNumber) }
}

/**
 * FSCTL_LMR_REQUEST_RESILIENCY on an open (MS-SMB2 3.3.5.15.9): SMB 2.1 and later; the timeout (ms, 0 = the
 * default) must not exceed MaxResiliencyTimeout. The open becomes resilient: kept across a disconnect for the
 * timeout (the durable-state layer treats DurableKind.Resilient as durable), and its LOCKs are sequence-verified.
 */
export function requestResiliency(open: ServerOpen, timeoutMs: number, dialect: number): void {
  if (dialect < Dialect.Smb210) throw new SmbError(NtStatus.InvalidDeviceRequest, undefined, 'resiliency needs SMB 2.1')
  if (timeoutMs > MAX_RESILIENCY_TIMEOUT_MS) throw new SmbError(NtStatus.InvalidParameter, undefined, `resiliency timeout ${timeoutMs} ms`)
  const g = open.global
  // A durable or persistent open stays what it is (it is already kept across a disconnect).
  if (g.durable === DurableKind.None || g.durable === DurableKind.Resilient) {
    g.durable = DurableKind.Resilient
    g.durableTimeoutMs = timeoutMs || DEFAULT_RESILIENCY_TIMEOUT_MS
  }
}
