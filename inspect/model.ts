/**
 * The inspector's state and its reducer: `update(model, action)` is pure and deterministic. Data arrives through
 * actions (rows indexed, a record's detail read back, a body-filter scan's matches, replay steps); the
 * controller performs the I/O that `wants(model)` asks for and dispatches the results. The rows themselves
 * live in an append-only table the model only reads up to `count` (so older states stay valid).
 * @module
 */
import { compileFilter, FilterError, type Predicate } from '../dissect/trace/filter.js'
import type { TraceRecord } from '../dissect/trace/record.js'
import { detailRoots, flattenPair, flattenTree, spanFor, type PairNode, type Toggles, type TreeNode } from './field-tree.js'
import type { DetailData } from './indexer.js'
import { emptySeq, seqAppend, seqGet, seqIndexOf, seqLowerBound, type Seq } from './int-list.js'
import { helpLines } from './keys.js'
import { availablePanes, layout, paneRows, type PaneName } from './layout.js'
import { countVerdicts, normaliseDiffPath, type ReplayStep, type ReplaySummary } from './replay-types.js'
import { LIGHT_FIELDS, type RowTable } from './rows.js'
import type { InspectSummary } from './source.js'
import { summaryLines } from './summary-view.js'

export type Pane = PaneName

export const HEX_PER_LINE = 16
/** Raw bytes are read in windows of this size around what the hex pane shows. */
export const RAW_WINDOW = 64 * 1024

export interface Query {
  text: string
  pred: Predicate
  /** The expression reads fields a row does not keep (body, notes, flags, ...): rows are checked from the spool. */
  needsFull: boolean
  matches: Seq
  /** Rows examined so far (a full-record query grows in the background). */
  scanned: number
  /** Find only: jump to the first match at or after this row once the background scan finds it. */
  jumpFrom?: number
}

export interface Follow {
  what: 'open' | 'session'
  label: string
  /** Durable open id (0: not durable), server id and FileIds of the open's lineage. */
  durable: number
  server: number
  fileIds: ReadonlySet<number>
  /** Session follow: the session and those linked by PreviousSessionId. */
  session: number
  sessions: ReadonlySet<number>
  /** Connections the followed messages used (their TCP close/reset rows are shown too). */
  conns: ReadonlySet<number>
  /** First row of the lineage. */
  start: number
}

export type ViewFilter =
  | { kind: 'all' }
  | { kind: 'filter'; q: Query }
  | { kind: 'follow'; f: Follow; matches: Seq; scanned: number }

export interface Prompt {
  kind: 'filter' | 'find'
  text: string
  error?: string
}

export interface Notice {
  text: string
  level: 'info' | 'error'
}

export interface LoadState {
  state: 'loading' | 'done' | 'failed'
  bytesRead: number
  totalBytes?: number
  message?: string
}

export interface CaptureDetail {
  row: number
  data: DetailData
  toggles: Toggles
  nodes: TreeNode[]
  raw?: { start: number; bytes: Buffer }
}

/** Replay steps, append-only (a live replay adds them as they complete). */
export interface StepTable {
  readonly length: number
  get(i: number): ReplayStep
}

export interface ReplayModel {
  source: 'report' | 'live'
  steps: StepTable
  count: number
  diverged: Seq
  onlyDivergences: boolean
  running?: 'step' | 'divergence' | 'end'
  finished: boolean
  summary: ReplaySummary
  durable: unknown[]
}

export interface PairDetail {
  step: number
  toggles: Toggles
  nodes: PairNode[]
}

export interface Model {
  mode: 'capture' | 'replay'
  name: string
  width: number
  height: number
  focus: Pane
  showSummary: boolean
  help: { open: boolean; top: number }
  rows: RowTable
  count: number
  /** Time of the first record (relative times count from it). */
  t0?: number
  load: LoadState
  view: ViewFilter
  find?: Query
  prompt?: Prompt
  list: { cursor: number; top: number }
  detail?: CaptureDetail
  pair?: PairDetail
  toggles: Toggles
  tree: { cursor: number; top: number; path?: string }
  hex: { top: number; syncedPath?: string }
  summary?: InspectSummary
  /** Row count when the summary was read (-1: never). */
  summaryAt: number
  summaryTop: number
  notice?: Notice
  replay?: ReplayModel
  quit: boolean
}

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; dir: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'select'; pos: number }
  | { type: 'enter' }
  | { type: 'openNode' }
  | { type: 'closeNode' }
  | { type: 'toggleNode' }
  | { type: 'focus'; pane: Pane }
  | { type: 'focusNext'; dir: 1 | -1 }
  | { type: 'back' }
  | { type: 'promptOpen'; kind: Prompt['kind'] }
  | { type: 'promptInput'; text: string }
  | { type: 'promptBackspace' }
  | { type: 'promptClear' }
  | { type: 'promptSubmit' }
  | { type: 'promptCancel' }
  | { type: 'setFilter'; text: string }
  | { type: 'clearView' }
  | { type: 'setFind'; text: string }
  | { type: 'findNext'; dir: 1 | -1 }
  | { type: 'jumpPeer' }
  | { type: 'followOpen' }
  | { type: 'followSession' }
  | { type: 'toggleSummary' }
  | { type: 'toggleHelp' }
  | { type: 'resize'; width: number; height: number }
  | { type: 'quit' }
  | { type: 'toggleOnlyDivergences' }
  | { type: 'replayStep' }
  | { type: 'replayRunToDivergence' }
  | { type: 'replayRunToEnd' }
  | { type: 'replayCancel' }
  // data arriving from the controller
  | { type: 'rowsAdded'; count: number }
  | { type: 'progress'; bytesRead: number; totalBytes?: number }
  | { type: 'loadDone' }
  | { type: 'loadFailed'; message: string }
  | { type: 'detailLoaded'; row: number; data: DetailData }
  | { type: 'rawLoaded'; row: number; start: number; bytes: Buffer }
  | { type: 'scanned'; target: 'view' | 'find'; text: string; upTo: number; found: number[] }
  | { type: 'summaryLoaded'; summary: InspectSummary; at: number }
  | { type: 'stepsAdded'; count: number }
  | { type: 'replayRunDone'; finished: boolean; error?: string; durable?: unknown[] }

