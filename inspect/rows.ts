/**
 * The compact in-memory row table of the inspector: one row per trace record in typed-array columns (about
 * 90 bytes a row) plus interned strings (commands, statuses, ids, paths), so a capture of millions of
 * messages stays browsable while the full records live in the spool. A row is enough to draw the message
 * list, to evaluate filters over the header-level fields (`light`), to jump between a request and its
 * response (`peer`), and to follow an open or a session. Append-only: the model keeps the count it has seen.
 * @module
 */
import type { SmbRecord, TcpRecord, TraceRecord } from '../dissect/trace/record.js'

const Bit = {
  Tcp: 1 << 0,
  Response: 1 << 1,
  Smb1: 1 << 2,
  Error: 1 << 3,
  Notes: 1 << 4,
  Encrypted: 1 << 5,
  Signed: 1 << 6,
  Async: 1 << 7,
  Compound: 1 << 8,
  Related: 1 << 9,
  Status: 1 << 10,
  Compressed: 1 << 11,
  MessageId: 1 << 12,
  ByClient: 1 << 13,
  ByServer: 1 << 14,
} as const

/** Record fields a row reproduces (`light`); a filter on any other field needs the full record. */
export const LIGHT_FIELDS: ReadonlySet<string> = new Set([
  'frame', 'time', 'conn', 'dir', 'proto', 'cmd', 'cmdCode', 'messageId', 'sessionId', 'treeId', 'asyncId', 'status',
  'statusCode', 'signed', 'encrypted', 'compressed', 'compound', 'fileId', 'path', 'share', 'durable', 'event', 'requestFrame',
])

/** Strings by small integer id; id 0 stands for "absent". */
export class Interner {
  private readonly ids = new Map<string, number>()
  private readonly values: string[] = ['']

  id(s: string | undefined): number {
    if (s === undefined) return 0
    let id = this.ids.get(s)
    if (id === undefined) {
      id = this.values.length
      this.values.push(s)
      this.ids.set(s, id)
    }
    return id
  }

  /** The id of a string already seen, or 0. */
  find(s: string): number {
    return this.ids.get(s) ?? 0
  }

  get(id: number): string | undefined {
    return id === 0 ? undefined : this.values[id]
  }

  get size(): number {
    return this.values.length - 1
  }
}

/** Bytes per row over all columns (the sum of the element sizes below). */
export const ROW_BYTES = 82

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array

function grown<T extends TypedArray>(a: T, cap: number, fill = 0): T {
  const next = new (a.constructor as new (n: number) => T)(cap)
  next.set(a as never)
  if (fill !== 0) next.fill(fill, a.length)
  return next
}

const hex16 = (hi: number, lo: number): string => '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')

function split64(s: string | undefined): [number, number] | undefined {
  if (!s) return undefined
  const h = s.replace(/^0x/i, '')
  if (!/^[0-9a-f]{1,16}$/i.test(h)) return undefined
  const p = h.padStart(16, '0')
  return [parseInt(p.slice(0, 8), 16) >>> 0, parseInt(p.slice(8), 16) >>> 0]
}

export interface RowTable {
  readonly length: number
  /** The record without body, notes, flags and credits (enough for the list and most filters). */
  light(i: number): TraceRecord
  frame(i: number): number
  time(i: number): number
  isTcp(i: number): boolean
  isResponse(i: number): boolean
  hasNotes(i: number): boolean
  /** 1-based number of the TCP connection in order of first appearance. */
  connNo(i: number): number
  /** Interned ids (0 = none) of the connection, its server side, the session, the FileId. */
  connId(i: number): number
  serverId(i: number): number
  sessionId(i: number): number
  fileId(i: number): number
  cmd(i: number): string
  /** Durable-open lifecycle id from the dissector (0 = none). */
  durableOpen(i: number): number
  /** The matching response of a request (the final one for async), the request of a response, or -1. */
  peer(i: number): number
  /** Sessions tied to `sessionId` by PreviousSessionId on SESSION_SETUP (reconnects), transitively. */
  linkedSessions(sessionId: number): number[]
  /** Interned id of a string (session id, FileId) seen in the table, or 0. */
  internedId(s: string): number
  /** First row whose frame is >= `frame` (rows are in capture order). */
  firstRowAtFrame(frame: number): number
}

