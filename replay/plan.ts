/**
 * The replay plan: what the captured client did, in capture order, as events the engine can run against a
 * live server.
 *
 * - One captured TCP connection is one live connection: `open` where the capture opened it, `close` where the
 *   capture saw its first FIN or RST (a close by the server is waited for rather than forced).
 * - `send` carries one transport message of the client: a request or a whole compound chain, each SMB2
 *   message with its captured plaintext bytes, the byte spans of the ids replay has to patch, and its
 *   captured (interim and final) responses.
 * - Every server message of the capture is an expectation with a global sequence number; an event may only
 *   run once the expectations captured before it are settled. That is exactly what the captured client knew
 *   when it acted: responses it had received, and server-initiated breaks before the acks that answer them.
 *   A response that arrived after the next request (pipelining, or a CREATE held back by a lease break) is
 *   not waited for.
 *
 * Built from `dissectFile` with `keepRaw` (plaintext bytes of each message, decrypted with the dissection
 * password) and `spans` (where each field sits in those bytes).
 * @module
 */
import { createHash } from 'node:crypto'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { UNSOLICITED_MESSAGE_ID, type Smb2Header } from '../dissect/smb2/header.js'
import type { DecodedMessage } from '../dissect/smb2/message.js'
import { parseSecurityBlob } from '../dissect/auth/security-blob.js'
import { Dissector, type DurableOpen } from '../dissect/trace/dissector.js'
import { dissectFile } from '../dissect/trace/dissect-file.js'
import { isSmb, type SmbRecord, type TraceRecord } from '../dissect/trace/record.js'
import type { Span } from './patch.js'
import { CtlCode } from '../dissect/smb2/ioctl/ctl-codes.js'
import { ValidateNegotiateInfoRequest } from '../dissect/smb2/ioctl/validate-negotiate.js'
import { isCodecError, Reader, type Span as WireSpan } from '../dissect/wire/index.js'

export type PatchKind = 'fileId' | 'reconnectFileId' | 'previousSessionId' | 'createGuid' | 'leaseKey' | 'clientGuid'

export interface PatchPoint {
  kind: PatchKind
  /** Byte range in the message's `raw` bytes. */
  span: Span
}

/** One leg of a captured authentication exchange (a SESSION_SETUP request). */
export interface AuthLeg {
  /** Exchange number, unique in the plan. */
  exchange: number
  /** 0 for the first request of the exchange. */
  leg: number
  /** Total legs the capture holds for this exchange. */
  legs: number
  /** The captured session is already established: a re-authentication. */
  reauth: boolean
  /** SMB2_SESSION_FLAG_BINDING: a channel bound to an existing session (not replayed). */
  binding: boolean
  /** `DOMAIN\user` the capture authenticated as (from its AUTHENTICATE message), when NTLM. */
  user?: string
  /** The security buffers were raw NTLMSSP (no SPNEGO). */
  rawNtlm: boolean
  /** The mechanism the captured client used (NTLMSSP, Kerberos, ...). */
  mech?: string
}

/** A captured server message the replay expects an equivalent of. */
export interface Expectation {
  seq: number
  kind: 'response' | 'interim' | 'break'
  frame: number
  time: number
  conn: string
  record: SmbRecord
  header: Smb2Header
  /** The captured plaintext bytes of the message (a view of the dissected transport message). */
  raw: Buffer
  /** The request step it answers (responses and interims). */
  step?: number
  /** Breaks: the lease key or FileId they name, and the step that was last sent on the connection before. */
  leaseKey?: string
  fileId?: string
  ownerStep?: number
  /** Break notifications the capture acknowledged: the step of the ack. */
  ackStep?: number
  /** SHA-256 of READ data. */
  dataHash?: string
}

export interface PlanStep {
  /** Index in `plan.steps` (capture order of requests). */
  index: number
  frame: number
  time: number
  conn: string
  command: number
  cmd: string
  /** Captured plaintext bytes of this message: header to the next header (padding included) or chain end. */
  raw: Buffer
  header: Smb2Header
  body: unknown
  record: SmbRecord
  patches: PatchPoint[]
  /** The captured request arrived in a transform header / had SMB2_FLAGS_SIGNED. */
  encrypted: boolean
  signed: boolean
  /** Position in a compound chain. */
  compound?: { index: number; count: number; related: boolean }
  response?: Expectation
  interim?: Expectation
  /** CANCEL: the step it cancels. */
  cancels?: number
  /** OPLOCK_BREAK acknowledgment: the break it answers. */
  acks?: Expectation
  auth?: AuthLeg
  smb1?: boolean
}

