/** MS-SMB2 2.2.3.1.4 — SMB2_NETNAME_NEGOTIATE_CONTEXT_ID (negotiate context 0x0005). @module */
import { struct, utf16, type Infer } from '../../wire/index.js'

/** MS-SMB2 2.2.3.1.4 — the server name the client connects to, UTF-16 filling DataLength (no terminator). */
export const NetnameNegotiateContext = struct('NetnameNegotiateContext', {}, { netName: utf16 })
export type NetnameNegotiateContext = Infer<typeof NetnameNegotiateContext>
