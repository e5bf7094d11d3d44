/**
 * MS-SMB2 2.2.31 / 2.2.32 — SMB2 IOCTL Request and Response. The input and output buffers stay raw
 * `Buffer`s (views of the message); decoding them by CtlCode is the ioctl module's job.
 * @module
 */
import { bytes, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, type Infer, type Input } from '../../wire/index.js'
import { FileId } from './file-id.js'

/** MS-SMB2 2.2.31 — IOCTL Flags. */
export const IoctlFlags = {
  /** SMB2_0_IOCTL_IS_FSCTL: the request is an FSCTL (the only kind MS-SMB2 carries). */
  IsFsctl: 0x0000_0001,
} as const

/** MS-SMB2 2.2.31 — SMB2 IOCTL Request. */
export const IoctlRequest = struct('IoctlRequest', {
  structureSize: fixed(u16, 57),
  reserved: reserved(u16),
  ctlCode: u32,
  fileId: FileId,
  inputOffset: offsetOf('input', u32),
  inputCount: lengthOf('input', u32),
  maxInputResponse: u32,
  outputOffset: offsetOf('output', u32),
  outputCount: lengthOf('output', u32),
  maxOutputResponse: u32,
  flags: u32,
  reserved2: reserved(u32),
}, { input: bytes, output: bytes })
export type IoctlRequest = Infer<typeof IoctlRequest>
export type IoctlRequestInput = Input<typeof IoctlRequest>

/** MS-SMB2 2.2.32 — SMB2 IOCTL Response. */
export const IoctlResponse = struct('IoctlResponse', {
  structureSize: fixed(u16, 49),
  reserved: reserved(u16),
  ctlCode: u32,
  fileId: FileId,
  inputOffset: offsetOf('input', u32),
  inputCount: lengthOf('input', u32),
  outputOffset: offsetOf('output', u32),
  outputCount: lengthOf('output', u32),
  flags: u32,
  reserved2: reserved(u32),
}, { input: bytes, output: bytes })
export type IoctlResponse = Infer<typeof IoctlResponse>
export type IoctlResponseInput = Input<typeof IoctlResponse>
