/**
 * The summary pane's lines: in capture mode the connections, sessions, tree connects, the durable-handle
 * timeline (each open's request, grant, disconnects, reconnect attempts with their outcome, close, in frame
 * order) and the errors by status, from dissect's `Summary`; in replay mode the verdict totals and the
 * report's durable entries. Pure.
 * @module
 */
import type { DurableOpen } from '../dissect/trace/dissector.js'
import type { Model } from './model.js'
import { seg, type Line } from './styled.js'

const short = (s: string | undefined): string => (s ?? '-').replace(/^STATUS_/, '')

function statusStyle(status: string | undefined): 'green' | 'red' | 'yellow' {
  if (status === undefined) return 'yellow'
  return status === 'STATUS_SUCCESS' ? 'green' : 'red'
}

function table(head: string[], rows: string[][]): Line[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const fmt = (r: string[]) => '  ' + r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(w[i]!))).join('  ')
  return [[seg(fmt(head), 'dim')], ...rows.map((r) => [seg(fmt(r))])]
}

/** One durable open's events in frame order. */
export function durableTimeline(d: DurableOpen, connName: (conn: string) => string): Array<{ frame: number; line: Line }> {
  const ev: Array<{ frame: number; line: Line }> = []
  ev.push({ frame: d.requestFrame, line: [seg(`requested (${d.kind})`)] })
  if (d.grantFrame !== undefined || d.granted !== undefined) {
    const text = d.granted ? `granted${d.timeoutMs !== undefined ? `, timeout ${d.timeoutMs} ms` : ''}${d.fileId ? ` (fileId ${d.fileId})` : ''}` : 'not granted'
    ev.push({ frame: d.grantFrame ?? d.requestFrame, line: [seg(text, d.granted ? 'green' : 'red')] })
  }
  for (const x of d.disconnects) ev.push({ frame: x.frame, line: [seg(`disconnected: TCP ${x.event} of ${connName(x.conn)}`, 'yellow')] })
  for (const r of d.reconnects) {
    ev.push({
      frame: r.frame,
      line: [seg(`${r.kind} reconnect on ${connName(r.conn)} → `), seg(short(r.status ?? 'no response'), statusStyle(r.status)), seg(r.fileId ? ` (fileId ${r.fileId})` : '')],
    })
  }
  if (d.closedFrame !== undefined) ev.push({ frame: d.closedFrame, line: [seg('closed')] })
  return ev.sort((a, b) => a.frame - b.frame)
}

export function summaryLines(m: Model): Line[] {
  return m.mode === 'replay' ? replaySummaryLines(m) : captureSummaryLines(m)
}

