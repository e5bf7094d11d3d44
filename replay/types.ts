/**
 * The replay's result shapes: design.md's report (`{ summary, steps, durable }`), per step the captured and
 * live response records, a verdict and the differences. They match what the inspector reads
 * (inspect/replay-types.ts: `ReplayStep`, `ReplayReport`, `ReplayDriver`) structurally; replay/ does not
 * import inspect/ (the dependency runs the other way), and a test checks the two stay assignable.
 * @module
 */

export type Verdict = 'match' | 'diverged' | 'skipped'

export interface ReplayDiff {
  /** Dotted path into the response record (`status`, `body.createContexts.RqLs.leaseState`; the inspector also accepts a leading `smb2.` and `[n]` indexes). */
  path: string
  expected: unknown
  actual: unknown
}

export interface ReplayStep {
  /** Capture frame of the replayed request. */
  frame: number
  /** Captured connection (`cliIP:port-srvIP:port`). */
  conn: string
  cmd: string
  /** The captured response record (trace record JSON), or null when the capture has none. */
  expected: Record<string, unknown> | null
  /** The live response record, or null when nothing came back (or the step was skipped). */
  actual: Record<string, unknown> | null
  verdict: Verdict
  diffs: ReplayDiff[]
  note?: string
  /** Live side: connection and MessageId the request went out with. */
  live?: { conn: string; messageId: string; frame?: number }
  /** A request the capture does not hold (an injected reconnect). */
  injected?: boolean
}

export interface ReplaySummary {
  requests: number
  matched: number
  diverged: number
  skipped: number
}

/** Something other than a request's response that did not go as captured (a break, a connection close). */
export interface ReplayEvent {
  frame: number
  conn: string
  kind: 'break' | 'close' | 'connection'
  verdict: 'match' | 'diverged'
  note: string
  diffs: ReplayDiff[]
}

/** One durable (or persistent) open of the capture and what became of it live. */
export interface DurableSummary {
  id: number
  path: string
  kind: string
  requestFrame: number
  granted: { expected: boolean | null; actual: boolean | null }
  reconnects: Array<{ frame: number; kind: string; injected: boolean; expected: string | null; actual: string | null }>
  /** READs on the open after a reconnect all returned the captured data (null: none was made). */
  dataIntact: boolean | null
  verdict: 'match' | 'diverged'
  note?: string
}

export interface ReplayReport {
  summary: ReplaySummary
  steps: ReplayStep[]
  durable: DurableSummary[]
  events: ReplayEvent[]
  capture: string
  target: string
  /** Negotiated differences and warnings worth reading (dialect, signing, encryption, planning). */
  notes: string[]
  elapsedMs: number
}

export interface ReplayDriver {
  next(): Promise<ReplayStep | null>
  runToDivergence(): AsyncIterable<ReplayStep>
  runToEnd(): AsyncIterable<ReplayStep>
  remaining?(): number | undefined
  durable?(): unknown[]
  close?(): Promise<void>
}

export function countVerdicts(steps: Iterable<ReplayStep>): ReplaySummary {
  const s: ReplaySummary = { requests: 0, matched: 0, diverged: 0, skipped: 0 }
  for (const x of steps) {
    if (x.verdict === 'skipped') s.skipped++
    else {
      s.requests++
      if (x.verdict === 'match') s.matched++
      else s.diverged++
    }
  }
  return s
}
