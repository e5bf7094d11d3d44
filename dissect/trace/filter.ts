/**
 * A small filter language over trace records, shared by `dissect --filter` and the TUI's `/`:
 *
 *   CREATE                      command name (any case)       status==ACCESS_DENIED   status name, STATUS_ optional
 *   cmd==CREATE && !error       boolean operators && || ! ( )  path~report.docx        substring, case-insensitive
 *   frame>=100 && frame<200     numeric comparisons            frame in 10..20         inclusive range
 *   session==0x1234             sessionId (hex, any width)     tree==5, fileId~0000
 *   durable, error, encrypted, signed, request, response, tcp, async, compound, reconnect  predicates
 *   body.createDisposition==2   any dotted path into the record
 *
 * Words without an operator are predicates, command names or status names, in that order.
 * @module
 */
import { commandCode } from '../smb2/constants/command.js'
import { statusCode } from '../smb2/constants/status.js'
import type { TraceRecord } from './record.js'

export type Predicate = (r: TraceRecord) => boolean

export class FilterError extends Error {
  override readonly name = 'FilterError'
}

type Tok = { t: 'word' | 'op' | 'lp' | 'rp' | 'and' | 'or' | 'not' | 'str'; v: string; at: number }

function tokenize(src: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) { i++; continue }
    if (c === '(') { out.push({ t: 'lp', v: c, at: i++ }); continue }
    if (c === ')') { out.push({ t: 'rp', v: c, at: i++ }); continue }
    if (src.startsWith('&&', i)) { out.push({ t: 'and', v: '&&', at: i }); i += 2; continue }
    if (src.startsWith('||', i)) { out.push({ t: 'or', v: '||', at: i }); i += 2; continue }
    const op = /^(==|!=|<=|>=|<|>|~|=)/.exec(src.slice(i))
    if (op) { out.push({ t: 'op', v: op[1] === '=' ? '==' : op[1]!, at: i }); i += op[1]!.length; continue }
    if (c === '!') { out.push({ t: 'not', v: '!', at: i++ }); continue }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1)
      if (end < 0) throw new FilterError(`unterminated string at ${i + 1}`)
      out.push({ t: 'str', v: src.slice(i + 1, end), at: i })
      i = end + 1
      continue
    }
    const w = /^[^\s()!=<>~&|"']+/.exec(src.slice(i))
    if (!w) throw new FilterError(`unexpected ${JSON.stringify(c)} at ${i + 1}`)
    const word = w[0]
    const low = word.toLowerCase()
    if (low === 'and') out.push({ t: 'and', v: word, at: i })
    else if (low === 'or') out.push({ t: 'or', v: word, at: i })
    else if (low === 'not') out.push({ t: 'not', v: word, at: i })
    else out.push({ t: 'word', v: word, at: i })
    i += word.length
  }
  return out
}

const ALIASES: Record<string, string> = {
  command: 'cmd', session: 'sessionId', sid: 'sessionId', tree: 'treeId', tid: 'treeId', mid: 'messageId',
  msgid: 'messageId', fid: 'fileId', file: 'path', async: 'asyncId',
}

function get(r: TraceRecord, path: string): unknown {
  let v: unknown = r
  for (const p of path.split('.')) {
    if (v === null || v === undefined) return undefined
    v = (v as Record<string, unknown>)[p]
  }
  return v
}

const PREDICATES: Record<string, Predicate> = {
  error: (r) => r.proto !== 'tcp' && (r.error !== undefined || (r.statusCode !== undefined && r.statusCode.startsWith('0xc'))),
  malformed: (r) => r.proto !== 'tcp' && r.error !== undefined,
  durable: (r) => r.proto !== 'tcp' && r.durable !== undefined,
  reconnect: (r) => r.proto === 'tcp' || (r.durable !== undefined && /reconnect/.test(r.durable.event)),
  encrypted: (r) => r.proto !== 'tcp' && r.encrypted,
  signed: (r) => r.proto !== 'tcp' && r.signed,
  request: (r) => r.proto !== 'tcp' && r.dir === 'request',
  response: (r) => r.proto !== 'tcp' && r.dir === 'response',
  tcp: (r) => r.proto === 'tcp',
  smb1: (r) => r.proto === 'smb1',
  smb2: (r) => r.proto === 'smb2',
  async: (r) => r.proto !== 'tcp' && r.asyncId !== undefined,
  compound: (r) => r.proto !== 'tcp' && r.compound !== undefined,
}

function parseHexish(s: string): bigint | undefined {
  try {
    return /^0x[0-9a-f]+$/i.test(s) ? BigInt(s) : /^\d+$/.test(s) ? BigInt(s) : undefined
  } catch {
    return undefined
  }
}