function captureSummaryLines(m: Model): Line[] {
  const s = m.summary
  const out: Line[] = []
  const state = m.load.state === 'loading' ? ' (still indexing: partial)' : m.load.state === 'failed' ? ' (read stopped early)' : ''
  if (!s) return [[seg(`Summary of ${m.name}: not read yet${state}`, 'dim')]]
  const connNo = new Map(s.connections.map((c, i) => [c.conn, i + 1]))
  const connName = (c: string) => (connNo.has(c) ? `c${connNo.get(c)}` : c)
  const dur = s.firstTime !== undefined && s.lastTime !== undefined ? ` over ${(s.lastTime - s.firstTime).toFixed(3)} s` : ''
  out.push([seg(`${s.records} records, ${s.smbMessages} SMB messages, ${s.connections.length} TCP connections${dur}${state}`, 'bold')])
  if (s.malformed) out.push([seg(`${s.malformed} malformed records`, 'red')])
  if (s.undecrypted) out.push([seg(`${s.undecrypted} encrypted messages without a key (give --password or --keys)`, 'yellow')])
  out.push([], [seg('Connections', 'bold')])
  out.push(...table(['#', 'connection', 'dialect', 'opened', 'closed'], s.connections.map((c, i) => [`c${i + 1}`, c.conn, c.dialect ?? '-', c.opened !== undefined ? String(c.opened) : '-', c.closed !== undefined ? `${c.closed} (${c.how})` : '-'])))
  out.push([], [seg('Sessions', 'bold')])
  if (!s.sessions.length) out.push([seg('  (none known)', 'dim')])
  else {
    out.push(...table(['session', 'user', 'auth', 'dialect', 'signing', 'encryption', 'key', 'conn'], s.sessions.map((x) => [
      x.sessionId, x.user !== undefined ? `${x.domain ? x.domain + '\\' : ''}${x.user}` : '-', x.auth ?? '-', x.dialect ?? '-', x.signing ?? '-',
      x.encryption ? `${x.encryption}${x.cipher ? ' ' + x.cipher : ''}` : '-', x.keyKnown ? 'yes' : 'no', connName(x.conn),
    ])))
  }
  out.push([], [seg('Tree connects', 'bold')])
  if (!s.trees.length) out.push([seg('  (none)', 'dim')])
  else out.push(...table(['session', 'tree', 'share', 'frame', 'conn'], s.trees.map((t) => [t.sessionId, t.treeId, t.share, String(t.frame), connName(t.conn)])))
  out.push([], [seg('Durable handles', 'bold')])
  if (!s.durable.length) out.push([seg('  (none)', 'dim')])
  for (const d of s.durable) {
    out.push([seg(`  #${d.id} `, 'cyan'), seg(`${d.kind} `), seg(`${d.share ? d.share + ':' : ''}${d.path || '\\'}`, 'bold'), seg(d.createGuid ? `  CreateGuid ${d.createGuid}` : '', 'dim')])
    for (const e of durableTimeline(d, connName)) out.push([seg(`     frame ${String(e.frame).padStart(6)}  `, 'dim'), ...e.line])
    if (d.messagesAfterReconnect) out.push([seg(`     ${d.messagesAfterReconnect} messages after the reconnect carry the path`, 'dim')])
    if (d.closedFrame === undefined) out.push([seg('     not closed in the capture', 'dim')])
  }
  if (s.errors.length) {
    out.push([], [seg('Errors by status', 'bold')])
    out.push(...table(['status', 'count', 'commands'], s.errors.map((e) => [e.status, String(e.count), Object.entries(e.commands).map(([k, v]) => `${k}×${v}`).join(' ')])))
  }
  if (s.warnings.length) {
    out.push([], [seg('Warnings', 'bold')])
    for (const w of s.warnings.slice(0, 20)) out.push([seg(`  ${w}`, 'yellow')])
  }
  return out
}

function compact(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? String(v)
  if (Array.isArray(v)) return `[${v.map(compact).join(', ')}]`
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)}`).join('  ')
}

function replaySummaryLines(m: Model): Line[] {
  const rp = m.replay!
  const s = rp.summary
  const out: Line[] = []
  const state = rp.source === 'report' ? 'finished report' : rp.running ? `running (${rp.running})` : rp.finished ? 'finished' : 'paused'
  out.push([seg(`Replay of ${m.name}: ${state}`, 'bold')])
  out.push([seg(`  requests ${s.requests}   `), seg(`matched ${s.matched}`, 'green'), seg('   '), seg(`diverged ${s.diverged}`, s.diverged ? 'red' : 'green'), seg('   '), seg(`skipped ${s.skipped}`, 'yellow')])
  out.push([seg(`  ${rp.count} steps${rp.source === 'live' ? ' so far' : ''}`, 'dim')])
  out.push([], [seg('Durable handles', 'bold')])
  if (!rp.durable.length) out.push([seg('  (none reported)', 'dim')])
  rp.durable.forEach((d, i) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      out.push([seg(`  ${i + 1}. ${compact(d)}`)])
      return
    }
    // One field a line: durable outcomes carry paths, GUIDs and statuses that do not fit side by side.
    out.push([seg(`  ${i + 1}.`, 'cyan')])
    for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
      const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)
      const st = /status|actual|expected|outcome|result/i.test(k) && typeof v === 'string' ? [seg(text, v.endsWith('SUCCESS') ? 'green' : 'red')] : [seg(text)]
      out.push([seg(`     ${k}: `, 'dim'), ...st])
    }
  })
  return out
}