const DATA_ACTIONS: ReadonlySet<Action['type']> = new Set([
  'rowsAdded', 'progress', 'loadDone', 'loadFailed', 'detailLoaded', 'rawLoaded', 'scanned', 'summaryLoaded', 'stepsAdded', 'replayRunDone', 'resize',
])

// ---------------------------------------------------------------------------------------------------------
// Construction

export interface CaptureInit {
  name: string
  rows: RowTable
  width: number
  height: number
}

function base(name: string, rows: RowTable, width: number, height: number): Model {
  return {
    mode: 'capture', name, width, height, focus: 'list', showSummary: false, help: { open: false, top: 0 }, rows, count: 0,
    load: { state: 'loading', bytesRead: 0 }, view: { kind: 'all' }, list: { cursor: 0, top: 0 }, toggles: new Map(),
    tree: { cursor: 0, top: 0 }, hex: { top: 0 }, summaryAt: -1, summaryTop: 0, quit: false,
  }
}

export function initCapture(o: CaptureInit): Model {
  return refresh(base(o.name, o.rows, o.width, o.height))
}

export interface ReplayInit {
  name: string
  source: 'report' | 'live'
  steps: StepTable
  width: number
  height: number
  /** The report's summary (counted from the steps when absent). */
  summary?: ReplaySummary
  durable?: unknown[]
}

const NO_ROWS: RowTable = {
  length: 0,
  light: () => { throw new RangeError('no rows in replay mode') },
  frame: () => 0, time: () => 0, isTcp: () => false, isResponse: () => false, hasNotes: () => false, connNo: () => 0, connId: () => 0,
  serverId: () => 0, sessionId: () => 0, fileId: () => 0, cmd: () => '', durableOpen: () => 0, peer: () => -1, linkedSessions: (s) => [s],
  internedId: () => 0, firstRowAtFrame: () => 0,
}

export function initReplay(o: ReplayInit): Model {
  const m = base(o.name, NO_ROWS, o.width, o.height)
  const replay: ReplayModel = {
    source: o.source, steps: o.steps, count: 0, diverged: emptySeq(), onlyDivergences: false, finished: o.source === 'report',
    summary: o.summary ?? { requests: 0, matched: 0, diverged: 0, skipped: 0 }, durable: o.durable ?? [],
  }
  let r: Model = { ...m, mode: 'replay', load: { state: 'done', bytesRead: 0 }, replay }
  r = addSteps(r, o.steps.length, o.summary === undefined)
  return refresh(r)
}

// ---------------------------------------------------------------------------------------------------------
// The visible sequence (rows of the list after filter/follow; steps, or only divergent ones)

export interface Visible {
  length: number
  /** Row (or step) number at a list position. */
  at(pos: number): number
  /** List position of a row, or -1 when hidden. */
  pos(row: number): number
  /** First list position whose row is >= `row`. */
  lower(row: number): number
}

function seqVisible(s: Seq): Visible {
  return { length: s.length, at: (p) => seqGet(s, p), pos: (r) => seqIndexOf(s, r), lower: (r) => seqLowerBound(s, r) }
}

function rangeVisible(n: number): Visible {
  return { length: n, at: (p) => p, pos: (r) => (r >= 0 && r < n ? r : -1), lower: (r) => Math.max(0, Math.min(r, n)) }
}

export function visible(m: Model): Visible {
  if (m.mode === 'replay') {
    const rp = m.replay!
    return rp.onlyDivergences ? seqVisible(rp.diverged) : rangeVisible(rp.count)
  }
  switch (m.view.kind) {
    case 'all':
      return rangeVisible(m.count)
    case 'filter':
      return seqVisible(m.view.q.matches)
    case 'follow':
      return seqVisible(m.view.matches)
  }
}

