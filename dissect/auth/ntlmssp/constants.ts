/**
 * MS-NLMP 2.2 constants: message types, NegotiateFlags (2.2.2.5) and AV_PAIR ids (2.2.2.1), with the names
 * traces show.
 * @module
 */

/** MS-NLMP 2.2.1 — the 8-byte signature every NTLMSSP message starts with ("NTLMSSP\0"). */
export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1')

/** MS-NLMP 2.2 — MessageType. */
export const NtlmMessageType = {
  Negotiate: 1,
  Challenge: 2,
  Authenticate: 3,
} as const
export type NtlmMessageType = (typeof NtlmMessageType)[keyof typeof NtlmMessageType]

export const NTLM_MESSAGE_TYPE_NAMES: Record<number, string> = {
  1: 'NEGOTIATE',
  2: 'CHALLENGE',
  3: 'AUTHENTICATE',
}

/** MS-NLMP 2.2.2.5 — NEGOTIATE flags (bit values). */
export const NegotiateFlags = {
  Unicode: 0x0000_0001,
  Oem: 0x0000_0002,
  RequestTarget: 0x0000_0004,
  Sign: 0x0000_0010,
  Seal: 0x0000_0020,
  Datagram: 0x0000_0040,
  LmKey: 0x0000_0080,
  Ntlm: 0x0000_0200,
  Anonymous: 0x0000_0800,
  OemDomainSupplied: 0x0000_1000,
  OemWorkstationSupplied: 0x0000_2000,
  AlwaysSign: 0x0000_8000,
  TargetTypeDomain: 0x0001_0000,
  TargetTypeServer: 0x0002_0000,
  ExtendedSessionSecurity: 0x0008_0000,
  Identify: 0x0010_0000,
  RequestNonNtSessionKey: 0x0040_0000,
  TargetInfo: 0x0080_0000,
  Version: 0x0200_0000,
  Negotiate128: 0x2000_0000,
  KeyExch: 0x4000_0000,
  Negotiate56: 0x8000_0000,
} as const

/** The MS-NLMP names of the flags, in bit order. */
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NegotiateFlags.Unicode, 'NTLMSSP_NEGOTIATE_UNICODE'],
  [NegotiateFlags.Oem, 'NTLM_NEGOTIATE_OEM'],
  [NegotiateFlags.RequestTarget, 'NTLMSSP_REQUEST_TARGET'],
  [NegotiateFlags.Sign, 'NTLMSSP_NEGOTIATE_SIGN'],
  [NegotiateFlags.Seal, 'NTLMSSP_NEGOTIATE_SEAL'],
  [NegotiateFlags.Datagram, 'NTLMSSP_NEGOTIATE_DATAGRAM'],
  [NegotiateFlags.LmKey, 'NTLMSSP_NEGOTIATE_LM_KEY'],
  [NegotiateFlags.Ntlm, 'NTLMSSP_NEGOTIATE_NTLM'],
  [NegotiateFlags.Anonymous, 'NTLMSSP_ANONYMOUS'],
  [NegotiateFlags.OemDomainSupplied, 'NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED'],
  [NegotiateFlags.OemWorkstationSupplied, 'NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED'],
  [NegotiateFlags.AlwaysSign, 'NTLMSSP_NEGOTIATE_ALWAYS_SIGN'],
  [NegotiateFlags.TargetTypeDomain, 'NTLMSSP_TARGET_TYPE_DOMAIN'],
  [NegotiateFlags.TargetTypeServer, 'NTLMSSP_TARGET_TYPE_SERVER'],
  [NegotiateFlags.ExtendedSessionSecurity, 'NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY'],
  [NegotiateFlags.Identify, 'NTLMSSP_NEGOTIATE_IDENTIFY'],
  [NegotiateFlags.RequestNonNtSessionKey, 'NTLMSSP_REQUEST_NON_NT_SESSION_KEY'],
  [NegotiateFlags.TargetInfo, 'NTLMSSP_NEGOTIATE_TARGET_INFO'],
  [NegotiateFlags.Version, 'NTLMSSP_NEGOTIATE_VERSION'],
  [NegotiateFlags.Negotiate128, 'NTLMSSP_NEGOTIATE_128'],
  [NegotiateFlags.KeyExch, 'NTLMSSP_NEGOTIATE_KEY_EXCH'],
  [NegotiateFlags.Negotiate56, 'NTLMSSP_NEGOTIATE_56'],
]

/** Names of the set flags; reserved bits show as hex. */
export function negotiateFlagNames(flags: number): string[] {
  const out: string[] = []
  let known = 0
  for (const [bit, name] of FLAG_NAMES) {
    known |= bit
    if (flags & bit) out.push(name)
  }
  const unknown = (flags & ~known) >>> 0
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i
    if (unknown & bit) out.push(`0x${bit.toString(16).padStart(8, '0')}`)
  }
  return out
}

/** MS-NLMP 2.2.2.1 — AvId values of AV_PAIR. */
export const AvId = {
  MsvAvEOL: 0x0000,
  MsvAvNbComputerName: 0x0001,
  MsvAvNbDomainName: 0x0002,
  MsvAvDnsComputerName: 0x0003,
  MsvAvDnsDomainName: 0x0004,
  MsvAvDnsTreeName: 0x0005,
  MsvAvFlags: 0x0006,
  MsvAvTimestamp: 0x0007,
  MsvAvSingleHost: 0x0008,
  MsvAvTargetName: 0x0009,
  MsvAvChannelBindings: 0x000a,
} as const

export const AV_ID_NAMES: Record<number, string> = Object.fromEntries(Object.entries(AvId).map(([k, v]) => [v, k]))

/** MS-NLMP 2.2.2.1 — bits of the MsvAvFlags value. */
export const MsvAvFlags = {
  /** The account authentication is constrained. */
  Constrained: 0x0000_0001,
  /** The client provides message integrity in the MIC field of the AUTHENTICATE_MESSAGE. */
  MicPresent: 0x0000_0002,
  /** The client provides a target SPN generated from an untrusted source. */
  UntrustedSpn: 0x0000_0004,
} as const

/** MS-NLMP 2.2.2.10 — NTLMRevisionCurrent of VERSION. */
export const NTLMSSP_REVISION_W2K3 = 0x0f
