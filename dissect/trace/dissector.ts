/**
 * The dissector proper: capture events in, trace records out, in capture order and streaming (state is per
 * connection, session, tree and open, and is dropped when it can no longer matter).
 *
 * Beyond one-message decoding it tracks what tshark loses: the share and path of every FileId, also across a
 * durable reconnect (DHnC/DH2C on a new TCP connection, PreviousSessionId on SESSION_SETUP), and the whole
 * lifecycle of each durable or persistent open (grant, disconnect, reconnect attempts, close).
 * @module
 */
import { commandName, Smb2Command } from '../smb2/constants/command.js'
import { Dialect } from '../smb2/constants/dialect.js'
import { headerFlagNames, Smb2Flags } from '../smb2/constants/flags.js'
import { NtStatus, statusName } from '../smb2/constants/status.js'
import { channelSequence, messageKind, type Smb2Header } from '../smb2/header.js'
import { decodeChain, type DecodedMessage } from '../smb2/message.js'
import { decodeSmb1 } from '../smb1/header.js'
import { isCodecError } from '../wire/index.js'
import type { CaptureEvent } from './events.js'
import { Matcher } from './matcher.js'
import { fileIdString, hex32, hex64, type SmbRecord, type TcpRecord, type TraceRecord } from './record.js'
import { bodyAccess, type CreateContextView } from './body-access.js'
import { SecurityTracker, type SecurityOptions } from './security.js'
import { enrichBody, type RequestInfo } from './enrich.js'

export interface DissectorOptions extends SecurityOptions {
  /** Record field byte spans on each message (TUI hex view). */
  spans?: boolean
  /** Keep the plaintext bytes and decoded structure of every message on the output. */
  keepRaw?: boolean
}

export interface Dissected {
  record: TraceRecord
  /** Plaintext bytes of this SMB2 message (header to end of message), when `keepRaw`. */
  raw?: Buffer
  decoded?: DecodedMessage
  fromClient?: boolean
}

/** One durable/persistent open and what happened to it (the summary's lifecycle table). */
export interface DurableOpen {
  id: number
  path: string
  share?: string
  conn: string
  sessionId: bigint
  fileId?: string
  kind: 'DHnQ' | 'DH2Q' | 'DH2Q persistent'
  createGuid?: string
  leaseKey?: string
  requestFrame: number
  granted?: boolean
  grantFrame?: number
  timeoutMs?: number
  disconnects: Array<{ frame: number; time: number; conn: string; event: string }>
  reconnects: Array<{ frame: number; time: number; conn: string; kind: 'DHnC' | 'DH2C'; status?: string; responseFrame?: number; fileId?: string }>
  closedFrame?: number
  /** Messages on this open after its last reconnect whose path only we could name. */
  messagesAfterReconnect: number
}

interface OpenInfo {
  path: string
  share?: string
  durable?: DurableOpen
  closed?: boolean
}

interface TreeInfo {
  share: string
}

interface PendingData {
  /**
   * What a response takes from its request's record. While the request is decoded this is the record itself; it
   * is cut down to these fields when the request is filed, so a pending WRITE does not keep its payload (and the
   * whole reassembled message under it) alive until the response comes.
   */
  record: Pick<SmbRecord, 'path' | 'fileId' | 'durable'>
  /** Share-relative name of a CREATE, UNC path of a TREE_CONNECT. */
  name?: string
  share?: string
  durableRequest?: DurableOpen
  reconnect?: { open: DurableOpen; index: number }
  infoType?: number
  infoClass?: number
  directoryClass?: number
  renameTo?: string
  fileIdKey?: string
  previousSessionId?: bigint
}

interface ConnState {
  id: string
  server: string
  dialect?: number
  /** Path of the last CREATE in the current request chain (related compounds use the all-ones FileId). */
  chainPath?: { path: string; share?: string }
  chainFileId?: string
}

const ALL_ONES = 0xffff_ffff_ffff_ffffn

/** A tree by server, SessionId and TreeId (the record's hex texts of the header values). */
const treeKey = (conn: ConnState, rec: SmbRecord): string => conn.server + '|' + rec.sessionId + rec.treeId