function compare(field: string, op: string, value: string): Predicate {
  const path = ALIASES[field.toLowerCase()] ?? field
  if (path === 'cmd') {
    const want = commandCode(value) ?? parseHexish(value)
    if (want === undefined) throw new FilterError(`unknown command ${JSON.stringify(value)}`)
    const n = Number(want)
    return (r) => r.proto !== 'tcp' && cmp(r.cmdCode, op, n)
  }
  if (path === 'status') {
    const want = statusCode(value)
    if (want === undefined) throw new FilterError(`unknown status ${JSON.stringify(value)}`)
    return (r) => r.proto !== 'tcp' && r.statusCode !== undefined && cmp(parseInt(r.statusCode, 16) >>> 0, op, want)
  }
  if (op === '~') {
    const needle = value.toLowerCase()
    return (r) => {
      const v = get(r, path)
      return v !== undefined && v !== null && String(typeof v === 'object' ? JSON.stringify(v) : v).toLowerCase().includes(needle)
    }
  }
  const num = parseHexish(value)
  return (r) => {
    const v = get(r, path)
    if (v === undefined || v === null) return op === '!='
    if (num !== undefined) {
      const have = typeof v === 'number' ? BigInt(Math.trunc(v)) : typeof v === 'string' ? parseHexish(v) : undefined
      if (have !== undefined) return cmp(have, op, num)
    }
    const s = String(v).toLowerCase()
    const w = value.toLowerCase()
    return op === '==' ? s === w : op === '!=' ? s !== w : cmp(s, op, w)
  }
}

function cmp<T extends number | bigint | string>(a: T, op: string, b: T): boolean {
  switch (op) {
    case '==': return a === b
    case '!=': return a !== b
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
    default: return false
  }
}

/** Compiles a filter expression; throws FilterError with a readable message. An empty expression matches all. */
export function compileFilter(src: string): Predicate {
  const toks = tokenize(src)
  if (toks.length === 0) return () => true
  let i = 0
  const peek = () => toks[i]
  const next = () => toks[i++]
  function primary(): Predicate {
    const t = next()
    if (!t) throw new FilterError('expression ends too early')
    if (t.t === 'not') {
      const p = primary()
      return (r) => !p(r)
    }
    if (t.t === 'lp') {
      const p = orExpr()
      if (next()?.t !== 'rp') throw new FilterError(`missing ) for ( at ${t.at + 1}`)
      return p
    }
    if (t.t !== 'word') throw new FilterError(`unexpected ${JSON.stringify(t.v)} at ${t.at + 1}`)
    const op = peek()
    if (op?.t === 'op') {
      next()
      const val = next()
      if (!val || (val.t !== 'word' && val.t !== 'str')) throw new FilterError(`${t.v} ${op.v} needs a value`)
      return compare(t.v, op.v, val.v)
    }
    if (op?.t === 'word' && op.v.toLowerCase() === 'in') {
      next()
      const range = next()
      const m = range && /^(\d+)\.\.(\d+)$/.exec(range.v)
      if (!m) throw new FilterError(`${t.v} in needs a range like 10..20`)
      const lo = compare(t.v, '>=', m[1]!)
      const hi = compare(t.v, '<=', m[2]!)
      return (r) => lo(r) && hi(r)
    }
    const pred = PREDICATES[t.v.toLowerCase()]
    if (pred) return pred
    const code = commandCode(t.v)
    if (code !== undefined) return (r) => r.proto !== 'tcp' && r.cmdCode === code
    const st = /^(STATUS_)?[A-Z_]+$/i.test(t.v) ? statusCode(t.v) : undefined
    if (st !== undefined) return (r) => r.proto !== 'tcp' && r.statusCode !== undefined && parseInt(r.statusCode, 16) >>> 0 === st
    throw new FilterError(`unknown word ${JSON.stringify(t.v)} (not a predicate, command or status)`)
  }
  function andExpr(): Predicate {
    let p = primary()
    while (peek()?.t === 'and' || (peek() && peek()!.t !== 'or' && peek()!.t !== 'rp')) {
      if (peek()!.t === 'and') next()
      const a = p
      const b = primary()
      p = (r) => a(r) && b(r)
    }
    return p
  }
  function orExpr(): Predicate {
    let p = andExpr()
    while (peek()?.t === 'or') {
      next()
      const a = p
      const b = andExpr()
      p = (r) => a(r) || b(r)
    }
    return p
  }
  const p = orExpr()
  if (i < toks.length) throw new FilterError(`unexpected ${JSON.stringify(toks[i]!.v)} at ${toks[i]!.at + 1}`)
  return p
}
