/**
 * The SMB3 POSIX create context (name 93AD2550-9CB4-11E7-B423-83DE968BCD7C), from Samba's SMB3 POSIX
 * extensions, not MS-SMB2. Request: the POSIX mode for a new file. Response: link count, reparse tag, POSIX
 * mode, then the owner and group SIDs (kept raw here; the security module decodes SIDs).
 * @module
 */
import { bytes, struct, u32, type Infer } from '../../wire/index.js'

/** SMB3 POSIX extensions — create context request data. */
export const PosixCreateRequest = struct('PosixCreateRequest', {
  mode: u32,
})
export type PosixCreateRequest = Infer<typeof PosixCreateRequest>

/** SMB3 POSIX extensions — create context response data. */
export const PosixCreateResponse = struct('PosixCreateResponse', {
  nlinks: u32,
  reparseTag: u32,
  posixPerms: u32,
}, { ownerAndGroupSids: bytes })
export type PosixCreateResponse = Infer<typeof PosixCreateResponse>