export type PlanEvent =
  | { kind: 'open'; conn: string; frame: number; time: number; after: number }
  | { kind: 'send'; conn: string; frame: number; time: number; after: number; steps: number[] }
  | { kind: 'close'; conn: string; frame: number; time: number; after: number; by: 'client' | 'server'; reset: boolean }

export interface PlanConnection {
  conn: string
  /** The captured 4-tuple (a reused port gets a `#n` suffix in `conn`). */
  tuple: string
  openFrame?: number
  closeFrame?: number
  /** Opened before the capture started (no SYN): its NEGOTIATE and SESSION_SETUP may be missing. */
  midStream: boolean
  negotiated: boolean
}

export interface Plan {
  file: string
  steps: PlanStep[]
  events: PlanEvent[]
  expectations: Expectation[]
  connections: Map<string, PlanConnection>
  /** The capture's durable opens and what happened to them. */
  durable: DurableOpen[]
  /** Captured frames that could not be used (undecryptable, malformed) and why. */
  problems: Array<{ frame: number; reason: string }>
  firstTime: number
  warnings: string[]
}

export class PlanError extends Error {
  override readonly name = 'PlanError'
}

export interface PlanOptions {
  /** Passwords to decrypt and verify the capture (the dissector's --password). */
  passwords?: string[]
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Patch points of one request, from the spans the codec recorded (relative to the chain, shifted to the message). */
export function patchPoints(m: DecodedMessage, raw?: Buffer): PatchPoint[] {
  const out: PatchPoint[] = []
  if (raw && m.header.command === Smb2Command.Ioctl) out.push(...validateNegotiatePoints(m, raw))
  const body = m.body as Record<string, unknown> | undefined
  const contexts = (body && Array.isArray(body['createContexts']) ? body['createContexts'] : []) as Array<{ tag?: string }>
  for (const s of m.spans ?? []) {
    const span = { start: s.start - m.start, end: s.end - m.start }
    const p = s.path
    if (p === 'body.fileId') out.push({ kind: 'fileId', span })
    else if (p === 'body.previousSessionId') out.push({ kind: 'previousSessionId', span })
    else if (p === 'body.clientGuid') out.push({ kind: 'clientGuid', span })
    else if (p === 'body.leaseKey') out.push({ kind: 'leaseKey', span })
    else {
      const c = /^body\.createContexts\.(\d+)\.value\.(fileId|data|createGuid|leaseKey|parentLeaseKey)$/.exec(p)
      if (!c) continue
      const tag = contexts[Number(c[1])]?.tag
      if ((c[2] === 'fileId' || c[2] === 'data') && (tag === 'DH2C' || tag === 'DHnC')) out.push({ kind: 'reconnectFileId', span })
      else if (c[2] === 'createGuid') out.push({ kind: 'createGuid', span })
      else if (c[2] === 'leaseKey' || c[2] === 'parentLeaseKey') out.push({ kind: 'leaseKey', span })
    }
  }
  return out
}

/** FSCTL_VALIDATE_NEGOTIATE_INFO repeats the NEGOTIATE's ClientGuid (MS-SMB2 2.2.31.4): where it sits. */
function validateNegotiatePoints(m: DecodedMessage, raw: Buffer): PatchPoint[] {
  const body = m.body as { ctlCode?: number } | undefined
  if (body?.ctlCode !== CtlCode.FSCTL_VALIDATE_NEGOTIATE_INFO) return []
  const input = m.spans?.find((s) => s.path === 'body.input')
  if (!input) return []
  const spans: WireSpan[] = []
  try {
    ValidateNegotiateInfoRequest.read(new Reader(raw, input.start - m.start, input.end - m.start, spans), { pduStart: 0 })
  } catch (e) {
    if (isCodecError(e)) return []
    throw e
  }
  const g = spans.find((s) => s.path === 'guid')
  return g ? [{ kind: 'clientGuid', span: { start: g.start, end: g.end } }] : []
}

const fileIdKey = (f: { persistent: bigint; volatile: bigint }): string =>
  f.persistent.toString(16).padStart(16, '0') + ':' + f.volatile.toString(16).padStart(16, '0')

interface ConnBuild {
  info: PlanConnection
  /** Open requests by MessageId. */
  pending: Map<bigint, number>
  /** AsyncId → step. */
  asyncIds: Map<bigint, number>
  lastStep?: number
  /** Sessions established on this connection (captured ids), and SESSION_SETUP exchanges in progress. */
  exchanges: Map<bigint, number>
  pendingFirstLeg: Map<bigint, number>
  /** Break notifications not acknowledged (yet). */
  unacked: Expectation[]
}

/** Builds the plan of a capture file. Throws PlanError when the capture cannot be replayed at all. */
export async function buildPlan(file: string, opts: PlanOptions = {}): Promise<Plan> {
  const dissector = new Dissector({ keepRaw: true, spans: true, passwords: opts.passwords })
  const builder = new PlanBuilder(file)
  for await (const d of dissectFile(file, {}, dissector)) builder.add(d.record, d.raw, d.decoded, d.fromClient)
  return builder.finish(dissector)
}

export class PlanBuilder {
  private readonly plan: Plan
  private readonly conns = new Map<string, ConnBuild>()
  /** Captured 4-tuple → current connection key (`conn`, or `conn#2` after a reuse). */
  private readonly current = new Map<string, string>()
  private readonly reused = new Map<string, number>()
  private readonly established = new Set<bigint>()
  private readonly exchangeSteps = new Map<number, number[]>()
  private nextExchange = 0
  private chain: { conn: string; frame: number; steps: number[]; count: number } | undefined