/** The selected row (capture) or step (replay), or -1. */
export function selected(m: Model): number {
  const v = visible(m)
  return m.list.cursor < v.length ? v.at(m.list.cursor) : -1
}

export function selectedStep(m: Model): ReplayStep | undefined {
  const i = selected(m)
  return m.mode === 'replay' && i >= 0 ? m.replay!.steps.get(i) : undefined
}

/** The visible tree nodes: the record's fields, or the expected/actual pairs in replay mode. */
export function treeLength(m: Model): number {
  return m.mode === 'replay' ? (m.pair?.nodes.length ?? 0) : m.detail && m.detail.row === selected(m) ? m.detail.nodes.length : 0
}

function panes(m: Model): Pane[] {
  return availablePanes(m)
}

// ---------------------------------------------------------------------------------------------------------
// Queries (filter and find)

const FIELD_ALIASES: Record<string, string> = {
  command: 'cmd', session: 'sessionId', sid: 'sessionId', tree: 'treeId', tid: 'treeId', mid: 'messageId',
  msgid: 'messageId', fid: 'fileId', file: 'path', async: 'asyncId',
}

/** Whether an expression compares a field the compact rows do not keep (then rows are checked from the spool). */
export function needsFullRecord(text: string): boolean {
  const re = /([A-Za-z_][\w.]*)\s*(?:==|!=|<=|>=|<|>|~|=)|([A-Za-z_][\w.]*)\s+in\s/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = (m[1] ?? m[2])!
    const root = name.split('.')[0]!
    const field = FIELD_ALIASES[root.toLowerCase()] ?? root
    if (field === 'error' || !LIGHT_FIELDS.has(field)) return true
  }
  return false
}

function compileQuery(text: string): Query | string {
  try {
    return { text, pred: compileFilter(text), needsFull: needsFullRecord(text), matches: emptySeq(), scanned: 0 }
  } catch (e) {
    if (e instanceof FilterError) return e.message
    throw e
  }
}

/** Extends a query over rows [q.scanned, upTo) using the rows' light records (no I/O). */
function scanLight(q: Query, rows: RowTable, upTo: number): Query {
  if (q.needsFull || q.scanned >= upTo) return q
  const found: number[] = []
  for (let i = q.scanned; i < upTo; i++) if (safeTest(q.pred, rows.light(i))) found.push(i)
  return { ...q, matches: seqAppend(q.matches, found), scanned: upTo }
}

