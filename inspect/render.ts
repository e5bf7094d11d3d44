/**
 * Model → styled lines, pane by pane (title bar, message list, field tree, hex, summary, replay comparison and
 * differences, status line, help). Both views use these: `render-text.ts` for strings, `view-blessed.ts` for
 * the terminal. Only visible rows are rendered (the list is virtual). Pure.
 * @module
 */
import type { SmbRecord, TraceRecord } from '../dissect/trace/record.js'
import { spanFor } from './field-tree.js'
import { helpLines } from './keys.js'
import { layout, type Layout, type PaneName, type Rect } from './layout.js'
import { HEX_PER_LINE, selected, selectedStep, visible, type Model } from './model.js'
import type { ReplayStep } from './replay-types.js'
import { fit, pad, restyle, seg, type Line, type Style } from './styled.js'
import { summaryLines } from './summary-view.js'

export interface PaneView {
  name: PaneName | 'title' | 'status' | 'help'
  rect: Rect
  lines: Line[]
}

// ---------------------------------------------------------------------------------------------------------
// small formatters

export const shortStatus = (s: string | undefined): string => (s ?? '').replace(/^STATUS_/, '')

export function statusStyle(code: string | undefined, name?: string): Style {
  if (code === undefined) return 'dim'
  const n = parseInt(code, 16) >>> 0
  if (name === 'STATUS_PENDING' || n === 0x103) return 'cyan'
  switch (n >>> 30) {
    case 3:
      return 'red'
    case 2:
      return 'yellow'
    case 1:
      return 'cyan'
    default:
      return 'green'
  }
}

/** Relative time in seconds, 9 columns where it fits. */
export function relTime(t: number, t0: number | undefined): string {
  const d = t - (t0 ?? t)
  if (d < 100) return d.toFixed(6)
  if (d < 100000) return d.toFixed(3)
  return d.toFixed(0)
}

function verdictStyle(v: ReplayStep['verdict']): Style {
  return v === 'match' ? 'green' : v === 'diverged' ? 'red' : 'yellow'
}

/** A pane title line: `══ Messages ═ 12/145 ═══` (double rule when the pane has the focus). */
function paneTitle(title: string, info: string, width: number, focused: boolean): Line {
  const rule = focused ? '═' : '─'
  const head = `${rule}${rule} ${title} ${info ? `${rule} ${info} ` : ''}`
  return fit([seg(head + rule.repeat(Math.max(0, width - [...head].length)), focused ? 'bold' : 'dim')], width, true)
}

function cursorCell(on: boolean): Seg0 {
  return seg(on ? '>' : ' ', 'bold')
}
type Seg0 = Line[number]

function rowLine(l: Line, width: number, isCursor: boolean, focused: boolean): Line {
  const f = fit(l, width, true)
  return isCursor ? restyle(f, focused ? 'inverse' : 'underline') : f
}

function emptyLines(lines: Line[], rows: number, width: number): Line[] {
  while (lines.length < rows) lines.push(fit([], width))
  return lines
}

// ---------------------------------------------------------------------------------------------------------
// title and status

export function titleLine(m: Model, width: number): Line {
  const parts: Line = [seg(m.mode === 'replay' ? ' smbscope replay ' : ' smbscope ', 'bold', 'inverse'), seg(` ${m.name} `, 'bold')]
  if (m.mode === 'capture') {
    parts.push(seg(`· ${m.count} records `))
    if (m.load.state === 'loading') {
      const pct = m.load.totalBytes ? ` ${Math.floor((100 * m.load.bytesRead) / m.load.totalBytes)}%` : ''
      parts.push(seg(`· indexing${pct} (${(m.load.bytesRead / 1048576).toFixed(1)} MiB) `, 'yellow'))
    } else if (m.load.state === 'failed') parts.push(seg('· read stopped early ', 'red'))
    if (m.view.kind === 'filter') {
      const q = m.view.q
      const scanning = q.needsFull && q.scanned < m.count ? ` scanning ${Math.floor((100 * q.scanned) / Math.max(1, m.count))}%` : ''
      parts.push(seg(`· filter: ${q.text} (${q.matches.length}${scanning}) `, 'cyan'))
    } else if (m.view.kind === 'follow') parts.push(seg(`· follow ${m.view.f.label} (${m.view.matches.length}) `, 'cyan'))
    if (m.find) parts.push(seg(`· find: ${m.find.text} (${m.find.matches.length}) `, 'magenta'))
  } else {
    const rp = m.replay!
    parts.push(seg(`· ${rp.count} steps `), seg(`· ${rp.summary.diverged} diverged `, rp.summary.diverged ? 'red' : 'green'))
    if (rp.running) parts.push(seg(`· running: ${rp.running}… `, 'yellow'))
    else if (rp.source === 'live') parts.push(seg(rp.finished ? '· finished ' : '· paused ', rp.finished ? 'green' : 'yellow'))
    if (rp.onlyDivergences) parts.push(seg('· only divergences ', 'cyan'))
  }
  return fit(parts, width, true)
}

