/**
 * MS-SMB2 2.2.3.1 — the NEGOTIATE context types and the list codec used by NEGOTIATE requests and responses.
 * @module
 */
import { typedContextList, type TypedContext, type TypedContextDef, type TypedContextInput } from './typed-context-list.js'
import { PreauthIntegrityCapabilities } from './preauth-integrity.js'
import { EncryptionCapabilities } from './encryption.js'
import { CompressionCapabilities } from './compression.js'
import { NetnameNegotiateContext } from './netname.js'
import { TransportCapabilities } from './transport.js'
import { RdmaTransformCapabilities } from './rdma-transform.js'
import { SigningCapabilities } from './signing.js'
import { PosixExtensionsNegotiateContext } from './posix.js'

/** MS-SMB2 2.2.3.1 — ContextType values. */
export const NegotiateContextType = {
  PreauthIntegrityCapabilities: 0x0001,
  EncryptionCapabilities: 0x0002,
  CompressionCapabilities: 0x0003,
  NetnameNegotiateContextId: 0x0005,
  TransportCapabilities: 0x0006,
  RdmaTransformCapabilities: 0x0007,
  SigningCapabilities: 0x0008,
  /** SMB2_CONTEXTTYPE_RESERVED in MS-SMB2; Samba's SMB3 POSIX extensions use it. */
  PosixExtensionsAvailable: 0x0100,
} as const

export const NEGOTIATE_CONTEXTS: readonly TypedContextDef[] = [
  { type: 0x0001, name: 'SMB2_PREAUTH_INTEGRITY_CAPABILITIES', spec: '2.2.3.1.1', codec: PreauthIntegrityCapabilities },
  { type: 0x0002, name: 'SMB2_ENCRYPTION_CAPABILITIES', spec: '2.2.3.1.2', codec: EncryptionCapabilities },
  { type: 0x0003, name: 'SMB2_COMPRESSION_CAPABILITIES', spec: '2.2.3.1.3', codec: CompressionCapabilities },
  { type: 0x0005, name: 'SMB2_NETNAME_NEGOTIATE_CONTEXT_ID', spec: '2.2.3.1.4', codec: NetnameNegotiateContext },
  { type: 0x0006, name: 'SMB2_TRANSPORT_CAPABILITIES', spec: '2.2.3.1.5', codec: TransportCapabilities },
  { type: 0x0007, name: 'SMB2_RDMA_TRANSFORM_CAPABILITIES', spec: '2.2.3.1.6', codec: RdmaTransformCapabilities },
  { type: 0x0008, name: 'SMB2_SIGNING_CAPABILITIES', spec: '2.2.3.1.7', codec: SigningCapabilities },
  { type: 0x0100, name: 'SMB2_POSIX_EXTENSIONS_AVAILABLE', spec: 'SMB3 POSIX extensions', codec: PosixExtensionsNegotiateContext },
]

const NAMES = new Map(NEGOTIATE_CONTEXTS.map((d) => [d.type, d.name]))
export const negotiateContextTypeName = (t: number): string => NAMES.get(t) ?? `UNKNOWN_0x${t.toString(16).padStart(4, '0')}`

/** MS-SMB2 2.2.3.1 — a NEGOTIATE_CONTEXT list (8-byte aligned entries). */
export const NegotiateContextList = typedContextList('NegotiateContextList', NEGOTIATE_CONTEXTS)
export type NegotiateContext = TypedContext
export type NegotiateContextInput = TypedContextInput