export function safeTest(pred: Predicate, r: TraceRecord): boolean {
  try {
    return pred(r)
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------------------
// Follow an open / a session

function followScan(f: Follow, rows: RowTable, from: number, to: number): { f: Follow; found: number[] } {
  const fileIds = new Set(f.fileIds)
  const conns = new Set(f.conns)
  const sessions = f.what === 'session' ? new Set(rows.linkedSessions(f.session)) : new Set(f.sessions)
  const zero = rows.internedId('0x0000000000000000')
  const found: number[] = []
  const hit = (i: number): boolean => {
    if (f.what === 'session') return sessions.has(rows.sessionId(i))
    if (f.durable && rows.durableOpen(i) === f.durable) return true
    const fid = rows.fileId(i)
    return fid !== 0 && fileIds.has(fid) && rows.serverId(i) === f.server
  }
  for (let i = Math.max(from, f.start); i < to; i++) {
    if (rows.isTcp(i)) {
      const ev = rows.cmd(i)
      if ((ev === 'close' || ev === 'reset') && conns.has(rows.connId(i))) found.push(i)
      continue
    }
    let match = hit(i)
    if (!match && !rows.isResponse(i)) {
      // A request whose response belongs (CREATE before the FileId exists; the first SESSION_SETUP leg).
      const p = rows.peer(i)
      if (p > i && p < to && (f.what === 'open' || rows.sessionId(i) === zero || rows.sessionId(i) === 0)) match = hit(p)
    }
    if (!match) continue
    found.push(i)
    conns.add(rows.connId(i))
    if (f.what === 'open' && f.durable && rows.durableOpen(i) === f.durable && rows.fileId(i)) fileIds.add(rows.fileId(i))
  }
  return { f: { ...f, fileIds, conns, sessions }, found }
}

function startFollow(m: Model, what: Follow['what']): Model {
  const r = selected(m)
  const rows = m.rows
  if (r < 0 || rows.isTcp(r)) return notice(m, 'select a message first')
  const rec = rows.light(r)
  if (rec.proto === 'tcp') return m
  const p = rows.peer(r)
  let f: Follow
  if (what === 'open') {
    const durable = rows.durableOpen(r) || (p >= 0 && p < m.count ? rows.durableOpen(p) : 0)
    let fid = rows.fileId(r)
    if (!fid && p >= 0 && p < m.count) fid = rows.fileId(p)
    if (!durable && !fid) return notice(m, 'this message names no open (no FileId, no durable handle)')
    let start = r
    if (durable) {
      for (let i = r; i >= 0; i--) if (rows.durableOpen(i) === durable) start = i
    } else {
      for (let i = r; i >= 0; i--) {
        if (rows.fileId(i) === fid && rows.isResponse(i) && rows.cmd(i) === 'CREATE') {
          const q = rows.peer(i)
          start = q >= 0 && q < i ? q : i
          break
        }
      }
    }
    const path = rec.path !== undefined ? `${rec.share ? rec.share + ':' : ''}${rec.path || '\\'}` : ''
    const label = durable ? `open #${durable} ${path}`.trim() : `fileId ${rec.fileId ?? ''} ${path}`.trim()
    f = { what, label, durable, server: rows.serverId(r), fileIds: new Set(fid ? [fid] : []), session: 0, sessions: new Set(), conns: new Set(), start }
  } else {
    const zero = rows.internedId('0x0000000000000000')
    const none = (x: number) => x === 0 || x === zero
    const from = none(rows.sessionId(r)) && p >= 0 && p < m.count ? p : r
    const sid = rows.sessionId(from)
    if (none(sid)) return notice(m, 'this message has no session')
    const linked = rows.linkedSessions(sid).length - 1
    const src = rows.light(from)
    const label = `session ${src.proto === 'tcp' ? '' : src.sessionId}${linked ? ` (+${linked} linked by PreviousSessionId)` : ''}`
    f = { what, label, durable: 0, server: rows.serverId(r), fileIds: new Set(), session: sid, sessions: new Set([sid]), conns: new Set(), start: 0 }
  }
  const { f: f2, found } = followScan(f, rows, 0, m.count)
  const view: ViewFilter = { kind: 'follow', f: f2, matches: seqAppend(emptySeq(), found), scanned: m.count }
  return keepSelection({ ...m, view, focus: 'list' }, r)
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function notice(m: Model, text: string, level: Notice['level'] = 'info'): Model {
  return { ...m, notice: { text, level } }
}

/** After the visible set changed: keep `row` selected if shown, else the next shown row. */
function keepSelection(m: Model, row: number): Model {
  const v = visible(m)
  const cursor = row < 0 ? 0 : Math.min(v.lower(row), Math.max(0, v.length - 1))
  return { ...m, list: { ...m.list, cursor } }
}

function moveList(m: Model, to: number): Model {
  return { ...m, list: { ...m.list, cursor: to } }
}

function pageSize(m: Model): number {
  const l = layout(m)
  if (m.help.open) return Math.max(1, l.body.height - 2)
  return Math.max(1, paneRows(l, m.focus) - 1)
}

function focusPane(m: Model, pane: Pane): Model {
  return panes(m).includes(pane) ? { ...m, focus: pane } : m
}

function setToggle(m: Model, path: string, open: boolean): Model {
  const toggles = new Map(m.toggles)
  toggles.set(path, open)
  return { ...m, toggles }
}

interface NodeLike {
  path: string
  depth: number
  kind: TreeNode['kind']
  open: boolean
}

function treeNodes(m: Model): readonly NodeLike[] {
  if (m.mode === 'replay') return m.pair?.nodes ?? []
  return m.detail && m.detail.row === selected(m) ? m.detail.nodes : []
}

function moveCursor(m: Model, delta: number | 'home' | 'end'): Model {
  const to = (len: number, cur: number) => (delta === 'home' ? 0 : delta === 'end' ? len - 1 : cur + delta)
  if (m.help.open) {
    return { ...m, help: { ...m.help, top: Math.max(0, delta === 'home' ? 0 : delta === 'end' ? 1e9 : m.help.top + delta) } }
  }
  switch (m.focus) {
    case 'list':
      return moveList(m, to(visible(m).length, m.list.cursor))
    case 'tree': {
      const nodes = treeNodes(m)
      const c = Math.max(0, Math.min(nodes.length - 1, to(nodes.length, m.tree.cursor)))
      return { ...m, tree: { ...m.tree, cursor: c, path: nodes[c]?.path } }
    }
    case 'hex':
      return { ...m, hex: { ...m.hex, top: to(1e9, m.hex.top) } }
    case 'summary':
      return { ...m, summaryTop: to(1e9, m.summaryTop) }
  }
}

function addSteps(m: Model, count: number, recount: boolean): Model {
  const rp = m.replay!
  if (count <= rp.count) return m
  const found: number[] = []
  const added: ReplayStep[] = []
  for (let i = rp.count; i < count; i++) {
    const s = rp.steps.get(i)
    added.push(s)
    if (s.verdict === 'diverged') found.push(i)
  }
  let summary = rp.summary
  if (recount) {
    const c = countVerdicts(added)
    summary = { requests: summary.requests + c.requests, matched: summary.matched + c.matched, diverged: summary.diverged + c.diverged, skipped: summary.skipped + c.skipped }
  }
  const v = visible(m)
  const atEnd = v.length === 0 || m.list.cursor >= v.length - 1
  const replay: ReplayModel = { ...rp, count, diverged: seqAppend(rp.diverged, found), summary }
  let n: Model = { ...m, replay }
  // A live replay keeps the newest step selected while the cursor is at the end.
  if (rp.source === 'live' && atEnd) n = moveList(n, visible(n).length - 1)
  return n
}

// ---------------------------------------------------------------------------------------------------------
// The reducer

export function update(m: Model, a: Action): Model {
  const start = !DATA_ACTIONS.has(a.type) && m.notice ? { ...m, notice: undefined } : m
  return refresh(reduce(start, a))
}

function reduce(m: Model, a: Action): Model {
  if (m.prompt) {
    const p = m.prompt
    switch (a.type) {
      case 'promptInput':
        return { ...m, prompt: { kind: p.kind, text: p.text + a.text } }
      case 'promptBackspace':
        return { ...m, prompt: { kind: p.kind, text: [...p.text].slice(0, -1).join('') } }
      case 'promptClear':
        return { ...m, prompt: { kind: p.kind, text: '' } }
      case 'promptCancel':
      case 'back':
        return { ...m, prompt: undefined }
      case 'promptSubmit': {
        // A bad expression keeps the prompt open with the reason.
        const r = submitQuery({ ...m, prompt: undefined }, p.kind, p.text)
        return typeof r === 'string' ? { ...m, prompt: { ...p, error: r } } : r
      }
      default:
        if (DATA_ACTIONS.has(a.type) || a.type === 'quit') break
        return m
    }
  }
  switch (a.type) {
    case 'move':
      return moveCursor(m, a.delta)
    case 'page':
      return moveCursor(m, a.dir * pageSize(m))
    case 'home':
      return moveCursor(m, 'home')
    case 'end':
      return moveCursor(m, 'end')
    case 'select':
      return moveList({ ...m, focus: 'list' }, a.pos)
    case 'enter': {
      if (m.help.open) return m
      if (m.focus === 'list') return focusPane(m.showSummary ? { ...m, showSummary: false } : m, 'tree')
      if (m.focus === 'tree') return reduce(m, { type: 'toggleNode' })
      return m
    }
    case 'toggleNode':
    case 'openNode':
    case 'closeNode': {
      if (m.focus === 'list') return a.type === 'openNode' ? focusPane(m, 'tree') : m
      if (m.focus !== 'tree') return m
      const nodes = treeNodes(m)
      const node = nodes[m.tree.cursor]
      if (!node) return a.type === 'closeNode' ? { ...m, focus: 'list' } : m
      if (a.type === 'toggleNode') return node.kind === 'leaf' ? m : setToggle(m, node.path, !node.open)
      if (a.type === 'openNode') {
        if (node.kind === 'leaf') return m
        if (!node.open) return setToggle(m, node.path, true)
        return moveCursor(m, 1)
      }
      if (node.kind !== 'leaf' && node.open) return setToggle(m, node.path, false)
      // Closed or a leaf: go to the parent, or back to the list from the top level.
      if (node.depth === 0) return { ...m, focus: 'list' }
      for (let i = m.tree.cursor - 1; i >= 0; i--) {
        if (nodes[i]!.depth < node.depth) return { ...m, tree: { ...m.tree, cursor: i, path: nodes[i]!.path } }
      }
      return m
    }
    case 'focus':
      return focusPane(m, a.pane)
    case 'focusNext': {
      const ps = panes(m)
      const i = ps.indexOf(m.focus)
      return { ...m, focus: ps[(i + a.dir + ps.length) % ps.length]! }
    }
    case 'back':
      if (m.help.open) return { ...m, help: { ...m.help, open: false } }
      if (m.mode === 'replay' && m.replay!.running) return reduce(m, { type: 'replayCancel' })
      if (m.focus !== 'list') return { ...m, focus: 'list' }
      if (m.view.kind !== 'all') return reduce(m, { type: 'clearView' })
      if (m.find) return { ...m, find: undefined }
      return m
    case 'promptOpen': {
      if (m.mode === 'replay') return notice(m, 'filter and find work on captures; in replay mode use v (only divergences)')
      const current = a.kind === 'filter' ? (m.view.kind === 'filter' ? m.view.q.text : '') : (m.find?.text ?? '')
      return { ...m, prompt: { kind: a.kind, text: current } }
    }
    case 'promptInput':
    case 'promptBackspace':
    case 'promptClear':
    case 'promptSubmit':
    case 'promptCancel':
      return m
    case 'setFilter':
    case 'setFind': {
      const r = submitQuery(m, a.type === 'setFilter' ? 'filter' : 'find', a.text)
      return typeof r === 'string' ? notice(m, r, 'error') : r
    }
    case 'clearView':
      return keepSelection({ ...m, view: { kind: 'all' } }, selected(m))
    case 'findNext': {
      if (!m.find) return notice(m, 'nothing to find: press f to enter an expression')
      return findFrom(m, selected(m), a.dir, false)
    }
    case 'jumpPeer': {
      if (m.mode !== 'capture') return m
      const r = selected(m)
      if (r < 0) return m
      const p = m.rows.peer(r)
      if (p < 0 || p >= m.count) return notice(m, m.rows.isTcp(r) ? 'a TCP event has no request/response' : 'no matching request/response in the capture')
      const pos = visible(m).pos(p)
      if (pos < 0) return notice(m, `the matching message (frame ${m.rows.frame(p)}) is hidden by the ${m.view.kind}`)
      return moveList(m, pos)
    }
    case 'followOpen':
    case 'followSession':
      if (m.mode !== 'capture') return m
      return startFollow(m, a.type === 'followOpen' ? 'open' : 'session')
    case 'toggleSummary': {
      const show = !m.showSummary
      const n = { ...m, showSummary: show }
      return { ...n, focus: show ? 'summary' : 'list' }
    }
    case 'toggleHelp':
      return { ...m, help: { open: !m.help.open, top: 0 } }
    case 'resize':
      return { ...m, width: Math.max(1, a.width), height: Math.max(3, a.height) }
    case 'quit':
      return { ...m, quit: true }
    case 'toggleOnlyDivergences': {
      if (m.mode !== 'replay') return m
      const row = selected(m)
      const n = { ...m, replay: { ...m.replay!, onlyDivergences: !m.replay!.onlyDivergences } }
      return keepSelection(n, row)
    }
    case 'replayStep':
    case 'replayRunToDivergence':
    case 'replayRunToEnd': {
      if (m.mode !== 'replay') return m
      const rp = m.replay!
      if (rp.source === 'live') {
        if (rp.running) return notice(m, `already running (${rp.running}); Esc stops`)
        if (rp.finished) return notice(m, 'the replay has ended')
        const running = a.type === 'replayStep' ? 'step' : a.type === 'replayRunToDivergence' ? 'divergence' : 'end'
        return { ...m, replay: { ...rp, running } }
      }
      // A finished report: the same keys walk through it.
      const v = visible(m)
      if (a.type === 'replayStep') return moveList(m, m.list.cursor + 1)
      if (a.type === 'replayRunToEnd') return moveList(m, v.length - 1)
      const from = selected(m)
      const p = seqLowerBound(rp.diverged, from + 1)
      if (p >= rp.diverged.length) return notice(m, 'no divergence after this step')
      return moveList(m, v.pos(seqGet(rp.diverged, p)))
    }
    case 'replayCancel':
      return m.replay?.running ? notice({ ...m, replay: { ...m.replay, running: undefined } }, 'stopped') : m
    case 'stepsAdded':
      return m.replay ? addSteps(m, a.count, m.replay.source === 'live') : m
    case 'replayRunDone': {
      if (!m.replay) return m
      const n = { ...m, replay: { ...m.replay, running: undefined, finished: m.replay.finished || a.finished, durable: a.durable ?? m.replay.durable } }
      if (a.error) return notice(n, `replay: ${a.error}`, 'error')
      return a.finished ? notice(n, 'replay finished') : n
    }
    case 'rowsAdded':
      return rowsAdded(m, Math.min(a.count, m.rows.length))
    case 'progress':
      return { ...m, load: { ...m.load, bytesRead: a.bytesRead, totalBytes: a.totalBytes ?? m.load.totalBytes } }
    case 'loadDone':
      return { ...m, load: { ...m.load, state: 'done' } }
    case 'loadFailed':
      return notice({ ...m, load: { ...m.load, state: 'failed', message: a.message } }, a.message, 'error')
    case 'detailLoaded': {
      const nodes = flattenTree(detailRoots(a.data), m.toggles)
      return { ...m, detail: { row: a.row, data: a.data, toggles: m.toggles, nodes } }
    }
    case 'rawLoaded':
      if (!m.detail || m.detail.row !== a.row) return m
      return { ...m, detail: { ...m.detail, raw: { start: a.start, bytes: a.bytes } } }
    case 'scanned':
      return scanned(m, a)
    case 'summaryLoaded':
      return { ...m, summary: a.summary, summaryAt: a.at }
  }
}

/** Applies a filter or find expression; returns the reason when it does not compile. */
function submitQuery(m: Model, kind: Prompt['kind'], text: string): Model | string {
  const row = selected(m)
  if (!text.trim()) return kind === 'filter' ? keepSelection({ ...m, view: { kind: 'all' } }, row) : { ...m, find: undefined }
  const q = compileQuery(text)
  if (typeof q === 'string') return `bad ${kind} expression: ${q}`
  const scannedQ = scanLight(q, m.rows, m.count)
  if (kind === 'filter') return keepSelection({ ...m, view: { kind: 'filter', q: scannedQ } }, row)
  if (scannedQ.needsFull) return notice({ ...m, find: { ...scannedQ, jumpFrom: Math.max(0, row) } }, `searching for ${text}…`)
  return findFrom({ ...m, find: scannedQ }, Math.max(0, row), 1, true)
}

function rowsAdded(m: Model, count: number): Model {
  if (count <= m.count) return m
  let n: Model = { ...m, count, t0: m.t0 ?? (count > 0 ? m.rows.time(0) : undefined) }
  if (n.view.kind === 'filter') n = { ...n, view: { kind: 'filter', q: scanLight(n.view.q, n.rows, count) } }
  else if (n.view.kind === 'follow') {
    const { f, found } = followScan(n.view.f, n.rows, n.view.scanned, count)
    n = { ...n, view: { kind: 'follow', f, matches: seqAppend(n.view.matches, found), scanned: count } }
  }
  if (n.find) n = { ...n, find: scanLight(n.find, n.rows, count) }
  return n
}

function scanned(m: Model, a: Extract<Action, { type: 'scanned' }>): Model {
  const apply = (q: Query): Query | undefined => {
    if (q.text !== a.text || !q.needsFull || a.upTo <= q.scanned) return undefined
    return { ...q, matches: seqAppend(q.matches, a.found.filter((r) => r >= q.scanned)), scanned: a.upTo }
  }
  if (a.target === 'view') {
    if (m.view.kind !== 'filter') return m
    const q = apply(m.view.q)
    return q ? { ...m, view: { kind: 'filter', q } } : m
  }
  if (!m.find) return m
  const q = apply(m.find)
  if (!q) return m
  let n: Model = { ...m, find: q }
  if (q.jumpFrom !== undefined) {
    const v = visible(n)
    for (const r of a.found) {
      if (r >= q.jumpFrom && v.pos(r) >= 0) return moveList({ ...n, find: { ...q, jumpFrom: undefined } }, v.pos(r))
    }
    if (q.scanned >= n.count && n.load.state !== 'loading') n = notice({ ...n, find: { ...q, jumpFrom: undefined } }, `no match for ${q.text}`)
  }
  return n
}

/** Moves to the next (dir 1) or previous find match after `row` that the list shows, wrapping around. */
function findFrom(m: Model, row: number, dir: 1 | -1, inclusive: boolean): Model {
  const q = m.find!
  const v = visible(m)
  const s = q.matches
  if (s.length === 0) return notice(m, q.needsFull && q.scanned < m.count ? `still searching for ${q.text}…` : `no match for ${q.text}`)
  const first = dir === 1 ? seqLowerBound(s, inclusive ? row : row + 1) : seqLowerBound(s, inclusive ? row + 1 : row) - 1
  for (let k = 0; k < s.length; k++) {
    const raw = first + dir * k
    const p = ((raw % s.length) + s.length) % s.length
    const pos = v.pos(seqGet(s, p))
    if (pos < 0) continue
    const wrapped = raw < 0 || raw >= s.length
    const n = moveList(m, pos)
    return wrapped ? notice(n, dir === 1 ? 'find wrapped to the top' : 'find wrapped to the bottom') : n
  }
  return notice(m, `no shown message matches ${q.text} (the filter hides them)`)
}

// ---------------------------------------------------------------------------------------------------------
// Derived state: cursors in range, tree nodes current, hex pane following the selected field

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v))
}