export class Dissector {
  private readonly matcher = new Matcher<PendingData>()
  private readonly conns = new Map<string, ConnState>()
  private readonly trees = new Map<string, TreeInfo>()
  private readonly opens = new Map<string, OpenInfo>()
  /** Durable opens by server + persistent FileId, to find them again on reconnect. */
  private readonly durableByPersistent = new Map<string, DurableOpen>()
  readonly durableOpens: DurableOpen[] = []
  readonly security: SecurityTracker
  /** Frames read with a message or event (for progress/summary). */
  lastFrame = 0
  warnings: string[] = []

  constructor(private readonly opts: DissectorOptions = {}) {
    this.security = new SecurityTracker(opts)
  }

  feed(ev: CaptureEvent): Dissected[] {
    if (ev.kind === 'warning') {
      this.warnings.push(ev.frame !== undefined ? `frame ${ev.frame}: ${ev.message}` : ev.message)
      return []
    }
    this.lastFrame = ev.frame
    if (ev.kind === 'tcp') return [{ record: this.tcpEvent(ev) }]
    return this.message(ev)
  }

  private conn(id: string): ConnState {
    let c = this.conns.get(id)
    if (!c) {
      c = { id, server: id.slice(id.indexOf('-') + 1) }
      this.conns.set(id, c)
    }
    return c
  }

  private tcpEvent(ev: Extract<CaptureEvent, { kind: 'tcp' }>): TcpRecord {
    const rec: TcpRecord = { frame: ev.frame, time: ev.time, conn: ev.conn, proto: 'tcp', event: ev.event }
    if (ev.fromClient !== undefined) rec.dir = ev.fromClient ? 'client' : 'server'
    if (ev.detail) rec.detail = ev.detail
    if (ev.event === 'close' || ev.event === 'reset') {
      // Durable opens of this connection become disconnected (MS-SMB2 3.3.7.1); we record it once per open.
      for (const d of this.durableOpens) {
        if (d.conn !== ev.conn || d.closedFrame !== undefined || !d.granted) continue
        const last = d.disconnects[d.disconnects.length - 1]
        if (last && last.conn === ev.conn) continue
        d.disconnects.push({ frame: ev.frame, time: ev.time, conn: ev.conn, event: ev.event })
      }
      this.matcher.closeConnection(ev.conn)
      this.security.closeConnection(ev.conn)
      this.conns.delete(ev.conn)
    }
    return rec
  }

  private message(ev: Extract<CaptureEvent, { kind: 'message' }>): Dissected[] {
    const kind = messageKind(ev.data)
    if (kind === 'smb1') return [this.smb1(ev)]
    if (kind === 'unknown') {
      return [{ record: this.bareRecord(ev, 'UNKNOWN', `not an SMB message (starts ${ev.data.subarray(0, 4).toString('hex')})`), fromClient: ev.fromClient }]
    }
    let plain = ev.data
    let encrypted = false
    let compressed = false
    if (kind === 'transform') {
      const r = this.security.decrypt(ev.conn, ev.data, ev.fromClient)
      if (!r.ok) {
        const rec = this.bareRecord(ev, 'ENCRYPTED', undefined)
        rec.encrypted = true
        rec.sessionId = hex64(r.sessionId)
        rec.notes = [{ severity: 'note', group: 'decryption', message: r.reason }]
        return [{ record: rec, fromClient: ev.fromClient }]
      }
      plain = r.plain
      encrypted = true
    }
    if (messageKind(plain) === 'compression') {
      const r = this.security.decompress(plain)
      if (!r.ok) {
        const rec = this.bareRecord(ev, 'COMPRESSED', r.reason)
        rec.compressed = true
        rec.encrypted = encrypted
        return [{ record: rec, fromClient: ev.fromClient }]
      }
      plain = r.plain
      compressed = true
    }
    const conn = this.conn(ev.conn)
    const chain = decodeChain(plain, { dialect: conn.dialect, spans: this.opts.spans })
    const out: Dissected[] = []
    const count = chain.messages.length
    conn.chainPath = undefined
    conn.chainFileId = undefined
    const x = { index: 0, count, encrypted, compressed }
    for (let index = 0; index < count; index++) {
      const m = chain.messages[index]!
      const raw = m.start === 0 && m.end === plain.length ? plain : plain.subarray(m.start, m.end)
      x.index = index
      const rec = this.smb2Record(ev, conn, m, raw, plain, x)
      const d: Dissected = { record: rec, fromClient: ev.fromClient }
      if (this.opts.keepRaw) {
        d.raw = raw
        d.decoded = m
      }
      out.push(d)
    }
    if (chain.error) {
      const rec = this.bareRecord(ev, count ? 'MALFORMED' : 'MALFORMED', chain.error.message)
      rec.encrypted = encrypted
      out.push({ record: rec, fromClient: ev.fromClient })
    }
    return out
  }

