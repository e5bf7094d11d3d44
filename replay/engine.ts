/**
 * The replay engine: runs a plan's events against a live server and judges every replayed request.
 *
 * A step machine driven through `ReplayDriver` (`next`, `runToDivergence`, `runToEnd`): each call runs plan
 * events (open, send, close) until the next captured request, in capture order, has its live answer. Before
 * an event runs, the server messages the capture shows before it must have their live counterparts (or time
 * out): responses the client waited for, and the breaks its acknowledgments answer. Requests are the
 * captured bytes with their ids patched (style.md 3.3); SESSION_SETUP is authentication done afresh.
 *
 * Also here: the connection events (captured close/reset, and `--inject-disconnect` outages followed by the
 * reconnect a Windows client makes), unsolicited breaks (matched to the captured ones, or acknowledged when
 * the capture has none), and `--pace original`.
 * @module
 */
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { SecurityMode, Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { dialectName } from '../dissect/smb2/constants/dialect.js'
import { NtStatus, statusName } from '../dissect/smb2/constants/status.js'
import { LeaseBreakFlags } from '../dissect/smb2/constants/oplock-lease.js'
import type { FileId } from '../dissect/smb2/commands/file-id.js'
import { makeHeader, type Smb2Header } from '../dissect/smb2/header.js'
import { encodeMessage } from '../dissect/smb2/message.js'
import { recordToJson } from '../dissect/trace/json.js'
import type { SmbRecord } from '../dissect/trace/record.js'
import { verify } from '../dissect/crypto/index.js'
import { makeRules, compareResponses, type RuleOptions } from './compare/rules.js'
import type { DiffRules } from './compare/diff.js'
import { DurableTracker, type DurableTrack } from './durable.js'
import { IdMap } from './id-map.js'
import { liveComparable, liveRecord } from './live-record.js'
import { patchFileId, patchGuid, patchHeader, patchU64, readFileId, readGuid, readU64 } from './patch.js'
import { buildPlan, sha256, type Expectation, type Plan, type PlanEvent, type PlanStep } from './plan.js'
import type { PcapRecorder } from './record-pcap.js'
import { Authenticator, credentialsFor, type Credentials } from './session/authenticator.js'
import { Connection, type LiveMessage, type OutgoingMessage, type PendingCall } from './session/connection.js'
import { TransportError } from './session/transport.js'
import { countVerdicts, type DurableSummary, type ReplayDiff, type ReplayDriver, type ReplayEvent, type ReplayReport, type ReplayStep } from './types.js'

/** An outage to add; `delayMs` keeps the client away that long before it reconnects (to cross a durable timeout). */
export type InjectSpec = { kind: 'after-frame'; frame: number; delayMs?: number } | { kind: 'before-durable-close'; delayMs?: number }

export interface ReplayOptions {
  host: string
  port: number
  credentials: Credentials
  /** Per captured user (`DOMAIN\user` or `user`, lower case) the credentials to use instead. */
  userMap?: ReadonlyMap<string, Credentials>
  /** Captured share name (lower case) → live share name. */
  shareMap?: ReadonlyMap<string, string>
  pace?: 'fast' | 'original'
  regenerateIds?: boolean
  inject?: readonly InjectSpec[]
  recorder?: PcapRecorder
  rules?: RuleOptions
  /** How long to wait for a response the capture shows (default 30 s) and for a captured break (default 5 s). */
  responseTimeoutMs?: number
  breakTimeoutMs?: number
  connectTimeoutMs?: number
}

/** The replay could not run: target down, authentication refused, capture unusable. */
export class ReplayFatalError extends Error {
  override readonly name = 'ReplayFatalError'
}

const ALL_ONES = 0xffff_ffff_ffff_ffffn
const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0')

interface StepState {
  plan: PlanStep
  state: 'pending' | 'sent' | 'done'
  result?: ReplayStep
  call?: PendingCall
  live?: LiveConn
  liveMessageId?: bigint
  /** Differences found outside the response (breaks, signatures). */
  extra: ReplayDiff[]
  notes: string[]
  done: Promise<void>
  resolve: () => void
}

interface ExpState {
  settled: boolean
  promise: Promise<void>
  resolve: () => void
  live?: LiveMessage
}

interface CapturedSession {
  creds: Credentials
  rawNtlm: boolean
  liveSession: bigint
}

interface LiveConn {
  captured: string
  conn: Connection
  /** Captured sessions set up on this connection and trees connected (`session|tree` → UNC path sent). */
  sessions: Map<bigint, CapturedSession>
  trees: Map<string, { session: bigint; tree: number; path: string }>
  lastSession: bigint
  lastTree: number
  /** The capture closed it (so an unexpected close by the server is not reported twice). */
  closing: boolean
}

interface ExtraStep {
  afterStep: number
  step: ReplayStep
}

/**
 * Sets `expected`/`actual` of a step as the JSON form of a record, made when first read (JSON.stringify and the
 * inspector read it; a text report of a long replay mostly does not).
 */
function lazyJson(step: ReplayStep, key: 'expected' | 'actual', rec: (() => SmbRecord) | undefined): void {
  if (!rec) {
    step[key] = null
    return
  }
  Object.defineProperty(step, key, {
    enumerable: true,
    configurable: true,
    get() {
      const v = recordToJson(rec())
      Object.defineProperty(step, key, { value: v, enumerable: true, writable: true, configurable: true })
      return v
    },
    set(v: Record<string, unknown> | null) {
      Object.defineProperty(step, key, { value: v, enumerable: true, writable: true, configurable: true })
    },
  })
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Deadlines of the waits in progress, checked by one timer (a timer per wait, one per replayed request, cost
 * more than the rest of the bookkeeping). Resolution is the tick, 20 ms: fine for timeouts of seconds.
 */
class Watchdog {
  private readonly waits = new Set<{ deadline: number; expire: () => void }>()
  private timer: NodeJS.Timeout | undefined

  add(deadline: number, expire: () => void): () => void {
    const w = { deadline, expire }
    this.waits.add(w)
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), 20)
      this.timer.unref?.()
    }
    return () => {
      this.waits.delete(w)
      if (!this.waits.size && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  private tick(): void {
    const now = Date.now()
    for (const w of [...this.waits]) {
      if (w.deadline <= now) {
        this.waits.delete(w)
        w.expire()
      }
    }
    if (!this.waits.size && this.timer) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}

const watchdog = new Watchdog()

/** Waits for `p` at most `ms`; true when it settled in time. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false
    const remove = watchdog.add(Date.now() + ms, () => {
      if (done) return
      done = true
      resolve(false)
    })
    void p.then(() => {
      if (done) return
      done = true
      remove()
      resolve(true)
    })
  })
}

export class ReplayEngine implements ReplayDriver {
  readonly ids: IdMap
  private readonly steps: StepState[]
  private readonly exps: ExpState[]
  private readonly live = new Map<string, LiveConn>()
  private readonly rules: DiffRules
  readonly durableTracker: DurableTracker
  private readonly events: ReplayEvent[] = []
  private readonly notes: string[] = []
  private readonly extras: ExtraStep[] = []
  private readonly yieldedSteps: ReplayStep[] = []
  /** Break expectations by captured connection, in order. */
  private readonly breaksByConn = new Map<string, Expectation[]>()
  /** SESSION_SETUP steps by exchange. */
  private readonly exchanges = new Map<number, number[]>()
  /** The first NEGOTIATE step of each captured connection (an injected reconnect sends it again). */
  private readonly negotiateStep = new Map<string, number>()
  private eventIndex = 0
  private watermark = 0
  private yielded = 0
  private liveFrames = 0
  private fatal: Error | undefined
  private finished = false
  private startWall = 0
  private readonly startedAt = Date.now()
  private readonly responseTimeout: number
  private readonly breakTimeout: number
  /** Frame → delay before the reconnect (ms). */
  private readonly injectAfter: Map<number, number>
  /** Delay before the reconnect of an outage before each durable close, when asked for. */
  private readonly injectBeforeClose: number | undefined
  private currentFrame = 0

  constructor(
    readonly plan: Plan,
    readonly opts: ReplayOptions,
  ) {
    this.ids = new IdMap(opts.regenerateIds ?? false)
    this.rules = makeRules(opts.rules)
    this.durableTracker = new DurableTracker(plan.durable)
    this.responseTimeout = opts.responseTimeoutMs ?? 30_000
    this.breakTimeout = opts.breakTimeoutMs ?? 5_000
    this.injectAfter = new Map((opts.inject ?? []).flatMap((i) => (i.kind === 'after-frame' ? [[i.frame, i.delayMs ?? 0] as const] : [])))
    this.injectBeforeClose = (opts.inject ?? []).find((i) => i.kind === 'before-durable-close')?.delayMs ?? ((opts.inject ?? []).some((i) => i.kind === 'before-durable-close') ? 0 : undefined)
    this.steps = plan.steps.map((p) => {
      const d = deferred()
      return { plan: p, state: 'pending', extra: [], notes: [], done: d.promise, resolve: d.resolve }
    })
    this.exps = plan.expectations.map(() => {
      const d = deferred()
      return { settled: false, promise: d.promise, resolve: d.resolve }
    })
    for (const e of plan.expectations) {
      if (e.kind !== 'break') continue
      let l = this.breaksByConn.get(e.conn)
      if (!l) this.breaksByConn.set(e.conn, (l = []))
      l.push(e)
    }
    for (const s of plan.steps) {
      if (s.auth) {
        let l = this.exchanges.get(s.auth.exchange)
        if (!l) this.exchanges.set(s.auth.exchange, (l = []))
        l.push(s.index)
      }
      if (s.command === Smb2Command.Negotiate && !this.negotiateStep.has(s.conn)) this.negotiateStep.set(s.conn, s.index)
    }
    for (const w of plan.warnings) this.notes.push(`capture: ${w}`)
    for (const p of plan.problems) this.notes.push(`capture frame ${p.frame}: ${p.reason}`)
  }

  /** Plans `file` and returns an engine for it. */
  static async fromFile(file: string, opts: ReplayOptions & { passwords?: string[] }): Promise<ReplayEngine> {
    const passwords = opts.passwords ?? [opts.credentials.password]
    return new ReplayEngine(await buildPlan(file, { passwords }), opts)
  }

  // ---- ReplayDriver -----------------------------------------------------------------------------------------

  async next(): Promise<ReplayStep | null> {
    for (;;) {
      if (this.fatal) throw this.fatal
      const extra = this.extras.findIndex((x) => x.afterStep < this.yielded)
      if (extra >= 0) return this.emit(this.extras.splice(extra, 1)[0]!.step)
      if (this.yielded >= this.steps.length) {
        await this.finish()
        if (this.fatal) throw this.fatal
        const rest = this.extras.splice(0)
        if (rest.length) {
          for (const x of rest.slice(1)) this.extras.push(x)
          return this.emit(rest[0]!.step)
        }
        return null
      }
      const st = this.steps[this.yielded]!
      if (st.result) {
        this.yielded++
        return this.emit(st.result)
      }
      if (this.eventIndex < this.plan.events.length) {
        await this.runEvent(this.plan.events[this.eventIndex++]!)
        continue
      }
      // Every event has run: this step only waits for its answer.
      if (st.state === 'sent') {
        if (!(await within(st.done, this.responseTimeout))) this.complete(st, undefined, `no response within ${this.responseTimeout} ms`)
      } else if (!st.result) this.skip(st, 'never sent')
    }
  }

  async *runToDivergence(): AsyncIterable<ReplayStep> {
    for (;;) {
      const s = await this.next()
      if (!s) return
      yield s
      if (s.verdict === 'diverged') return
    }
  }

  async *runToEnd(): AsyncIterable<ReplayStep> {
    for (;;) {
      const s = await this.next()
      if (!s) return
      yield s
    }
  }

  remaining(): number {
    return this.steps.length - this.yielded
  }

  durable(): DurableSummary[] {
    return this.durableTracker.summary()
  }

  /** Closes the live connections and the recording (the inspector may stop a replay half way). */
  async close(): Promise<void> {
    for (const lc of this.live.values()) if (!lc.conn.isClosed) await lc.conn.close()
    this.live.clear()
    if (this.opts.recorder && !this.recorderClosed) {
      this.recorderClosed = true
      await this.opts.recorder.finish()
    }
  }

  private recorderClosed = false

  /** Runs everything and returns the report. */
  async run(): Promise<ReplayReport> {
    for await (const _ of this.runToEnd()) {
      // steps are collected by emit()
    }
    return this.report()
  }

  report(): ReplayReport {
    return {
      summary: countVerdicts(this.yieldedSteps),
      steps: this.yieldedSteps,
      durable: this.durable(),
      events: this.events,
      capture: this.plan.file,
      target: `${this.opts.host}:${this.opts.port}`,
      notes: this.notes,
      elapsedMs: Date.now() - this.startedAt,
    }
  }

  private emit(s: ReplayStep): ReplayStep {
    this.yieldedSteps.push(s)
    return s
  }

  private async finish(): Promise<void> {
    if (this.finished) return
    this.finished = true
    for (const f of this.injectAfter.keys()) this.notes.push(`--inject-disconnect after:${f}: the capture has nothing after frame ${f} on a live connection; nothing injected`)
    // Answers still outstanding (a CANCELled request, a late response) get a last chance.
    const open = this.steps.filter((s) => s.state === 'sent')
    if (open.length) await within(Promise.all(open.map((s) => s.done)), Math.min(this.responseTimeout, 5000))
    for (const s of open) if (!s.result) this.complete(s, undefined, 'no response')
    for (const [conn, list] of this.breaksByConn) {
      for (const e of list) {
        const x = this.exps[e.seq]!
        if (x.settled) continue
        this.settle(e.seq)
        this.events.push({ frame: e.frame, conn, kind: 'break', verdict: 'diverged', note: 'the captured break never came from the live server', diffs: [{ path: 'break', expected: recordToJson(e.record), actual: null }] })
      }
    }
    await this.close()
  }

  // ---- events -----------------------------------------------------------------------------------------------

  private async runEvent(ev: PlanEvent): Promise<void> {
    await this.settleUpTo(ev.after)
    if (this.fatal) return
    if (this.injectAfter.size) await this.injectBefore(ev)
    this.currentFrame = ev.frame
    if (this.opts.pace === 'original') {
      if (!this.startWall) this.startWall = Date.now()
      const due = this.startWall + (ev.time - this.plan.firstTime) * 1000
      const wait = due - Date.now()
      if (wait > 0) await sleep(wait)
    }
    switch (ev.kind) {
      case 'open':
        await this.openConn(ev.conn)
        break
      case 'close':
        await this.closeConn(ev)
        break
      case 'send':
        await this.sendEvent(ev)
        break
    }
  }

  private async settleUpTo(after: number): Promise<void> {
    while (this.watermark < after) {
      const e = this.plan.expectations[this.watermark]!
      const x = this.exps[this.watermark]!
      if (!x.settled) {
        const ms = e.kind === 'break' ? this.breakTimeout : this.responseTimeout
        if (!(await within(x.promise, ms))) {
          this.settle(e.seq)
          if (e.kind === 'break') this.missingBreak(e)
          else if (e.step !== undefined) this.steps[e.step]!.notes.push(`no ${e.kind} within ${ms} ms (the replay went on)`)
        }
      }
      this.watermark++
    }
  }

  private settle(seq: number | undefined): void {
    if (seq === undefined) return
    const x = this.exps[seq]!
    if (x.settled) return
    x.settled = true
    x.resolve()
  }

  private async connect(captured: string): Promise<LiveConn> {
    let conn: Connection
    try {
      conn = await Connection.open(this.opts.host, this.opts.port, {
        tap: this.opts.recorder,
        observe: () => this.observe(),
        timeoutMs: this.opts.connectTimeoutMs,
      })
    } catch (e) {
      if (e instanceof TransportError) throw new ReplayFatalError(`target ${this.opts.host}:${this.opts.port} is not reachable: ${e.message}`)
      throw e
    }
    const lc: LiveConn = { captured, conn, sessions: new Map(), trees: new Map(), lastSession: 0n, lastTree: 0, closing: false }
    conn.onUnsolicited = (m) => this.unsolicited(lc, m)
    conn.onClose = (r) => {
      if (!lc.closing && r.by === 'server') {
        this.events.push({ frame: this.currentFrame, conn: captured, kind: 'close', verdict: 'diverged', note: `the live server ${r.reset ? 'reset' : 'closed'} the connection where the capture did not${r.error ? ` (${r.error})` : ''}`, diffs: [] })
      }
    }
    return lc
  }

  private async openConn(captured: string): Promise<void> {
    try {
      this.live.set(captured, await this.connect(captured))
    } catch (e) {
      this.fatal = e as Error
    }
  }

  private async closeConn(ev: Extract<PlanEvent, { kind: 'close' }>): Promise<void> {
    const lc = this.live.get(ev.conn)
    if (!lc) return
    lc.closing = true
    if (ev.by === 'server' && !lc.conn.isClosed) {
      const closed = await within(lc.conn.transport.whenClosed(), this.breakTimeout)
      if (!closed) {
        this.events.push({ frame: ev.frame, conn: ev.conn, kind: 'close', verdict: 'diverged', note: 'the captured server closed the connection here; the live server did not (the replay closed it)', diffs: [] })
      }
    }
    if (!lc.conn.isClosed) await (ev.reset ? lc.conn.reset() : lc.conn.close())
    this.live.delete(ev.conn)
  }

  // ---- the live trace ------------------------------------------------------------------------------------------

  /** Frame numbers of live messages: the recorded pcap's, or a running count. */
  private observe(): number {
    return this.opts.recorder ? this.opts.recorder.lastFrame : ++this.liveFrames
  }

  private record(m: LiveMessage | undefined, lc: LiveConn | undefined, captured?: SmbRecord): SmbRecord | undefined {
    if (!m) return undefined
    return liveRecord(m, lc?.conn.id ?? '', captured)
  }

  // ---- sending ------------------------------------------------------------------------------------------------

  private skip(st: StepState, why: string): void {
    if (st.result) return
    st.state = 'done'
    st.result = { frame: st.plan.frame, conn: st.plan.conn, cmd: st.plan.cmd, expected: null, actual: null, verdict: 'skipped', diffs: [], note: why }
    const expected = st.plan.response?.record
    lazyJson(st.result, 'expected', expected && (() => expected))
    lazyJson(st.result, 'actual', undefined)
    this.settle(st.plan.response?.seq)
    this.settle(st.plan.interim?.seq)
    st.resolve()
  }

  private async sendEvent(ev: Extract<PlanEvent, { kind: 'send' }>): Promise<void> {
    const chain = ev.steps.map((i) => this.steps[i]!)
    const first = chain[0]!
    const lc = this.live.get(ev.conn)
    if (!lc || lc.conn.isClosed) {
      const why = lc ? 'its connection was closed by the live server' : 'its connection is not open'
      for (const s of chain) this.skip(s, why)
      return
    }
    if (first.plan.smb1) return this.sendSmb1(lc, first)
    if (!lc.conn.state.dialect && first.plan.command !== Smb2Command.Negotiate) {
      for (const s of chain) this.skip(s, 'the connection was set up before the capture started (no NEGOTIATE to replay)')
      return
    }
    if (first.plan.auth) {
      if (first.plan.auth.leg === 0) await this.authenticate(lc, first)
      return
    }
    if (first.plan.command === Smb2Command.Cancel && chain.length === 1) return this.sendCancel(lc, first)
    if (this.injectBeforeClose !== undefined && first.plan.command === Smb2Command.Close) {
      const t = this.durableOf(first)
      if (t && t.granted && !t.closed) await this.outage(ev.conn, first.plan.index - 1, `before frame ${first.plan.frame} closes durable open #${t.id}`, this.injectBeforeClose)
    }
    const lc2 = this.live.get(ev.conn)
    if (!lc2 || lc2.conn.isClosed) {
      for (const s of chain) this.skip(s, 'its connection is gone')
      return
    }
    try {
      if (chain.length === 1 && this.isRetriableReconnect(first)) await this.sendReconnect(lc2, first)
      else await this.sendChain(lc2, chain)
    } catch (e) {
      for (const s of chain) if (!s.result) this.complete(s, undefined, `could not send: ${(e as Error).message}`)
      return
    }
  }

  /**
   * `--inject-disconnect after:FRAME`: once the plan has gone past FRAME (a request or a response), the
   * connection FRAME belongs to goes down and comes back, before the next event runs.
   */
  private async injectBefore(ev: PlanEvent): Promise<void> {
    for (const [f, delayMs] of [...this.injectAfter].sort((a, b) => a[0] - b[0])) {
      if (ev.frame <= f) continue
      this.injectAfter.delete(f)
      const where = this.frameOwner(f)
      if (!where) {
        this.notes.push(`--inject-disconnect after:${f}: frame ${f} is no SMB message of the capture; nothing injected`)
        continue
      }
      if (!this.live.has(where.conn)) {
        this.notes.push(`--inject-disconnect after:${f}: its connection is already closed; nothing injected`)
        continue
      }
      await this.outage(where.conn, where.step, `after frame ${f}`, delayMs)
    }
  }

  /** The captured connection of a frame, and the last step at or before it. */
  private frameOwner(frame: number): { conn: string; step: number } | undefined {
    const st = this.plan.steps.find((s) => s.frame === frame)
    const ex = st ? undefined : this.plan.expectations.find((e) => e.frame === frame)
    const conn = st?.conn ?? ex?.conn
    if (conn === undefined) return undefined
    let step = -1
    for (const s of this.plan.steps) if (s.frame <= frame) step = s.index
    return { conn, step }
  }

  private durableOf(st: StepState): DurableTrack | undefined {
    const p = st.plan.patches.find((x) => x.kind === 'fileId')
    if (!p) return undefined
    return this.durableTracker.find(readFileId(st.plan.raw, p.span))
  }

  /**
   * Header flags the live dialect allows (MS-SMB2 2.2.1.2): the priority bits only with 3.1.1, REPLAY_OPERATION
   * only with 3.x. A capture of a newer dialect replayed on an older one drops them (a server may refuse them).
   */
  private flags(lc: LiveConn, flags: number): number {
    const d = lc.conn.state.dialect
    if (d === undefined) return flags
    let f = flags
    if (d !== 0x0311 && f & Smb2Flags.PriorityMask) {
      f &= ~Smb2Flags.PriorityMask
      this.noteOnce(`${lc.captured}:priority`, `${lc.captured}: the captured requests carry 3.1.1 priority bits, cleared for ${dialectName(d)}`)
    }
    if (d < 0x0300 && f & Smb2Flags.ReplayOperation) f &= ~Smb2Flags.ReplayOperation
    return f >>> 0
  }

  /** The ChannelSequence of 3.x requests (low half of the status field, MS-SMB2 2.2.1.2) is reserved before 3.0. */
  private channelSequence(lc: LiveConn, status: number): number {
    const d = lc.conn.state.dialect
    return d !== undefined && d < 0x0300 ? 0 : status
  }

  /** CreditCharge to put on the wire for a captured request on this connection. */
  private charge(lc: LiveConn, h: Smb2Header): number {
    const s = lc.conn.state
    if (s.dialect === undefined) return h.creditCharge
    return s.multiCredit ? h.creditCharge : 0
  }

  /** The captured request's bytes with live ids. */
  private patched(st: StepState, lc: LiveConn, messageId: bigint): Buffer {
    const p = st.plan
    const raw = Buffer.from(p.raw)
    const cs = p.header.sessionId
    patchHeader(raw, 0, (h) => ({
      ...h,
      messageId,
      creditCharge: this.charge(lc, h),
      credits: Math.max(h.credits, h.creditCharge, 1),
      sessionId: this.ids.session(h.sessionId),
      treeId: h.flags & Smb2Flags.AsyncCommand ? h.treeId : this.ids.tree(cs, h.treeId),
      flags: this.flags(lc, h.flags) & ~Smb2Flags.Signed,
      status: this.channelSequence(lc, h.status),
      signature: Buffer.alloc(16),
    }))
    for (const x of p.patches) {
      switch (x.kind) {
        case 'fileId':
        case 'reconnectFileId':
          patchFileId(raw, x.span, this.ids.file(readFileId(raw, x.span)))
          break
        case 'previousSessionId': {
          const v = readU64(raw, x.span)
          if (v !== 0n) patchU64(raw, x.span, this.ids.session(v))
          break
        }
        case 'clientGuid':
        case 'createGuid':
        case 'leaseKey':
          if (this.ids.regenerate) patchGuid(raw, x.span, this.ids.guid(readGuid(raw, x.span)))
          break
      }
    }
    return raw
  }

  /** A TREE_CONNECT with the target host and the mapped share, re-encoded (the path length changes). */
  private treeConnect(st: StepState, lc: LiveConn, messageId: bigint): Buffer {
    const p = st.plan
    const body = { ...(p.body as Record<string, unknown>) }
    const path = String(body['path'] ?? '')
    const mapped = this.mapTreePath(path)
    if (mapped === path) return this.patched(st, lc, messageId)
    body['path'] = mapped
    delete body['pathOffset']
    delete body['pathLength']
    const ext = body['extension'] as Record<string, unknown> | undefined
    if (ext) body['extension'] = { ...ext, treeConnectContextOffset: undefined }
    const h = {
      ...p.header, messageId, creditCharge: this.charge(lc, p.header), sessionId: this.ids.session(p.header.sessionId),
      flags: this.flags(lc, p.header.flags) & ~Smb2Flags.Signed, status: this.channelSequence(lc, p.header.status), signature: Buffer.alloc(16), nextCommand: 0,
    }
    return encodeMessage({ header: h, body }, { dialect: lc.conn.state.dialect })
  }

  mapTreePath(path: string): string {
    const m = /^\\\\([^\\]*)\\(.*)$/.exec(path)
    if (!m) return path
    const share = m[2]!
    const mapped = this.opts.shareMap?.get(share.toLowerCase()) ?? share
    return `\\\\${this.opts.host}\\${mapped}`
  }

  private signAndEncrypt(lc: LiveConn, st: StepState, liveSession: bigint, liveTree: number): { sign: boolean; encrypt: boolean } {
    const s = lc.conn.state
    const sess = s.sessions.get(liveSession)
    const keys = sess?.keys
    const encrypt = !!keys?.serverInKey && s.canEncrypt && (st.plan.encrypted || !!sess?.encryptData || s.encryptedTrees.has(liveTree))
    // A request the capture encrypted goes signed when it cannot go encrypted (MS-SMB2 3.2.4.1.1: a session
    // that requires signing gets it either way).
    const sign = !!keys && !encrypt && (st.plan.signed || st.plan.encrypted || s.signingRequired || !!sess?.signingRequired)
    if (st.plan.encrypted && !encrypt && !st.plan.auth) this.noteOnce(`${lc.captured}:encrypt`, `${lc.captured}: the capture encrypted from frame ${st.plan.frame} on; the target does not allow it here (${s.canEncrypt ? 'no session key' : 'no encryption on this dialect'}), so the requests went ${sign ? 'signed' : 'in clear'}`)
    else if (st.plan.signed && !sign && !encrypt && !st.plan.auth) this.noteOnce(`${lc.captured}:sign`, `${lc.captured}: the capture signed from frame ${st.plan.frame} on; no session key live (guest or anonymous), so the requests went unsigned`)
    return { sign, encrypt }
  }

  private readonly noted = new Set<string>()
  private noteOnce(key: string, note: string): void {
    if (this.noted.has(key)) return
    this.noted.add(key)
    this.notes.push(note)
  }

  private async sendChain(lc: LiveConn, chain: StepState[]): Promise<void> {
    const out: OutgoingMessage[] = []
    let encryptFor: bigint | undefined
    for (const [i, st] of chain.entries()) {
      const h = st.plan.header
      const n = Math.max(1, this.charge(lc, h))
      const mid = lc.conn.credits.tryAcquire(n) ?? (await lc.conn.credits.acquire(n, this.responseTimeout))
      const bytes = st.plan.command === Smb2Command.TreeConnect ? this.treeConnect(st, lc, mid) : this.patched(st, lc, mid)
      const liveSession = h.sessionId === ALL_ONES ? lc.lastSession : this.ids.session(h.sessionId)
      const liveTree = h.treeId === 0xffff_ffff ? lc.lastTree : this.ids.tree(h.sessionId, h.treeId)
      const se = this.signAndEncrypt(lc, st, liveSession, liveTree)
      if (i === 0 && se.encrypt) encryptFor = liveSession
      out.push({ bytes, sign: se.sign })
      st.liveMessageId = mid
      st.live = lc
      st.state = 'sent'
      if (h.sessionId !== ALL_ONES && h.sessionId !== 0n) lc.lastSession = liveSession
      if (h.treeId !== 0xffff_ffff && h.treeId !== 0) lc.lastTree = liveTree
      this.watch(st, lc.conn.expect(mid))
    }
    lc.conn.send(out, encryptFor)
  }

  /**
   * A captured DHnC/DH2C reconnect that succeeded in the capture. A server may still be tearing down the old
   * connection when the reconnect arrives (Samba does so asynchronously in another process), and a real client
   * retries, so a refusal is retried a few times within about a second before it counts.
   */
  private isRetriableReconnect(st: StepState): boolean {
    if (st.plan.command !== Smb2Command.Create || st.plan.response?.header.status !== NtStatus.Success) return false
    const req = st.plan.body as { createContexts?: Array<{ tag: string }> }
    return (req.createContexts ?? []).some((c) => c.tag === 'DHnC' || c.tag === 'DH2C')
  }

  private async sendReconnect(lc: LiveConn, st: StepState): Promise<void> {
    const RETRIES = 4
    for (let attempt = 0; ; attempt++) {
      const h = st.plan.header
      const mid = lc.conn.credits.tryAcquire(1) ?? (await lc.conn.credits.acquire(1, this.responseTimeout))
      const bytes = this.patched(st, lc, mid)
      const liveSession = this.ids.session(h.sessionId)
      const se = this.signAndEncrypt(lc, st, liveSession, this.ids.tree(h.sessionId, h.treeId))
      st.liveMessageId = mid
      st.live = lc
      st.state = 'sent'
      lc.lastSession = liveSession
      lc.lastTree = this.ids.tree(h.sessionId, h.treeId)
      const call = lc.conn.expect(mid)
      lc.conn.send([{ bytes, sign: se.sign }], se.encrypt ? liveSession : undefined)
      const m = await call.done
      const refused = m?.header.status === NtStatus.ObjectNameNotFound || m?.header.status === NtStatus.FileNotAvailable
      if (!refused || attempt >= RETRIES || lc.conn.isClosed) {
        if (attempt > 0) st.notes.push(`the reconnect was retried ${attempt} time(s), as a client does while the server tears down the old connection`)
        st.call = call
        this.complete(st, m, m ? undefined : (call.error ?? 'no response'))
        return
      }
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt))
    }
  }

  private watch(st: StepState, call: PendingCall): void {
    st.call = call
    void call.settled.then(() => {
      if (call.interim && !call.final) this.interim(st, call.interim)
    })
    void call.done.then((m) => this.complete(st, m, m ? undefined : (call.error ?? 'no response')))
  }

  private sendSmb1(lc: LiveConn, st: StepState): void {
    // An SMB1 multi-protocol NEGOTIATE: its MessageId is 0 and it takes the first credit (MS-SMB2 3.3.5.3.1).
    const mid = lc.conn.credits.tryAcquire(1)
    if (mid === undefined) return this.skip(st, 'no credit for the SMB1 NEGOTIATE')
    st.state = 'sent'
    st.live = lc
    st.liveMessageId = mid
    this.watch(st, lc.conn.expect(mid))
    lc.conn.sendRaw(Buffer.from(st.plan.raw))
  }

  private sendCancel(lc: LiveConn, st: StepState): void {
    const target = st.plan.cancels !== undefined ? this.steps[st.plan.cancels] : undefined
    if (!target || target.liveMessageId === undefined || target.state !== 'sent') {
      this.skip(st, target ? 'the request it cancels is no longer pending live' : 'the request it cancels is not in the capture')
      return
    }
    const liveAsync = target.call?.interim?.header.asyncId
    const raw = Buffer.from(st.plan.raw)
    const targetTree = target.plan.header.treeId
    patchHeader(raw, 0, (h) => {
      const async = liveAsync !== undefined
      return {
        ...h,
        messageId: target.liveMessageId!,
        creditCharge: 0,
        flags: (async ? h.flags | Smb2Flags.AsyncCommand : h.flags & ~Smb2Flags.AsyncCommand) & this.flags(lc, h.flags | Smb2Flags.AsyncCommand) & ~Smb2Flags.Signed,
        status: this.channelSequence(lc, h.status),
        asyncId: async ? liveAsync : 0n,
        treeId: async ? 0 : this.ids.tree(target.plan.header.sessionId, targetTree),
        processId: 0,
        sessionId: this.ids.session(h.sessionId),
        signature: Buffer.alloc(16),
      }
    })
    const liveSession = this.ids.session(st.plan.header.sessionId)
    const se = this.signAndEncrypt(lc, st, liveSession, lc.lastTree)
    st.state = 'sent'
    st.live = lc
    st.liveMessageId = target.liveMessageId
    lc.conn.send([{ bytes: raw, sign: se.sign }], se.encrypt ? liveSession : undefined)
    // MS-SMB2 3.3.5.16: no response to a CANCEL. The step matches when none comes.
    st.state = 'done'
    st.result = this.result(st, undefined, [], 'CANCEL has no response')
    st.result.verdict = 'match'
    st.resolve()
  }

  // ---- authentication -------------------------------------------------------------------------------------------

  /**
   * Runs a captured SESSION_SETUP exchange live with fresh NTLM: one live leg per captured leg (an extra leg
   * the live server asks for is sent within the last step), PreviousSessionId mapped, each leg judged against
   * its captured response.
   */
  private async authenticate(lc: LiveConn, first: StepState): Promise<void> {
    const leg0 = first.plan.auth!
    const stepIds = this.exchanges.get(leg0.exchange) ?? [first.plan.index]
    if (leg0.binding) {
      for (const i of stepIds) this.skip(this.steps[i]!, 'session binding (multichannel) is not replayed')
      return
    }
    const creds = credentialsFor(leg0.user, this.opts.credentials, this.opts.userMap)
    const auth = new Authenticator(creds, leg0.rawNtlm)
    const capturedSession = leg0.reauth ? first.plan.header.sessionId : undefined
    let liveSession = leg0.reauth ? this.ids.session(first.plan.header.sessionId) : 0n
    let blob: Buffer | undefined
    let last: LiveMessage | undefined
    for (let leg = 0; ; leg++) {
      const index = stepIds[Math.min(leg, stepIds.length - 1)]!
      const st = this.steps[index]!
      const body = { ...(st.plan.body as Record<string, unknown>) }
      let token: Buffer
      try {
        token = auth.nextToken(blob)
      } catch (e) {
        this.complete(st, undefined, `the server's authentication token is unusable: ${(e as Error).message}`)
        break
      }
      body['securityBuffer'] = token
      delete body['securityBufferOffset']
      delete body['securityBufferLength']
      const prev = body['previousSessionId']
      if (typeof prev === 'bigint' && prev !== 0n) body['previousSessionId'] = this.ids.session(prev)
      const mid = await lc.conn.credits.acquire(Math.max(1, this.charge(lc, st.plan.header)), this.responseTimeout)
      const header: Smb2Header = {
        ...st.plan.header,
        messageId: mid,
        creditCharge: this.charge(lc, st.plan.header),
        credits: Math.max(st.plan.header.credits, 1),
        sessionId: liveSession,
        flags: this.flags(lc, st.plan.header.flags) & ~Smb2Flags.Signed,
        status: this.channelSequence(lc, st.plan.header.status),
        signature: Buffer.alloc(16),
        nextCommand: 0,
      }
      const bytes = encodeMessage({ header, body }, { dialect: lc.conn.state.dialect })
      const se = this.signAndEncrypt(lc, st, liveSession, 0)
      const call = lc.conn.expect(mid)
      st.state = 'sent'
      st.live = lc
      st.liveMessageId = mid
      lc.conn.send([{ bytes, sign: se.sign }], se.encrypt ? liveSession : undefined)
      const got = await within(call.done, this.responseTimeout)
      last = call.final
      if (!got || !last) {
        this.complete(st, undefined, got ? (call.error ?? 'no response') : `no response within ${this.responseTimeout} ms`)
        if (!leg0.reauth && leg === 0) this.fatal ??= new ReplayFatalError(`authentication as ${creds.domain ? creds.domain + '\\' : ''}${creds.user}: the target did not answer the SESSION_SETUP`)
        break
      }
      const h = last.header
      const capturedResponse = st.plan.response?.header
      if (h.status === NtStatus.MoreProcessingRequired) {
        blob = (last.body as { securityBuffer?: Buffer }).securityBuffer
        liveSession = h.sessionId
        if (capturedResponse && capturedResponse.sessionId !== 0n) this.ids.setSession(capturedResponse.sessionId, h.sessionId)
        // The last captured leg keeps waiting while the live exchange needs more legs.
        if (leg < stepIds.length - 1) this.complete(st, last)
        continue
      }
      if (h.status === NtStatus.Success) {
        const sid = h.sessionId
        const flags = (last.body as { sessionFlags?: number }).sessionFlags ?? 0
        const s = lc.conn.state.established(sid, auth.sessionKey, flags)
        if (((st.plan.body as { securityMode?: number }).securityMode ?? 0) & SecurityMode.SigningRequired) s.signingRequired = true
        const captured = capturedResponse?.sessionId ?? capturedSession
        if (captured !== undefined && captured !== 0n) this.ids.setSession(captured, sid)
        lc.sessions.set(captured ?? sid, { creds, rawNtlm: leg0.rawNtlm, liveSession: sid })
        lc.lastSession = sid
        // The final response is signed with the new session's key (MS-SMB2 3.3.5.5.3), checked now that we have it.
        if (h.flags & Smb2Flags.Signed && s.keys && !last.encrypted) last.signatureOk = verify(last.raw, s.keys.signingKey, s.keys.signingAlgorithm)
        const fin = auth.finish((last.body as { securityBuffer?: Buffer }).securityBuffer)
        if (!fin.ok) st.notes.push(`SPNEGO: ${fin.reason}`)
        this.complete(st, last)
      } else {
        this.complete(st, last)
        const capturedOk = st.plan.response?.header.status === NtStatus.Success || st.plan.response?.header.status === NtStatus.MoreProcessingRequired
        if (capturedOk && (h.status === NtStatus.LogonFailure || h.status === NtStatus.AccessDenied || h.status === NtStatus.AccountDisabled)) {
          this.fatal ??= new ReplayFatalError(`authentication as ${creds.domain ? creds.domain + '\\' : ''}${creds.user} refused by the target: ${statusName(h.status)}`)
        }
      }
      break
    }
    for (const i of stepIds) {
      const st = this.steps[i]!
      if (!st.result) this.skip(st, 'the live authentication took fewer legs')
    }
  }

  // ---- responses ----------------------------------------------------------------------------------------------

  private interim(st: StepState, m: LiveMessage): void {
    const captured = st.plan.interim?.header.asyncId
    if (captured !== undefined) this.ids.setAsyncId(captured, m.header.asyncId)
    this.settle(st.plan.interim?.seq)
  }

  /** Learns the live ids a response names (MS-SMB2: the server chooses them). */
  private learn(st: StepState, m: LiveMessage): void {
    const lc = st.live!
    const p = st.plan
    const h = m.header
    const captured = p.response?.header
    const ok = h.status === NtStatus.Success
    switch (p.command) {
      case Smb2Command.Negotiate:
      case -1: {
        lc.conn.state.negotiated(m.body as Parameters<typeof lc.conn.state.negotiated>[0])
        const want = (p.response?.record.body as { dialectRevision?: number } | undefined)?.dialectRevision
        const got = lc.conn.state.dialect
        if (want !== undefined && got !== undefined && want !== got) {
          this.noteOnce(`${lc.captured}:dialect`, `${lc.captured}: the target negotiated ${dialectName(got)} where the capture had ${dialectName(want)}`)
        }
        break
      }
      case Smb2Command.TreeConnect:
        if (ok && captured && captured.status === NtStatus.Success) {
          this.ids.setTree(p.header.sessionId, captured.treeId, h.treeId)
          lc.trees.set(`${p.header.sessionId}|${captured.treeId}`, { session: p.header.sessionId, tree: captured.treeId, path: this.mapTreePath(String((p.body as { path?: string }).path ?? '')) })
          lc.conn.state.treeConnected(h.treeId, (m.body as { shareFlags?: number }).shareFlags ?? 0)
        }
        break
      case Smb2Command.Create:
        this.created(st, m)
        break
      case Smb2Command.Close: {
        const t = this.durableOf(st)
        if (t && ok) t.closed = true
        break
      }
      case Smb2Command.Read: {
        const t = this.durableOf(st)
        if (t && t.reconnects.some((r) => r.actual === 'STATUS_SUCCESS') && p.response?.dataHash) {
          const data = (m.body as { data?: Buffer }).data
          t.reads.push(ok && Buffer.isBuffer(data) && sha256(data) === p.response.dataHash)
        }
        break
      }
      default:
        break
    }
  }

  /** A CREATE's answer (undefined: none came) as far as durable opens are concerned, and its FileId. */
  private created(st: StepState, m: LiveMessage | undefined): void {
    const p = st.plan
    const h = m?.header
    const ok = h?.status === NtStatus.Success
    const capturedBody = p.response?.record.body as { fileId?: FileId; createContexts?: Array<{ tag: string }> } | undefined
    const liveBody = (m?.body ?? {}) as { fileId?: FileId; createContexts?: Array<{ tag: string; value?: Record<string, unknown> }> }
    const capturedOk = p.response?.header.status === NtStatus.Success
    if (ok && capturedOk && capturedBody?.fileId && liveBody.fileId) this.ids.setFile(capturedBody.fileId, liveBody.fileId)
    const req = p.body as { name?: string; createContexts?: Array<{ tag: string; value?: Record<string, unknown> }> }
    const ctx = new Map((req.createContexts ?? []).map((c) => [c.tag, c]))
    const reconnect = ctx.get('DH2C') ?? ctx.get('DHnC')
    if (reconnect) {
      const v = reconnect.value ?? {}
      const fid = (v['fileId'] ?? v['data']) as FileId | undefined
      const t = fid ? this.durableTracker.find(fid) : undefined
      if (t) {
        t.reconnects.push({ frame: p.frame, kind: reconnect.tag, injected: false, expected: p.response ? statusName(p.response.header.status) : null, actual: h ? statusName(h.status) : null })
        if (ok) {
          t.conn = p.conn
          t.capturedSession = p.header.sessionId
          t.capturedTree = p.header.treeId
          if (liveBody.fileId) t.liveFileId = liveBody.fileId
          if (capturedOk && capturedBody?.fileId) this.durableTracker.link(t, capturedBody.fileId)
          t.closed = false
        }
      }
      return
    }
    const request = ctx.get('DH2Q') ?? ctx.get('DHnQ')
    if (!request) return
    const grantedLive = ok && (liveBody.createContexts ?? []).some((c) => c.tag === 'DH2Q' || c.tag === 'DHnQ')
    const grantedCaptured = p.response ? capturedOk && (capturedBody?.createContexts ?? []).some((c) => c.tag === 'DH2Q' || c.tag === 'DHnQ') : null
    const dh2q = (liveBody.createContexts ?? []).find((c) => c.tag === 'DH2Q')
    const persistentAsked = request.tag === 'DH2Q' && ((request.value?.['flags'] as number | undefined) ?? 0) & 0x2
    const t = this.durableTracker.requested(
      {
        step: p.index,
        requestFrame: p.frame,
        path: req.name ?? '',
        kind: request.tag as 'DHnQ' | 'DH2Q',
        persistent: dh2q ? (((dh2q.value?.['flags'] as number | undefined) ?? 0) & 0x2) !== 0 : !!persistentAsked,
        conn: p.conn,
        capturedSession: p.header.sessionId,
        capturedTree: p.header.treeId,
        ...(typeof request.value?.['createGuid'] === 'string' ? { createGuid: request.value['createGuid'] as string } : {}),
        ...(capturedOk && capturedBody?.fileId ? { capturedFileId: capturedBody.fileId } : {}),
        ...(grantedLive && liveBody.fileId ? { liveFileId: liveBody.fileId } : {}),
        granted: ok ? grantedLive : false,
      },
      grantedCaptured,
    )
    void t
  }

  private result(st: StepState, m: LiveMessage | undefined, diffs: ReplayDiff[], note?: string): ReplayStep {
    const expected = st.plan.response?.record
    const r: ReplayStep = {
      frame: st.plan.frame,
      conn: st.plan.conn,
      cmd: st.plan.cmd,
      expected: null,
      actual: null,
      verdict: diffs.length ? 'diverged' : 'match',
      diffs,
    }
    const lc = st.live
    lazyJson(r, 'expected', expected && (() => expected))
    lazyJson(r, 'actual', m && (() => liveRecord(m, lc?.conn.id ?? '', expected)))
    const notes = [...st.notes, ...(note ? [note] : [])]
    if (notes.length) r.note = notes.join('; ')
    if (lc && st.liveMessageId !== undefined) {
      r.live = { conn: lc.conn.id, messageId: hex64(st.liveMessageId) }
      if (m?.frame !== undefined) r.live.frame = m.frame
    }
    return r
  }

  /** A step's final answer (or its absence): learn ids, compare, settle what waited for it. */
  private complete(st: StepState, m: LiveMessage | undefined, problem?: string): void {
    if (st.result) return
    st.state = 'done'
    if (m) {
      try {
        this.learn(st, m)
      } catch (e) {
        st.notes.push(`could not use the response: ${(e as Error).message}`)
      }
    } else if (st.plan.command === Smb2Command.Create) this.created(st, undefined)
    const expected = st.plan.response?.record
    const actual = m && liveComparable(m)
    const diffs: ReplayDiff[] = []
    if (!m || !actual) {
      diffs.push({ path: 'status', expected: expected?.status ?? null, actual: null })
    } else if (expected) {
      if (m.decoded.error && !expected.error) diffs.push({ path: 'body', expected: 'decodable', actual: m.decoded.error.message })
      diffs.push(
        ...compareResponses(
          { expected, actual, request: { command: st.plan.command, body: st.plan.body }, guidBack: (g) => this.ids.capturedGuid(g) },
          this.rules,
        ),
      )
    }
    if (m?.signatureOk === false) diffs.push({ path: 'signature', expected: 'valid', actual: 'invalid' })
    if (st.plan.interim && m && !st.call?.interim) st.notes.push('the capture answered STATUS_PENDING first; the live server answered at once')
    diffs.push(...st.extra)
    st.result = this.result(st, m, diffs, problem)
    if (!expected) {
      st.result.verdict = 'skipped'
      st.result.note = [st.result.note, 'the capture holds no response to compare with'].filter(Boolean).join('; ')
    }
    this.settle(st.plan.response?.seq)
    this.settle(st.plan.interim?.seq)
    st.resolve()
  }

  // ---- breaks -------------------------------------------------------------------------------------------------

  private unsolicited(lc: LiveConn, m: LiveMessage): void {
    if (m.header.command !== Smb2Command.OplockBreak) {
      this.events.push({ frame: this.currentFrame, conn: lc.captured, kind: 'break', verdict: 'diverged', note: `unsolicited command 0x${m.header.command.toString(16)} from the live server`, diffs: [] })
      return
    }
    const b = m.body as { leaseKey?: string; fileId?: FileId; flags?: number; newLeaseState?: number; oplockLevel?: number }
    const key = b.leaseKey ? this.ids.capturedGuid(b.leaseKey) : undefined
    const fid = b.fileId ? this.ids.capturedFile(b.fileId) : undefined
    const fidKey = fid ? fid.persistent.toString(16).padStart(16, '0') + ':' + fid.volatile.toString(16).padStart(16, '0') : undefined
    const rec = this.record(m, lc)!
    const e = (this.breaksByConn.get(lc.captured) ?? []).find((x) => !this.exps[x.seq]!.settled && ((key && x.leaseKey === key) || (fidKey && x.fileId === fidKey)))
    if (e) {
      const x = this.exps[e.seq]!
      x.live = m
      this.settle(e.seq)
      const diffs = compareResponses({ expected: e.record, actual: rec, guidBack: (g) => this.ids.capturedGuid(g) }, this.rules)
      if (diffs.length) {
        const ack = e.ackStep !== undefined ? this.steps[e.ackStep] : undefined
        const prefixed = diffs.map((d) => ({ ...d, path: `break.${d.path}` }))
        if (ack && !ack.result) ack.extra.push(...prefixed)
        else this.events.push({ frame: e.frame, conn: lc.captured, kind: 'break', verdict: 'diverged', note: 'the live break differs from the captured one', diffs })
      }
      return
    }
    this.events.push({
      frame: this.currentFrame, conn: lc.captured, kind: 'break', verdict: 'diverged',
      note: 'a break the capture does not have (acknowledged by the replay)',
      diffs: [{ path: 'break', expected: null, actual: recordToJson(rec) }],
    })
    void this.autoAck(lc, m)
  }

  private missingBreak(e: Expectation): void {
    const diff = { path: 'break', expected: recordToJson(e.record), actual: null }
    const ack = e.ackStep !== undefined ? this.steps[e.ackStep] : undefined
    if (ack && !ack.result) {
      ack.extra.push(diff)
      ack.notes.push(`the captured break (frame ${e.frame}) did not come within ${this.breakTimeout} ms`)
    } else this.events.push({ frame: e.frame, conn: e.conn, kind: 'break', verdict: 'diverged', note: `the captured break did not come within ${this.breakTimeout} ms`, diffs: [diff] })
  }

  /** Acknowledges a break the capture has no acknowledgment for, as a client must (MS-SMB2 3.2.5.19). */
  private async autoAck(lc: LiveConn, m: LiveMessage): Promise<void> {
    const b = m.body as { structureSize?: number; leaseKey?: string; flags?: number; newLeaseState?: number; oplockLevel?: number; fileId?: FileId }
    let body: Record<string, unknown>
    if (b.leaseKey !== undefined) {
      if (!((b.flags ?? 0) & LeaseBreakFlags.AckRequired)) return
      body = { structureSize: 36, flags: 0, leaseKey: b.leaseKey, leaseState: b.newLeaseState ?? 0, leaseDuration: 0n }
    } else if (b.fileId) {
      body = { structureSize: 24, oplockLevel: b.oplockLevel ?? 0, fileId: b.fileId }
    } else return
    try {
      const mid = await lc.conn.credits.acquire(1, this.responseTimeout)
      const header = makeHeader({ command: Smb2Command.OplockBreak, messageId: mid, credits: 1, creditCharge: lc.conn.state.multiCredit ? 1 : 0, sessionId: lc.lastSession, treeId: lc.lastTree })
      const bytes = encodeMessage({ header, body }, { dialect: lc.conn.state.dialect })
      const keys = lc.conn.state.sessions.get(lc.lastSession)
      const encrypt = !!keys?.keys?.serverInKey && lc.conn.state.canEncrypt && (keys.encryptData || lc.conn.state.encryptedTrees.has(lc.lastTree))
      lc.conn.expect(mid)
      lc.conn.send([{ bytes, sign: !!keys?.keys && !encrypt }], encrypt ? lc.lastSession : undefined)
    } catch {
      // the connection went away: nothing to acknowledge any more
    }
  }

  // ---- injected outages ---------------------------------------------------------------------------------------------

  /**
   * `--inject-disconnect`: drops the live connection of `captured`, then reconnects as a Windows client does
   * (MS-SMB2 3.2.4.2.x): a new connection, NEGOTIATE, SESSION_SETUP with PreviousSessionId for each session,
   * TREE_CONNECT for each tree, and a DH2C/DHnC CREATE for each durable open; later captured requests use
   * the new ids. The requests it sends are reported as injected steps.
   */
  private async outage(captured: string, afterStep: number, why: string, delayMs = 0): Promise<void> {
    const old = this.live.get(captured)
    if (!old) return
    old.closing = true
    const frame = this.currentFrame
    // Let what is in flight finish before the cable is pulled, as the captured client would have waited.
    const inFlight = this.steps.filter((s) => s.live === old && s.state === 'sent')
    await within(Promise.all(inFlight.map((s) => s.done)), this.responseTimeout)
    await old.conn.close()
    this.live.delete(captured)
    this.notes.push(`injected disconnect ${why} on ${captured}${delayMs ? `, reconnecting ${delayMs} ms later` : ''}`)
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    const lc = await this.connect(captured)
    this.live.set(captured, lc)
    const say = (cmd: string, m: LiveMessage | undefined, expected: Record<string, unknown>, diffs: ReplayDiff[], note: string) => {
      const actual = this.record(m, lc)
      const s: ReplayStep = {
        frame, conn: captured, cmd, expected, actual: actual ? recordToJson(actual) : null,
        verdict: diffs.length ? 'diverged' : 'match', diffs, note, injected: true,
      }
      if (m) s.live = { conn: lc.conn.id, messageId: hex64(m.header.messageId), ...(actual ? { frame: actual.frame } : {}) }
      this.extras.push({ afterStep, step: s })
      return s
    }
    const statusCheck = (m: LiveMessage | undefined, want: number): ReplayDiff[] =>
      m && m.header.status === want ? [] : [{ path: 'status', expected: statusName(want), actual: m ? statusName(m.header.status) : null }]

    // NEGOTIATE: the captured one of this connection again.
    const negIndex = this.negotiateStep.get(captured)
    if (negIndex === undefined) {
      this.notes.push(`injected reconnect on ${captured}: no NEGOTIATE in the capture to reconnect with`)
      return
    }
    const neg = this.steps[negIndex]!
    const negMid = await lc.conn.credits.acquire(1, this.responseTimeout)
    const negBytes = this.patched(neg, lc, negMid)
    const negCall = lc.conn.expect(negMid)
    lc.conn.send([{ bytes: negBytes, sign: false }])
    const negResp = (await within(negCall.done, this.responseTimeout)) ? negCall.final : undefined
    if (negResp) lc.conn.state.negotiated(negResp.body as Parameters<typeof lc.conn.state.negotiated>[0])
    say('NEGOTIATE', negResp, { status: 'STATUS_SUCCESS' }, statusCheck(negResp, NtStatus.Success), `injected reconnect (${why})`)
    if (!negResp) return

    for (const [capturedSession, s] of old.sessions) {
      const sid = await this.injectedSessionSetup(lc, s, capturedSession, say, statusCheck)
      if (sid === undefined) continue
      for (const t of old.trees.values()) {
        if (t.session !== capturedSession) continue
        const mid = await lc.conn.credits.acquire(1, this.responseTimeout)
        const header = makeHeader({ command: Smb2Command.TreeConnect, messageId: mid, credits: 1, creditCharge: lc.conn.state.multiCredit ? 1 : 0, sessionId: sid })
        const bytes = encodeMessage({ header, body: { flags: 0, path: t.path } }, { dialect: lc.conn.state.dialect })
        const m = await this.call(lc, mid, bytes, sid, 0)
        if (m?.header.status === NtStatus.Success) {
          this.ids.setTree(capturedSession, t.tree, m.header.treeId)
          lc.trees.set(`${capturedSession}|${t.tree}`, { ...t })
          lc.conn.state.treeConnected(m.header.treeId, (m.body as { shareFlags?: number }).shareFlags ?? 0)
        }
        say('TREE_CONNECT', m, { status: 'STATUS_SUCCESS' }, statusCheck(m, NtStatus.Success), `injected reconnect: ${t.path}`)
      }
    }

    for (const t of this.durableTracker.openOn(captured)) {
      // Retried like a captured reconnect: the server may still be tearing down the old connection.
      let m = await this.injectedReconnect(lc, t)
      for (let attempt = 0; attempt < 4 && (m?.header.status === NtStatus.ObjectNameNotFound || m?.header.status === NtStatus.FileNotAvailable) && !lc.conn.isClosed; attempt++) {
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt))
        m = await this.injectedReconnect(lc, t)
      }
      const diffs = statusCheck(m, NtStatus.Success)
      t.reconnects.push({ frame, kind: t.kind === 'DH2Q' ? 'DH2C' : 'DHnC', injected: true, expected: 'STATUS_SUCCESS', actual: m ? statusName(m.header.status) : null })
      if (m?.header.status === NtStatus.Success) {
        const f = (m.body as { fileId?: FileId }).fileId
        if (f && t.capturedFileId) {
          this.ids.setFile(t.capturedFileId, f)
          t.liveFileId = f
        }
      }
      say('CREATE', m, { status: 'STATUS_SUCCESS', durable: t.id }, diffs, `injected ${t.kind === 'DH2Q' ? 'DH2C' : 'DHnC'} reconnect of durable open #${t.id} (${t.path})`)
    }
  }

  private async call(lc: LiveConn, mid: bigint, bytes: Buffer, session: bigint, tree: number): Promise<LiveMessage | undefined> {
    const s = lc.conn.state.sessions.get(session)
    const encrypt = !!s?.keys?.serverInKey && lc.conn.state.canEncrypt && (s.encryptData || lc.conn.state.encryptedTrees.has(tree))
    const c = lc.conn.expect(mid)
    lc.conn.send([{ bytes, sign: !!s?.keys && !encrypt }], encrypt ? session : undefined)
    return (await within(c.done, this.responseTimeout)) ? c.final : undefined
  }

  private async injectedSessionSetup(
    lc: LiveConn,
    s: CapturedSession,
    capturedSession: bigint,
    say: (cmd: string, m: LiveMessage | undefined, expected: Record<string, unknown>, diffs: ReplayDiff[], note: string) => ReplayStep,
    statusCheck: (m: LiveMessage | undefined, want: number) => ReplayDiff[],
  ): Promise<bigint | undefined> {
    const auth = new Authenticator(s.creds, s.rawNtlm)
    let sid = 0n
    let blob: Buffer | undefined
    for (let leg = 0; leg < 4; leg++) {
      const mid = await lc.conn.credits.acquire(1, this.responseTimeout)
      const header = makeHeader({ command: Smb2Command.SessionSetup, messageId: mid, credits: 32, creditCharge: lc.conn.state.multiCredit ? 1 : 0, sessionId: sid })
      const body = { flags: 0, securityMode: 1, capabilities: 1, channel: 0, previousSessionId: s.liveSession, securityBuffer: auth.nextToken(blob) }
      const bytes = encodeMessage({ header, body }, { dialect: lc.conn.state.dialect })
      const call = lc.conn.expect(mid)
      lc.conn.send([{ bytes, sign: false }])
      const m = (await within(call.done, this.responseTimeout)) ? call.final : undefined
      if (m?.header.status === NtStatus.MoreProcessingRequired) {
        sid = m.header.sessionId
        blob = (m.body as { securityBuffer?: Buffer }).securityBuffer
        continue
      }
      if (m?.header.status === NtStatus.Success) {
        sid = m.header.sessionId
        lc.conn.state.established(sid, auth.sessionKey, (m.body as { sessionFlags?: number }).sessionFlags ?? 0)
        this.ids.setSession(capturedSession, sid)
        lc.sessions.set(capturedSession, { ...s, liveSession: sid })
        lc.lastSession = sid
      }
      say('SESSION_SETUP', m, { status: 'STATUS_SUCCESS' }, statusCheck(m, NtStatus.Success), `injected reconnect: PreviousSessionId ${hex64(s.liveSession)}`)
      return m?.header.status === NtStatus.Success ? sid : undefined
    }
    return undefined
  }

  /** A CREATE that reconnects a durable open: the original request's name and lease, DHnC or DH2C instead of DHnQ/DH2Q. */
  private async injectedReconnect(lc: LiveConn, t: DurableTrack): Promise<LiveMessage | undefined> {
    const p = this.steps[t.step]!.plan
    const body = { ...(p.body as Record<string, unknown>) }
    for (const k of ['nameOffset', 'nameLength', 'createContextsOffset', 'createContextsLength']) delete body[k]
    const contexts: Array<Record<string, unknown>> = []
    for (const c of (body['createContexts'] ?? []) as Array<Record<string, unknown>>) {
      if (c['tag'] !== 'RqLs' || c['known'] !== true) continue
      const v = { ...(c['value'] as Record<string, unknown>) }
      for (const k of ['leaseKey', 'parentLeaseKey']) if (typeof v[k] === 'string') v[k] = this.ids.guid(v[k] as string)
      contexts.push({ tag: 'RqLs', known: true, spec: c['spec'], value: v })
    }
    if (t.kind === 'DH2Q') {
      contexts.unshift({ tag: 'DH2C', known: true, spec: '2.2.13.2.12', value: { fileId: t.liveFileId, createGuid: this.ids.guid(t.createGuid ?? '00000000-0000-0000-0000-000000000000'), flags: t.persistent ? 2 : 0 } })
    } else {
      contexts.unshift({ tag: 'DHnC', known: true, spec: '2.2.13.2.4', value: { data: t.liveFileId } })
    }
    body['createContexts'] = contexts
    const session = this.ids.session(t.capturedSession)
    const tree = this.ids.tree(t.capturedSession, t.capturedTree)
    const mid = await lc.conn.credits.acquire(1, this.responseTimeout)
    const header = makeHeader({ command: Smb2Command.Create, messageId: mid, credits: 1, creditCharge: lc.conn.state.multiCredit ? 1 : 0, sessionId: session, treeId: tree })
    const bytes = encodeMessage({ header, body }, { dialect: lc.conn.state.dialect })
    const m = await this.call(lc, mid, bytes, session, tree)
    if (m?.header.status === NtStatus.Success) t.conn = lc.captured
    return m
  }
}