/** What the indexer passes besides the record. */
export interface RowExtra {
  /** PreviousSessionId of a SESSION_SETUP request, as "0x" + 16 hex digits. */
  previousSessionId?: string
}

export class RowStore implements RowTable {
  private cap = 1024
  private n = 0
  private frames = new Uint32Array(this.cap)
  private times = new Float64Array(this.cap)
  private conns = new Uint32Array(this.cap)
  private bits = new Uint16Array(this.cap)
  private cmds = new Uint32Array(this.cap)
  private cmdCodes = new Int16Array(this.cap)
  private statuses = new Uint32Array(this.cap)
  private statusCodes = new Uint32Array(this.cap)
  private midHi = new Uint32Array(this.cap)
  private midLo = new Uint32Array(this.cap)
  private asyncHi = new Uint32Array(this.cap)
  private asyncLo = new Uint32Array(this.cap)
  private sids = new Uint32Array(this.cap)
  private tids = new Uint32Array(this.cap)
  private fids = new Uint32Array(this.cap)
  private shares = new Uint32Array(this.cap)
  private paths = new Uint32Array(this.cap)
  private durables = new Int32Array(this.cap)
  private dEvents = new Uint32Array(this.cap)
  private cIndex = new Uint8Array(this.cap)
  private cCount = new Uint8Array(this.cap)
  private peers = new Int32Array(this.cap).fill(-1)

  private readonly strings = new Interner()
  private readonly connNames = new Interner()
  /** Server-side id of each connection id. */
  private readonly connServer: number[] = [0]
  /** Requests waiting for their response, per connection, by MessageId. */
  private readonly pending = new Map<number, Map<string, number>>()
  /** SESSION_SETUP requests carrying a PreviousSessionId, by connection + MessageId. */
  private readonly pendingPrevious = new Map<string, number>()
  private readonly links = new Map<number, Set<number>>()

  get length(): number {
    return this.n
  }

  /** Bytes held by the columns (capacity), for memory accounting. */
  get bytes(): number {
    return this.cap * ROW_BYTES
  }

  private grow(): void {
    const cap = this.cap * 2
    this.frames = grown(this.frames, cap)
    this.times = grown(this.times, cap)
    this.conns = grown(this.conns, cap)
    this.bits = grown(this.bits, cap)
    this.cmds = grown(this.cmds, cap)
    this.cmdCodes = grown(this.cmdCodes, cap)
    this.statuses = grown(this.statuses, cap)
    this.statusCodes = grown(this.statusCodes, cap)
    this.midHi = grown(this.midHi, cap)
    this.midLo = grown(this.midLo, cap)
    this.asyncHi = grown(this.asyncHi, cap)
    this.asyncLo = grown(this.asyncLo, cap)
    this.sids = grown(this.sids, cap)
    this.tids = grown(this.tids, cap)
    this.fids = grown(this.fids, cap)
    this.shares = grown(this.shares, cap)
    this.paths = grown(this.paths, cap)
    this.durables = grown(this.durables, cap)
    this.dEvents = grown(this.dEvents, cap)
    this.cIndex = grown(this.cIndex, cap)
    this.cCount = grown(this.cCount, cap)
    this.peers = grown(this.peers, cap, -1)
    this.cap = cap
  }

  private connIdOf(conn: string): number {
    const known = this.connNames.size
    const id = this.connNames.id(conn)
    if (id > known) this.connServer[id] = this.strings.id(conn.slice(conn.indexOf('-') + 1))
    return id
  }

