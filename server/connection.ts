/**
 * One client connection (MS-SMB2 3.3.1.7 Connection): the socket and its NetBIOS framing, the negotiated dialect,
 * capabilities, ClientGuid, cipher, signing algorithm and compression, the 3.1.1 preauth integrity hash, the credit
 * window, the sessions bound to it, the requests waiting asynchronously, and the send path that signs each
 * response of a chain with its session's key and encrypts the chain when the request came encrypted or the session
 * or share asks for it (MS-SMB2 3.3.4.1.1, 3.3.4.1.4).
 *
 * Transport messages are processed one at a time in arrival order; a request that waits (CHANGE_NOTIFY, a blocking
 * lock, a CREATE waiting for an oplock break) goes asynchronous and lets the next message in.
 * @module
 */
import type { Socket } from 'node:net'
import { NetbiosFramer, encodeTransportHeader } from '../dissect/capture/netbios-framer.js'
import { PreauthIntegrityHash } from '../dissect/crypto/preauth.js'
import { chainParts, signInPlace } from '../dissect/crypto/signing.js'
import { encryptMessage, NonceGenerator } from '../dissect/crypto/encryption.js'
import { encodeChain, encodeMessage, type EncodableMessage } from '../dissect/smb2/message.js'
import { ZERO_GUID } from '../dissect/wire/reader.js'
import { CreditWindow } from './credits.js'
import { adoptSocket } from './socket-reader.js'
import type { Logger } from './log.js'
import type { RequestContext } from './request.js'
import type { SmbServer } from './server.js'
import type { Session } from './session.js'
import type { SigningAlgorithm } from '../dissect/crypto/constants.js'

/** One response of a chain, ready to encode. */
export interface OutgoingMessage extends EncodableMessage {
  /** Sign with this key (SMB2_FLAGS_SIGNED is set when signing). */
  sign?: { key: Buffer; algorithm: SigningAlgorithm }
  /** Called with the message's bytes after encoding and signing, before encryption (3.1.1 preauth hash). */
  onEncoded?: (bytes: Buffer) => void
}

/** Pause reading the socket while this many request bytes wait to be processed. */
const HIGH_WATER = 32 * 1024 * 1024
/** Wait for the socket to drain before the next request while this much output is buffered. */
const OUTPUT_HIGH_WATER = 16 * 1024 * 1024
/** A transport header and message up to this size are sent as one buffer. */
const COALESCE_LIMIT = 16 * 1024

let nextConnectionId = 1

export class Connection {
  readonly id = nextConnectionId++
  readonly log: Logger
  private readonly framer: NetbiosFramer
  private queue: Promise<void> = Promise.resolve()
  private queuedBytes = 0
  private paused = false
  /** Destroys the socket if a graceful close (`close`) has not finished in time. */
  private destroyTimer: NodeJS.Timeout | undefined
  closed = false
  readonly remote: string
  lastActivity = Date.now()

  // ---- negotiated state (MS-SMB2 3.3.1.7) ----
  /** Connection.Dialect: 0 before NEGOTIATE, 0x02ff after an SMB1 negotiate answered with the wildcard. */
  dialect = 0
  clientGuid = ZERO_GUID
  clientCapabilities = 0
  clientSecurityMode = 0
  clientDialects: number[] = []
  serverCapabilities = 0
  serverSecurityMode = 0
  cipherId: number | undefined
  signingAlgorithmId: number | undefined
  compressionAlgorithms: number[] = []
  compressionChained = false
  readonly preauth = new PreauthIntegrityHash()
  supportsMultiCredit = false
  maxTransactSize = 65536
  maxReadSize = 65536
  maxWriteSize = 65536
  readonly credits: CreditWindow
  /** Sessions this connection is a channel of, by SessionId. */
  readonly sessions = new Map<bigint, Session>()
  /** Requests that went asynchronous, by AsyncId. */
  readonly asyncs = new Map<bigint, RequestContext>()
  /** Requests being processed, by MessageId (CANCEL of a request that has not gone async yet). */
  readonly inFlight = new Map<bigint, RequestContext>()
  private nextAsyncId = 1n
  readonly nonces = new NonceGenerator()

  readonly socket: Socket

  /** @param accepted a socket from a server listening with `pauseOnConnect` (see socket-reader.ts) */
  constructor(
    readonly server: SmbServer,
    accepted: Socket,
  ) {
    this.remote = `${accepted.remoteAddress ?? '?'}:${accepted.remotePort ?? 0}`
    this.log = server.log.child(`conn#${this.id}`)
    this.credits = new CreditWindow(server.config.limits.maxCredits)
    this.framer = new NetbiosFramer({ maxMessageSize: server.config.limits.maxMessageSize, allocate: (n) => server.ioBuffers.take(n) })
    const socket = adoptSocket(accepted, (chunk) => this.onData(chunk))
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('error', (e) => this.log.debug('socket error', { error: e.message }))
    socket.on('close', () => this.onClosed())
  }

