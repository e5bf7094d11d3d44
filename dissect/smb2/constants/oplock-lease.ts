/**
 * MS-SMB2 2.2.13 (RequestedOplockLevel), 2.2.13.2.8 / 2.2.13.2.10 (lease state and flags) and 2.2.23.2
 * (lease break notification flags).
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

export const OplockLevel = {
  None: 0x00,
  II: 0x01,
  Exclusive: 0x08,
  Batch: 0x09,
  Lease: 0xff,
} as const
export type OplockLevel = (typeof OplockLevel)[keyof typeof OplockLevel]
/** `SMB2_OPLOCK_LEVEL_BATCH`. */
export const oplockLevelName = valueNamer(OplockLevel, { prefix: 'SMB2_OPLOCK_LEVEL_' }, 2)

/** LeaseState bits (SMB2_LEASE_NONE is 0). */
export const LeaseState = {
  None: 0x00,
  ReadCaching: 0x01,
  HandleCaching: 0x02,
  WriteCaching: 0x04,
} as const
export const leaseStateNames = flagNamer(LeaseState, { prefix: 'SMB2_LEASE_' })
/** The short form tools print: `RWH`, `RH`, `R`, or `NONE`. */
export function leaseStateShort(state: number): string {
  const s = (state & 1 ? 'R' : '') + (state & 4 ? 'W' : '') + (state & 2 ? 'H' : '')
  const rest = state & ~7
  return (s || 'NONE') + (rest ? `+0x${rest.toString(16)}` : '')
}

/** Flags of SMB2_CREATE_REQUEST_LEASE(_V2) and its response. */
export const LeaseFlags = {
  BreakInProgress: 0x02,
  ParentLeaseKeySet: 0x04,
} as const
export const leaseFlagNames = flagNamer(LeaseFlags, { prefix: 'SMB2_LEASE_FLAG_' })

/** Flags of the Lease Break Notification (MS-SMB2 2.2.23.2). */
export const LeaseBreakFlags = {
  AckRequired: 0x01,
} as const
export const leaseBreakFlagNames = flagNamer(LeaseBreakFlags, { prefix: 'SMB2_NOTIFY_BREAK_LEASE_FLAG_' })
