/**
 * The replay report in its three forms: text (aligned columns for a person), JSON (design.md's
 * `{ summary, steps, durable }` plus `events`, `notes`, `capture`, `target`, `elapsedMs`) and JUnit XML
 * (one test case per replayed request, durable open and connection event, for CI dashboards). The exit code
 * rule lives here too: 0 only when every request, durable open and event matched.
 * @module
 */
import type { ReplayDiff, ReplayReport, ReplayStep } from '../types.js'

export type ReportFormat = 'text' | 'json' | 'junit'

/** 0 when everything matched, 1 on any divergence (exit code 2 is the CLI's, for a replay that could not run). */
export function exitCodeOf(r: ReplayReport): 0 | 1 {
  if (r.summary.diverged > 0) return 1
  if (r.durable.some((d) => d.verdict !== 'match')) return 1
  if (r.events.some((e) => e.verdict !== 'match')) return 1
  return 0
}

export function matchedPercent(r: ReplayReport): number {
  return r.summary.requests ? (100 * r.summary.matched) / r.summary.requests : 100
}

export function formatReport(r: ReplayReport, format: ReportFormat, opts: { verbose?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return JSON.stringify(r, null, 2) + '\n'
    case 'junit':
      return formatJunit(r)
    default:
      return formatText(r, opts)
  }
}

// ---- text -------------------------------------------------------------------------------------------------------

const short = (v: unknown): string => {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  const s = JSON.stringify(v)
  return s.length > 160 ? s.slice(0, 157) + '...' : s
}

const statusOf = (rec: Record<string, unknown> | null): string => {
  if (!rec) return '—'
  return String(rec['status'] ?? '—').replace(/^STATUS_/, '')
}

function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
}

function diffLines(diffs: readonly ReplayDiff[], indent: string): string[] {
  return diffs.map((d) => `${indent}${d.path}: expected ${short(d.expected)}, got ${short(d.actual)}`)
}

function stepRow(s: ReplayStep): string[] {
  return [String(s.frame), s.conn.replace(/-.*$/, ''), s.cmd + (s.injected ? ' (injected)' : ''), statusOf(s.expected), statusOf(s.actual), s.verdict]
}

export function formatText(r: ReplayReport, opts: { verbose?: boolean } = {}): string {
  const out: string[] = []
  const s = r.summary
  const secs = r.elapsedMs / 1000
  out.push(`smbscope replay ${r.capture} -> ${r.target}`)
  out.push(
    `  ${s.requests} requests replayed: ${s.matched} matched, ${s.diverged} diverged (${matchedPercent(r).toFixed(1)}% matched); ${s.skipped} skipped; ` +
      `${secs.toFixed(2)} s${secs > 0 ? `, ${Math.round((s.requests + s.skipped) / secs)} requests/s` : ''}`,
  )
  const shown = opts.verbose ? r.steps : r.steps.filter((x) => x.verdict !== 'match')
  if (shown.length) {
    out.push('', opts.verbose ? 'Steps:' : 'Steps that did not match:')
    const rows = [['frame', 'connection', 'command', 'captured', 'live', 'verdict'], ...shown.map(stepRow)]
    const lines = table(rows)
    out.push(lines[0]!)
    shown.forEach((x, i) => {
      out.push(lines[i + 1]!)
      out.push(...diffLines(x.diffs, '        '))
      if (x.note && x.verdict !== 'match') out.push(`        note: ${x.note}`)
    })
  }
  if (r.durable.length) {
    out.push('', 'Durable opens:')
    const rows = [['#', 'path', 'kind', 'granted (capture/live)', 'reconnects (capture -> live)', 'data', 'verdict']]
    for (const d of r.durable) {
      const g = (v: boolean | null) => (v === null ? '?' : v ? 'yes' : 'no')
      const rec = d.reconnects.map((x) => `${x.frame}${x.injected ? '*' : ''}:${(x.expected ?? '—').replace(/^STATUS_/, '')}->${(x.actual ?? '—').replace(/^STATUS_/, '')}`).join(' ') || '—'
      rows.push([String(d.id), d.path, d.kind, `${g(d.granted.expected)}/${g(d.granted.actual)}`, rec, d.dataIntact === null ? '—' : d.dataIntact ? 'intact' : 'DIFFERS', d.verdict])
    }
    out.push(...table(rows))
    for (const d of r.durable) if (d.note) out.push(`  #${d.id}: ${d.note}`)
    if (r.durable.some((d) => d.reconnects.some((x) => x.injected))) out.push('  (* = reconnect injected by --inject-disconnect)')
  }
  const badEvents = r.events.filter((e) => e.verdict !== 'match')
  if (badEvents.length) {
    out.push('', 'Events:')
    for (const e of badEvents) {
      out.push(`  frame ${e.frame} ${e.conn.replace(/-.*$/, '')} ${e.kind}: ${e.note}`)
      out.push(...diffLines(e.diffs, '        '))
    }
  }
  if (r.notes.length) {
    out.push('', 'Notes:')
    for (const n of r.notes) out.push(`  ${n}`)
  }
  const code = exitCodeOf(r)
  out.push('', code === 0 ? 'Result: every replayed request matched' : `Result: divergence (exit ${code})`)
  return out.join('\n') + '\n'
}

// ---- JUnit XML ----------------------------------------------------------------------------------------------------

const xml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '')

export function formatJunit(r: ReplayReport): string {
  const suite = r.capture.replace(/^.*\//, '')
  const cases: string[] = []
  let failures = 0
  let skipped = 0
  for (const s of r.steps) {
    const name = `frame ${s.frame} ${s.cmd}${s.injected ? ' (injected)' : ''}`
    let inner = ''
    if (s.verdict === 'diverged') {
      failures++
      const first = s.diffs[0]
      const msg = first ? `${first.path}: expected ${short(first.expected)}, got ${short(first.actual)}` : (s.note ?? 'diverged')
      inner = `<failure message="${xml(msg)}" type="divergence">${xml([...diffLines(s.diffs, ''), ...(s.note ? [`note: ${s.note}`] : [])].join('\n'))}</failure>`
    } else if (s.verdict === 'skipped') {
      skipped++
      inner = `<skipped message="${xml(s.note ?? 'skipped')}"/>`
    }
    cases.push(`    <testcase classname="${xml(`replay.${suite}`)}" name="${xml(name)}">${inner}</testcase>`)
  }
  for (const d of r.durable) {
    const name = `durable #${d.id} ${d.kind} ${d.path}`
    let inner = ''
    if (d.verdict !== 'match') {
      failures++
      inner = `<failure message="${xml(d.note ?? 'diverged')}" type="durable"/>`
    }
    cases.push(`    <testcase classname="${xml(`replay.${suite}.durable`)}" name="${xml(name)}">${inner}</testcase>`)
  }
  for (const e of r.events) {
    let inner = ''
    if (e.verdict !== 'match') {
      failures++
      inner = `<failure message="${xml(e.note)}" type="${e.kind}">${xml(diffLines(e.diffs, '').join('\n'))}</failure>`
    }
    cases.push(`    <testcase classname="${xml(`replay.${suite}.events`)}" name="${xml(`frame ${e.frame} ${e.kind}`)}">${inner}</testcase>`)
  }
  const time = (r.elapsedMs / 1000).toFixed(3)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="smbscope replay" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${xml(`${suite} -> ${r.target}`)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${time}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