  private bareRecord(ev: Extract<CaptureEvent, { kind: 'message' }>, cmd: string, error: string | undefined): SmbRecord {
    const rec: SmbRecord = {
      frame: ev.frame, time: ev.time, conn: ev.conn, dir: ev.fromClient ? 'request' : 'response', proto: 'smb2', cmd, cmdCode: -1,
      messageId: '', sessionId: hex64(0n), treeId: hex32(0), flags: [], creditCharge: 0, credits: 0, signed: false, encrypted: false,
    }
    if (error) rec.error = error
    return rec
  }

  private smb1(ev: Extract<CaptureEvent, { kind: 'message' }>): Dissected {
    try {
      const m = decodeSmb1(ev.data)
      const rec: SmbRecord = {
        frame: ev.frame, time: ev.time, conn: ev.conn, dir: m.header.flags & 0x80 ? 'response' : 'request', proto: 'smb1',
        cmd: m.header.command === 0x72 ? 'NEGOTIATE' : `SMB1_0x${m.header.command.toString(16).padStart(2, '0')}`,
        cmdCode: m.header.command, messageId: hex64(BigInt(m.header.mid)), sessionId: hex64(BigInt(m.header.uid)),
        treeId: hex32(m.header.tid), flags: [], creditCharge: 0, credits: 0, signed: false, encrypted: false,
        body: m.negotiate ? { dialects: m.negotiate.dialects } : undefined,
      }
      if (rec.dir === 'response') {
        rec.status = statusName(m.header.status)
        rec.statusCode = hex32(m.header.status)
      }
      return { record: rec, fromClient: ev.fromClient, raw: this.opts.keepRaw ? ev.data : undefined }
    } catch (e) {
      if (!isCodecError(e)) throw e
      const rec = this.bareRecord(ev, 'SMB1', (e as Error).message)
      rec.proto = 'smb1'
      return { record: rec, fromClient: ev.fromClient }
    }
  }

  private smb2Record(
    ev: Extract<CaptureEvent, { kind: 'message' }>,
    conn: ConnState,
    m: DecodedMessage,
    raw: Buffer,
    whole: Buffer,
    x: { index: number; count: number; encrypted: boolean; compressed: boolean },
  ): SmbRecord {
    const h = m.header
    const response = (h.flags & Smb2Flags.ServerToRedir) !== 0
    const rec: SmbRecord = {
      frame: ev.frame,
      time: ev.time,
      conn: ev.conn,
      dir: response ? 'response' : 'request',
      proto: 'smb2',
      cmd: commandName(h.command),
      cmdCode: h.command,
      messageId: this.messageIdText(h.messageId),
      sessionId: this.sessionIdText(h.sessionId),
      treeId: this.treeIdText(h.treeId),
      flags: headerFlagNames(h.flags),
      creditCharge: h.creditCharge,
      credits: h.credits,
      signed: (h.flags & Smb2Flags.Signed) !== 0,
      encrypted: x.encrypted,
    }
    if (h.flags & Smb2Flags.AsyncCommand) rec.asyncId = hex64(h.asyncId)
    if (response) {
      rec.status = statusName(h.status)
      rec.statusCode = hex32(h.status)
    } else if (conn.dialect !== undefined && conn.dialect >= Dialect.Smb300 && conn.dialect !== Dialect.Wildcard && channelSequence(h)) {
      rec.channelSequence = channelSequence(h)
    }
    if (x.compressed) rec.compressed = true
    if (x.count > 1) rec.compound = { index: x.index, count: x.count, related: (h.flags & Smb2Flags.RelatedOperations) !== 0 }
    if (m.error) rec.error = m.error.message
    rec.body = m.body
    if (m.trailer.length && !m.error && x.index === x.count - 1 && m.trailer.some((b) => b !== 0)) {
      rec.notes = [{ severity: 'note', group: 'malformed', message: `${m.trailer.length} extra bytes after the body` }]
    }

    // Security first: it may learn keys from this message (negotiate, session setup) and checks signatures.
    this.security.onMessage(ev.conn, conn, m, raw, whole, rec)

    const tree = this.trees.get(treeKey(conn, rec))
    if (tree) rec.share = tree.share

    const req = response ? this.onResponse(ev, conn, m, rec) : this.onRequest(ev, conn, m, rec)
    // Without keepRaw nobody else sees the decoded body, so the decoded payloads can go into it directly.
    if (!m.error) enrichBody(rec, h.command, response, h.status, req, !this.opts.keepRaw)
    return rec
  }