  constructor(file: string) {
    this.plan = {
      file,
      steps: [],
      events: [],
      expectations: [],
      connections: new Map(),
      durable: [],
      problems: [],
      firstTime: Number.NaN,
      warnings: [],
    }
  }

  private conn(tuple: string, time: number, frame: number, implicit: boolean): ConnBuild {
    let key = this.current.get(tuple)
    if (key === undefined) {
      const n = (this.reused.get(tuple) ?? 0) + 1
      this.reused.set(tuple, n)
      key = n === 1 ? tuple : `${tuple}#${n}`
      this.current.set(tuple, key)
      const info: PlanConnection = { conn: key, tuple, midStream: implicit, negotiated: false }
      if (!implicit) info.openFrame = frame
      this.plan.connections.set(key, info)
      this.conns.set(key, { info, pending: new Map(), asyncIds: new Map(), exchanges: new Map(), pendingFirstLeg: new Map(), unacked: [] })
      this.flushChain()
      this.plan.events.push({ kind: 'open', conn: key, frame, time, after: this.plan.expectations.length })
    }
    return this.conns.get(key)!
  }

  add(rec: TraceRecord, raw: Buffer | undefined, decoded: DecodedMessage | undefined, fromClient: boolean | undefined): void {
    if (Number.isNaN(this.plan.firstTime)) this.plan.firstTime = rec.time
    if (!isSmb(rec)) {
      if (rec.event === 'open') {
        this.current.delete(rec.conn)
        this.conn(rec.conn, rec.time, rec.frame, false)
      } else if (rec.event === 'close' || rec.event === 'reset') {
        const key = this.current.get(rec.conn)
        if (key === undefined) return
        const c = this.conns.get(key)!
        if (c.info.closeFrame !== undefined) return
        c.info.closeFrame = rec.frame
        this.flushChain()
        this.plan.events.push({
          kind: 'close', conn: key, frame: rec.frame, time: rec.time, after: this.plan.expectations.length,
          by: rec.dir === 'server' ? 'server' : 'client', reset: rec.event === 'reset',
        })
        this.current.delete(rec.conn)
      } else if (rec.event === 'gap') {
        this.plan.warnings.push(`frame ${rec.frame}: bytes missing on ${rec.conn} (${rec.detail ?? 'gap'}); the messages around it may not replay`)
      }
      return
    }
    const c = this.conn(rec.conn, rec.time, rec.frame, true)
    if (!decoded || !raw || rec.error) {
      const why = rec.cmd === 'ENCRYPTED'
        ? `encrypted and not decrypted (${rec.notes?.[0]?.message ?? 'no key'}): give the capture's password with --password`
        : `not decodable: ${rec.error ?? 'no bytes'}`
      if (rec.proto === 'smb1' && raw && fromClient) {
        this.request(c, rec, raw, undefined)
        return
      }
      this.plan.problems.push({ frame: rec.frame, reason: why })
      return
    }
    if (fromClient) this.request(c, rec, raw, decoded)
    else this.serverMessage(c, rec, decoded, raw)
  }

