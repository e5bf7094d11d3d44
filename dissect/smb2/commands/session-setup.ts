/**
 * MS-SMB2 2.2.5 / 2.2.6 — SMB2 SESSION_SETUP Request and Response. The security buffer (SPNEGO, NTLMSSP or
 * Kerberos tokens) stays raw bytes here; the auth module decodes it.
 * @module
 */
import { bytes, fixed, lengthOf, offsetOf, struct, u16, u32, u64, u8, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.5 — SMB2 SESSION_SETUP Request. */
export const SessionSetupRequest = struct('SessionSetupRequest', {
  structureSize: fixed(u16, 25),
  flags: u8,
  /** SMB2_NEGOTIATE_SIGNING_ENABLED 0x01, SMB2_NEGOTIATE_SIGNING_REQUIRED 0x02. */
  securityMode: u8,
  capabilities: u32,
  channel: u32,
  securityBufferOffset: offsetOf('securityBuffer', u16),
  securityBufferLength: lengthOf('securityBuffer', u16),
  /** The session this client had before a reconnect (MS-SMB2 3.3.5.5.3); 0 otherwise. */
  previousSessionId: u64,
}, { securityBuffer: bytes })
export type SessionSetupRequest = Infer<typeof SessionSetupRequest>

/**
 * The SESSION_SETUP request of the pre-release SMB2 dialect (0x0006) seen from Windows Vista betas
 * (captures/public/wiki_smb2-prerelease-vista-getinfo-setinfo.cap): StructureSize 17, no PreviousSessionId,
 * so the security buffer starts 16 bytes into the body. Not in MS-SMB2; chosen by StructureSize.
 */
export const SessionSetupRequestPreRelease = struct('SessionSetupRequestPreRelease', {
  structureSize: fixed(u16, 17),
  flags: u8,
  securityMode: u8,
  capabilities: u32,
  channel: u32,
  securityBufferOffset: offsetOf('securityBuffer', u16),
  securityBufferLength: lengthOf('securityBuffer', u16),
}, { securityBuffer: bytes })
export type SessionSetupRequestPreRelease = Infer<typeof SessionSetupRequestPreRelease>

/** MS-SMB2 2.2.6 — SessionFlags of the response (also in constants/flags.ts as SessionFlags). */
export const SessionSetupResponseFlags = {
  IsGuest: 0x0001,
  IsNull: 0x0002,
  EncryptData: 0x0004,
} as const

/** MS-SMB2 2.2.6 — SMB2 SESSION_SETUP Response. */
export const SessionSetupResponse = struct('SessionSetupResponse', {
  structureSize: fixed(u16, 9),
  sessionFlags: u16,
  securityBufferOffset: offsetOf('securityBuffer', u16),
  securityBufferLength: lengthOf('securityBuffer', u16),
}, { securityBuffer: bytes })
export type SessionSetupResponse = Infer<typeof SessionSetupResponse>
