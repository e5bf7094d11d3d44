/**
 * What the inspector needs from the replay engine, in the shape of design.md's replay report
 * (`--report json`: `{ summary, steps: [ { frame, conn, cmd, expected, actual, verdict, diffs } ], durable }`):
 * `ReplayStep` and `ReplayReport` for browsing a finished report, and `ReplayDriver`, the interface the live
 * stepping mode drives (the engine implements it; the inspector never imports the engine's internals).
 * @module
 */
import { countVerdicts, type ReplayDiff, type ReplaySummary, type Verdict } from '../replay/types.js'

/** The shapes both sides share come from the replay (inspect/ depends on replay/, not the other way). */
export { countVerdicts, type ReplayDiff, type ReplaySummary, type Verdict }

export interface ReplayStep {
  /** Capture frame of the replayed request. */
  frame: number
  conn: string
  cmd: string
  /** The captured response record (trace record JSON), or null when the capture has none. */
  expected: Record<string, unknown> | null
  /** The live response record, or null when nothing came back (or the step was skipped). */
  actual: Record<string, unknown> | null
  verdict: Verdict
  diffs: ReplayDiff[]
  /** Why a step was skipped or what else the engine noted. */
  note?: string
}

export interface ReplayReport {
  summary: ReplaySummary
  steps: ReplayStep[]
  durable: unknown[]
}

/**
 * The live replay, step by step. Each call replays captured requests against the target and yields a step per
 * replayed request as its live response arrives. The inspector calls one method at a time.
 */
export interface ReplayDriver {
  /** Replays the next captured request; resolves with its step, or null when every request has been replayed. */
  next(): Promise<ReplayStep | null>
  /** Replays until a step diverges (that step is the last yielded) or the capture ends. */
  runToDivergence(): AsyncIterable<ReplayStep>
  /** Replays every remaining request. */
  runToEnd(): AsyncIterable<ReplayStep>
  /** Requests still to replay, when known (for the progress line). */
  remaining?(): number | undefined
  /** The durable-handle outcomes so far (the report's `durable` entries). */
  durable?(): unknown[]
  /** Ends the replay (closes connections). */
  close?(): Promise<void>
}

export class ReportError extends Error {
  override readonly name = 'ReportError'
}

const VERDICTS: ReadonlySet<string> = new Set(['match', 'diverged', 'skipped'])

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Checks a parsed `--report json` document; throws ReportError naming the first bad place. */
export function parseReport(doc: unknown): ReplayReport {
  if (!isObj(doc)) throw new ReportError('not a replay report: expected a JSON object with summary and steps')
  const steps = doc['steps']
  if (!Array.isArray(steps)) throw new ReportError('not a replay report: "steps" is missing or not an array')
  const out: ReplayStep[] = steps.map((s, i) => {
    const at = `steps[${i}]`
    if (!isObj(s)) throw new ReportError(`${at} is not an object`)
    const verdict = s['verdict']
    if (typeof verdict !== 'string' || !VERDICTS.has(verdict)) throw new ReportError(`${at}.verdict must be match, diverged or skipped (got ${JSON.stringify(verdict)})`)
    if (typeof s['frame'] !== 'number') throw new ReportError(`${at}.frame must be a number`)
    const expected = s['expected'] ?? null
    const actual = s['actual'] ?? null
    if (expected !== null && !isObj(expected)) throw new ReportError(`${at}.expected must be an object or null`)
    if (actual !== null && !isObj(actual)) throw new ReportError(`${at}.actual must be an object or null`)
    const diffs = s['diffs'] ?? []
    if (!Array.isArray(diffs)) throw new ReportError(`${at}.diffs must be an array`)
    const step: ReplayStep = {
      frame: s['frame'],
      conn: String(s['conn'] ?? ''),
      cmd: String(s['cmd'] ?? ''),
      expected,
      actual,
      verdict: verdict as Verdict,
      diffs: diffs.map((d, j) => {
        if (!isObj(d) || typeof d['path'] !== 'string') throw new ReportError(`${at}.diffs[${j}] needs a string path`)
        return { path: d['path'], expected: d['expected'], actual: d['actual'] }
      }),
    }
    if (typeof s['note'] === 'string') step.note = s['note']
    else if (typeof s['reason'] === 'string') step.note = s['reason']
    return step
  })
  const counted = countVerdicts(out)
  const sum = isObj(doc['summary']) ? doc['summary'] : {}
  const num = (k: keyof ReplaySummary) => (typeof sum[k] === 'number' ? (sum[k] as number) : counted[k])
  return {
    summary: { requests: num('requests'), matched: num('matched'), diverged: num('diverged'), skipped: num('skipped') },
    steps: out,
    durable: Array.isArray(doc['durable']) ? doc['durable'] : [],
  }
}

/** Normalises a diff path to the field tree's dotted form: no `smb2.` prefix, `a[2]` → `a.2`. */
export function normaliseDiffPath(path: string): string {
  return path.replace(/^smb2\./, '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '')
}

/** The steps of a replay in order, append-only (the model's `StepTable`). */
export class StepLog {
  private readonly steps: ReplayStep[] = []

  constructor(initial: readonly ReplayStep[] = []) {
    this.steps.push(...initial)
  }

  get length(): number {
    return this.steps.length
  }

  get(i: number): ReplayStep {
    const s = this.steps[i]
    if (!s) throw new RangeError(`no step ${i} (${this.steps.length} so far)`)
    return s
  }

  push(s: ReplayStep): number {
    return this.steps.push(s)
  }
}
