/**
 * A small SMB2/3 client for in-process tests of the server, built only from the dissect/ codec: negotiate (any
 * dialect, 3.1.1 contexts), NTLMv2 session setup over SPNEGO, tree connect, the file commands, signing and
 * encryption, compound chains, raw sends (fuzzing) and asynchronous replies (STATUS_PENDING then the final
 * response). The replay helper will have the full client; this one stays small.
 * @module
 */
import { connect, type Socket } from 'node:net'
import { randomBytes, randomUUID } from 'node:crypto'
import { NetbiosFramer, encodeTransportHeader } from '../../dissect/capture/netbios-framer.js'
import { SpnegoNtlmClient } from '../../dissect/auth/spnego-ntlm.js'
import { CipherId, SigningAlgorithm } from '../../dissect/crypto/constants.js'
import { deriveSessionKeys, type SessionKeys } from '../../dissect/crypto/kdf.js'
import { PreauthTracker } from '../../dissect/crypto/preauth.js'
import { signInPlace, verify } from '../../dissect/crypto/signing.js'
import { decryptMessage, encryptMessage } from '../../dissect/crypto/encryption.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import { Smb2Flags, SecurityMode, Capabilities } from '../../dissect/smb2/constants/flags.js'
import { NtStatus, statusName } from '../../dissect/smb2/constants/status.js'
import { makeHeader, messageKind, type Smb2Header } from '../../dissect/smb2/header.js'
import { decodeChain, encodeChain, encodeMessage, type DecodedMessage } from '../../dissect/smb2/message.js'
import { NegotiateContextType } from '../../dissect/smb2/negotiate-contexts/registry.js'
import type { FileId } from '../../dissect/smb2/commands/file-id.js'

export interface Reply {
  header: Smb2Header
  body: any
  status: number
  statusName: string
  raw: Buffer
  /** The interim STATUS_PENDING reply, when the server went asynchronous first. */
  interim?: Reply
}

export interface ClientOptions {
  dialects?: number[]
  signing?: 'off' | 'on' | 'required'
  /** Encrypt every request once the session is up (SMB 3.x). */
  encrypt?: boolean
  ciphers?: number[]
  signingAlgorithms?: number[]
  /** Credits to ask for in each request. */
  creditRequest?: number
  timeoutMs?: number
}

interface Waiter {
  resolve: (r: Reply) => void
  reject: (e: Error) => void
  interim?: Reply
  timer: NodeJS.Timeout
}

export const RW_ALL = 0x0012_019f
export const FILE_ALL = 0x001f_01ff

export class TestClient {
  private socket!: Socket
  private readonly framer = new NetbiosFramer()
  private readonly waiters = new Map<bigint, Waiter>()
  private nextMessageId = 0n
  readonly preauth = new PreauthTracker()
  dialect = 0
  sessionId = 0n
  treeId = 0
  keys: SessionKeys | undefined
  clientGuid = randomUUID()
  signingAlgorithmId: number | undefined
  cipherId: number | undefined
  serverCapabilities = 0
  maxReadSize = 65536
  closed = false
  /** Unsolicited messages (oplock breaks), in arrival order. */
  readonly unsolicited: Reply[] = []
  private onUnsolicited: ((r: Reply) => void) | undefined
  private closeWaiters: Array<() => void> = []

  constructor(readonly opts: ClientOptions = {}) {}

  static async connect(port: number, host = '127.0.0.1', opts: ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(opts)
    await new Promise<void>((resolve, reject) => {
      c.socket = connect(port, host, () => resolve())
      c.socket.once('error', reject)
    })
    c.socket.on('data', (d: Buffer) => c.onData(d))
    c.socket.on('close', () => c.onClose())
    c.socket.on('error', () => undefined)
    return c
  }