  append(r: TraceRecord, extra: RowExtra = {}): number {
    if (this.n === this.cap) this.grow()
    const i = this.n++
    this.frames[i] = r.frame
    this.times[i] = r.time
    const conn = this.connIdOf(r.conn)
    this.conns[i] = conn
    if (r.proto === 'tcp') {
      this.bits[i] = Bit.Tcp | (r.dir === 'client' ? Bit.ByClient : r.dir === 'server' ? Bit.ByServer : 0)
      this.cmds[i] = this.strings.id(r.event)
      if (r.event === 'close' || r.event === 'reset') this.pending.delete(conn)
      return i
    }
    let bits = 0
    if (r.dir === 'response') bits |= Bit.Response
    if (r.proto === 'smb1') bits |= Bit.Smb1
    if (r.error !== undefined) bits |= Bit.Error
    if (r.notes?.length) bits |= Bit.Notes
    if (r.encrypted) bits |= Bit.Encrypted
    if (r.signed) bits |= Bit.Signed
    if (r.compressed) bits |= Bit.Compressed
    const mid = split64(r.messageId)
    if (mid) {
      bits |= Bit.MessageId
      this.midHi[i] = mid[0]
      this.midLo[i] = mid[1]
    }
    const aid = split64(r.asyncId)
    if (aid) {
      bits |= Bit.Async
      this.asyncHi[i] = aid[0]
      this.asyncLo[i] = aid[1]
    }
    if (r.compound) {
      bits |= Bit.Compound | (r.compound.related ? Bit.Related : 0)
      this.cIndex[i] = Math.min(255, r.compound.index)
      this.cCount[i] = Math.min(255, r.compound.count)
    }
    if (r.statusCode !== undefined) {
      bits |= Bit.Status
      this.statusCodes[i] = parseInt(r.statusCode, 16) >>> 0
      this.statuses[i] = this.strings.id(r.status ?? r.statusCode)
    }
    this.bits[i] = bits
    this.cmds[i] = this.strings.id(r.cmd)
    this.cmdCodes[i] = r.cmdCode
    this.sids[i] = this.strings.id(r.sessionId)
    this.tids[i] = this.strings.id(r.treeId)
    this.fids[i] = this.strings.id(r.fileId)
    this.shares[i] = this.strings.id(r.share)
    this.paths[i] = this.strings.id(r.path)
    if (r.durable) {
      this.durables[i] = r.durable.open
      this.dEvents[i] = this.strings.id(r.durable.event)
    }
    if (mid) this.match(i, r, conn, extra)
    return i
  }

  /** Request/response pairing by connection + MessageId (the dissector's requestFrame confirms it). */
  private match(i: number, r: SmbRecord, conn: number, extra: RowExtra): void {
    const key = r.messageId
    let byMid = this.pending.get(conn)
    if (r.dir === 'request') {
      if (r.cmd === 'CANCEL') {
        const target = byMid?.get(key)
        if (target !== undefined) this.peers[i] = target
        return
      }
      if (!byMid) {
        byMid = new Map()
        this.pending.set(conn, byMid)
      }
      byMid.set(key, i)
      if (extra.previousSessionId && BigInt(extra.previousSessionId) !== 0n) this.pendingPrevious.set(`${conn}|${key}`, this.strings.id(extra.previousSessionId))
      return
    }
    const req = byMid?.get(key)
    if (req === undefined) return
    if (r.requestFrame !== undefined && r.requestFrame !== this.frames[req]) return
    this.peers[i] = req
    this.peers[req] = i
    const interim = r.asyncId !== undefined && r.status === 'STATUS_PENDING'
    if (!interim) byMid!.delete(key)
    const prev = this.pendingPrevious.get(`${conn}|${key}`)
    if (prev !== undefined && !interim) {
      this.pendingPrevious.delete(`${conn}|${key}`)
      const sid = this.sids[i]!
      if (sid !== 0 && sid !== prev && BigInt(r.sessionId) !== 0n) this.link(sid, prev)
    }
  }