  get negotiated(): boolean {
    return this.dialect !== 0 && this.dialect !== 0x02ff
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = Date.now()
    for (const out of this.framer.push(chunk)) {
      if (out.kind === 'bad') {
        // MS-SMB2 2.1 / 3.3.5.1: a transport frame that is not an SMB message ends the connection.
        this.log.info('bad transport framing, disconnecting', { reason: out.reason })
        this.close('bad framing')
        return
      }
      if (out.kind === 'session') continue // keepalives and NetBIOS session service packets
      this.enqueue(out.data)
    }
  }

  private enqueue(msg: Buffer): void {
    if (this.closed) return
    this.queuedBytes += msg.length
    if (this.queuedBytes > HIGH_WATER && !this.paused) {
      this.paused = true
      this.socket.pause()
    }
    this.queue = this.queue.then(async () => {
      try {
        if (!this.closed) await this.server.dispatch(this, msg)
      } catch (e) {
        this.log.error('unexpected failure while processing a message; disconnecting', { error: (e as Error).stack ?? String(e) })
        this.close('internal error')
      } finally {
        this.queuedBytes -= msg.length
        if (this.paused && this.queuedBytes < HIGH_WATER / 2) {
          this.paused = false
          this.socket.resume()
        }
      }
      if (this.socket.writableLength > OUTPUT_HIGH_WATER && !this.closed) await this.drained()
    })
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  /** Assigns an AsyncId to a request going asynchronous (MS-SMB2 3.3.4.2). */
  registerAsync(ctx: RequestContext): bigint {
    const id = this.nextAsyncId++
    this.asyncs.set(id, ctx)
    return id
  }

  unregisterAsync(id: bigint | undefined): void {
    if (id !== undefined) this.asyncs.delete(id)
  }

  /**
   * Encodes, signs, encrypts (with `encryptFor`'s key) and sends a chain of responses. A single unsigned,
   * unencrypted message may carry `tail` bytes (READ data) that are sent without being copied. A tail from the
   * server's buffer pool goes back to it once sent or copied.
   */
  sendChain(msgs: OutgoingMessage[], encryptFor?: Session, tail?: Buffer): void {
    if (this.closed || msgs.length === 0) return
    if (tail) {
      const m = msgs[0]!
      if (msgs.length === 1 && !m.sign && !encryptFor && !m.onEncoded) {
        const head = encodeMessage({ ...m, trailer: Buffer.alloc(0) }, { dialect: this.dialect })
        this.write([encodeTransportHeader(head.length + tail.length), head, tail], () => this.server.ioBuffers.give(tail))
        return
      }
      // Signed, encrypted or in a chain: the data goes inside the body.
      ;(m.body as { data: Buffer }).data = tail
    }
    const buf = msgs.length === 1 ? encodeMessage(msgs[0]!, { dialect: this.dialect }) : encodeChain(msgs, { dialect: this.dialect })
    if (tail) this.server.ioBuffers.give(tail)
    const parts = msgs.length === 1 ? [{ start: 0, end: buf.length }] : chainParts(buf)
    parts.forEach((p, i) => {
      const m = msgs[i]!
      const bytes = buf.subarray(p.start, p.end)
      if (m.sign) signInPlace(bytes, m.sign.key, m.sign.algorithm)
      // After signing: the 3.1.1 preauth hash covers a message as the client receives it (signed binding legs).
      m.onEncoded?.(bytes)
    })
    let out = buf
    if (encryptFor?.keys?.serverOutKey && encryptFor.keys.cipherId !== undefined) {
      out = encryptMessage(buf, { key: encryptFor.keys.serverOutKey, cipherId: encryptFor.keys.cipherId, sessionId: encryptFor.id, nonces: this.nonces })
    }
    this.write([encodeTransportHeader(out.length), out])
  }

  /** Sends bytes already encoded (an SMB1-era negotiate answer). */
  sendRaw(buf: Buffer): void {
    this.write([encodeTransportHeader(buf.length), buf])
  }

  /** Writes `chunks` in order; `sent` runs once the socket has handed the last one to the kernel. */
  private write(chunks: Buffer[], sent?: () => void): void {
    if (this.closed || this.socket.destroyed) return
    if (chunks.length === 1) this.socket.write(chunks[0]!, sent)
    else if (chunks.length === 2 && chunks[0]!.length + chunks[1]!.length <= COALESCE_LIMIT) {
      // A small response (most of them): one copy into one buffer is cheaper than cork, uncork and writev.
      this.socket.write(Buffer.concat(chunks), sent)
    } else {
      this.socket.cork()
      for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]!, i === chunks.length - 1 ? sent : undefined)
      this.socket.uncork()
    }
  }

  /** Closes the connection (after what is already written is flushed). */
  close(reason: string): void {
    if (this.closed) return
    this.log.debug('closing', { reason })
    this.closed = true
    this.socket.end()
    this.destroyTimer = setTimeout(() => this.socket.destroy(), 2000).unref()
  }

  /** Closes at once without flushing (server shutdown, limits). */
  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }

  private onClosed(): void {
    this.closed = true
    // The socket is gone: the fallback destroy must not keep this connection alive for its 2 s.
    if (this.destroyTimer) clearTimeout(this.destroyTimer)
    this.destroyTimer = undefined
    this.server.connectionClosed(this)
  }
}
