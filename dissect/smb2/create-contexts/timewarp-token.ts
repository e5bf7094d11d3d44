/** "TWrp": MS-SMB2 2.2.13.2.7 — SMB2_CREATE_TIMEWARP_TOKEN (open a previous version). @module */
import { filetime, struct, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.13.2.7 — SMB2_CREATE_TIMEWARP_TOKEN. */
export const TimewarpToken = struct('TimewarpToken', {
  timestamp: filetime,
})
export type TimewarpToken = Infer<typeof TimewarpToken>
