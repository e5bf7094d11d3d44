/** MS-SMB2 2.2.3.1.5 — SMB2_TRANSPORT_CAPABILITIES (negotiate context 0x0006). @module */
import { struct, u32, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.5 — Flags. */
export const TransportCapabilitiesFlags = {
  /** SMB2_ACCEPT_TRANSPORT_LEVEL_SECURITY: the transport (e.g. QUIC) already provides security. */
  AcceptTransportLevelSecurity: 0x0000_0001,
} as const

/** MS-SMB2 2.2.3.1.5 — SMB2_TRANSPORT_CAPABILITIES. */
export const TransportCapabilities = struct('TransportCapabilities', {
  flags: u32,
})
export type TransportCapabilities = Infer<typeof TransportCapabilities>
