/**
 * The controller: owns the model, the data (index + spool, or the replay steps) and the view; turns keys into
 * actions, performs what the model `wants` (spool reads, background scans for body filters, summary reads,
 * live replay runs) and renders. Capture indexing is one streaming pass: rows become browsable as they arrive.
 * @module
 */
import { onCleanup } from './cleanup.js'
import { settle, scanChunk } from './effects.js'
import { Indexer } from './indexer.js'
import { keyAction, type KeyEvent } from './keys.js'
import { initCapture, initReplay, update, wants, type Action, type Model } from './model.js'
import { StepLog, type ReplayDriver, type ReplayReport, type ReplayStep } from './replay-types.js'
import type { RecordSource, SourceItem, SourceProgress } from './source.js'
import { FileBackend, Spool } from './spool.js'
import type { TerminalView, ViewHandlers } from './view-blessed.js'

export type ViewFactory = (h: ViewHandlers) => TerminalView

/** A source whose first record (or end) has been read: opening errors surface before any screen is drawn. */
export interface PrimedSource {
  source: RecordSource
  iterator: AsyncIterator<SourceItem>
  first: IteratorResult<SourceItem>
  progress: { latest?: SourceProgress }
}

/** Starts the source and reads its first record; rejects when the file cannot be read as a capture. */
export async function primeSource(source: RecordSource): Promise<PrimedSource> {
  const progress: PrimedSource['progress'] = {}
  const iterator = source.items((p) => (progress.latest = p))[Symbol.asyncIterator]()
  const first = await iterator.next()
  return { source, iterator, first, progress }
}

const BATCH_MS = 100
const SCAN_CHUNK = 4000

/** The event loop side of the inspector, shared by capture and replay modes. */
export class Controller {
  private pending = false
  private scanning = false
  private running = false
  private summaryReadAt = 0
  private resolveQuit!: () => void
  /** Resolves when the user quits. */
  readonly quit = new Promise<void>((r) => (this.resolveQuit = r))

  constructor(
    public model: Model,
    private readonly view: TerminalView,
    private readonly deps: { indexer?: Indexer; summary?: () => ReturnType<RecordSource['summary']>; driver?: ReplayDriver; steps?: StepLog } = {},
  ) {}

  key(k: KeyEvent): void {
    const a = keyAction(k, this.model)
    if (a) this.dispatch(a)
  }

  dispatch(a: Action): void {
    this.model = update(this.model, a)
    if (this.model.quit) {
      this.resolveQuit()
      return
    }
    this.effects()
    this.schedule()
  }

  private schedule(): void {
    if (this.pending) return
    this.pending = true
    setImmediate(() => {
      this.pending = false
      if (!this.model.quit) this.view.render(this.model)
    })
  }

  private effects(): void {
    const { indexer, summary } = this.deps
    if (indexer) {
      // Spool reads are small and synchronous; the summary is re-read at most twice a second while indexing.
      const now = Date.now()
      const readSummary = this.model.load.state !== 'loading' || now - this.summaryReadAt > 500
      const before = this.model
      this.model = settle(this.model, { store: indexer, summary }, { scanRows: 0, summary: readSummary })
      if (readSummary && before.summaryAt !== this.model.summaryAt) this.summaryReadAt = now
      if (wants(this.model).scan && !this.scanning) this.scan()
    }
    const run = wants(this.model).replay
    if (run && !this.running) void this.runReplay(run)
  }

  /** A full-record filter or find: scan the spool in chunks, yielding to keys and rendering between them. */
  private scan(): void {
    this.scanning = true
    const step = () => {
      const a = this.deps.indexer && !this.model.quit ? scanChunk(this.model, this.deps.indexer, SCAN_CHUNK) : undefined
      if (!a) {
        this.scanning = false
        return
      }
      this.dispatch(a)
      setImmediate(step)
    }
    setImmediate(step)
  }

  private async runReplay(kind: NonNullable<ReturnType<typeof wants>['replay']>): Promise<void> {
    const { driver, steps } = this.deps
    if (!driver || !steps) return
    this.running = true
    const add = (s: ReplayStep) => {
      steps.push(s)
      this.dispatch({ type: 'stepsAdded', count: steps.length })
    }
    try {
      let finished = false
      if (kind === 'step') {
        const s = await driver.next()
        if (s) add(s)
        else finished = true
      } else {
        let last: ReplayStep | undefined
        const it = kind === 'divergence' ? driver.runToDivergence() : driver.runToEnd()
        let stopped = false
        for await (const s of it) {
          add(s)
          last = s
          if (!this.model.replay?.running || this.model.quit) {
            stopped = true
            break
          }
        }
        finished = !stopped && (kind === 'end' || last?.verdict !== 'diverged' || driver.remaining?.() === 0)
      }
      if (driver.remaining?.() === 0) finished = true
      this.dispatch({ type: 'replayRunDone', finished, durable: driver.durable?.() })
    } catch (e) {
      this.dispatch({ type: 'replayRunDone', finished: false, error: (e as Error).message })
    } finally {
      this.running = false
    }
  }