const HINTS: Record<Model['mode'], string> = {
  capture: '?:help ↑↓:move Enter:fields /:filter f:find o:follow open s:session m:req/resp i:summary q:quit',
  replay: '?:help ↑↓:move Enter:fields Space:step d:to divergence r:to end v:only divergences i:summary q:quit',
}

export function statusLine(m: Model, width: number): Line {
  if (m.prompt) {
    const label = m.prompt.kind === 'filter' ? 'filter: ' : 'find: '
    const l: Line = [seg(label, 'bold'), seg(m.prompt.text), seg('▏', 'bold')]
    if (m.prompt.error) l.push(seg(`  ${m.prompt.error}`, 'red'))
    else l.push(seg('  Enter applies, Esc cancels', 'dim'))
    return fit(l, width, true)
  }
  const v = visible(m)
  const pos = v.length ? `${m.list.cursor + 1}/${v.length}` : '0/0'
  const right = ` ${pos} `
  const leftWidth = Math.max(0, width - right.length)
  const left: Line = m.notice ? [seg(m.notice.text, m.notice.level === 'error' ? 'red' : 'yellow')] : [seg(HINTS[m.mode], 'dim')]
  return fit([...fit(left, leftWidth, true), seg(right, 'inverse')], width)
}

// ---------------------------------------------------------------------------------------------------------
// message list (capture) and step list (replay)

function listRowCapture(m: Model, row: number, statusW: number): Line {
  const rows = m.rows
  const r: TraceRecord = rows.light(row)
  const frame = pad(String(r.frame), 6, true)
  const time = pad(relTime(r.time, m.t0), 9, true)
  const conn = pad(`c${rows.connNo(row)}`, 3)
  if (r.proto === 'tcp') {
    const who = r.dir ? ` by ${r.dir}` : ''
    return [seg(' '), seg(' '), seg(`${frame} ${time} ${conn}   `), seg(`── TCP ${r.event.toUpperCase()}${who} ──`, 'magenta'), seg(` ${r.conn}`, 'dim')]
  }
  const s = r as SmbRecord
  const mark = s.error !== undefined ? seg('!', 'red', 'bold') : rows.hasNotes(row) ? seg('*', 'yellow') : seg(' ')
  const arrow = s.dir === 'request' ? '→' : '←'
  const cmd = pad(s.proto === 'smb1' ? `SMB1 ${s.cmd}` : s.cmd, 15)
  const status = pad(shortStatus(s.status), statusW)
  const rest: Line = []
  if (s.path !== undefined) rest.push(seg(` ${s.share ? s.share + ':' : ''}${s.path || '\\'}`, 'bold'))
  if (s.durable && s.durable.event !== 'use') rest.push(seg(` «${s.durable.event} #${s.durable.open}»`, 'cyan'))
  const flags = [s.encrypted ? 'E' : '', s.compound ? `C${s.compound.index}${s.compound.related ? 'r' : ''}` : '', s.asyncId ? 'A' : ''].join('')
  if (flags) rest.push(seg(` [${flags}]`, 'dim'))
  if (s.error !== undefined) rest.push(seg(' malformed', 'red'))
  return [
    seg(' '), mark, seg(`${frame} ${time} ${conn} `), seg(arrow, s.dir === 'request' ? 'blue' : 'magenta'), seg(' '),
    seg(cmd, s.error !== undefined ? 'red' : 'blue'), seg(' '), seg(status, statusStyle(s.statusCode, s.status)), ...rest,
  ]
}

