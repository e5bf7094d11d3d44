/**
 * A live SMB2 client connection: transport + credits + client state. Sends single messages or compound
 * chains (signing each message and encrypting the whole chain when asked, MS-SMB2 3.2.4.1.1 / 3.1.4.3),
 * receives, decrypts, checks signatures, grants credits from every response, and hands each response to the
 * call waiting for its MessageId (interim STATUS_PENDING answers separately, MS-SMB2 3.2.5.1.5). Messages
 * with MessageId 0xFFFF…FF (oplock and lease breaks) go to `onUnsolicited`.
 * @module
 */
import { decompressMessage } from '../../dissect/compress/index.js'
import { decryptMessage, encryptMessage, NonceGenerator, readTransformHeader, signInPlace, verify } from '../../dissect/crypto/index.js'
import { Smb2Flags } from '../../dissect/smb2/constants/flags.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { HEADER_SIZE, messageKind, UNSOLICITED_MESSAGE_ID, type Smb2Header } from '../../dissect/smb2/header.js'
import { decodeChain, type DecodedMessage } from '../../dissect/smb2/message.js'
import { patchHeader } from '../patch.js'
import { ClientState } from './client-state.js'
import { CreditError, CreditWindow } from './credits.js'
import { Transport, type CloseReason, type TransportTap } from './transport.js'

export interface LiveMessage {
  header: Smb2Header
  body: unknown
  /** Plaintext bytes of this message (header to end, padding included). */
  raw: Buffer
  decoded: DecodedMessage
  encrypted: boolean
  /** Signature check of a signed message: true/false; undefined when unsigned or no key. */
  signatureOk?: boolean
  /** Local time it arrived (ms since epoch). */
  at: number
  /** Frame number of the recorded pcap (or a running count) it arrived in. */
  frame?: number
}

export interface OutgoingMessage {
  /** A complete SMB2 message (header + body); the header's NextCommand and Signature are set here, in place. */
  bytes: Buffer
  sign: boolean
}

export interface PendingCall {
  messageId: bigint
  interim?: LiveMessage
  final?: LiveMessage
  /** Resolves on the interim answer, the final answer, or the end of the connection. */
  settled: Promise<void>
  done: Promise<LiveMessage | undefined>
  error?: string
}

interface CallState {
  call: PendingCall
  onInterim(m: LiveMessage): void
  onFinal(m: LiveMessage | undefined, error?: string): void
}

export interface WireObserver {
  /**
   * Called for each transport message, after the transport (and its recorder) has seen it, with its plaintext
   * (after decryption, or as it was before encryption); returns the frame number to give its messages.
   */
  (fromClient: boolean, plain: Buffer, encrypted: boolean, conn: Connection): number | undefined
}

const ALL_ONES = 0xffff_ffff_ffff_ffffn

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError'
}

export class Connection {
  readonly credits = new CreditWindow()
  readonly state = new ClientState()
  private readonly calls = new Map<bigint, CallState>()
  private readonly nonces = new NonceGenerator()
  onUnsolicited: (m: LiveMessage) => void = () => {}
  onClose: (r: CloseReason) => void = () => {}
  /** Problems with incoming traffic (undecryptable, malformed, orphan responses). */
  readonly problems: string[] = []

  private constructor(
    readonly transport: Transport,
    private readonly observe: WireObserver | undefined,
  ) {
    transport.onMessage = (m) => this.receive(m)
    transport.onClose = (r) => {
      const why = r.error ?? `connection ${r.by === 'server' ? 'closed by the server' : 'closed'}`
      this.credits.fail(new CreditError(why))
      for (const c of [...this.calls.values()]) c.onFinal(undefined, why)
      this.calls.clear()
      this.onClose(r)
    }
  }

  static async open(host: string, port: number, opts: { tap?: TransportTap; observe?: WireObserver; timeoutMs?: number } = {}): Promise<Connection> {
    const t = await Transport.connect(host, port, { tap: opts.tap, timeoutMs: opts.timeoutMs })
    return new Connection(t, opts.observe)
  }

  get id(): string {
    return this.transport.id
  }

  get isClosed(): boolean {
    return this.transport.isClosed
  }

  /** Registers the answer awaited for a MessageId; call before sending. */
  expect(messageId: bigint): PendingCall {
    let settle!: () => void
    let finish!: (m: LiveMessage | undefined) => void
    const call: PendingCall = {
      messageId,
      settled: new Promise<void>((r) => (settle = r)),
      done: new Promise<LiveMessage | undefined>((r) => (finish = r)),
    }
    this.calls.set(messageId, {
      call,
      onInterim: (m) => {
        call.interim = m
        settle()
      },
      onFinal: (m, error) => {
        call.final = m
        if (error) call.error = error
        settle()
        finish(m)
      },
    })
    if (this.transport.isClosed) {
      const c = this.calls.get(messageId)!
      this.calls.delete(messageId)
      c.onFinal(undefined, 'connection closed')
    }
    return call
  }

  /** Forgets a call (a message that gets no answer, like CANCEL). */
  forget(messageId: bigint): void {
    this.calls.delete(messageId)
  }