  private link(a: number, b: number): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      let s = this.links.get(x)
      if (!s) this.links.set(x, (s = new Set()))
      s.add(y)
    }
  }

  linkedSessions(sessionId: number): number[] {
    const seen = new Set([sessionId])
    const todo = [sessionId]
    while (todo.length) {
      for (const next of this.links.get(todo.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next)
          todo.push(next)
        }
      }
    }
    return [...seen]
  }

  internedId(s: string): number {
    return this.strings.find(s)
  }

  frame(i: number): number {
    return this.frames[i]!
  }
  time(i: number): number {
    return this.times[i]!
  }
  isTcp(i: number): boolean {
    return (this.bits[i]! & Bit.Tcp) !== 0
  }
  isResponse(i: number): boolean {
    return (this.bits[i]! & Bit.Response) !== 0
  }
  hasNotes(i: number): boolean {
    return (this.bits[i]! & Bit.Notes) !== 0
  }
  connNo(i: number): number {
    return this.conns[i]!
  }
  connId(i: number): number {
    return this.conns[i]!
  }
  serverId(i: number): number {
    return this.connServer[this.conns[i]!]!
  }
  sessionId(i: number): number {
    return this.sids[i]!
  }
  fileId(i: number): number {
    return this.fids[i]!
  }
  cmd(i: number): string {
    return this.strings.get(this.cmds[i]!) ?? ''
  }
  durableOpen(i: number): number {
    return this.durables[i]!
  }
  peer(i: number): number {
    return this.peers[i]!
  }

  firstRowAtFrame(frame: number): number {
    let lo = 0
    let hi = this.n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.frames[mid]! < frame) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  light(i: number): TraceRecord {
    const bits = this.bits[i]!
    const conn = this.connNames.get(this.conns[i]!) ?? ''
    if (bits & Bit.Tcp) {
      const t: TcpRecord = { frame: this.frames[i]!, time: this.times[i]!, conn, proto: 'tcp', event: this.strings.get(this.cmds[i]!) as TcpRecord['event'] }
      if (bits & Bit.ByClient) t.dir = 'client'
      else if (bits & Bit.ByServer) t.dir = 'server'
      return t
    }
    const s = (id: number) => this.strings.get(id)
    const r: SmbRecord = {
      frame: this.frames[i]!,
      time: this.times[i]!,
      conn,
      dir: bits & Bit.Response ? 'response' : 'request',
      proto: bits & Bit.Smb1 ? 'smb1' : 'smb2',
      cmd: s(this.cmds[i]!) ?? '',
      cmdCode: this.cmdCodes[i]!,
      messageId: bits & Bit.MessageId ? hex16(this.midHi[i]!, this.midLo[i]!) : '',
      sessionId: s(this.sids[i]!) ?? '',
      treeId: s(this.tids[i]!) ?? '',
      flags: [],
      creditCharge: 0,
      credits: 0,
      signed: (bits & Bit.Signed) !== 0,
      encrypted: (bits & Bit.Encrypted) !== 0,
    }
    if (bits & Bit.Async) r.asyncId = hex16(this.asyncHi[i]!, this.asyncLo[i]!)
    if (bits & Bit.Status) {
      r.status = s(this.statuses[i]!)
      r.statusCode = '0x' + this.statusCodes[i]!.toString(16).padStart(8, '0')
    }
    if (bits & Bit.Compressed) r.compressed = true
    if (bits & Bit.Compound) r.compound = { index: this.cIndex[i]!, count: this.cCount[i]!, related: (bits & Bit.Related) !== 0 }
    const fid = s(this.fids[i]!)
    if (fid !== undefined) r.fileId = fid
    const path = s(this.paths[i]!)
    if (path !== undefined) r.path = path
    const share = s(this.shares[i]!)
    if (share !== undefined) r.share = share
    if (this.durables[i]) r.durable = { open: this.durables[i]!, event: s(this.dEvents[i]!) ?? '' }
    // The row keeps only the fact of an error; its text is in the full record.
    if (bits & Bit.Error) r.error = ''
    const p = this.peers[i]!
    if (bits & Bit.Response && p >= 0) r.requestFrame = this.frames[p]!
    return r
  }
}