  /** Header ids as text; consecutive messages mostly share them, so the last conversion is kept. */
  private lastMessageId = -1n
  private lastMessageIdText = ''
  private lastSessionId = -1n
  private lastSessionIdText = ''
  private lastTreeId = -1
  private lastTreeIdText = ''
  private messageIdText(v: bigint): string {
    if (v !== this.lastMessageId) {
      this.lastMessageId = v
      this.lastMessageIdText = hex64(v)
    }
    return this.lastMessageIdText
  }
  private sessionIdText(v: bigint): string {
    if (v !== this.lastSessionId) {
      this.lastSessionId = v
      this.lastSessionIdText = hex64(v)
    }
    return this.lastSessionIdText
  }
  private treeIdText(v: number): string {
    if (v !== this.lastTreeId) {
      this.lastTreeId = v
      this.lastTreeIdText = hex32(v)
    }
    return this.lastTreeIdText
  }

  /** An open by server and FileId (`fid` is the FileId's text, `fileIdString`). */
  private fileIdKey(conn: ConnState, fid: string): string {
    return conn.server + '|' + fid
  }

  private onRequest(ev: Extract<CaptureEvent, { kind: 'message' }>, conn: ConnState, m: DecodedMessage, rec: SmbRecord): RequestInfo | undefined {
    const h = m.header
    const data: PendingData = { record: rec }
    const a = m.error ? undefined : bodyAccess(h.command, false, m.body)
    if (rec.share) data.share = rec.share
    switch (h.command) {
      case Smb2Command.SessionSetup:
        if (a?.previousSessionId) data.previousSessionId = a.previousSessionId
        break
      case Smb2Command.TreeConnect:
        if (a?.treePath !== undefined) {
          data.name = a.treePath
          const share = a.treePath.replace(/^\\\\[^\\]*\\/, '')
          data.share = share
        }
        break
      case Smb2Command.Create:
        if (a?.createName !== undefined) {
          data.name = a.createName
          rec.path = a.createName
          conn.chainPath = { path: a.createName, share: rec.share }
          this.durableCreateRequest(ev, conn, h, rec, data, a.contexts ?? [])
        }
        break
      case Smb2Command.Cancel: {
        const target = this.matcher.findForCancel(ev.conn, h.messageId, h.flags & Smb2Flags.AsyncCommand ? h.asyncId : undefined)
        if (target) {
          rec.requestFrame = target.frame
          if (target.data.record.path) rec.path = target.data.record.path
        }
        // CANCEL gets no response of its own (MS-SMB2 3.3.5.16).
        return undefined
      }
      default:
        break
    }
    if (a?.fileId) {
      const f = a.fileId
      const related = (h.flags & Smb2Flags.RelatedOperations) !== 0
      if (related && f.persistent === ALL_ONES && f.volatile === ALL_ONES && conn.chainPath) {
        rec.fileId = conn.chainFileId ?? fileIdString(f)
        rec.path = conn.chainPath.path
        if (conn.chainPath.share) rec.share = conn.chainPath.share
      } else {
        rec.fileId = fileIdString(f)
        const key = this.fileIdKey(conn, rec.fileId)
        data.fileIdKey = key
        const open = this.opens.get(key)
        if (open) {
          rec.path = open.path
          if (open.share && !rec.share) rec.share = open.share
          if (open.durable) {
            rec.durable = { open: open.durable.id, event: 'use' }
            if (open.durable.reconnects.some((r) => r.status === 'STATUS_SUCCESS')) open.durable.messagesAfterReconnect++
          }
        }
        conn.chainPath = open ? { path: open.path, share: open.share } : conn.chainPath
        conn.chainFileId = rec.fileId
      }
      if (h.command === Smb2Command.Close && data.fileIdKey) {
        const open = this.opens.get(data.fileIdKey)
        if (open?.durable) rec.durable = { open: open.durable.id, event: 'close' }
      }
    }
    if (h.command === Smb2Command.SetInfo && a?.renameTo !== undefined) data.renameTo = a.renameTo
    data.infoType = a?.infoType
    data.infoClass = a?.infoClass
    data.directoryClass = a?.directoryClass
    data.record = { path: rec.path, fileId: rec.fileId, durable: rec.durable }
    this.matcher.request(ev.conn, h.messageId, { frame: ev.frame, time: ev.time, command: h.command, data })
    return undefined
  }