  /**
   * Sends one message or a compound chain: sets NextCommand (8-byte aligned, MS-SMB2 3.2.4.1.4), signs the
   * messages asked for, feeds the preauth hash, encrypts the whole chain for `encryptFor` (a SessionId).
   */
  /** Returns the frame number the observer gave the message. */
  send(messages: OutgoingMessage[], encryptFor?: bigint): number | undefined {
    const parts: Buffer[] = []
    const sessions: bigint[] = []
    messages.forEach((m, i) => {
      const last = i === messages.length - 1
      // The caller hands its buffers over (they are patched in place); only padding needs a new one.
      let bytes = m.bytes
      if (!last && bytes.length % 8) bytes = Buffer.concat([bytes, Buffer.alloc(8 - (bytes.length % 8))])
      const next = last ? 0 : bytes.length
      const h = patchHeader(bytes, 0, (h) => ({ ...h, nextCommand: next, flags: encryptFor !== undefined ? h.flags & ~Smb2Flags.Signed : h.flags, signature: Buffer.alloc(16) }))
      // Related messages carry the all-ones SessionId: they belong to the first message's session.
      sessions.push(h.sessionId === ALL_ONES && i > 0 ? sessions[0]! : h.sessionId)
      parts.push(bytes)
    })
    const chain = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    let at = 0
    messages.forEach((m, i) => {
      const msg = chain.subarray(at, at + parts[i]!.length)
      at += parts[i]!.length
      if (m.sign && encryptFor === undefined) {
        const keys = this.state.sessions.get(sessions[i]!)?.keys
        if (keys) signInPlace(msg, keys.signingKey, keys.signingAlgorithm)
      }
      this.state.preauth.observe(msg)
    })
    if (encryptFor !== undefined) {
      const s = this.state.sessions.get(encryptFor)
      if (!s?.keys?.serverInKey || this.state.cipherId === undefined) throw new ConnectionError(`no encryption key for session 0x${encryptFor.toString(16)}`)
      this.transport.send(encryptMessage(chain, { key: s.keys.serverInKey, cipherId: this.state.cipherId, sessionId: encryptFor, nonces: this.nonces }))
    } else this.transport.send(chain)
    // After the transport (and its recorder) has seen the message, so frame numbers agree.
    return this.observe?.(true, chain, encryptFor !== undefined, this)
  }

  /** Sends raw bytes as they are (an SMB1 NEGOTIATE). */
  sendRaw(bytes: Buffer): number | undefined {
    this.transport.send(bytes)
    return this.observe?.(true, bytes, false, this)
  }

  close(): Promise<CloseReason> {
    return this.transport.close()
  }

  reset(): Promise<CloseReason> {
    return this.transport.reset()
  }

  private receive(data: Buffer): void {
    let plain = data
    let encrypted = false
    const at = Date.now()
    try {
      if (messageKind(data) === 'transform') {
        const th = readTransformHeader(data)
        const s = this.state.sessions.get(th.sessionId)
        if (!s?.keys?.serverOutKey || this.state.cipherId === undefined) {
          this.problems.push(`encrypted message for session 0x${th.sessionId.toString(16)} without a key`)
          return
        }
        plain = decryptMessage(data, s.keys.serverOutKey, this.state.cipherId)
        encrypted = true
      }
      if (messageKind(plain) === 'compression') plain = decompressMessage(plain)
    } catch (e) {
      this.problems.push(`undecodable transport message: ${(e as Error).message}`)
      return
    }
    if (messageKind(plain) !== 'smb2') {
      this.problems.push(`not an SMB2 message (${plain.subarray(0, 4).toString('hex')})`)
      return
    }
    const frame = this.observe?.(false, plain, encrypted, this)
    const chain = decodeChain(plain, { dialect: this.state.dialect })
    if (chain.error) this.problems.push(`malformed response: ${chain.error.message}`)
    chain.messages.forEach((m) => {
      const raw = plain.subarray(m.start, m.end)
      const h = m.header
      this.state.preauth.observe(raw)
      const live: LiveMessage = { header: h, body: m.body, raw, decoded: m, encrypted, at }
      if (frame !== undefined) live.frame = frame
      if (h.flags & Smb2Flags.Signed && !encrypted && raw.length >= HEADER_SIZE) {
        const keys = this.state.sessions.get(h.sessionId === ALL_ONES ? chain.messages[0]!.header.sessionId : h.sessionId)?.keys
        if (keys) live.signatureOk = verify(raw, keys.signingKey, keys.signingAlgorithm)
      }
      if (h.credits) this.credits.grant(h.credits)
      if (h.messageId === UNSOLICITED_MESSAGE_ID) {
        this.onUnsolicited(live)
        return
      }
      const c = this.calls.get(h.messageId)
      if (!c) {
        this.problems.push(`response to MessageId ${h.messageId} that no request is waiting for`)
        return
      }
      if (h.flags & Smb2Flags.AsyncCommand && h.status === NtStatus.Pending) c.onInterim(live)
      else {
        this.calls.delete(h.messageId)
        c.onFinal(live)
      }
    })
  }
}