  private flushChain(): void {
    if (!this.chain) return
    const ch = this.chain
    this.chain = undefined
    const first = this.plan.steps[ch.steps[0]!]!
    this.plan.events.push({ kind: 'send', conn: ch.conn, frame: ch.frame, time: first.time, after: this.plan.expectations.length, steps: ch.steps })
  }

  private request(c: ConnBuild, rec: SmbRecord, raw: Buffer, m: DecodedMessage | undefined): void {
    const index = this.plan.steps.length
    const h = m?.header
    const step: PlanStep = {
      index,
      frame: rec.frame,
      time: rec.time,
      conn: c.info.conn,
      command: h?.command ?? -1,
      cmd: rec.cmd,
      raw: Buffer.from(raw),
      header: h ?? ({} as Smb2Header),
      body: m?.body,
      record: rec,
      patches: m ? patchPoints(m, raw) : [],
      encrypted: rec.encrypted,
      signed: rec.signed,
    }
    if (!m) step.smb1 = true
    if (rec.compound) step.compound = rec.compound
    this.plan.steps.push(step)
    c.lastStep = index

    // Chain grouping: the messages of one compound go out as one transport message.
    const inChain = rec.compound && rec.compound.index > 0 && this.chain && this.chain.conn === c.info.conn && this.chain.frame === rec.frame
    if (!inChain) this.flushChain()
    if (inChain) this.chain!.steps.push(index)
    else this.chain = { conn: c.info.conn, frame: rec.frame, steps: [index], count: rec.compound?.count ?? 1 }
    if (this.chain && this.chain.steps.length >= this.chain.count) this.flushChain()

    if (!h) {
      c.pending.set(0n, index)
      return
    }
    switch (h.command) {
      case Smb2Command.Cancel: {
        const target = h.flags & Smb2Flags.AsyncCommand ? c.asyncIds.get(h.asyncId) : c.pending.get(h.messageId)
        if (target !== undefined) step.cancels = target
        return // no response of its own (MS-SMB2 3.3.5.16)
      }
      case Smb2Command.SessionSetup:
        step.auth = this.authLeg(c, h, m!, index)
        break
      case Smb2Command.OplockBreak: {
        const b = m!.body as { leaseKey?: string; fileId?: { persistent: bigint; volatile: bigint } }
        const key = b.leaseKey
        const fid = b.fileId ? fileIdKey(b.fileId) : undefined
        // The newest break of this connection for the same lease or open that is not acknowledged yet.
        for (let i = c.unacked.length - 1; i >= 0; i--) {
          const e = c.unacked[i]!
          if ((key && e.leaseKey === key) || (fid && e.fileId === fid)) {
            e.ackStep = index
            step.acks = e
            c.unacked.splice(i, 1)
            break
          }
        }
        break
      }
      default:
        break
    }
    c.pending.set(h.messageId, index)
  }

  private authLeg(c: ConnBuild, h: Smb2Header, m: DecodedMessage, index: number): AuthLeg {
    const body = m.body as { flags?: number; securityBuffer?: Buffer }
    const binding = ((body.flags ?? 0) & 0x01) !== 0
    let exchange: number | undefined
    let leg = 0
    let reauth = h.sessionId !== 0n && this.established.has(h.sessionId) && !binding
    if (h.sessionId !== 0n && !reauth) exchange = c.exchanges.get(h.sessionId)
    if (exchange !== undefined) {
      const earlier = this.exchangeSteps.get(exchange)!
      leg = earlier.length
      reauth = this.plan.steps[earlier[0]!]?.auth?.reauth ?? false
    } else {
      exchange = this.nextExchange++
      this.exchangeSteps.set(exchange, [])
      if (h.sessionId === 0n) c.pendingFirstLeg.set(h.messageId, exchange)
      else c.exchanges.set(h.sessionId, exchange)
      if (reauth) this.established.delete(h.sessionId)
    }
    const steps = this.exchangeSteps.get(exchange)!
    steps.push(index)
    const blob = body.securityBuffer && body.securityBuffer.length ? body.securityBuffer : undefined
    const info = blob ? parseSecurityBlob(blob) : undefined
    const a: AuthLeg = { exchange, leg, legs: steps.length, reauth, binding, rawNtlm: info?.format === 'ntlmssp' }
    const mech = info?.mech ?? (info?.ntlmssp ? 'NTLMSSP' : undefined)
    if (mech) a.mech = mech
    const nt = info?.ntlmssp as { messageType?: number; userName?: string; domainName?: string } | undefined
    if (nt?.messageType === 3) a.user = nt.domainName ? `${nt.domainName}\\${nt.userName ?? ''}` : (nt.userName ?? '')
    // Every leg of the exchange learns the leg count, the user and the mechanism.
    for (const s of steps) {
      const l = this.plan.steps[s]!.auth
      if (!l) continue
      l.legs = steps.length
      if (a.user !== undefined) l.user = a.user
      if (!l.mech && a.mech) l.mech = a.mech
    }
    return a
  }