  private onClose(): void {
    this.closed = true
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer)
      w.reject(new Error('connection closed'))
    }
    this.waiters.clear()
    for (const f of this.closeWaiters) f()
  }

  /** Resolves when the server closes the connection (or after `ms`, with false). */
  waitClosed(ms = 2000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true)
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms)
      this.closeWaiters.push(() => {
        clearTimeout(t)
        resolve(true)
      })
    })
  }

  private onData(d: Buffer): void {
    for (const out of this.framer.push(d)) {
      if (out.kind !== 'message') continue
      let buf = out.data
      if (messageKind(buf) === 'transform') {
        if (!this.keys?.serverOutKey || this.keys.cipherId === undefined) continue
        buf = decryptMessage(buf, this.keys.serverOutKey, this.keys.cipherId)
      }
      const chain = decodeChain(buf, { dialect: this.dialect })
      for (const m of chain.messages) this.deliver(buf, m)
    }
  }

  private deliver(buf: Buffer, m: DecodedMessage): void {
    const raw = buf.subarray(m.start, m.end)
    this.preauth.observe(raw)
    const r: Reply = { header: m.header, body: m.body, status: m.header.status >>> 0, statusName: statusName(m.header.status >>> 0), raw }
    if (m.header.messageId === 0xffff_ffff_ffff_ffffn) {
      this.unsolicited.push(r)
      this.onUnsolicited?.(r)
      return
    }
    const w = this.waiters.get(m.header.messageId)
    if (!w) return
    if (m.header.flags & Smb2Flags.AsyncCommand && r.status === NtStatus.Pending) {
      w.interim = r
      return
    }
    clearTimeout(w.timer)
    this.waiters.delete(m.header.messageId)
    if (w.interim) r.interim = w.interim
    w.resolve(r)
  }

  /** Calls `f` for each unsolicited message (oplock break) as it arrives. */
  onBreak(f: (r: Reply) => void): void {
    this.onUnsolicited = f
  }

  /** The interim response of a request that went asynchronous (polls until it arrives). */
  async interimOf(messageId: bigint, ms = 2000): Promise<Reply | undefined> {
    const end = Date.now() + ms
    while (Date.now() < end) {
      const w = this.waiters.get(messageId)
      if (w?.interim) return w.interim
      if (!w) return undefined
      await new Promise((r) => setTimeout(r, 5))
    }
    return undefined
  }

  get signing(): { key: Buffer; algorithm: 0 | 1 | 2 } | undefined {
    return this.keys ? { key: this.keys.signingKey, algorithm: this.keys.signingAlgorithm } : undefined
  }

  private allocate(charge: number): bigint {
    const id = this.nextMessageId
    this.nextMessageId += BigInt(Math.max(1, charge))
    return id
  }

  /** Sends one request (or a compound chain) and resolves with the reply of each, in order. */
  async sendChain(
    items: Array<{ command: number; body: unknown; related?: boolean; creditCharge?: number; treeId?: number; sessionId?: bigint; flags?: number }>,
    o: { sign?: boolean; encrypt?: boolean } = {},
  ): Promise<Reply[]> {
    const msgs = items.map((it) => {
      const charge = it.creditCharge ?? 1
      const messageId = it.command === Smb2Command.Cancel ? 0n : this.allocate(charge)
      let flags = it.flags ?? 0
      if (it.related) flags |= Smb2Flags.RelatedOperations
      const header = makeHeader({
        command: it.command,
        creditCharge: this.dialect >= 0x0210 ? charge : 0,
        credits: this.opts.creditRequest ?? 64,
        flags,
        messageId,
        treeId: it.related ? 0xffff_ffff : (it.treeId ?? this.treeId),
        sessionId: it.related ? 0xffff_ffff_ffff_ffffn : (it.sessionId ?? this.sessionId),
      })
      return { header, body: it.body }
    })
    const buf = msgs.length === 1 ? encodeMessage(msgs[0]!, { dialect: this.dialect }) : encodeChain(msgs, { dialect: this.dialect })
    const sign = o.sign ?? (this.opts.signing === 'on' || this.opts.signing === 'required')
    const encrypt = o.encrypt ?? (this.opts.encrypt === true && this.keys?.serverInKey !== undefined && this.sessionId !== 0n)
    if (sign && this.signing && !encrypt) {
      let at = 0
      for (let i = 0; i < msgs.length; i++) {
        const len = i === msgs.length - 1 ? buf.length - at : (buf.readUInt32LE(at + 20))
        signInPlace(buf.subarray(at, at + len), this.signing.key, this.signing.algorithm)
        at += len
      }
    }
    const promises = msgs.map((m) => this.expect(m.header.messageId))
    if (msgs[0]!.header.command === Smb2Command.Negotiate || msgs[0]!.header.command === Smb2Command.SessionSetup) this.preauth.observe(buf)
    this.sendRawMessage(encrypt ? encryptMessage(buf, { key: this.keys!.serverInKey!, cipherId: this.keys!.cipherId!, sessionId: this.sessionId }) : buf)
    return Promise.all(promises)
  }

  async send(command: number, body: unknown, o: { sign?: boolean; encrypt?: boolean; creditCharge?: number; treeId?: number; sessionId?: bigint; flags?: number } = {}): Promise<Reply> {
    const [r] = await this.sendChain([{ command, body, creditCharge: o.creditCharge, treeId: o.treeId, sessionId: o.sessionId, flags: o.flags }], o)
    return r!
  }

  private expect(messageId: bigint): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId)
        reject(new Error(`no reply to MessageId ${messageId}`))
      }, this.opts.timeoutMs ?? 10_000)
      this.waiters.set(messageId, { resolve, reject, timer })
    })
  }

  /** Sends bytes as one transport message (no framing of its own; for fuzzing and malformed requests). */
  sendRawMessage(buf: Buffer): void {
    this.socket.write(Buffer.concat([encodeTransportHeader(buf.length), buf]))
  }

  /** Sends arbitrary bytes on the socket (bad framing). */
  sendRawBytes(buf: Buffer): void {
    this.socket.write(buf)
  }

  /** Reserves the next MessageId without sending (tests of skipped ids), returning it. */
  skipMessageId(): bigint {
    return this.allocate(1)
  }

  setNextMessageId(id: bigint): void {
    this.nextMessageId = id
  }

  peekNextMessageId(): bigint {
    return this.nextMessageId
  }

  async negotiate(dialects = this.opts.dialects ?? [0x0202, 0x0210, 0x0300, 0x0302, 0x0311]): Promise<Reply> {
    const contexts = dialects.includes(0x0311)
      ? [
          { contextType: NegotiateContextType.PreauthIntegrityCapabilities, known: true as const, value: { hashAlgorithms: [1], salt: randomBytes(32) } },
          { contextType: NegotiateContextType.EncryptionCapabilities, known: true as const, value: { ciphers: this.opts.ciphers ?? [CipherId.Aes128Gcm, CipherId.Aes128Ccm, CipherId.Aes256Gcm, CipherId.Aes256Ccm] } },
          { contextType: NegotiateContextType.SigningCapabilities, known: true as const, value: { signingAlgorithms: this.opts.signingAlgorithms ?? [SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac] } },
        ]
      : []
    const r = await this.send(Smb2Command.Negotiate, {
      securityMode: SecurityMode.SigningEnabled | (this.opts.signing === 'required' ? SecurityMode.SigningRequired : 0),
      capabilities: Capabilities.LargeMtu | Capabilities.Encryption | Capabilities.MultiChannel,
      clientGuid: this.clientGuid,
      dialects,
      negotiateContextList: contexts,
    })
    if (r.status === NtStatus.Success) {
      this.dialect = r.body.dialectRevision
      this.serverCapabilities = r.body.capabilities
      this.maxReadSize = r.body.maxReadSize
      for (const c of r.body.negotiateContextList ?? []) {
        if (!c.known) continue
        if (c.contextType === NegotiateContextType.EncryptionCapabilities) this.cipherId = c.value.ciphers[0] || undefined
        if (c.contextType === NegotiateContextType.SigningCapabilities) this.signingAlgorithmId = c.value.signingAlgorithms[0]
      }
    }
    return r
  }

  async sessionSetup(user: string, password: string, o: { anonymous?: boolean } = {}): Promise<Reply> {
    const auth = new SpnegoNtlmClient(o.anonymous ? { user: '', anonymous: true } : { user, password })
    let r = await this.send(Smb2Command.SessionSetup, { flags: 0, securityMode: SecurityMode.SigningEnabled, capabilities: 0, channel: 0, previousSessionId: 0n, securityBuffer: auth.initial() })
    if (r.status !== NtStatus.MoreProcessingRequired) return r
    this.sessionId = r.header.sessionId
    const second = auth.respond(r.body.securityBuffer)
    r = await this.send(Smb2Command.SessionSetup, { flags: 0, securityMode: SecurityMode.SigningEnabled, capabilities: 0, channel: 0, previousSessionId: 0n, securityBuffer: second }, { sign: false })
    if (r.status === NtStatus.Success && auth.sessionKey && !(r.body.sessionFlags & 3)) {
      this.keys = deriveSessionKeys({
        dialect: this.dialect,
        sessionKey: auth.sessionKey,
        preauthHash: this.dialect === 0x0311 ? this.preauth.sessionContext(this.sessionId) : undefined,
        cipherId: this.cipherId,
        signingAlgorithmId: this.signingAlgorithmId,
      })
      if (r.header.flags & Smb2Flags.Signed && !verify(r.raw, this.keys.signingKey, this.keys.signingAlgorithm)) {
        throw new Error('the final SESSION_SETUP response signature does not verify')
      }
    }
    return r
  }

  /** Negotiate, session setup and tree connect in one go; throws on failure. */
  static async login(port: number, share: string, user: string, password: string, opts: ClientOptions = {}): Promise<TestClient> {
    const c = await TestClient.connect(port, '127.0.0.1', opts)
    const n = await c.negotiate()
    if (n.status !== 0) throw new Error(`NEGOTIATE ${n.statusName}`)
    const s = await c.sessionSetup(user, password)
    if (s.status !== 0) throw new Error(`SESSION_SETUP ${s.statusName}`)
    const t = await c.treeConnect(share)
    if (t.status !== 0) throw new Error(`TREE_CONNECT ${t.statusName}`)
    return c
  }

  async treeConnect(share: string): Promise<Reply> {
    const r = await this.send(Smb2Command.TreeConnect, { flags: 0, path: `\\\\127.0.0.1\\${share}` })
    if (r.status === 0) this.treeId = r.header.treeId
    return r
  }

  createBody(name: string, o: { access?: number; share?: number; disposition?: number; options?: number; attributes?: number; oplock?: number; contexts?: unknown[] } = {}) {
    return {
      securityFlags: 0,
      requestedOplockLevel: o.oplock ?? 0,
      impersonationLevel: 2,
      smbCreateFlags: 0n,
      desiredAccess: o.access ?? RW_ALL,
      fileAttributes: o.attributes ?? 0,
      shareAccess: o.share ?? 7,
      createDisposition: o.disposition ?? 3,
      createOptions: o.options ?? 0,
      name,
      createContexts: o.contexts ?? [],
    }
  }

  create(name: string, o: Parameters<TestClient['createBody']>[1] = {}): Promise<Reply> {
    return this.send(Smb2Command.Create, this.createBody(name, o))
  }

  async open(name: string, o: Parameters<TestClient['createBody']>[1] = {}): Promise<FileId> {
    const r = await this.create(name, o)
    if (r.status !== 0) throw new Error(`CREATE ${name}: ${r.statusName}`)
    return r.body.fileId
  }

  close(fileId: FileId, flags = 0): Promise<Reply> {
    return this.send(Smb2Command.Close, { flags, fileId })
  }

  write(fileId: FileId, offset: bigint, data: Buffer): Promise<Reply> {
    const charge = Math.max(1, Math.ceil(data.length / 65536))
    return this.send(Smb2Command.Write, { offset, fileId, channel: 0, remainingBytes: 0, flags: 0, data }, { creditCharge: charge })
  }

  read(fileId: FileId, offset: bigint, length: number, minimumCount = 0): Promise<Reply> {
    const charge = Math.max(1, Math.ceil(length / 65536))
    return this.send(Smb2Command.Read, { padding: 0x50, flags: 0, length, offset, fileId, minimumCount, channel: 0, remainingBytes: 0 }, { creditCharge: charge })
  }

  queryDirectory(fileId: FileId, pattern = '*', o: { cls?: number; flags?: number; outputBufferLength?: number } = {}): Promise<Reply> {
    return this.send(Smb2Command.QueryDirectory, { fileInformationClass: o.cls ?? 37, flags: o.flags ?? 0, fileIndex: 0, fileId, fileName: pattern, outputBufferLength: o.outputBufferLength ?? 65536 })
  }

  queryInfo(fileId: FileId, infoType: number, cls: number, o: { outputBufferLength?: number; additionalInformation?: number } = {}): Promise<Reply> {
    return this.send(Smb2Command.QueryInfo, { infoType, fileInfoClass: cls, outputBufferLength: o.outputBufferLength ?? 65536, additionalInformation: o.additionalInformation ?? 0, flags: 0, fileId, inputBuffer: Buffer.alloc(0) })
  }

  setInfo(fileId: FileId, infoType: number, cls: number, buffer: Buffer): Promise<Reply> {
    return this.send(Smb2Command.SetInfo, { infoType, fileInfoClass: cls, additionalInformation: 0, fileId, buffer })
  }

  lock(fileId: FileId, locks: Array<{ offset: bigint; length: bigint; flags: number }>, lockSequence = { lockSequenceNumber: 0, lockSequenceIndex: 0 }): Promise<Reply> {
    return this.send(Smb2Command.Lock, { lockSequence, fileId, locks: locks.map((l) => ({ ...l })) })
  }

  ioctl(fileId: FileId, ctlCode: number, input: Buffer, maxOutputResponse = 65536): Promise<Reply> {
    return this.send(Smb2Command.Ioctl, { ctlCode, fileId, input, output: Buffer.alloc(0), maxInputResponse: 0, maxOutputResponse, flags: 1 })
  }

  /** Sends CANCEL for an asynchronous request (by AsyncId) or a pending one (by MessageId). */
  cancel(target: { messageId: bigint; asyncId?: bigint }): void {
    const flags = target.asyncId !== undefined ? Smb2Flags.AsyncCommand : 0
    const header = makeHeader({ command: Smb2Command.Cancel, flags, messageId: target.messageId, asyncId: target.asyncId ?? 0n, sessionId: this.sessionId, treeId: this.treeId })
    const buf = encodeMessage({ header, body: {} })
    if (this.signing && (this.opts.signing === 'on' || this.opts.signing === 'required')) signInPlace(buf, this.signing.key, this.signing.algorithm)
    this.sendRawMessage(buf)
  }

  /** Starts a request and returns its MessageId and a promise of the final reply (for async tests). */
  start(command: number, body: unknown): { messageId: bigint; reply: Promise<Reply> } {
    const messageId = this.nextMessageId
    return { messageId, reply: this.send(command, body) }
  }

  async logoff(): Promise<Reply> {
    return this.send(Smb2Command.Logoff, {})
  }

  end(): void {
    this.socket.end()
    this.socket.destroy()
  }
}

export { NtStatus }
