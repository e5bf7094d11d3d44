/** The application instance contexts (GUID names): MS-SMB2 2.2.13.2.13 and 2.2.13.2.15. @module */
import { fixed, guid, reserved, struct, u16, u32, u64, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.13.2.13 — SMB2_CREATE_APP_INSTANCE_ID. */
export const AppInstanceId = struct('AppInstanceId', {
  structureSize: fixed(u16, 20),
  reserved: reserved(u16),
  appInstanceId: guid,
})
export type AppInstanceId = Infer<typeof AppInstanceId>

/** MS-SMB2 2.2.13.2.15 — SMB2_CREATE_APP_INSTANCE_VERSION. */
export const AppInstanceVersion = struct('AppInstanceVersion', {
  structureSize: fixed(u16, 24),
  reserved: reserved(u16),
  padding: reserved(u32),
  appInstanceVersionHigh: u64,
  appInstanceVersionLow: u64,
})
export type AppInstanceVersion = Infer<typeof AppInstanceVersion>
