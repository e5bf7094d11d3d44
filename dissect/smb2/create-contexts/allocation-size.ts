/** "AlSi": MS-SMB2 2.2.13.2.6 — SMB2_CREATE_ALLOCATION_SIZE. @module */
import { struct, u64, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.13.2.6 — SMB2_CREATE_ALLOCATION_SIZE. */
export const AllocationSize = struct('AllocationSize', {
  allocationSize: u64,
})
export type AllocationSize = Infer<typeof AllocationSize>