  render(): void {
    this.view.render(this.model)
  }
}

export interface CaptureRunOptions {
  view: ViewFactory
  /** Directory for the spool (default: the system temporary directory). */
  tmpDir?: string
}

/**
 * Runs the capture browser until the user quits: indexes the source in one pass (rows usable as they arrive),
 * spools full records to a temporary file, and removes it at the end (also on signals, via cleanup.ts).
 */
export async function runCaptureView(primed: PrimedSource, o: CaptureRunOptions): Promise<void> {
  const spool = new Spool(new FileBackend(o.tmpDir))
  const unregister = onCleanup(() => spool.close())
  const indexer = new Indexer(spool)
  let ctl: Controller | undefined
  const view = o.view({ onKey: (k) => ctl?.key(k), onResize: (w, h) => ctl?.dispatch({ type: 'resize', width: w, height: h }) })
  // On a signal the terminal must be given back too, not only the spool removed.
  const unregisterView = onCleanup(() => view.destroy())
  try {
    ctl = new Controller(initCapture({ name: primed.source.name, rows: indexer.rows, width: view.width, height: view.height }), view, {
      indexer,
      summary: () => primed.source.summary(),
    })
    ctl.render()
    const c = ctl
    const indexing = (async () => {
      let last = Date.now()
      const flush = () => {
        const p = primed.progress.latest
        if (p) c.dispatch({ type: 'progress', bytesRead: p.bytesRead, totalBytes: p.totalBytes })
        c.dispatch({ type: 'rowsAdded', count: indexer.rows.length })
        last = Date.now()
      }
      try {
        let r = primed.first
        while (!r.done && !c.model.quit) {
          indexer.add(r.value)
          if (Date.now() - last >= BATCH_MS) {
            flush()
            // Let keys and resizes in between long synchronous stretches.
            await new Promise((res) => setImmediate(res))
          }
          r = await primed.iterator.next()
        }
        flush()
        if (!c.model.quit) c.dispatch({ type: 'loadDone' })
      } catch (e) {
        flush()
        c.dispatch({ type: 'loadFailed', message: `read stopped: ${(e as Error).message}` })
      } finally {
        if (c.model.quit) await primed.iterator.return?.()
      }
    })()
    await ctl.quit
    await Promise.race([indexing, new Promise((r) => setTimeout(r, 200))])
  } finally {
    view.destroy()
    spool.close()
    unregister()
    unregisterView()
  }
}

export interface ReplayRunOptions {
  view: ViewFactory
  name: string
}

/** Browses a finished replay report. */
export async function runReportView(report: ReplayReport, o: ReplayRunOptions): Promise<void> {
  const steps = new StepLog(report.steps)
  let ctl: Controller | undefined
  const view = o.view({ onKey: (k) => ctl?.key(k), onResize: (w, h) => ctl?.dispatch({ type: 'resize', width: w, height: h }) })
  try {
    ctl = new Controller(
      initReplay({ name: o.name, source: 'report', steps, width: view.width, height: view.height, summary: report.summary, durable: report.durable }),
      view,
    )
    ctl.render()
    await ctl.quit
  } finally {
    view.destroy()
  }
}

/**
 * Steps through a live replay: the engine's `ReplayDriver` replays on Space / d / r, and each step appears as
 * its live response arrives. The replay CLI calls this with its driver.
 */
export async function runLiveReplayView(driver: ReplayDriver, o: ReplayRunOptions): Promise<void> {
  const steps = new StepLog()
  let ctl: Controller | undefined
  const view = o.view({ onKey: (k) => ctl?.key(k), onResize: (w, h) => ctl?.dispatch({ type: 'resize', width: w, height: h }) })
  try {
    ctl = new Controller(initReplay({ name: o.name, source: 'live', steps, width: view.width, height: view.height }), view, { driver, steps })
    ctl.render()
    await ctl.quit
  } finally {
    view.destroy()
    await driver.close?.()
  }
}
