/**
 * `dissect --format summary`: what a person wants first from a capture — dialects, sessions (user, auth,
 * signing, encryption), tree connects, per-command counts and service response times (like
 * `tshark -z smb2,srt`), errors by status, and the durable-handle lifecycle table with what happened at each
 * disconnect and reconnect. Built incrementally from the record stream (memory: one entry per command,
 * status, session, tree and durable open).
 * @module
 */
import { dialectName } from '../smb2/constants/dialect.js'
import type { DurableOpen, Dissector } from './dissector.js'
import type { SmbRecord, TraceRecord } from './record.js'

interface Srt {
  calls: number
  min: number
  max: number
  sum: number
}

export interface SessionRow {
  sessionId: string
  conn: string
  user?: string
  domain?: string
  workstation?: string
  auth?: string
  dialect?: string
  signing?: string
  encryption?: string
  cipher?: string
  keyKnown?: boolean
  status?: string
}

export interface Summary {
  frames: number
  smbMessages: number
  records: number
  firstTime?: number
  lastTime?: number
  connections: Array<{ conn: string; dialect?: string; opened?: number; closed?: number; how?: string }>
  sessions: SessionRow[]
  trees: Array<{ sessionId: string; treeId: string; share: string; conn: string; frame: number }>
  commands: Array<{ cmd: string; requests: number; responses: number; srt?: { calls: number; min: number; avg: number; max: number } }>
  errors: Array<{ status: string; count: number; commands: Record<string, number> }>
  malformed: number
  undecrypted: number
  decrypted: number
  compressed: number
  badSignatures: number
  durable: DurableOpen[]
  beyondTshark: string[]
  warnings: string[]
}

export class SummaryBuilder {
  private frames = 0
  private smbMessages = 0
  private records = 0
  private firstTime?: number
  private lastTime?: number
  private readonly conns = new Map<string, Summary['connections'][number]>()
  private readonly cmds = new Map<string, { requests: number; responses: number; srt: Srt }>()
  private readonly errors = new Map<string, { count: number; commands: Record<string, number> }>()
  private readonly trees: Summary['trees'] = []
  private malformed = 0
  private undecrypted = 0
  private decrypted = 0
  private compressed = 0
  private badSignatures = 0

  add(r: TraceRecord): void {
    this.records++
    this.frames = Math.max(this.frames, r.frame)
    if (this.firstTime === undefined) this.firstTime = r.time
    this.lastTime = r.time
    let c = this.conns.get(r.conn)
    if (!c) {
      c = { conn: r.conn }
      this.conns.set(r.conn, c)
    }
    if (r.proto === 'tcp') {
      if (r.event === 'open') c.opened = r.frame
      if (r.event === 'close' || r.event === 'reset') {
        c.closed ??= r.frame
        c.how ??= r.event
      }
      return
    }
    this.smbMessages++
    this.count(r, c)
  }

  private count(r: SmbRecord, c: Summary['connections'][number]): void {
    if (r.error) this.malformed++
    if (r.cmd === 'ENCRYPTED') {
      this.undecrypted++
      return
    }
    if (r.encrypted) this.decrypted++
    if (r.compressed) this.compressed++
    if (r.signature === 'invalid') this.badSignatures++
    if (r.cmdCode < 0) return
    const key = r.proto === 'smb1' ? `SMB1 ${r.cmd}` : r.cmd
    let e = this.cmds.get(key)
    if (!e) {
      e = { requests: 0, responses: 0, srt: { calls: 0, min: Infinity, max: 0, sum: 0 } }
      this.cmds.set(key, e)
    }
    if (r.dir === 'request') e.requests++
    else {
      e.responses++
      if (r.rtt !== undefined && r.status !== 'STATUS_PENDING') {
        e.srt.calls++
        e.srt.min = Math.min(e.srt.min, r.rtt)
        e.srt.max = Math.max(e.srt.max, r.rtt)
        e.srt.sum += r.rtt
      }
      if (r.statusCode && r.status !== 'STATUS_SUCCESS' && r.status !== 'STATUS_PENDING') {
        let er = this.errors.get(r.status!)
        if (!er) {
          er = { count: 0, commands: {} }
          this.errors.set(r.status!, er)
        }
        er.count++
        er.commands[r.cmd] = (er.commands[r.cmd] ?? 0) + 1
      }
      if (r.cmd === 'NEGOTIATE' && r.body && typeof (r.body as Record<string, unknown>)['dialectRevision'] === 'number') {
        c.dialect = dialectName((r.body as Record<string, number>)['dialectRevision']!)
      }
      if (r.cmd === 'TREE_CONNECT' && r.status === 'STATUS_SUCCESS' && r.share) {
        this.trees.push({ sessionId: r.sessionId, treeId: r.treeId, share: r.share, conn: r.conn, frame: r.frame })
      }
    }
  }

