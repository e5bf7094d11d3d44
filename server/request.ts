/**
 * One SMB2 request as a handler sees it: the decoded header and body, what the dispatcher resolved for it
 * (session, tree connect, open), the status and extras of its response, and the switch to asynchronous processing
 * (MS-SMB2 3.3.4.2: an interim STATUS_PENDING response, then the final one).
 * @module
 */
import type { Codec } from '../dissect/wire/index.js'
import type { Smb2Header } from '../dissect/smb2/header.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { Connection } from './connection.js'
import type { Logger } from './log.js'
import type { ServerOpen } from './open.js'
import type { SmbServer } from './server.js'
import type { Session, SigningKey } from './session.js'
import type { TreeConnect } from './tree.js'

export interface IncomingRequest {
  header: Smb2Header
  body: unknown
  /** The whole message, header included (as received, decrypted): signature checks and preauth hashing. */
  raw: Buffer
  /** Arrived inside an SMB2 TRANSFORM_HEADER. */
  encrypted: boolean
  /** SessionId of that transform header. */
  transformSessionId?: bigint
  /** Position in its compound chain (0 for a lone request) and whether SMB2_FLAGS_RELATED_OPERATIONS is set. */
  index: number
  related: boolean
}

/** Set by handlers that answer with something other than the command's regular response codec. */
export interface ResponseExtras {
  /** Codec of the body (default: the command's response codec, or ERROR for a failure status). */
  codec?: Codec<any, any>
  /** SessionId to put in the response header (SESSION_SETUP with SessionId 0 answers with the new one). */
  sessionId?: bigint
  /** Sign the response with this key (SESSION_SETUP responses: the final one of 3.1.1, reauthentication, binding). */
  signWith?: SigningKey
  /** Called with the response's bytes as sent (signed if signed), before encryption: the 3.1.1 preauth hash. */
  onEncoded?: (bytes: Buffer) => void
  /** Close the connection after sending (a VALIDATE_NEGOTIATE_INFO mismatch, MS-SMB2 3.3.5.15.12). */
  disconnectAfter?: boolean
}

export class RequestContext {
  session: Session | undefined
  tree: TreeConnect | undefined
  open: ServerOpen | undefined
  /** The response status (a handler returning a body with a warning or MORE_PROCESSING sets it). */
  status: number = NtStatus.Success
  readonly extras: ResponseExtras = {}
  /** The open this request created (related compound requests after it use its FileId, MS-SMB2 3.3.5.2.7.2). */
  createdOpen: ServerOpen | undefined
  asyncId: bigint | undefined
  /** The open and ChannelSequence this request was counted under (MS-SMB2 3.3.5.2.10; durable-handles.ts). */
  sequenceCounted: { persistentId: bigint; sequence: number } | undefined
  private cancelFn: ((why: CancelReason) => void) | undefined
  cancelled = false
  /** False for a request in the middle of a compound chain that must not go asynchronous (dispatch.ts). */
  asyncAllowed = true
  /** Set when a handler tried to go asynchronous where it may not: the request fails with STATUS_INTERNAL_ERROR. */
  asyncRefused = false
  private wentAsync!: () => void
  /** Resolves when the handler calls `goAsync`. */
  readonly asyncSignal: Promise<'async'>

  constructor(
    readonly server: SmbServer,
    readonly conn: Connection,
    readonly req: IncomingRequest,
    readonly log: Logger,
  ) {
    this.asyncSignal = new Promise((r) => (this.wentAsync = () => r('async')))
  }

  get header(): Smb2Header {
    return this.req.header
  }

  get isAsync(): boolean {
    return this.asyncId !== undefined
  }

  /**
   * Moves the request to asynchronous processing: the dispatcher sends the interim STATUS_PENDING response now
   * and the final response when the handler resolves. `onCancel` runs on SMB2 CANCEL (or when the session, tree
   * or connection goes away); the handler then resolves with STATUS_CANCELLED (or what `onCancel` decides).
   */
  goAsync(onCancel?: (why: CancelReason) => void): void {
    if (!this.asyncAllowed) {
      // Not allowed here: end the wait at once; the dispatcher answers STATUS_INTERNAL_ERROR.
      this.asyncRefused = true
      this.cancelled = true
      onCancel?.('cancel')
      return
    }
    this.cancelFn = onCancel
    if (this.asyncId !== undefined) return
    this.asyncId = this.conn.registerAsync(this)
    this.wentAsync()
  }

  /**
   * SMB2 CANCEL (MS-SMB2 3.3.5.16: 'cancel') or the open, tree connect, session or connection going away
   * ('teardown'); the handler picks the status its request completes with.
   */
  cancel(why: CancelReason = 'cancel'): void {
    if (this.cancelled) return
    this.cancelled = true
    this.cancelFn?.(why)
  }

  /** The session this request runs in (after the dispatcher's lookup). */
  get s(): Session {
    if (!this.session) throw new Error('no session resolved for this request')
    return this.session
  }
  get t(): TreeConnect {
    if (!this.tree) throw new Error('no tree connect resolved for this request')
    return this.tree
  }
  get o(): ServerOpen {
    if (!this.open) throw new Error('no open resolved for this request')
    return this.open
  }
}

export type CancelReason = 'cancel' | 'teardown'

export type Handler<Req = any, Res = any> = (req: Req, ctx: RequestContext) => Promise<Res> | Res
