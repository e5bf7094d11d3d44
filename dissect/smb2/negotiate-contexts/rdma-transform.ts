/** MS-SMB2 2.2.3.1.6 — SMB2_RDMA_TRANSFORM_CAPABILITIES (negotiate context 0x0007). @module */
import { arrayOf, countOf, reserved, struct, u16, u32, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.6 — RDMATransformIds. */
export const RdmaTransformId = {
  None: 0x0000,
  Encryption: 0x0001,
  Signing: 0x0002,
} as const

const NAMES = ['SMB2_RDMA_TRANSFORM_NONE', 'SMB2_RDMA_TRANSFORM_ENCRYPTION', 'SMB2_RDMA_TRANSFORM_SIGNING']
export const rdmaTransformName = (t: number): string => NAMES[t] ?? `0x${t.toString(16).padStart(4, '0')}`

/** MS-SMB2 2.2.3.1.6 — SMB2_RDMA_TRANSFORM_CAPABILITIES. */
export const RdmaTransformCapabilities = struct('RdmaTransformCapabilities', {
  transformCount: countOf('rdmaTransformIds', u16),
  reserved1: reserved(u16),
  reserved2: reserved(u32),
}, { rdmaTransformIds: arrayOf(u16) })
export type RdmaTransformCapabilities = Infer<typeof RdmaTransformCapabilities>
