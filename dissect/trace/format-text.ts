/**
 * The default `dissect` output: one aligned line per SMB2 message, like tshark's summary line, with the ids,
 * status, path and the few body facts worth a glance (contexts, offsets, durable events). Colour only when
 * asked (the CLI asks when stdout is a TTY).
 * @module
 */
import type { SmbRecord, TcpRecord, TraceRecord } from './record.js'

const C = {
  reset: '\x1b[0m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', blue: '\x1b[34m',
  magenta: '\x1b[35m', cyan: '\x1b[36m', bold: '\x1b[1m',
}

export interface TextOptions {
  color?: boolean
  /** Time origin for the relative time column (first record's time when omitted). */
  t0?: number
}

function arrow(conn: string, toServer: boolean): string {
  const i = conn.indexOf('-')
  const cli = conn.slice(0, i)
  const srv = conn.slice(i + 1)
  return toServer ? `${cli} → ${srv}` : `${srv} → ${cli}`
}

const shortHex = (h: string): string => {
  const s = h.replace(/^0x0*/, '')
  return '0x' + (s || '0')
}

const shortStatus = (s: string): string => s.replace(/^STATUS_/, '')

function details(r: SmbRecord): string {
  const parts: string[] = []
  const b = (r.body ?? {}) as Record<string, unknown>
  const ctx = b['createContexts']
  if (Array.isArray(ctx) && ctx.length) parts.push('[' + ctx.map((c) => String((c as Record<string, unknown>)['tag'])).join(' ') + ']')
  if ((r.cmd === 'READ' || r.cmd === 'WRITE') && r.dir === 'request') {
    const len = b['length'] ?? (Buffer.isBuffer(b['data']) ? (b['data'] as Buffer).length : undefined)
    if (b['offset'] !== undefined) parts.push(`off=${String(b['offset'])} len=${String(len)}`)
  }
  if (r.cmd === 'NEGOTIATE' && r.dir === 'response' && typeof b['dialectRevision'] === 'number') {
    parts.push(`dialect=0x${(b['dialectRevision'] as number).toString(16).padStart(4, '0')}`)
  }
  if (r.cmd === 'TREE_CONNECT' && r.dir === 'request' && typeof b['path'] === 'string') parts.push(b['path'] as string)
  const auth = b['securityBlob'] as Record<string, unknown> | undefined
  if (auth && typeof auth === 'object') {
    const nt = auth['ntlmssp'] as Record<string, unknown> | undefined
    if (nt) {
      const t = String(nt['messageType'] ?? '')
      const who = nt['userName'] ? ` ${String(nt['domainName'] ?? '')}\\${String(nt['userName'])}` : ''
      parts.push(`NTLMSSP_${t}${who}`)
    } else if (auth['kerberos']) parts.push('Kerberos')
  }
  if (b['infoClassName']) parts.push(String(b['infoClassName']))
  if (b['ctlCodeName']) parts.push(String(b['ctlCodeName']))
  return parts.join(' ')
}

export function formatTextLine(r: TraceRecord, o: TextOptions = {}): string {
  const t = (r.time - (o.t0 ?? r.time)).toFixed(6).padStart(11)
  const frame = String(r.frame).padStart(7)
  const c = o.color ? C : (Object.fromEntries(Object.keys(C).map((k) => [k, ''])) as typeof C)
  if (r.proto === 'tcp') {
    const tr = r as TcpRecord
    const who = tr.dir ? ` by ${tr.dir}` : ''
    return `${frame} ${t}  ${c.magenta}TCP ${tr.event.toUpperCase()}${who}${c.reset} ${tr.conn}${tr.detail ? ` (${tr.detail})` : ''}`
  }
  const toServer = r.dir === 'request'
  const cmd = r.proto === 'smb1' ? `SMB1 ${r.cmd}` : r.cmd
  const dir = r.dir === 'request' ? 'Request ' : 'Response'
  let status = ''
  if (r.status) {
    const code = parseInt(r.statusCode ?? '0', 16) >>> 0
    const col = code >>> 30 === 3 ? c.red : code >>> 30 === 2 ? c.yellow : code === 0 ? c.green : c.yellow
    status = `${col}${shortStatus(r.status)}${c.reset}`
  }
  const ids = `mid=${r.messageId ? BigInt(r.messageId).toString() : '?'} sid=${shortHex(r.sessionId)} tid=${shortHex(r.treeId)}`
  const flags = [r.encrypted ? 'E' : '', r.signed ? 'S' : '', r.compound ? `C${r.compound.index}${r.compound.related ? 'r' : ''}` : '', r.asyncId ? 'A' : ''].join('')
  const where = r.path !== undefined ? ` ${c.bold}${r.share ? r.share + ':' : ''}${r.path || '\\'}${c.reset}` : ''
  const dur = r.durable && r.durable.event !== 'use' ? ` ${c.cyan}«${r.durable.event} #${r.durable.open}»${c.reset}` : ''
  const det = details(r)
  const err = r.error ? ` ${c.red}!${r.error}${c.reset}` : ''
  const notes = r.notes?.length ? ` ${c.dim}(${r.notes.map((n) => n.message).join('; ')})${c.reset}` : ''
  return `${frame} ${t}  ${arrow(r.conn, toServer)}  ${c.blue}${cmd.padEnd(15)}${c.reset} ${dir} ${status.padEnd(o.color && status ? 24 + 9 : 24)} ${ids}${flags ? ' ' + flags : ''}${where}${det ? ' ' + det : ''}${dur}${err}${notes}`
}