function scrollTo(top: number, cursor: number, rows: number, length: number): number {
  let t = top
  if (cursor < t) t = cursor
  if (cursor >= t + rows) t = cursor - rows + 1
  return clamp(t, 0, Math.max(0, length - rows))
}

function refresh(m: Model): Model {
  const l = layout(m)
  let n = m
  if (!panes(n).includes(n.focus)) n = { ...n, focus: 'list' }
  // list
  const v = visible(n)
  const cursor = clamp(n.list.cursor, 0, Math.max(0, v.length - 1))
  const top = scrollTo(n.list.top, cursor, paneRows(l, 'list'), v.length)
  if (cursor !== n.list.cursor || top !== n.list.top) n = { ...n, list: { cursor, top } }
  // tree nodes follow the toggles
  if (n.mode === 'capture' && n.detail && n.detail.toggles !== n.toggles) {
    n = { ...n, detail: { ...n.detail, toggles: n.toggles, nodes: flattenTree(detailRoots(n.detail.data), n.toggles) } }
  }
  if (n.mode === 'replay') {
    const s = selected(n)
    if (s < 0) n = n.pair ? { ...n, pair: undefined } : n
    else if (!n.pair || n.pair.step !== s || n.pair.toggles !== n.toggles) {
      const newStep = n.pair?.step !== s
      const step = n.replay!.steps.get(s)
      const diffs = new Set(step.diffs.map((d) => normaliseDiffPath(d.path)))
      const nodes = flattenPair(step.expected ?? {}, step.actual ?? {}, n.toggles, diffs)
      n = { ...n, pair: { step: s, toggles: n.toggles, nodes } }
      // A new step opens on its first difference.
      if (newStep) {
        const at = Math.max(0, nodes.findIndex((x) => x.diff === 'self'))
        n = { ...n, tree: { cursor: at, top: 0, path: nodes[at]?.path }, hex: { top: 0 } }
      }
    }
  }
  // tree cursor: stay on the same field when the nodes change
  const nodes = treeNodes(n)
  let tc = n.tree.cursor
  if (n.tree.path !== undefined && nodes.length && nodes[tc]?.path !== n.tree.path) {
    const at = nodes.findIndex((x) => x.path === n.tree.path)
    tc = at >= 0 ? at : 0
  }
  tc = clamp(tc, 0, Math.max(0, nodes.length - 1))
  // The comparison pane spends one line on its column heads.
  const ttop = scrollTo(n.tree.top, tc, Math.max(1, paneRows(l, 'tree') - (n.mode === 'replay' ? 1 : 0)), nodes.length)
  const path = nodes[tc]?.path ?? n.tree.path
  if (tc !== n.tree.cursor || ttop !== n.tree.top || path !== n.tree.path) n = { ...n, tree: { cursor: tc, top: ttop, path } }
  // hex pane (capture) / differences pane (replay)
  const hexRows = paneRows(l, 'hex')
  if (n.mode === 'capture') {
    const d = n.detail && n.detail.row === selected(n) ? n.detail : undefined
    const lines = d ? Math.ceil(d.data.rawLength / HEX_PER_LINE) : 0
    let htop = n.hex.top
    let synced = n.hex.syncedPath
    const node = d?.nodes[n.tree.cursor]
    const key = d && node ? `${d.row}:${node.path}` : undefined
    if (d && node && key !== synced) {
      if (!synced?.startsWith(`${d.row}:`)) htop = 0
      synced = key
      const span = spanFor(node.path, d.data.spans)
      if (span) {
        const first = Math.floor(span.start / HEX_PER_LINE)
        const last = Math.floor(Math.max(span.start, span.end - 1) / HEX_PER_LINE)
        if (first < htop || last >= htop + hexRows) htop = first
      }
    }
    htop = clamp(htop, 0, Math.max(0, lines - hexRows))
    if (htop !== n.hex.top || synced !== n.hex.syncedPath) n = { ...n, hex: { top: htop, syncedPath: synced } }
  } else {
    const step = selectedStep(n)
    const htop = clamp(n.hex.top, 0, Math.max(0, (step?.diffs.length ?? 0) + (step?.note ? 1 : 0) - hexRows))
    if (htop !== n.hex.top) n = { ...n, hex: { ...n.hex, top: htop } }
  }
  if (n.showSummary) {
    const st = clamp(n.summaryTop, 0, Math.max(0, summaryLines(n).length - paneRows(l, 'summary')))
    if (st !== n.summaryTop) n = { ...n, summaryTop: st }
  }
  if (n.help.open) {
    const top = clamp(n.help.top, 0, Math.max(0, helpLines(n.mode).length - (l.body.height - 1)))
    if (top !== n.help.top) n = { ...n, help: { open: true, top } }
  }
  return n
}

