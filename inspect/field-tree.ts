/**
 * The decoded-field tree: a record (JSON data) flattened into the visible lines of a collapsible tree, the
 * mapping from a tree node to the bytes it came from (the codec's spans), and the aligned two-sided tree the
 * replay view uses to put an expected and an actual response side by side. Pure functions.
 * @module
 */
import type { Span } from '../dissect/wire/index.js'
import type { DetailData } from './indexer.js'

export interface TreeNode {
  /** Dotted path: `body.createContexts.0.tag`, `header.messageId`, `record.path`. */
  path: string
  depth: number
  label: string
  kind: 'leaf' | 'object' | 'array'
  open: boolean
  /** Display value of a leaf, or `{n}` / `[n]` of a container. */
  value: string
  tone?: 'error' | 'note'
}

/** Explicit open (true) / closed (false) choices by path; other nodes use `defaultOpen`. */
export type Toggles = ReadonlyMap<string, boolean>

const DEFAULT_OPEN: ReadonlySet<string> = new Set(['body', 'notes', 'body.createContexts', 'body.negotiateContexts'])

export function defaultOpen(path: string): boolean {
  return DEFAULT_OPEN.has(path)
}

export interface TreeRoot {
  key: string
  value: unknown
  tone?: TreeNode['tone']
}

/** The top-level nodes for a record: error, notes, the dissector's annotations, the wire header, the body. */
export function detailRoots(d: DetailData): TreeRoot[] {
  const r = d.record
  if (r['proto'] === 'tcp') return Object.entries(r).map(([key, value]) => ({ key, value }))
  const roots: TreeRoot[] = []
  if (r['error'] !== undefined) roots.push({ key: 'error', value: r['error'], tone: 'error' })
  if (Array.isArray(r['notes']) && r['notes'].length) roots.push({ key: 'notes', value: r['notes'], tone: 'note' })
  const rest: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) if (k !== 'body' && k !== 'notes' && k !== 'error') rest[k] = v
  roots.push({ key: 'record', value: rest })
  if (d.header) roots.push({ key: 'header', value: d.header })
  if (r['body'] !== undefined) roots.push({ key: 'body', value: r['body'] })
  return roots
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `toJsonValue` writes long buffers as { bytes, head }: shown as one leaf. */
const isBytesSummary = (v: unknown): v is { bytes: number; head: string } =>
  isObj(v) && Object.keys(v).length === 2 && typeof v['bytes'] === 'number' && typeof v['head'] === 'string'

const FLAGISH = /(flags|mask|access|attributes|capabilities|options|securitymode|code|disposition|class|state|type|id)$/i

/** One value as text for a tree line. */
export function formatValue(key: string, v: unknown, max = 200): string {
  if (v === null) return 'null'
  if (v === undefined) return '-'
  if (isBytesSummary(v)) return `<${v.bytes} bytes> ${v.head}…`
  switch (typeof v) {
    case 'string': {
      const s = v === '' ? '""' : v
      return s.length > max ? s.slice(0, max - 1) + '…' : s
    }
    case 'number':
      if (Number.isInteger(v) && v >= 0 && FLAGISH.test(key) && key !== 'structureSize') return `${v} (0x${v.toString(16)})`
      return String(v)
    case 'boolean':
      return String(v)
    case 'object':
      return Array.isArray(v) ? `[${v.length}]` : `{${Object.keys(v).length}}`
    default:
      return String(v)
  }
}

function kindOf(v: unknown): TreeNode['kind'] {
  if (Array.isArray(v)) return v.length ? 'array' : 'leaf'
  if (isObj(v) && !isBytesSummary(v)) return Object.keys(v).length ? 'object' : 'leaf'
  return 'leaf'
}

/** A short hint after an array element's index: its tag, name or type. */
function itemHint(v: unknown): string {
  if (!isObj(v)) return ''
  for (const k of ['tag', 'name', 'fileName', 'messageType', 'type', 'contextType']) {
    const x = v[k]
    if (typeof x === 'string' || typeof x === 'number') return ` ${x}`
  }
  return ''
}

export function isOpen(path: string, toggles: Toggles, autoOpen?: (path: string) => boolean): boolean {
  return toggles.get(path) ?? (defaultOpen(path) || (autoOpen?.(path) ?? false))
}

/** The visible lines of the tree. */
export function flattenTree(roots: readonly TreeRoot[], toggles: Toggles): TreeNode[] {
  const out: TreeNode[] = []
  const walk = (key: string, label: string, v: unknown, path: string, depth: number, tone?: TreeNode['tone']) => {
    const kind = kindOf(v)
    const open = kind !== 'leaf' && isOpen(path, toggles)
    const node: TreeNode = { path, depth, label, kind, open, value: formatValue(key, v) }
    if (tone) node.tone = tone
    out.push(node)
    if (!open) return
    if (Array.isArray(v)) v.forEach((e, i) => walk(key, `[${i}]${itemHint(e)}`, e, `${path}.${i}`, depth + 1, tone))
    else for (const [k, e] of Object.entries(v as Record<string, unknown>)) walk(k, k, e, `${path}.${k}`, depth + 1, tone)
  }
  for (const r of roots) walk(r.key, r.key, r.value, r.key, 0, r.tone)
  return out
}