function listRowReplay(m: Model, i: number, statusW: number): Line {
  const s = m.replay!.steps.get(i)
  const status = (r: Record<string, unknown> | null) => (r ? shortStatus(String(r['status'] ?? '')) || '?' : '—')
  const exp = status(s.expected)
  const act = status(s.actual)
  const diffs = s.diffs.length ? ` ${s.diffs.length} diff${s.diffs.length > 1 ? 's' : ''}` : ''
  return [
    seg(' '), seg(s.verdict === 'diverged' ? '!' : ' ', 'red', 'bold'), seg(`${pad(String(s.frame), 6, true)} ${pad(`#${i + 1}`, 5)} `),
    seg(pad(s.cmd, 15), 'blue'), seg(' '), seg(pad(s.verdict, 9), verdictStyle(s.verdict)), seg(' '),
    seg(pad(exp, statusW)), seg(' → ', 'dim'), seg(pad(act, statusW), exp === act ? 'green' : 'red'), seg(diffs, 'red'),
    seg(s.note ? `  ${s.note}` : '', 'dim'),
  ]
}

export function listPane(m: Model, rect: Rect): Line[] {
  const v = visible(m)
  const focused = m.focus === 'list' && !m.help.open
  const rows = rect.height - 1
  const statusW = m.mode === 'replay' ? (rect.width >= 100 ? 20 : 12) : rect.width >= 110 ? 26 : rect.width >= 90 ? 18 : 14
  const what = m.mode === 'replay' ? 'Steps' : 'Messages'
  const info = v.length ? `${m.list.cursor + 1}/${v.length}` : m.mode === 'capture' && m.load.state === 'loading' ? 'indexing…' : 'none'
  const out: Line[] = [paneTitle(what, info, rect.width, focused)]
  for (let k = 0; k < rows; k++) {
    const pos = m.list.top + k
    if (pos >= v.length) break
    const i = v.at(pos)
    const line = m.mode === 'replay' ? listRowReplay(m, i, statusW) : listRowCapture(m, i, statusW)
    const isCursor = pos === m.list.cursor
    line[0] = cursorCell(isCursor)
    out.push(rowLine(line, rect.width, isCursor, focused))
  }
  if (v.length === 0) {
    const why = m.mode === 'capture' && m.view.kind !== 'all' ? '  (nothing matches; Esc or c shows every message)' : m.mode === 'capture' && m.load.state === 'loading' ? '  (reading the capture…)' : '  (no records)'
    out.push(fit([seg(why, 'dim')], rect.width))
  }
  return emptyLines(out, rect.height, rect.width)
}

// ---------------------------------------------------------------------------------------------------------
// field tree (capture)

export function treePane(m: Model, rect: Rect): Line[] {
  if (m.mode === 'replay') return comparePane(m, rect)
  const focused = m.focus === 'tree' && !m.help.open
  const r = selected(m)
  const d = m.detail && m.detail.row === r ? m.detail : undefined
  let info = ''
  if (r < 0) info = 'no message'
  else if (!d) info = 'loading…'
  else {
    const rec = d.data.record
    info = rec['proto'] === 'tcp' ? `TCP ${String(rec['event']).toUpperCase()} · frame ${rec['frame']}` : `${rec['cmd']} ${rec['dir']}${d.data.bodyType ? ` · ${d.data.bodyType}` : ''} · frame ${rec['frame']}`
  }
  const out: Line[] = [paneTitle('Fields', info, rect.width, focused)]
  if (d) {
    for (let k = 0; k < rect.height - 1; k++) {
      const i = m.tree.top + k
      const n = d.nodes[i]
      if (!n) break
      const marker = n.kind === 'leaf' ? ' ' : n.open ? '▾' : '▸'
      const label = `${'  '.repeat(n.depth)}${marker} ${n.label}`
      const tone: Style[] = n.tone === 'error' ? ['red'] : n.tone === 'note' ? ['yellow'] : []
      const value = n.kind === 'leaf' ? [seg(': ', 'dim'), seg(n.value, ...(tone.length ? tone : ['cyan' as Style]))] : [seg(` ${n.value}`, 'dim')]
      const line: Line = [cursorCell(i === m.tree.cursor), seg(label, ...tone), ...value]
      out.push(rowLine(line, rect.width, i === m.tree.cursor, focused))
    }
  }
  return emptyLines(out, rect.height, rect.width)
}

// ---------------------------------------------------------------------------------------------------------
// hex (capture)

const HEXB: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function hexPane(m: Model, rect: Rect): Line[] {
  if (m.mode === 'replay') return diffsPane(m, rect)
  const focused = m.focus === 'hex' && !m.help.open
  const r = selected(m)
  const d = m.detail && m.detail.row === r ? m.detail : undefined
  const node = d?.nodes[m.tree.cursor]
  const span = d && node ? spanFor(node.path, d.data.spans) : undefined
  let info = ''
  if (d) {
    info = `${d.data.rawLength} bytes`
    if (span && node) info += ` · ${node.path} [0x${span.start.toString(16)}, 0x${span.end.toString(16)})`
  }
  const out: Line[] = [paneTitle('Bytes', info, rect.width, focused)]
  if (!d) return emptyLines(out, rect.height, rect.width)
  if (d.data.rawLength === 0) {
    out.push(fit([seg(d.data.record['proto'] === 'tcp' ? '  (a TCP event has no message bytes)' : '  (no bytes kept for this record)', 'dim')], rect.width))
    return emptyLines(out, rect.height, rect.width)
  }
  const offW = Math.max(4, (d.data.rawLength - 1).toString(16).length)
  for (let k = 0; k < rect.height - 1; k++) {
    const lineNo = m.hex.top + k
    const start = lineNo * HEX_PER_LINE
    if (start >= d.data.rawLength) break
    const end = Math.min(d.data.rawLength, start + HEX_PER_LINE)
    const raw = d.raw
    const line: Line = [seg(start.toString(16).padStart(offW, '0') + '  ', 'dim')]
    if (!raw || start < raw.start || end > raw.start + raw.bytes.length) {
      line.push(seg('…', 'dim'))
      out.push(fit(line, rect.width))
      continue
    }
    let ascii: Line = []
    for (let b = start; b < start + HEX_PER_LINE; b++) {
      if (b >= end) {
        line.push(seg('   ' + (b - start === 7 ? ' ' : '')))
        continue
      }
      const v = raw.bytes[b - raw.start]!
      const inSpan = (x: number) => span !== undefined && x >= span.start && x < span.end
      const hl = inSpan(b)
      const sep = b - start === 7 ? '  ' : ' '
      // The gap between two highlighted bytes of a line is highlighted too: one continuous bar per field.
      const joined = hl && inSpan(b + 1) && b + 1 < end
      line.push(hl ? seg(HEXB[v]!, 'highlight') : seg(HEXB[v]!), joined ? seg(sep, 'highlight') : seg(sep))
      ascii.push(seg(v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.', ...(hl ? (['highlight'] as Style[]) : [])))
    }
    ascii = mergeSegs(ascii)
    out.push(fit(mergeSegs([...line, seg(' '), ...ascii]), rect.width))
  }
  return emptyLines(out, rect.height, rect.width)
}

/** Joins neighbouring segments of the same style (fewer tags for blessed). */
function mergeSegs(l: Line): Line {
  const out: Line = []
  for (const s of l) {
    const last = out[out.length - 1]
    if (last && (last.style ?? []).join() === (s.style ?? []).join()) out[out.length - 1] = { ...last, text: last.text + s.text }
    else out.push(s)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// replay: expected | actual, and the differences

function comparePane(m: Model, rect: Rect): Line[] {
  const focused = m.focus === 'tree' && !m.help.open
  const step = selectedStep(m)
  const info = step ? `frame ${step.frame} ${step.cmd} · ${step.verdict}` : 'no step'
  const out: Line[] = [paneTitle('Compare', info, rect.width, focused)]
  const pair = m.pair
  if (!step || !pair) return emptyLines(out, rect.height, rect.width)
  const inner = rect.width - 1
  const fw = Math.max(12, Math.floor(inner * 0.36))
  const vw = Math.max(6, Math.floor((inner - fw - 4) / 2))
  out.push(fit([seg(' '), seg(pad('field', fw), 'dim'), seg(' '), seg(pad('expected (capture)', vw), 'dim'), seg(' │ ', 'dim'), seg(pad('actual (live)', vw), 'dim')], rect.width))
  for (let k = 0; k < rect.height - 2; k++) {
    const i = m.tree.top + k
    const n = pair.nodes[i]
    if (!n) break
    const marker = n.kind === 'leaf' ? ' ' : n.open ? '▾' : '▸'
    const label = pad(`${'  '.repeat(n.depth)}${marker} ${n.label}`, fw)
    const st: Style[] = n.diff === 'self' ? ['red', 'bold'] : n.diff === 'inside' ? ['yellow'] : []
    const vs: Style[] = n.diff === 'self' ? ['diff'] : []
    const line: Line = [cursorCell(i === m.tree.cursor), seg(label, ...st), seg(' '), seg(pad(n.left, vw), ...vs), seg(' │ ', 'dim'), seg(pad(n.right, vw), ...vs)]
    out.push(rowLine(line, rect.width, i === m.tree.cursor, focused))
  }
  return emptyLines(out, rect.height, rect.width)
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)'
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
}

function diffsPane(m: Model, rect: Rect): Line[] {
  const focused = m.focus === 'hex' && !m.help.open
  const step = selectedStep(m)
  const out: Line[] = [paneTitle('Differences', step ? String(step.diffs.length) : '', rect.width, focused)]
  if (!step) return emptyLines(out, rect.height, rect.width)
  const lines: Line[] = []
  if (step.note) lines.push([seg(`  note: ${step.note}`, 'yellow')])
  for (const d of step.diffs) lines.push([seg(`  ${d.path}: `, 'bold'), seg(show(d.expected), 'green'), seg(' → ', 'dim'), seg(show(d.actual), 'red')])
  if (!lines.length) lines.push([seg(step.verdict === 'match' ? '  (none: the live response matched)' : '  (none listed)', 'dim')])
  for (const l of lines.slice(m.hex.top, m.hex.top + rect.height - 1)) out.push(fit(l, rect.width, true))
  return emptyLines(out, rect.height, rect.width)
}

// ---------------------------------------------------------------------------------------------------------
// summary and help

export function summaryPane(m: Model, rect: Rect): Line[] {
  const focused = m.focus === 'summary' && !m.help.open
  const all = summaryLines(m)
  const out: Line[] = [paneTitle('Summary', m.mode === 'capture' && m.load.state === 'loading' ? 'partial' : '', rect.width, focused)]
  for (const l of all.slice(m.summaryTop, m.summaryTop + rect.height - 1)) out.push(fit(l, rect.width, true))
  return emptyLines(out, rect.height, rect.width)
}

export function helpPane(m: Model, rect: Rect): Line[] {
  const lines = helpLines(m.mode)
  const out: Line[] = [paneTitle('Keys', 'Esc or ? closes', rect.width, true)]
  for (const l of lines.slice(m.help.top, m.help.top + rect.height - 1)) {
    out.push(fit([seg(l, ...(l && !l.startsWith(' ') ? (['bold'] as Style[]) : []))], rect.width, true))
  }
  return emptyLines(out, rect.height, rect.width)
}

// ---------------------------------------------------------------------------------------------------------
// whole screen

export function renderPanes(m: Model, l: Layout = layout(m)): PaneView[] {
  const views: PaneView[] = [{ name: 'title', rect: l.title, lines: [titleLine(m, l.title.width)] }]
  if (m.help.open) views.push({ name: 'help', rect: l.body, lines: helpPane(m, l.body) })
  else {
    const p = l.panes
    if (p.list) views.push({ name: 'list', rect: p.list, lines: listPane(m, p.list) })
    if (p.tree) views.push({ name: 'tree', rect: p.tree, lines: treePane(m, p.tree) })
    if (p.hex) views.push({ name: 'hex', rect: p.hex, lines: hexPane(m, p.hex) })
    if (p.summary) views.push({ name: 'summary', rect: p.summary, lines: summaryPane(m, p.summary) })
  }
  views.push({ name: 'status', rect: l.status, lines: [statusLine(m, l.status.width)] })
  return views
}
