/** MS-SMB2 2.2.15 / 2.2.16 — SMB2 CLOSE Request and Response. @module */
import { filetime, fixed, reserved, struct, u16, u32, u64, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.15 — SMB2 CLOSE Request. */
export const CloseRequest = struct('CloseRequest', {
  structureSize: fixed(u16, 24),
  flags: u16,
  reserved: reserved(u32),
  fileId: FileId,
})
export type CloseRequest = Infer<typeof CloseRequest>

/**
 * MS-SMB2 2.2.16 — SMB2 CLOSE Response. The times, sizes and attributes are meaningful only when the
 * response Flags has SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB (otherwise the server sets them to zero); they are
 * always on the wire and always decoded.
 */
export const CloseResponse = struct('CloseResponse', {
  structureSize: fixed(u16, 60),
  flags: u16,
  reserved: reserved(u32),
  creationTime: filetime,
  lastAccessTime: filetime,
  lastWriteTime: filetime,
  changeTime: filetime,
  allocationSize: u64,
  endOfFile: u64,
  fileAttributes: u32,
})
export type CloseResponse = Infer<typeof CloseResponse>
