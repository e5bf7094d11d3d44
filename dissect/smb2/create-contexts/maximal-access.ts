/** "MxAc": MS-SMB2 2.2.13.2.5 (request, optional timestamp) and 2.2.14.2.5 (response). @module */
import { custom, struct, u32, type Infer } from '../../wire/index.js'

/**
 * MS-SMB2 2.2.13.2.5 — SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST: empty, or a FILETIME (8 bytes) that the
 * file must not have been modified after.
 */
export interface QueryMaximalAccessRequest {
  timestamp?: bigint
}
export const QueryMaximalAccessRequest = custom<QueryMaximalAccessRequest>(
  'QueryMaximalAccessRequest',
  (r) => (r.remaining === 0 ? {} : { timestamp: r.field('timestamp', () => r.u64()) }),
  (w, v) => {
    if (v.timestamp !== undefined) w.u64(v.timestamp)
  },
)

/** MS-SMB2 2.2.14.2.5 — SMB2_CREATE_QUERY_MAXIMAL_ACCESS_RESPONSE. */
export const QueryMaximalAccessResponse = struct('QueryMaximalAccessResponse', {
  /** NTSTATUS of the maximal-access query. */
  queryStatus: u32,
  /** ACCESS_MASK; valid only when QueryStatus is STATUS_SUCCESS. */
  maximalAccess: u32,
})
export type QueryMaximalAccessResponse = Infer<typeof QueryMaximalAccessResponse>
