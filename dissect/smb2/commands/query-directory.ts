/** MS-SMB2 2.2.33 / 2.2.34 — SMB2 QUERY_DIRECTORY Request and Response (output buffer raw). @module */
import { bytes, fixed, lengthOf, offsetOf, struct, u16, u32, u8, utf16, type Infer } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.33 — SMB2 QUERY_DIRECTORY Request. FileName is the search pattern (UTF-16, may hold wildcards). */
export const QueryDirectoryRequest = struct('QueryDirectoryRequest', {
  structureSize: fixed(u16, 33),
  fileInformationClass: u8,
  flags: u8,
  fileIndex: u32,
  fileId: FileId,
  fileNameOffset: offsetOf('fileName', u16),
  fileNameLength: lengthOf('fileName', u16),
  outputBufferLength: u32,
}, { fileName: utf16 })
export type QueryDirectoryRequest = Infer<typeof QueryDirectoryRequest>

/** MS-SMB2 2.2.34 — SMB2 QUERY_DIRECTORY Response. The buffer holds FILE_xxx_INFORMATION entries (MS-FSCC 2.4). */
export const QueryDirectoryResponse = struct('QueryDirectoryResponse', {
  structureSize: fixed(u16, 9),
  outputBufferOffset: offsetOf('outputBuffer', u16),
  outputBufferLength: lengthOf('outputBuffer', u32),
}, { outputBuffer: bytes })
export type QueryDirectoryResponse = Infer<typeof QueryDirectoryResponse>
