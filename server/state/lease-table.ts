/**
 * SMB2 leases (MS-SMB2 3.3.1.4 Lease Table, 3.3.4.7 lease break, 3.3.5.9.8/3.3.5.9.11 lease contexts, 3.3.5.22.2
 * lease break acknowledgment; MS-FSA 2.1.5.18 granular oplocks): lease state bits, the rules that do not depend on
 * other opens, and the table of leases keyed by (ClientGuid, LeaseKey). The break machinery that involves other
 * opens lives in file-caching.ts.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import type { Guid } from './global-tables.js'

/** LeaseState bits (MS-SMB2 2.2.13.2.8). */
export const LeaseState = {
  None: 0x00,
  Read: 0x01,
  Handle: 0x02,
  Write: 0x04,
} as const

/** Flags of SMB2_CREATE_RESPONSE_LEASE(_V2) (MS-SMB2 2.2.14.2.10/11). */
export const LeaseFlags = {
  BreakInProgress: 0x02,
  ParentLeaseKeySet: 0x04,
} as const

/** Flags of the Lease Break Notification (MS-SMB2 2.2.23.2). */
export const LeaseBreakFlags = {
  AckRequired: 0x01,
} as const

const R = LeaseState.Read
const H = LeaseState.Handle
const W = LeaseState.Write

/** "RWH"-style name ("" for none), the notation smbtorture uses. */
export function leaseStateName(s: number): string {
  return (s & R ? 'R' : '') + (s & W ? 'W' : '') + (s & H ? 'H' : '')
}

/** Parses "RWH" / "RH" / "" (any order, case-insensitive). */
export function parseLeaseState(s: string): number {
  let v = 0
  for (const c of s.toUpperCase()) {
    if (c === 'R') v |= R
    else if (c === 'W') v |= W
    else if (c === 'H') v |= H
    else throw new Error(`bad lease state letter ${c}`)
  }
  return v
}

/** The legal non-empty combinations are R, RW, RH, RWH (MS-FSA 2.1.5.18). */
export const isLegalLeaseState = (s: number): boolean => s === 0 || (s & R) !== 0

/**
 * What may be granted for a requested state before looking at other opens: anything without R (H, W, HW) is not
 * a legal lease and gets none; directories hold at most RH (MS-SMB2 3.3.5.9.11: Write caching is not granted on
 * directories).
 */
export function normalizeRequestedLeaseState(requested: number, isDirectory: boolean): number {
  let s = requested & (R | W | H)
  if (isDirectory) s &= R | H
  return s & R ? s : LeaseState.None
}

/**
 * A second open with the same lease key upgrades the lease only when it asks for a superset of the current state;
 * otherwise the current state stays (no downgrade, no mixing). smbtorture smb2.lease.upgrade2: held RH + request
 * RW -> RH; held RW + request RH -> RW; held R + request RWH -> RWH.
 */
export function upgradeTarget(current: number, requested: number): number {
  return (requested & current) === current ? requested : current
}

/** A break from Read-only needs no acknowledgment; any break from a state with W or H does (MS-SMB2 3.3.4.7). */
export const leaseBreakNeedsAck = (current: number): boolean => current !== R && current !== 0

export interface Lease {
  clientGuid: Guid
  leaseKey: Guid
  /** The file the lease is bound to (MS-SMB2 3.3.1.13 Lease.FileName; a key names one file). */
  fileKey: string
  version: 1 | 2
  parentLeaseKey: Guid | null
  /** Lease.Epoch (v2): bumped on every state change the server makes. */
  epoch: number
  state: number
  /** Lease.Breaking and Lease.BreakToLeaseState. */
  breaking: boolean
  breakToState: number
  /** A further break that arrived while this one was waiting for its ack; sent after the ack. */
  pendingBreakTo: number | null
  /** Lease.LeaseOpens (persistent ids). */
  opens: Set<bigint>
  isDirectory: boolean
}

export interface LeaseAckVerdict {
  status: NtStatus
  rule: string
}

/** MS-SMB2 3.3.5.22.2 checks of a Lease Break Acknowledgment, in the document's order. */
export function checkLeaseAck(lease: Lease | undefined, ackState: number): LeaseAckVerdict {
  const S = 'MS-SMB2 3.3.5.22.2'
  if (!lease) return { status: NtStatus.ObjectNameNotFound, rule: `${S}: no lease with that key for this ClientGuid` }
  if (!lease.breaking) return { status: NtStatus.Unsuccessful, rule: `${S}: Lease.Breaking is FALSE` }
  if ((ackState & ~lease.breakToState) !== 0) {
    return { status: NtStatus.RequestNotAccepted, rule: `${S}: LeaseState is not a subset of Lease.BreakToLeaseState` }
  }
  return { status: NtStatus.Success, rule: `${S}: acknowledged` }
}

const leaseId = (clientGuid: Guid, leaseKey: Guid) => `${clientGuid.toLowerCase()}/${leaseKey.toLowerCase()}`

/** GlobalLeaseTableList (MS-SMB2 3.3.1.5): leases by (ClientGuid, LeaseKey) and by file. */
export class LeaseTable {
  private readonly byId = new Map<string, Lease>()
  private readonly byFile = new Map<string, Set<Lease>>()
  /** The leases on directories (few; changes inside a directory look them up). */
  readonly directories = new Set<Lease>()

  get(clientGuid: Guid, leaseKey: Guid): Lease | undefined {
    return this.byId.get(leaseId(clientGuid, leaseKey))
  }

  ofFile(fileKey: string): Lease[] {
    return [...(this.byFile.get(fileKey) ?? [])]
  }

  add(lease: Lease): Lease {
    lease.clientGuid = lease.clientGuid.toLowerCase()
    lease.leaseKey = lease.leaseKey.toLowerCase()
    this.byId.set(leaseId(lease.clientGuid, lease.leaseKey), lease)
    let set = this.byFile.get(lease.fileKey)
    if (!set) this.byFile.set(lease.fileKey, (set = new Set()))
    set.add(lease)
    if (lease.isDirectory) this.directories.add(lease)
    return lease
  }

  remove(lease: Lease): void {
    this.directories.delete(lease)
    this.byId.delete(leaseId(lease.clientGuid, lease.leaseKey))
    const set = this.byFile.get(lease.fileKey)
    set?.delete(lease)
    if (set && set.size === 0) this.byFile.delete(lease.fileKey)
  }

  get size(): number {
    return this.byId.size
  }

  static id(lease: Pick<Lease, 'clientGuid' | 'leaseKey'>): string {
    return leaseId(lease.clientGuid, lease.leaseKey)
  }
}
