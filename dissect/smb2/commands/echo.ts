/** MS-SMB2 2.2.28 / 2.2.29 — SMB2 ECHO Request and Response. @module */
import { fixed, reserved, struct, u16, type Infer, type Input } from '../../wire/index.js'

export const EchoRequest = struct('EchoRequest', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type EchoRequest = Infer<typeof EchoRequest>

export const EchoResponse = struct('EchoResponse', {
  structureSize: fixed(u16, 4),
  reserved: reserved(u16),
})
export type EchoResponse = Infer<typeof EchoResponse>
export type EchoResponseInput = Input<typeof EchoResponse>
