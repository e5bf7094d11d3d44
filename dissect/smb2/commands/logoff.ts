/** MS-SMB2 2.2.7 / 2.2.8 — SMB2 LOGOFF Request and Response. @module */
import { fixed, reserved, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.7 — SMB2 LOGOFF Request. */
export const LogoffRequest = struct('LogoffRequest', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type LogoffRequest = Infer<typeof LogoffRequest>

/** MS-SMB2 2.2.8 — SMB2 LOGOFF Response. */
export const LogoffResponse = struct('LogoffResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type LogoffResponse = Infer<typeof LogoffResponse>
