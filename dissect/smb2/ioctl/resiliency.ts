/** MS-SMB2 2.2.31.3 — NETWORK_RESILIENCY_REQUEST (FSCTL_LMR_REQUEST_RESILIENCY; the response is empty). @module */
import { reserved, struct, u32, type Infer } from '../../wire/index.js'

export const NetworkResiliencyRequest = struct('NetworkResiliencyRequest', {
  /** Requested resiliency timeout in milliseconds. */
  timeout: u32,
  reserved: reserved(u32),
})
export type NetworkResiliencyRequest = Infer<typeof NetworkResiliencyRequest>
