/** MS-SMB2 2.2.14.1 — SMB2_FILEID: the 16-byte handle of an open (persistent and volatile halves). @module */
import { struct, u64, type Infer, type Input } from '../../wire/index.js'

/** MS-SMB2 2.2.14.1 — SMB2_FILEID. */
export const FileId = struct('FileId', {
  persistent: u64,
  volatile: u64,
})
export type FileId = Infer<typeof FileId>
export type FileIdInput = Input<typeof FileId>

/** The FileId of "the open from the previous request" in related compounds (MS-SMB2 3.2.4.1.4): all ones. */
export const RELATED_FILE_ID: FileId = { persistent: 0xffff_ffff_ffff_ffffn, volatile: 0xffff_ffff_ffff_ffffn }

export const isRelatedFileId = (f: FileId): boolean =>
  f.persistent === 0xffff_ffff_ffff_ffffn && f.volatile === 0xffff_ffff_ffff_ffffn

/** `"persistent:volatile"` in hex, as the trace record shows a FileId. */
export const formatFileId = (f: FileId): string =>
  `${f.persistent.toString(16).padStart(16, '0')}:${f.volatile.toString(16).padStart(16, '0')}`
