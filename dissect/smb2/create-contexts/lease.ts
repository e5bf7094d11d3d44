/**
 * Lease create contexts, all tagged "RqLs": SMB2_CREATE_REQUEST_LEASE (MS-SMB2 2.2.13.2.8, 32 bytes) and
 * SMB2_CREATE_REQUEST_LEASE_V2 (2.2.13.2.10, 52 bytes), answered by SMB2_CREATE_RESPONSE_LEASE (2.2.14.2.10)
 * and SMB2_CREATE_RESPONSE_LEASE_V2 (2.2.14.2.11) of the same layouts. DataLength tells v1 from v2.
 * @module
 */
import { guid, reserved, struct, u16, u32, u64, type Infer } from '../../wire/index.js'
import { LeaseState } from '../constants/index.js'

/** "RWH" style letters for a lease state (`""` for none). */
export const leaseStateLetters = (s: number): string =>
  (s & LeaseState.ReadCaching ? 'R' : '') + (s & LeaseState.WriteCaching ? 'W' : '') + (s & LeaseState.HandleCaching ? 'H' : '')

/** MS-SMB2 2.2.13.2.8 — SMB2_CREATE_REQUEST_LEASE. */
export const RequestLease = struct('RequestLease', {
  leaseKey: guid,
  leaseState: u32,
  leaseFlags: u32,
  /** MUST be zero. */
  leaseDuration: u64,
})
export type RequestLease = Infer<typeof RequestLease>

/** MS-SMB2 2.2.13.2.10 — SMB2_CREATE_REQUEST_LEASE_V2. */
export const RequestLeaseV2 = struct('RequestLeaseV2', {
  leaseKey: guid,
  leaseState: u32,
  flags: u32,
  leaseDuration: u64,
  parentLeaseKey: guid,
  epoch: u16,
  reserved: reserved(u16),
})
export type RequestLeaseV2 = Infer<typeof RequestLeaseV2>

/** MS-SMB2 2.2.14.2.10 — SMB2_CREATE_RESPONSE_LEASE. */
export const ResponseLease = struct('ResponseLease', {
  leaseKey: guid,
  leaseState: u32,
  leaseFlags: u32,
  leaseDuration: u64,
})
export type ResponseLease = Infer<typeof ResponseLease>

/** MS-SMB2 2.2.14.2.11 — SMB2_CREATE_RESPONSE_LEASE_V2. */
export const ResponseLeaseV2 = struct('ResponseLeaseV2', {
  leaseKey: guid,
  leaseState: u32,
  flags: u32,
  leaseDuration: u64,
  parentLeaseKey: guid,
  epoch: u16,
  reserved: reserved(u16),
})
export type ResponseLeaseV2 = Infer<typeof ResponseLeaseV2>
