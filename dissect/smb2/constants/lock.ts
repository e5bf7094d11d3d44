/** MS-SMB2 2.2.26.1 — SMB2_LOCK_ELEMENT flags. @module */
import { flagNamer } from './names.js'

export const LockFlags = {
  SharedLock: 0x0000_0001,
  ExclusiveLock: 0x0000_0002,
  Unlock: 0x0000_0004,
  FailImmediately: 0x0000_0010,
} as const
export const lockFlagNames = flagNamer(LockFlags, { prefix: 'SMB2_LOCKFLAG_' })
