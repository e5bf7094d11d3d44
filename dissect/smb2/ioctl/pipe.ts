/**
 * Named pipe FSCTLs: FSCTL_PIPE_WAIT request (MS-FSCC 2.3, FSCTL_PIPE_WAIT_REQUEST) and FSCTL_PIPE_PEEK
 * response (MS-FSCC 2.3, FSCTL_PIPE_PEEK_REPLY). FSCTL_PIPE_TRANSCEIVE carries DCE/RPC both ways and is
 * kept raw.
 * @module
 */
import { bytes, i64, lengthOf, struct, u32, u8, utf16, type Infer, type Input } from '../../wire/index.js'

/** FSCTL_PIPE_WAIT_REQUEST: wait for an instance of the named pipe `name` (relative to \\server\IPC$). */
export const PipeWaitRequest = struct('PipeWaitRequest', {
  /** 100-ns units, negative for relative (used when timeoutSpecified is 1). */
  timeout: i64,
  nameLength: lengthOf('name', u32),
  timeoutSpecified: u8,
  padding: u8,
}, { name: utf16 })
export type PipeWaitRequest = Infer<typeof PipeWaitRequest>
export type PipeWaitRequestInput = Input<typeof PipeWaitRequest>

/** FSCTL_PIPE_PEEK_REPLY: the pipe state and the bytes that a read would return (Data, possibly empty). */
export const PipePeekReply = struct('PipePeekReply', {
  namedPipeState: u32,
  readDataAvailable: u32,
  numberOfMessages: u32,
  messageLength: u32,
}, { data: bytes })
export type PipePeekReply = Infer<typeof PipePeekReply>