  private durableCreateRequest(
    ev: Extract<CaptureEvent, { kind: 'message' }>,
    conn: ConnState,
    h: Smb2Header,
    rec: SmbRecord,
    data: PendingData,
    contexts: CreateContextView[],
  ): void {
    const byTag = new Map(contexts.map((c) => [c.tag, c]))
    const lease = byTag.get('RqLs')
    const leaseKey = lease?.leaseKey
    const reconnect = byTag.get('DH2C') ?? byTag.get('DHnC')
    if (reconnect?.fileId) {
      const kind = reconnect.tag as 'DHnC' | 'DH2C'
      const key = `${conn.server}|${reconnect.fileId.persistent.toString(16)}`
      let open = this.durableByPersistent.get(key)
      if (!open) {
        // A reconnect for an open this capture never saw granted: start its lifecycle here.
        open = this.newDurable(ev, h, rec, kind === 'DH2C' ? 'DH2Q' : 'DHnQ', reconnect.createGuid, leaseKey, conn)
        open.fileId = fileIdString(reconnect.fileId)
        this.durableByPersistent.set(key, open)
      }
      const index = open.reconnects.push({ frame: ev.frame, time: ev.time, conn: ev.conn, kind }) - 1
      data.reconnect = { open, index }
      rec.durable = { open: open.id, event: `${kind} reconnect` }
      return
    }
    const req = byTag.get('DH2Q') ?? byTag.get('DHnQ')
    if (req) {
      const kind = req.tag === 'DH2Q' ? (req.persistent ? 'DH2Q persistent' : 'DH2Q') : 'DHnQ'
      const open = this.newDurable(ev, h, rec, kind, req.createGuid, leaseKey, conn)
      data.durableRequest = open
      rec.durable = { open: open.id, event: `${req.tag} request` }
    }
  }

  private newDurable(
    ev: Extract<CaptureEvent, { kind: 'message' }>,
    h: Smb2Header,
    rec: SmbRecord,
    kind: DurableOpen['kind'],
    createGuid: string | undefined,
    leaseKey: string | undefined,
    _conn: ConnState,
  ): DurableOpen {
    const open: DurableOpen = {
      id: this.durableOpens.length + 1,
      path: rec.path ?? '',
      share: rec.share,
      conn: ev.conn,
      sessionId: h.sessionId,
      kind,
      createGuid,
      leaseKey,
      requestFrame: ev.frame,
      disconnects: [],
      reconnects: [],
      messagesAfterReconnect: 0,
    }
    this.durableOpens.push(open)
    return open
  }

  private onResponse(ev: Extract<CaptureEvent, { kind: 'message' }>, conn: ConnState, m: DecodedMessage, rec: SmbRecord): RequestInfo | undefined {
    const h = m.header
    const interim = (h.flags & Smb2Flags.AsyncCommand) !== 0 && h.status === NtStatus.Pending
    const match = this.matcher.response(ev.conn, h.messageId, { interim, asyncId: h.asyncId, frame: ev.frame })
    if (match.kind === 'orphan' || match.kind === 'unsolicited') {
      if (h.command === Smb2Command.OplockBreak) this.breakPath(conn, m, rec)
      return undefined
    }
    const req = match.request
    const data = req.data
    rec.requestFrame = req.frame
    rec.rtt = Math.round((ev.time - req.time) * 1e6) / 1e6
    if (data.record.path !== undefined) rec.path = data.record.path
    if (data.record.fileId !== undefined && rec.fileId === undefined) rec.fileId = data.record.fileId
    if (data.share && !rec.share) rec.share = data.share
    if (data.record.durable && match.kind === 'matched') rec.durable = { ...data.record.durable }
    if (match.kind === 'interim') return data
    const ok = h.status === NtStatus.Success
    const a = m.error ? undefined : bodyAccess(h.command, true, m.body)
    switch (h.command) {
      case Smb2Command.Negotiate:
        if (a?.dialect !== undefined) conn.dialect = a.dialect
        break
      case Smb2Command.SessionSetup:
        break
      case Smb2Command.TreeConnect:
        if (ok && data.share !== undefined) {
          this.trees.set(treeKey(conn, rec), { share: data.share })
          rec.share = data.share
        }
        break
      case Smb2Command.TreeDisconnect:
        if (ok) this.trees.delete(treeKey(conn, rec))
        break
      case Smb2Command.Create:
        this.createResponse(ev, conn, h, rec, data, a)
        break
      case Smb2Command.Close:
        if (ok && data.fileIdKey) {
          const open = this.opens.get(data.fileIdKey)
          if (open?.durable) {
            open.durable.closedFrame = ev.frame
            rec.durable = { open: open.durable.id, event: 'closed' }
          }
          this.opens.delete(data.fileIdKey)
        }
        break
      case Smb2Command.SetInfo:
        if (ok && data.renameTo !== undefined && data.fileIdKey) {
          const open = this.opens.get(data.fileIdKey)
          if (open) {
            open.path = data.renameTo
            if (open.durable) open.durable.path = data.renameTo
          }
        }
        break
      default:
        break
    }
    return data
  }