/** Record annotations that stand for header bytes. */
const RECORD_TO_WIRE: Record<string, string> = {
  messageId: 'header.messageId',
  sessionId: 'header.sessionId',
  treeId: 'header.treeId',
  asyncId: 'header.asyncId',
  creditCharge: 'header.creditCharge',
  credits: 'header.credits',
  flags: 'header.flags',
  signed: 'header.flags',
  cmd: 'header.command',
  cmdCode: 'header.command',
  status: 'header.status',
  statusCode: 'header.status',
  channelSequence: 'header.status',
  compound: 'header.nextCommand',
  fileId: 'body.fileId',
}

/** The bytes a tree node came from: its own span, else the union of its children's, else its parent's. */
export function spanFor(path: string, spans: readonly Span[]): { start: number; end: number } | undefined {
  if (!spans.length) return undefined
  let p = path
  if (p.startsWith('record.') || p === 'record') {
    const target = RECORD_TO_WIRE[p.split('.')[1] ?? '']
    if (!target) return undefined
    p = target
  }
  for (;;) {
    const exact = spans.find((s) => s.path === p)
    if (exact) return { start: exact.start, end: exact.end }
    const prefix = p + '.'
    let start = Infinity
    let end = -Infinity
    for (const s of spans) {
      if (s.path.startsWith(prefix)) {
        start = Math.min(start, s.start)
        end = Math.max(end, s.end)
      }
    }
    if (end > start) return { start, end }
    const dot = p.lastIndexOf('.')
    if (dot < 0) return undefined
    p = p.slice(0, dot)
  }
}

/** One line of the side-by-side comparison. */
export interface PairNode {
  path: string
  depth: number
  label: string
  kind: TreeNode['kind']
  open: boolean
  left: string
  right: string
  /** 'self': this field differs; 'inside': a field below it differs. */
  diff?: 'self' | 'inside'
}

const MISSING = Symbol('missing')
const PAIR_FIRST = ['status', 'statusCode', 'error', 'body']

function cell(key: string, v: unknown): string {
  return v === MISSING ? '' : formatValue(key, v)
}

/**
 * Expected and actual records as one aligned tree (the union of their fields). Nodes on a diff path, or above
 * one, are marked and open by default, so every difference is on screen without opening anything.
 */
export function flattenPair(left: unknown, right: unknown, toggles: Toggles, diffPaths: ReadonlySet<string>): PairNode[] {
  const above = new Set<string>()
  for (const d of diffPaths) {
    const parts = d.split('.')
    for (let i = 1; i < parts.length; i++) above.add(parts.slice(0, i).join('.'))
  }
  const out: PairNode[] = []
  const walk = (key: string, label: string, a: unknown, b: unknown, path: string, depth: number) => {
    const kind = kindOf(a === MISSING ? b : a) === 'leaf' ? kindOf(b === MISSING ? a : b) : kindOf(a === MISSING ? b : a)
    const open = kind !== 'leaf' && isOpen(path, toggles, (p) => above.has(p))
    const node: PairNode = { path, depth, label, kind, open, left: cell(key, a), right: cell(key, b) }
    if (diffPaths.has(path)) node.diff = 'self'
    else if (above.has(path)) node.diff = 'inside'
    out.push(node)
    if (!open) return
    const ka = childKeys(a)
    const kb = childKeys(b)
    const keys = [...ka, ...kb.filter((k) => !ka.includes(k))]
    const arr = Array.isArray(a === MISSING ? b : a)
    for (const k of keys) {
      const ca = childOf(a, k)
      const cb = childOf(b, k)
      walk(arr ? key : k, arr ? `[${k}]${itemHint(ca === MISSING ? cb : ca)}` : k, ca, cb, `${path}.${k}`, depth + 1)
    }
  }
  const ka = childKeys(left)
  const kb = childKeys(right)
  const top = [...ka, ...kb.filter((x) => !ka.includes(x))]
  // What a comparison is about comes first: the status, an error, the body; the record's bookkeeping after.
  const first = PAIR_FIRST.filter((k) => top.includes(k))
  for (const k of [...first, ...top.filter((x) => !PAIR_FIRST.includes(x))]) walk(k, k, childOf(left, k), childOf(right, k), k, 0)
  return out
}

function childKeys(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((_, i) => String(i))
  if (isObj(v) && !isBytesSummary(v)) return Object.keys(v)
  return []
}

function childOf(v: unknown, k: string): unknown {
  if (Array.isArray(v)) return Number(k) < v.length ? v[Number(k)] : MISSING
  if (isObj(v) && Object.prototype.hasOwnProperty.call(v, k)) return v[k]
  return MISSING
}
