/**
 * Server-side copy (MS-SMB2 2.2.31.1 / 2.2.32.1 / 2.2.32.3): FSCTL_SRV_REQUEST_RESUME_KEY returns a key for
 * the source open; FSCTL_SRV_COPYCHUNK(_WRITE) sends it with the chunks to copy; the response counts what
 * was written (or, with STATUS_INVALID_PARAMETER, the server's limits in the same three fields).
 * @module
 */
import { arrayOf, bytes, bytesN, countOf, i64, lengthOf, reserved, struct, u32, u64, type Infer, type Input } from '../../wire/index.js'

/** MS-SMB2 2.2.32.3 — SRV_REQUEST_RESUME_KEY response: a 24-byte opaque key and an optional context. */
export const SrvRequestResumeKeyResponse = struct('SrvRequestResumeKeyResponse', {
  resumeKey: bytesN(24),
  contextLength: lengthOf('context', u32),
}, { context: bytes })
export type SrvRequestResumeKeyResponse = Infer<typeof SrvRequestResumeKeyResponse>

/** MS-SMB2 2.2.31.1.1 — SRV_COPYCHUNK: one range to copy. */
export const SrvCopychunk = struct('SrvCopychunk', {
  sourceOffset: u64,
  targetOffset: u64,
  length: u32,
  reserved: reserved(u32),
})
export type SrvCopychunk = Infer<typeof SrvCopychunk>

/** MS-SMB2 2.2.31.1 — SRV_COPYCHUNK_COPY (the FSCTL_SRV_COPYCHUNK / _WRITE request). */
export const SrvCopychunkCopy = struct('SrvCopychunkCopy', {
  sourceKey: bytesN(24),
  chunkCount: countOf('chunks', u32),
  reserved: reserved(u32),
}, { chunks: arrayOf(SrvCopychunk) })
export type SrvCopychunkCopy = Infer<typeof SrvCopychunkCopy>
export type SrvCopychunkCopyInput = Input<typeof SrvCopychunkCopy>

/** MS-SMB2 2.2.32.1 — SRV_COPYCHUNK_RESPONSE. */
export const SrvCopychunkResponse = struct('SrvCopychunkResponse', {
  chunksWritten: u32,
  chunkBytesWritten: u32,
  totalBytesWritten: u32,
})
export type SrvCopychunkResponse = Infer<typeof SrvCopychunkResponse>

/** MS-SMB2 2.2.31.2 — SRV_READ_HASH request (FSCTL_SRV_READ_HASH, BranchCache); the response stays raw. */
export const SrvReadHashRequest = struct('SrvReadHashRequest', {
  hashType: u32,
  hashVersion: u32,
  hashRetrievalType: u32,
  length: u32,
  offset: i64,
})
export type SrvReadHashRequest = Infer<typeof SrvReadHashRequest>