  private createResponse(
    ev: Extract<CaptureEvent, { kind: 'message' }>,
    conn: ConnState,
    h: Smb2Header,
    rec: SmbRecord,
    data: PendingData,
    a: ReturnType<typeof bodyAccess> | undefined,
  ): void {
    const ok = h.status === NtStatus.Success
    const status = statusName(h.status)
    if (data.reconnect) {
      const r = data.reconnect.open.reconnects[data.reconnect.index]!
      r.status = status
      r.responseFrame = ev.frame
      rec.durable = { open: data.reconnect.open.id, event: ok ? `${r.kind} reconnected` : `${r.kind} reconnect failed` }
    }
    if (!ok || !a?.fileId) {
      if (data.durableRequest) data.durableRequest.granted = false
      return
    }
    const fid = fileIdString(a.fileId)
    rec.fileId = fid
    const key = this.fileIdKey(conn, fid)
    const open: OpenInfo = { path: data.name ?? '', share: data.share }
    const contexts = a.contexts ?? []
    const grant = contexts.find((c) => c.tag === 'DH2Q' || c.tag === 'DHnQ')
    if (data.durableRequest) {
      const d = data.durableRequest
      d.granted = grant !== undefined
      d.grantFrame = ev.frame
      d.fileId = fid
      if (grant?.timeoutMs !== undefined) d.timeoutMs = grant.timeoutMs
      if (grant?.tag === 'DH2Q' && grant.persistent) d.kind = 'DH2Q persistent'
      if (d.granted) {
        open.durable = d
        this.durableByPersistent.set(`${conn.server}|${a.fileId.persistent.toString(16)}`, d)
        rec.durable = { open: d.id, event: `${grant!.tag} granted` }
      } else rec.durable = { open: d.id, event: 'durable not granted' }
    }
    if (data.reconnect) {
      const d = data.reconnect.open
      open.durable = d
      // The reopened handle is the original file whatever name the request carried (MS-SMB2 3.3.5.9.12
      // ignores the name for DH2C); a path we learnt before the disconnect is the truth.
      if (d.path && open.path !== d.path) {
        rec.notes = [...(rec.notes ?? []), { severity: 'note', group: 'protocol', message: `reconnect request named ${JSON.stringify(open.path)}; the open is ${JSON.stringify(d.path)}` }]
        open.path = d.path
        rec.path = d.path
      }
      data.reconnect.open.reconnects[data.reconnect.index]!.fileId = fid
      d.conn = ev.conn
      d.sessionId = h.sessionId
    }
    this.opens.set(key, open)
    conn.chainFileId = fid
  }

  /** An unsolicited oplock break names a FileId: give it the path we know. */
  private breakPath(conn: ConnState, m: DecodedMessage, rec: SmbRecord): void {
    const a = m.error ? undefined : bodyAccess(m.header.command, true, m.body)
    if (!a?.fileId) return
    rec.fileId = fileIdString(a.fileId)
    const open = this.opens.get(this.fileIdKey(conn, rec.fileId))
    if (open) {
      rec.path = open.path
      if (open.share) rec.share = open.share
    }
  }
}

export type { TraceRecord }
