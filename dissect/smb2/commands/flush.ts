/** MS-SMB2 2.2.17 / 2.2.18 — SMB2 FLUSH Request and Response. @module */
import { fixed, reserved, struct, u16, u32, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.17 — SMB2 FLUSH Request. */
export const FlushRequest = struct('FlushRequest', {
  structureSize: fixed(u16, 24),
  reserved1: reserved(u16),
  reserved2: reserved(u32),
  fileId: FileId,
})
export type FlushRequest = Infer<typeof FlushRequest>

/** MS-SMB2 2.2.18 — SMB2 FLUSH Response. */
export const FlushResponse = struct('FlushResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type FlushResponse = Infer<typeof FlushResponse>