  private serverMessage(c: ConnBuild, rec: SmbRecord, m: DecodedMessage, raw: Buffer): void {
    const h = m.header
    const e: Expectation = {
      seq: this.plan.expectations.length,
      kind: 'response',
      frame: rec.frame,
      time: rec.time,
      conn: c.info.conn,
      record: rec,
      header: h,
      raw,
    }
    if (h.messageId === UNSOLICITED_MESSAGE_ID && h.command === Smb2Command.OplockBreak) {
      e.kind = 'break'
      const b = m.body as { leaseKey?: string; fileId?: { persistent: bigint; volatile: bigint } }
      if (b.leaseKey) e.leaseKey = b.leaseKey
      if (b.fileId) e.fileId = fileIdKey(b.fileId)
      if (c.lastStep !== undefined) e.ownerStep = c.lastStep
      this.plan.expectations.push(e)
      c.unacked.push(e)
      if (c.unacked.length > 1024) c.unacked.shift() // breaks nobody acknowledges (to none, no ack required)
      return
    }
    const stepIndex = c.pending.get(h.messageId)
    if (stepIndex === undefined) {
      this.plan.warnings.push(`frame ${rec.frame}: ${rec.cmd} response to MessageId ${h.messageId} with no request in the capture`)
      return
    }
    const step = this.plan.steps[stepIndex]!
    e.step = stepIndex
    const interim = (h.flags & Smb2Flags.AsyncCommand) !== 0 && h.status === NtStatus.Pending
    if (interim) {
      e.kind = 'interim'
      step.interim = e
      c.asyncIds.set(h.asyncId, stepIndex)
    } else {
      step.response = e
      c.pending.delete(h.messageId)
      if (h.command === Smb2Command.Read && h.status === NtStatus.Success) {
        const data = (m.body as { data?: Buffer }).data
        if (Buffer.isBuffer(data)) e.dataHash = sha256(data)
      }
    }
    if (h.command === Smb2Command.Negotiate) c.info.negotiated = true
    if (h.command === Smb2Command.SessionSetup && step.auth) {
      const x = step.auth.exchange
      if (h.status === NtStatus.MoreProcessingRequired) {
        const first = c.pendingFirstLeg.get(step.header.messageId)
        if (first !== undefined) {
          c.pendingFirstLeg.delete(step.header.messageId)
          c.exchanges.set(h.sessionId, first)
        }
      } else {
        c.pendingFirstLeg.delete(step.header.messageId)
        for (const [sid, ex] of c.exchanges) if (ex === x) c.exchanges.delete(sid)
        if (h.status === NtStatus.Success) this.established.add(h.sessionId)
      }
    }
    if (h.command === Smb2Command.Logoff && h.status === NtStatus.Success) this.established.delete(step.header.sessionId)
    this.plan.expectations.push(e)
  }

  finish(dissector?: Dissector): Plan {
    this.flushChain()
    if (dissector) {
      this.plan.durable = dissector.durableOpens
      for (const w of dissector.warnings) this.plan.warnings.push(w)
    }
    if (this.plan.steps.length === 0) {
      const why = this.plan.problems.length ? `: ${this.plan.problems[0]!.reason}` : ''
      throw new PlanError(`${this.plan.file}: no SMB2 request to replay${why}`)
    }
    const undecryptable = this.plan.problems.filter((p) => /encrypted/.test(p.reason))
    if (undecryptable.length) {
      throw new PlanError(`${this.plan.file}: ${undecryptable.length} message(s) are ${undecryptable[0]!.reason}`)
    }
    return this.plan
  }
}
