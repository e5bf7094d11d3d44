/**
 * Performing what the model asks for (`wants`): reading a record's detail and raw bytes back from the spool,
 * scanning rows for a filter on body fields, reading the summary. Kept apart from the reducer so the reducer
 * stays pure; the controller and the tests share these functions.
 * @module
 */
import type { RecordStore } from './indexer.js'
import { safeTest, update, wants, type Action, type Model } from './model.js'
import type { InspectSummary } from './source.js'

export interface EffectDeps {
  store: RecordStore
  summary?: () => InspectSummary
}

/** One chunk of a full-record query scan: at most `maxRows` rows from where the query stopped. */
export function scanChunk(m: Model, store: RecordStore, maxRows: number): Action | undefined {
  const w = wants(m).scan
  if (!w) return undefined
  const q = w.target === 'view' ? (m.view.kind === 'filter' ? m.view.q : undefined) : m.find
  if (!q) return undefined
  const to = Math.min(w.to, w.from + Math.max(1, maxRows))
  const found: number[] = []
  for (let i = w.from; i < to; i++) if (safeTest(q.pred, store.full(i))) found.push(i)
  return { type: 'scanned', target: w.target, text: w.text, upTo: to, found }
}

export interface SettleOptions {
  /** Rows a full-record scan may read in this call (0: leave scans to the caller). Default: all. */
  scanRows?: number
  /** Read the summary when the model wants it (default true). */
  summary?: boolean
}

/** Applies the synchronous effects until the model wants nothing more of them. */
export function settle(m: Model, deps: EffectDeps, o: SettleOptions = {}): Model {
  let budget = o.scanRows ?? Infinity
  for (let guard = 0; guard < 10_000; guard++) {
    const w = wants(m)
    if (w.detail !== undefined) {
      m = update(m, { type: 'detailLoaded', row: w.detail, data: deps.store.detail(w.detail) })
      continue
    }
    if (w.raw) {
      m = update(m, { type: 'rawLoaded', row: w.raw.row, start: w.raw.start, bytes: deps.store.raw(w.raw.row, w.raw.start, w.raw.end) })
      continue
    }
    if (w.scan && budget > 0) {
      const a = scanChunk(m, deps.store, Math.min(budget, 5000))
      if (a && a.type === 'scanned') {
        budget -= a.upTo - w.scan.from
        m = update(m, a)
        continue
      }
    }
    if (w.summary && deps.summary && o.summary !== false) {
      m = update(m, { type: 'summaryLoaded', summary: deps.summary(), at: m.count })
      continue
    }
    break
  }
  return m
}