  build(d: Dissector): Summary {
    const durable = d.durableOpens
    const beyond: string[] = []
    if (this.decrypted) beyond.push(`${this.decrypted} messages decrypted`)
    const followed = durable.reduce((n, o) => n + o.messagesAfterReconnect, 0)
    const reconnected = durable.filter((o) => o.reconnects.some((r) => r.status === 'STATUS_SUCCESS')).length
    if (reconnected) beyond.push(`${reconnected} durable opens followed across a reconnect, ${followed} later messages named with their path`)
    if (this.compressed) beyond.push(`${this.compressed} compressed messages decompressed`)
    return {
      frames: this.frames,
      smbMessages: this.smbMessages,
      records: this.records,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      connections: [...this.conns.values()],
      sessions: d.security.sessionRows(),
      trees: this.trees,
      commands: [...this.cmds.entries()].map(([cmd, e]) => ({
        cmd,
        requests: e.requests,
        responses: e.responses,
        srt: e.srt.calls ? { calls: e.srt.calls, min: e.srt.min, avg: e.srt.sum / e.srt.calls, max: e.srt.max } : undefined,
      })),
      errors: [...this.errors.entries()].map(([status, e]) => ({ status, ...e })).sort((a, b) => b.count - a.count),
      malformed: this.malformed,
      undecrypted: this.undecrypted,
      decrypted: this.decrypted,
      compressed: this.compressed,
      badSignatures: this.badSignatures,
      durable,
      beyondTshark: beyond,
      warnings: d.warnings,
    }
  }
}

/** Renders rows as an aligned table. */
export function table(head: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = [head, ...rows.map((r) => r.map((v) => (v === undefined ? '-' : String(v))))]
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r, ri) => {
    const line = r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(w[i]!))).join('  ')
    return ri === 0 ? line + '\n' + w.map((n) => '-'.repeat(n)).join('  ') : line
  }).join('\n')
}

const ms = (s: number): string => (s * 1000).toFixed(3)

export function formatSummary(s: Summary): string {
  const out: string[] = []
  const dur = s.firstTime !== undefined && s.lastTime !== undefined ? (s.lastTime - s.firstTime).toFixed(3) : '0'
  out.push(`Capture: ${s.frames} frames, ${s.smbMessages} SMB messages, ${s.connections.length} TCP connections, ${dur} s`)
  if (s.malformed) out.push(`Malformed records: ${s.malformed}`)
  if (s.undecrypted) out.push(`Encrypted messages without a key: ${s.undecrypted} (give --password or --keys)`)
  if (s.badSignatures) out.push(`Bad signatures: ${s.badSignatures}`)
  out.push('', '== Connections', table(['connection', 'dialect', 'opened', 'closed'], s.connections.map((c) => [c.conn, c.dialect, c.opened, c.closed !== undefined ? `${c.closed} (${c.how})` : undefined])))
  out.push('', '== Sessions', table(
    ['session', 'user', 'auth', 'dialect', 'signing', 'encryption', 'key', 'connection'],
    s.sessions.map((x) => [x.sessionId, x.user !== undefined ? `${x.domain ? x.domain + '\\' : ''}${x.user}` : undefined, x.auth, x.dialect, x.signing, x.encryption ? `${x.encryption}${x.cipher ? ' ' + x.cipher : ''}` : undefined, x.keyKnown ? 'yes' : 'no', x.conn]),
  ))
  out.push('', '== Tree connects', table(['session', 'tree', 'share', 'frame'], s.trees.map((t) => [t.sessionId, t.treeId, t.share, t.frame])))
  out.push('', '== Commands (service response time in ms)', table(
    ['command', 'requests', 'responses', 'calls', 'min', 'avg', 'max'],
    s.commands.map((c) => [c.cmd, c.requests, c.responses, c.srt?.calls, c.srt ? ms(c.srt.min) : undefined, c.srt ? ms(c.srt.avg) : undefined, c.srt ? ms(c.srt.max) : undefined]),
  ))
  if (s.errors.length) {
    out.push('', '== Errors by status', table(['status', 'count', 'commands'], s.errors.map((e) => [e.status, e.count, Object.entries(e.commands).map(([k, v]) => `${k}×${v}`).join(' ')])))
  }
  out.push('', '== Durable handles')
  if (!s.durable.length) out.push('(none)')
  for (const d of s.durable) {
    const grant = d.granted === undefined ? 'no response' : d.granted ? `granted (frame ${d.grantFrame}${d.timeoutMs !== undefined ? `, timeout ${d.timeoutMs} ms` : ''})` : 'not granted'
    out.push(`#${d.id} ${d.kind} ${d.share ? d.share + ':' : ''}${d.path || '\\'}  fileId ${d.fileId ?? '-'}  requested frame ${d.requestFrame}, ${grant}`)
    const timeline = [
      ...d.disconnects.map((x) => ({ frame: x.frame, text: `TCP ${x.event} of ${x.conn} → open disconnected` })),
      ...d.reconnects.map((r) => ({ frame: r.frame, text: `${r.kind} reconnect on ${r.conn} → ${r.status ?? 'no response'}${r.fileId ? ` (fileId ${r.fileId})` : ''}` })),
    ].sort((a, b) => a.frame - b.frame)
    for (const t of timeline) out.push(`    frame ${t.frame}: ${t.text}`)
    if (d.messagesAfterReconnect) out.push(`    ${d.messagesAfterReconnect} messages after the reconnect carry the path (tshark shows none)`)
    out.push(`    ${d.closedFrame !== undefined ? `closed at frame ${d.closedFrame}` : 'not closed in the capture'}`)
  }
  if (s.beyondTshark.length) out.push('', '== Beyond tshark', ...s.beyondTshark.map((b) => `- ${b}`))
  if (s.warnings.length) out.push('', '== Warnings', ...s.warnings.slice(0, 50).map((w) => `- ${w}`), ...(s.warnings.length > 50 ? [`- ... ${s.warnings.length - 50} more`] : []))
  return out.join('\n') + '\n'
}
