/** MS-SMB2 2.2.11 / 2.2.12 — SMB2 TREE_DISCONNECT Request and Response. @module */
import { fixed, reserved, struct, u16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.11 — SMB2 TREE_DISCONNECT Request. */
export const TreeDisconnectRequest = struct('TreeDisconnectRequest', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type TreeDisconnectRequest = Infer<typeof TreeDisconnectRequest>

/** MS-SMB2 2.2.12 — SMB2 TREE_DISCONNECT Response. */
export const TreeDisconnectResponse = struct('TreeDisconnectResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type TreeDisconnectResponse = Infer<typeof TreeDisconnectResponse>
