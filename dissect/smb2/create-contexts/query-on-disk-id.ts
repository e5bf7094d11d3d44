/** "QFid": MS-SMB2 2.2.13.2.9 (request, no data) and 2.2.14.2.9 (response, 32 bytes). @module */
import { bytesN, custom, struct, u64, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.13.2.9 — SMB2_CREATE_QUERY_ON_DISK_ID request: no data. */
export const QueryOnDiskIdRequest = custom<Record<string, never>>('QueryOnDiskIdRequest', () => ({}), () => {}, 0)
export type QueryOnDiskIdRequest = Record<string, never>

/** MS-SMB2 2.2.14.2.9 — SMB2_CREATE_QUERY_ON_DISK_ID response. */
export const QueryOnDiskIdResponse = struct('QueryOnDiskIdResponse', {
  diskFileId: u64,
  volumeId: u64,
  /** 16 bytes, MUST be zero. */
  reserved: bytesN(16),
})
export type QueryOnDiskIdResponse = Infer<typeof QueryOnDiskIdResponse>
