/**
 * SMB2 oplocks (MS-SMB2 2.2.13 RequestedOplockLevel, 3.3.4.6 oplock break, 3.3.5.22.1 oplock break
 * acknowledgment; MS-FSA 2.1.5.18 Server Requests an Oplock): levels and the rules that look at one open only.
 * Breaks that involve other opens (and leases) are driven by file-caching.ts.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'

/** SMB2 oplock levels (MS-SMB2 2.2.13); Lease marks an open whose caching is a lease. */
export const OplockLevel = {
  None: 0x00,
  II: 0x01,
  Exclusive: 0x08,
  Batch: 0x09,
  Lease: 0xff,
} as const
export type OplockLevel = (typeof OplockLevel)[keyof typeof OplockLevel]

export function oplockLevelName(l: number): string {
  switch (l) {
    case OplockLevel.None:
      return 'NONE'
    case OplockLevel.II:
      return 'II'
    case OplockLevel.Exclusive:
      return 'EXCLUSIVE'
    case OplockLevel.Batch:
      return 'BATCH'
    case OplockLevel.Lease:
      return 'LEASE'
    default:
      return `0x${l.toString(16)}`
  }
}

export const isExclusiveOplock = (l: number): boolean => l === OplockLevel.Exclusive || l === OplockLevel.Batch

/** Open.OplockState (MS-SMB2 3.3.1.10). */
export type OplockState = 'none' | 'held' | 'breaking'

export interface OplockAckInput {
  /** Open.OplockLevel and Open.OplockState of the acknowledged open. */
  level: number
  state: OplockState
  /** The level the break notification announced. */
  breakTo: number
}

export interface OplockAckVerdict {
  status: NtStatus
  rule: string
  /** The level the open holds afterwards (also the OplockLevel of a successful response). */
  newLevel: number
  /** Whether the pending break is finished by this acknowledgment (success or failure). */
  completesBreak: boolean
}

export interface OplockAckOptions {
  /**
   * Status for an acknowledgment when no break is pending. MS-SMB2 3.3.5.22.1 (current text) says
   * STATUS_INVALID_DEVICE_STATE; smbtorture smb2.oplock.levelii500 (acknowledging a II -> none break, which needs
   * no acknowledgment) expects STATUS_INVALID_OPLOCK_PROTOCOL, as Samba and older Windows answer. Default: the
   * latter, for interop with the torture suite.
   */
  noBreakStatus: NtStatus
}

export const DEFAULT_OPLOCK_ACK_OPTIONS: OplockAckOptions = { noBreakStatus: NtStatus.InvalidOplockProtocol }

/** MS-SMB2 3.3.5.22.1, after the open was found (a missing open is STATUS_FILE_CLOSED, checked by the caller). */
export function checkOplockAck(
  o: OplockAckInput,
  ackLevel: number,
  opts: OplockAckOptions = DEFAULT_OPLOCK_ACK_OPTIONS,
): OplockAckVerdict {
  const S = 'MS-SMB2 3.3.5.22.1'
  if (o.state !== 'breaking') {
    return { status: opts.noBreakStatus, rule: `${S}: Open.OplockState is not Breaking`, newLevel: o.level, completesBreak: false }
  }
  if (ackLevel === OplockLevel.Lease) {
    return { status: NtStatus.InvalidParameter, rule: `${S}: acknowledged with SMB2_OPLOCK_LEVEL_LEASE`, newLevel: OplockLevel.None, completesBreak: true }
  }
  if (isExclusiveOplock(o.level) && ackLevel !== OplockLevel.II && ackLevel !== OplockLevel.None) {
    return {
      status: NtStatus.InvalidOplockProtocol,
      rule: `${S}: exclusive/batch acknowledged with a level other than II or NONE`,
      newLevel: OplockLevel.None,
      completesBreak: true,
    }
  }
  if (o.level === OplockLevel.II && ackLevel !== OplockLevel.None) {
    return { status: NtStatus.InvalidOplockProtocol, rule: `${S}: level II acknowledged with a level other than NONE`, newLevel: OplockLevel.None, completesBreak: true }
  }
  // Acknowledging a break to NONE with II keeps NONE (the client cannot take more than was offered; Samba does
  // the same: a BREAK_TO_NONE_SENT open ends at none whatever the ack says).
  const newLevel = Math.min(ackLevel, o.breakTo)
  return { status: NtStatus.Success, rule: `${S}: acknowledged`, newLevel, completesBreak: true }
}
