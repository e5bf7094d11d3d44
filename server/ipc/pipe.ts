/**
 * Named pipes on IPC$ (MS-SMB2 3.3.5.9 for CREATE on a pipe share, 3.3.5.12/3.3.5.13 READ/WRITE, 3.3.5.15.x
 * FSCTL_PIPE_TRANSCEIVE): a message-mode pipe whose server end is a DCE/RPC endpoint. A write delivers bytes to
 * the endpoint; a read takes the next reply message (STATUS_BUFFER_OVERFLOW when it does not fit, the rest stays
 * for the next read); a read with nothing to return waits until a reply is queued.
 * @module
 */
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { SmbError } from '../smb-error.js'

/** What a pipe server (one DCE/RPC interface) does with the bytes a client writes. */
export interface PipeService {
  /** Pipe name without `\PIPE\` (lower case), e.g. `srvsvc`. */
  readonly name: string
  /** Consumes bytes written by the client; returns reply messages to queue. */
  receive(data: Buffer): Buffer[]
}

export interface PipeRead {
  data: Buffer
  /** The message did not fit: STATUS_BUFFER_OVERFLOW, the rest is returned by the next read. */
  overflow: boolean
}

/** One open of a named pipe. */
export class PipeEndpoint {
  private readonly replies: Buffer[] = []
  private waiters: Array<() => void> = []
  closed = false

  constructor(readonly service: PipeService) {}

  get name(): string {
    return this.service.name
  }

  write(data: Buffer): void {
    if (this.closed) throw new SmbError(NtStatus.PipeDisconnected)
    for (const m of this.service.receive(data)) this.replies.push(m)
    if (this.replies.length) {
      const w = this.waiters
      this.waiters = []
      for (const f of w) f()
    }
  }

  /** The next reply (or part of it), or undefined when none is queued. */
  readNow(max: number): PipeRead | undefined {
    const head = this.replies[0]
    if (!head) return undefined
    if (head.length <= max) {
      this.replies.shift()
      return { data: head, overflow: false }
    }
    this.replies[0] = head.subarray(max)
    return { data: head.subarray(0, max), overflow: true }
  }

  /** Resolves when a reply is queued or the pipe closes; `cancel` gives up waiting. */
  waitForData(): { promise: Promise<void>; cancel: () => void } {
    let done!: () => void
    const promise = new Promise<void>((r) => (done = r))
    this.waiters.push(done)
    return {
      promise,
      cancel: () => {
        this.waiters = this.waiters.filter((f) => f !== done)
        done()
      },
    }
  }

  get pending(): number {
    return this.replies.length
  }

  close(): void {
    this.closed = true
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
}