// ---------------------------------------------------------------------------------------------------------
// Effects the controller performs

export interface Wants {
  /** Read the detail of this row from the spool. */
  detail?: number
  /** Read raw bytes [start, end) of the selected row. */
  raw?: { row: number; start: number; end: number }
  /** Continue a full-record query scan. */
  scan?: { target: 'view' | 'find'; text: string; from: number; to: number }
  /** Read the summary again (it is shown and stale). */
  summary?: boolean
  /** Start a live replay run. */
  replay?: NonNullable<ReplayModel['running']>
}

export function wants(m: Model): Wants {
  const w: Wants = {}
  if (m.mode === 'replay') {
    if (m.replay?.running) w.replay = m.replay.running
    return w
  }
  const r = selected(m)
  if (r >= 0 && (!m.detail || m.detail.row !== r)) w.detail = r
  else if (r >= 0 && m.detail && m.detail.data.rawLength > 0) {
    const l = layout(m)
    const rows = paneRows(l, 'hex')
    const start = m.hex.top * HEX_PER_LINE
    const end = Math.min(m.detail.data.rawLength, (m.hex.top + rows) * HEX_PER_LINE)
    const have = m.detail.raw
    if (rows > 0 && (!have || start < have.start || end > have.start + have.bytes.length)) {
      const from = Math.max(0, Math.floor(start / 4096) * 4096 - RAW_WINDOW / 4)
      w.raw = { row: r, start: from, end: Math.min(m.detail.data.rawLength, from + RAW_WINDOW) }
    }
  }
  if (m.view.kind === 'filter' && m.view.q.needsFull && m.view.q.scanned < m.count) {
    w.scan = { target: 'view', text: m.view.q.text, from: m.view.q.scanned, to: m.count }
  } else if (m.find?.needsFull && m.find.scanned < m.count) {
    w.scan = { target: 'find', text: m.find.text, from: m.find.scanned, to: m.count }
  }
  if (m.showSummary && m.summaryAt !== m.count) w.summary = true
  return w
}
