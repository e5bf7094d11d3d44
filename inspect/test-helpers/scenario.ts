/**
 * Synthetic but realistic records for the inspector's tests, shaped like the dissector's output for a durable
 * handle's life: negotiate, session setup, tree connect, CREATE with DH2Q + lease (granted), WRITE, an async
 * READ (interim STATUS_PENDING, then the data), a failing CREATE, a related compound (CREATE + QUERY_INFO +
 * CLOSE), a malformed message, the TCP connection closing (the open is disconnected), a new connection with
 * SESSION_SETUP carrying PreviousSessionId, a DH2C reconnect (new volatile FileId), later messages on the
 * reopened handle and its CLOSE. SMB messages carry raw bytes (a real 64-byte SMB2 header plus a body) and
 * field spans like the codec's.
 * @module
 */
import type { Span } from '../../dissect/wire/index.js'
import type { Summary } from '../../dissect/trace/summary.js'
import type { DurableOpen } from '../../dissect/trace/dissector.js'
import type { SmbRecord, TcpRecord, TraceRecord } from '../../dissect/trace/record.js'
import { Indexer } from '../indexer.js'
import type { RecordSource, SourceItem } from '../source.js'

export const C1 = '10.0.0.5:49732-10.0.0.9:445'
export const C2 = '10.0.0.5:49740-10.0.0.9:445'
export const T0 = 1_700_000_000.25
export const SID1 = '0x0000100000000011'
export const SID2 = '0x0000100000000025'
export const FID1 = '00000000000000a1:0000000000000001'
export const FID2 = '00000000000000a1:0000000000000002'
export const FID_Q = '00000000000000b2:0000000000000007'
export const CREATE_GUID = '7d1f6b2a-3c4e-4f5a-9b8c-0d1e2f3a4b5c'
export const LEASE_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'

const COMMANDS: Record<string, number> = {
  NEGOTIATE: 0, SESSION_SETUP: 1, LOGOFF: 2, TREE_CONNECT: 3, TREE_DISCONNECT: 4, CREATE: 5, CLOSE: 6, FLUSH: 7, READ: 8,
  WRITE: 9, LOCK: 10, IOCTL: 11, CANCEL: 12, ECHO: 13, QUERY_DIRECTORY: 14, CHANGE_NOTIFY: 15, QUERY_INFO: 16, SET_INFO: 17, OPLOCK_BREAK: 18,
}

const STATUS: Record<string, number> = {
  STATUS_SUCCESS: 0, STATUS_PENDING: 0x103, STATUS_MORE_PROCESSING_REQUIRED: 0xc0000016, STATUS_OBJECT_NAME_NOT_FOUND: 0xc0000034,
  STATUS_BUFFER_OVERFLOW: 0x80000005,
}

const HEADER_FIELDS: Array<[string, number, number]> = [
  ['protocolId', 0, 4], ['structureSize', 4, 6], ['creditCharge', 6, 8], ['status', 8, 12], ['command', 12, 14], ['credits', 14, 16],
  ['flags', 16, 20], ['nextCommand', 20, 24], ['messageId', 24, 32], ['processId', 32, 36], ['treeId', 36, 40], ['sessionId', 40, 48],
  ['signature', 48, 64],
]

interface Msg {
  frame: number
  dt: number
  conn: string
  dir: 'request' | 'response'
  cmd: string
  mid: number
  sid?: string
  tid?: number
  status?: string
  asyncId?: number
  body?: Record<string, unknown>
  /** Body field spans: [path under body, offset in body, length]. */
  bodySpans?: Array<[string, number, number]>
  bodyBytes?: Buffer
  extra?: Partial<SmbRecord>
}

const hex64 = (n: number | bigint) => '0x' + BigInt(n).toString(16).padStart(16, '0')
const hex32 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0')

function smb(m: Msg): SourceItem {
  const response = m.dir === 'response'
  const status = m.status ?? (response ? 'STATUS_SUCCESS' : undefined)
  const flags = (response ? 1 : 0) | (m.asyncId !== undefined ? 2 : 0)
  const h = Buffer.alloc(64)
  h.write('fe534d42', 0, 'hex')
  h.writeUInt16LE(64, 4)
  h.writeUInt16LE(1, 6)
  h.writeUInt32LE(status !== undefined ? STATUS[status]! : 0, 8)
  h.writeUInt16LE(COMMANDS[m.cmd] ?? 0xffff, 12)
  h.writeUInt16LE(response ? 32 : 1, 14)
  h.writeUInt32LE(flags, 16)
  h.writeBigUInt64LE(BigInt(m.mid), 24)
  if (m.asyncId !== undefined) h.writeBigUInt64LE(BigInt(m.asyncId), 32)
  else h.writeUInt32LE(m.tid ?? 0, 36)
  h.writeBigUInt64LE(BigInt(m.sid ?? '0x0'), 40)
  const body = m.bodyBytes ?? Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 7 + m.frame) & 0xff))
  const raw = Buffer.concat([h, body])
  const spans: Span[] = HEADER_FIELDS.filter(([n]) => (m.asyncId !== undefined ? n !== 'processId' && n !== 'treeId' : true)).map(([n, s, e]) => ({ path: `header.${n}`, start: s, end: e }))
  if (m.asyncId !== undefined) spans.push({ path: 'header.asyncId', start: 32, end: 40 })
  for (const [p, off, len] of m.bodySpans ?? []) spans.push({ path: `body.${p}`, start: 64 + off, end: 64 + off + len })
  const rec: SmbRecord = {
    frame: m.frame, time: T0 + m.dt, conn: m.conn, dir: m.dir, proto: 'smb2', cmd: m.cmd, cmdCode: COMMANDS[m.cmd] ?? -1,
    messageId: hex64(m.mid), sessionId: m.sid ?? hex64(0), treeId: hex32(m.tid ?? 0), flags: response ? ['SERVER_TO_REDIR'] : [],
    creditCharge: 1, credits: response ? 32 : 1, signed: false, encrypted: false,
  }
  if (m.asyncId !== undefined) {
    rec.asyncId = hex64(m.asyncId)
    rec.flags.push('ASYNC_COMMAND')
  }
  if (status !== undefined) {
    rec.status = status
    rec.statusCode = hex32(STATUS[status]!)
  }
  if (m.body) rec.body = m.body
  Object.assign(rec, m.extra ?? {})
  const header = { protocolId: 0x424d53fe, structureSize: 64, creditCharge: 1, status: STATUS[status ?? 'STATUS_SUCCESS'], command: COMMANDS[m.cmd], credits: rec.credits, flags, nextCommand: 0, messageId: BigInt(m.mid), treeId: m.tid ?? 0, sessionId: BigInt(m.sid ?? 0), signature: Buffer.alloc(16) }
  const pascal = m.cmd.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())
  return { record: rec, raw, spans, header, bodyType: m.body ? `${pascal}${response ? 'Response' : 'Request'}` : 'raw' }
}

function tcp(frame: number, dt: number, conn: string, event: TcpRecord['event'], dir?: TcpRecord['dir']): SourceItem {
  const r: TcpRecord = { frame, time: T0 + dt, conn, proto: 'tcp', event }
  if (dir) r.dir = dir
  return { record: r }
}

const utf16 = (s: string) => Buffer.from(s, 'utf16le')

function createRequestBody(name: string, contexts: Array<Record<string, unknown>>): { body: Record<string, unknown>; bytes: Buffer; spans: Array<[string, number, number]> } {
  const fixed = Buffer.alloc(56)
  fixed.writeUInt16LE(57, 0)
  fixed.writeUInt8(0xff, 3)
  fixed.writeUInt32LE(2, 4)
  fixed.writeUInt32LE(0x0012019f, 24)
  fixed.writeUInt32LE(0x80, 28)
  fixed.writeUInt32LE(7, 32)
  fixed.writeUInt32LE(1, 36)
  fixed.writeUInt32LE(0x40, 40)
  const n = utf16(name)
  fixed.writeUInt16LE(120, 44)
  fixed.writeUInt16LE(n.length, 46)
  const pad = Buffer.alloc((8 - ((56 + n.length) % 8)) % 8)
  const ctxStart = 56 + n.length + pad.length
  const ctx = Buffer.alloc(contexts.length * 56, 0x11)
  fixed.writeUInt32LE(64 + ctxStart, 48)
  fixed.writeUInt32LE(ctx.length, 52)
  const spans: Array<[string, number, number]> = [
    ['structureSize', 0, 2], ['securityFlags', 2, 1], ['requestedOplockLevel', 3, 1], ['impersonationLevel', 4, 4], ['smbCreateFlags', 8, 8],
    ['reserved', 16, 8], ['desiredAccess', 24, 4], ['fileAttributes', 28, 4], ['shareAccess', 32, 4], ['createDisposition', 36, 4],
    ['createOptions', 40, 4], ['nameOffset', 44, 2], ['nameLength', 46, 2], ['createContextsOffset', 48, 4], ['createContextsLength', 52, 4],
    ['name', 56, n.length],
  ]
  contexts.forEach((_, i) => {
    const at = ctxStart + i * 56
    spans.push([`createContexts.${i}.tag`, at + 16, 4], [`createContexts.${i}.value`, at + 24, 32])
  })
  const body = {
    structureSize: 57, securityFlags: 0, requestedOplockLevel: 255, impersonationLevel: 2, smbCreateFlags: 0n, reserved: 0n,
    desiredAccess: 0x0012019f, fileAttributes: 0x80, shareAccess: 7, createDisposition: 1, createOptions: 0x40, nameOffset: 120,
    nameLength: n.length, createContextsOffset: 64 + ctxStart, createContextsLength: ctx.length, name, createContexts: contexts,
  }
  return { body, bytes: Buffer.concat([fixed, n, pad, ctx]), spans }
}

function createResponseBody(fileId: string, contexts: Array<Record<string, unknown>>): { body: Record<string, unknown>; bytes: Buffer; spans: Array<[string, number, number]> } {
  const b = Buffer.alloc(88 + contexts.length * 40, 0)
  b.writeUInt16LE(89, 0)
  b.writeUInt8(0xff, 2)
  b.writeUInt32LE(1, 4)
  const [p, v] = fileId.split(':')
  b.writeBigUInt64LE(BigInt('0x' + p), 64)
  b.writeBigUInt64LE(BigInt('0x' + v), 72)
  const spans: Array<[string, number, number]> = [
    ['structureSize', 0, 2], ['oplockLevel', 2, 1], ['flags', 3, 1], ['createAction', 4, 4], ['creationTime', 8, 8], ['lastAccessTime', 16, 8],
    ['lastWriteTime', 24, 8], ['changeTime', 32, 8], ['allocationSize', 40, 8], ['endOfFile', 48, 8], ['fileAttributes', 56, 4],
    ['reserved2', 60, 4], ['fileId.persistent', 64, 8], ['fileId.volatile', 72, 8],
  ]
  contexts.forEach((_, i) => spans.push([`createContexts.${i}.tag`, 88 + i * 40 + 16, 4], [`createContexts.${i}.value`, 88 + i * 40 + 24, 16]))
  const body = {
    structureSize: 89, oplockLevel: 255, flags: 0, createAction: 1, creationTime: 133_444_736_000_000_000n, lastAccessTime: 133_444_736_000_000_000n,
    lastWriteTime: 133_444_736_000_000_000n, changeTime: 133_444_736_000_000_000n, allocationSize: 4096n, endOfFile: 1234n,
    fileAttributes: 0x20, reserved2: 0, fileId: { persistent: BigInt('0x' + p), volatile: BigInt('0x' + v) }, createContexts: contexts,
  }
  return { body, bytes: b, spans }
}

/** The scenario's records in capture order. */
export function scenarioItems(): SourceItem[] {
  const out: SourceItem[] = []
  const dh2q = [{ tag: 'DH2Q', value: { timeout: 0, flags: 0, createGuid: CREATE_GUID } }, { tag: 'RqLs', value: { leaseKey: LEASE_KEY, leaseState: 7 } }]
  const c1 = createRequestBody('dir\\file.txt', dh2q)
  const c1r = createResponseBody(FID1, [{ tag: 'DH2Q', value: { timeout: 60000, flags: 0 } }, { tag: 'RqLs', value: { leaseKey: LEASE_KEY, leaseState: 7 } }])
  const dh2c = [{ tag: 'DH2C', value: { fileId: { persistent: 0xa1n, volatile: 1n }, createGuid: CREATE_GUID, flags: 0 } }, { tag: 'RqLs', value: { leaseKey: LEASE_KEY, leaseState: 7 } }]
  const c2 = createRequestBody('dir\\file.txt', dh2c)
  const c2r = createResponseBody(FID2, [{ tag: 'RqLs', value: { leaseKey: LEASE_KEY, leaseState: 7 } }])
  const write = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 13) & 0xff))
  const readData = Buffer.from(Array.from({ length: 4096 }, (_, i) => i & 0xff))
  const share = { share: 'share' }
  out.push(
    tcp(1, 0, C1, 'open', 'client'),
    smb({ frame: 4, dt: 0.0011, conn: C1, dir: 'request', cmd: 'NEGOTIATE', mid: 0, body: { structureSize: 36, dialectCount: 4, securityMode: 1, capabilities: 0x7f, clientGuid: '11111111-2222-3333-4444-555555555555', dialects: [0x202, 0x210, 0x300, 0x311] } }),
    smb({ frame: 5, dt: 0.0029, conn: C1, dir: 'response', cmd: 'NEGOTIATE', mid: 0, body: { structureSize: 65, securityMode: 1, dialectRevision: 0x311, serverGuid: '99999999-8888-7777-6666-555555555555', capabilities: 0x2f, maxTransactSize: 8388608, systemTime: 133_444_736_000_000_000n }, extra: { requestFrame: 4, rtt: 0.0018 } }),
    smb({ frame: 6, dt: 0.0032, conn: C1, dir: 'request', cmd: 'SESSION_SETUP', mid: 1, body: { structureSize: 25, flags: 0, securityMode: 1, capabilities: 1, channel: 0, previousSessionId: 0n, securityBlob: { ntlmssp: { messageType: 'NEGOTIATE' } } } }),
    smb({ frame: 7, dt: 0.0034, conn: C1, dir: 'response', cmd: 'SESSION_SETUP', mid: 1, sid: SID1, status: 'STATUS_MORE_PROCESSING_REQUIRED', body: { structureSize: 9, sessionFlags: 0, securityBlob: { ntlmssp: { messageType: 'CHALLENGE' } } }, extra: { requestFrame: 6 } }),
    smb({ frame: 8, dt: 0.0035, conn: C1, dir: 'request', cmd: 'SESSION_SETUP', mid: 2, sid: SID1, body: { structureSize: 25, previousSessionId: 0n, securityBlob: { ntlmssp: { messageType: 'AUTHENTICATE', domainName: 'LAB', userName: 'labuser' } } } }),
    smb({ frame: 9, dt: 0.0052, conn: C1, dir: 'response', cmd: 'SESSION_SETUP', mid: 2, sid: SID1, body: { structureSize: 9, sessionFlags: 0 }, extra: { requestFrame: 8 } }),
    smb({ frame: 10, dt: 0.0054, conn: C1, dir: 'request', cmd: 'TREE_CONNECT', mid: 3, sid: SID1, body: { structureSize: 9, flags: 0, path: '\\\\10.0.0.9\\share' } }),
    smb({ frame: 11, dt: 0.0058, conn: C1, dir: 'response', cmd: 'TREE_CONNECT', mid: 3, sid: SID1, tid: 1, body: { structureSize: 16, shareType: 1, shareFlags: 0, capabilities: 0, maximalAccess: 0x1f01ff }, extra: { requestFrame: 10, ...share } }),
    smb({ frame: 12, dt: 0.0061, conn: C1, dir: 'request', cmd: 'CREATE', mid: 4, sid: SID1, tid: 1, body: c1.body, bodyBytes: c1.bytes, bodySpans: c1.spans, extra: { path: 'dir\\file.txt', ...share, durable: { open: 1, event: 'DH2Q request' } } }),
    smb({ frame: 13, dt: 0.0072, conn: C1, dir: 'response', cmd: 'CREATE', mid: 4, sid: SID1, tid: 1, body: c1r.body, bodyBytes: c1r.bytes, bodySpans: c1r.spans, extra: { path: 'dir\\file.txt', fileId: FID1, ...share, requestFrame: 12, rtt: 0.0011, durable: { open: 1, event: 'DH2Q granted' } } }),
    smb({ frame: 14, dt: 0.0080, conn: C1, dir: 'request', cmd: 'WRITE', mid: 5, sid: SID1, tid: 1, body: { structureSize: 49, dataOffset: 112, length: 100, offset: 0n, fileId: { persistent: 0xa1n, volatile: 1n }, data: write }, bodyBytes: Buffer.concat([Buffer.alloc(48), write]), bodySpans: [['structureSize', 0, 2], ['length', 4, 4], ['offset', 8, 8], ['fileId', 16, 16], ['data', 48, 100]], extra: { path: 'dir\\file.txt', fileId: FID1, ...share, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 15, dt: 0.0091, conn: C1, dir: 'response', cmd: 'WRITE', mid: 5, sid: SID1, tid: 1, body: { structureSize: 17, count: 100 }, extra: { path: 'dir\\file.txt', fileId: FID1, ...share, requestFrame: 14, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 16, dt: 0.0100, conn: C1, dir: 'request', cmd: 'READ', mid: 6, sid: SID1, tid: 1, body: { structureSize: 49, length: 4096, offset: 0n, fileId: { persistent: 0xa1n, volatile: 1n } }, extra: { path: 'dir\\file.txt', fileId: FID1, ...share, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 17, dt: 0.0102, conn: C1, dir: 'response', cmd: 'READ', mid: 6, sid: SID1, asyncId: 5, status: 'STATUS_PENDING', body: { structureSize: 9, errorContextCount: 0 }, extra: { path: 'dir\\file.txt', fileId: FID1, ...share, requestFrame: 16, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 18, dt: 0.0150, conn: C1, dir: 'response', cmd: 'READ', mid: 6, sid: SID1, asyncId: 5, body: { structureSize: 17, dataOffset: 80, dataLength: 4096, data: readData }, bodyBytes: Buffer.concat([Buffer.alloc(16), readData]), bodySpans: [['structureSize', 0, 2], ['dataOffset', 2, 1], ['dataLength', 4, 4], ['data', 16, 4096]], extra: { path: 'dir\\file.txt', fileId: FID1, ...share, requestFrame: 16, rtt: 0.005, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 19, dt: 0.0160, conn: C1, dir: 'request', cmd: 'CREATE', mid: 7, sid: SID1, tid: 1, body: createRequestBody('missing.txt', []).body, extra: { path: 'missing.txt', ...share } }),
    smb({ frame: 20, dt: 0.0165, conn: C1, dir: 'response', cmd: 'CREATE', mid: 7, sid: SID1, tid: 1, status: 'STATUS_OBJECT_NAME_NOT_FOUND', body: { structureSize: 9, errorContextCount: 0, byteCount: 0 }, extra: { path: 'missing.txt', ...share, requestFrame: 19 } }),
    smb({ frame: 21, dt: 0.0170, conn: C1, dir: 'request', cmd: 'CREATE', mid: 8, sid: SID1, tid: 1, body: createRequestBody('report.docx', []).body, extra: { path: 'report.docx', ...share, compound: { index: 0, count: 3, related: false } } }),
    smb({ frame: 21, dt: 0.0170, conn: C1, dir: 'request', cmd: 'QUERY_INFO', mid: 9, sid: SID1, tid: 1, body: { structureSize: 41, infoType: 1, fileInfoClass: 5, fileId: { persistent: 0xffffffffffffffffn, volatile: 0xffffffffffffffffn } }, extra: { path: 'report.docx', ...share, fileId: 'ffffffffffffffff:ffffffffffffffff', compound: { index: 1, count: 3, related: true } } }),
    smb({ frame: 21, dt: 0.0170, conn: C1, dir: 'request', cmd: 'CLOSE', mid: 10, sid: SID1, tid: 1, body: { structureSize: 24, flags: 0 }, extra: { path: 'report.docx', ...share, fileId: 'ffffffffffffffff:ffffffffffffffff', compound: { index: 2, count: 3, related: true } } }),
    smb({ frame: 22, dt: 0.0181, conn: C1, dir: 'response', cmd: 'CREATE', mid: 8, sid: SID1, tid: 1, body: createResponseBody(FID_Q, []).body, extra: { path: 'report.docx', fileId: FID_Q, ...share, requestFrame: 21, compound: { index: 0, count: 3, related: false } } }),
    smb({ frame: 22, dt: 0.0181, conn: C1, dir: 'response', cmd: 'QUERY_INFO', mid: 9, sid: SID1, tid: 1, body: { structureSize: 9, outputBufferLength: 24 }, extra: { path: 'report.docx', fileId: FID_Q, ...share, requestFrame: 21, compound: { index: 1, count: 3, related: true } } }),
    smb({ frame: 22, dt: 0.0181, conn: C1, dir: 'response', cmd: 'CLOSE', mid: 10, sid: SID1, tid: 1, body: { structureSize: 60, flags: 0 }, extra: { path: 'report.docx', fileId: FID_Q, ...share, requestFrame: 21, compound: { index: 2, count: 3, related: true } } }),
  )
  const bad: SmbRecord = {
    frame: 23, time: T0 + 0.019, conn: C1, dir: 'request', proto: 'smb2', cmd: 'MALFORMED', cmdCode: -1, messageId: '', sessionId: hex64(0),
    treeId: hex32(0), flags: [], creditCharge: 0, credits: 0, signed: false, encrypted: false,
    error: 'header.nextCommand @0x14: nextCommand 12 points outside the 80 bytes left',
  }
  out.push({ record: bad, raw: Buffer.alloc(80, 0xee) })
  out.push(
    tcp(24, 2.5, C1, 'close', 'client'),
    tcp(25, 3.0, C2, 'open', 'client'),
    smb({ frame: 26, dt: 3.001, conn: C2, dir: 'request', cmd: 'NEGOTIATE', mid: 0, body: { structureSize: 36, dialects: [0x311] } }),
    smb({ frame: 27, dt: 3.003, conn: C2, dir: 'response', cmd: 'NEGOTIATE', mid: 0, body: { structureSize: 65, dialectRevision: 0x311 }, extra: { requestFrame: 26 } }),
    smb({ frame: 28, dt: 3.004, conn: C2, dir: 'request', cmd: 'SESSION_SETUP', mid: 1, body: { structureSize: 25, previousSessionId: BigInt(SID1) } }),
    smb({ frame: 29, dt: 3.006, conn: C2, dir: 'response', cmd: 'SESSION_SETUP', mid: 1, sid: SID2, body: { structureSize: 9, sessionFlags: 0 }, extra: { requestFrame: 28 } }),
    smb({ frame: 30, dt: 3.007, conn: C2, dir: 'request', cmd: 'TREE_CONNECT', mid: 2, sid: SID2, body: { structureSize: 9, path: '\\\\10.0.0.9\\share' } }),
    smb({ frame: 31, dt: 3.008, conn: C2, dir: 'response', cmd: 'TREE_CONNECT', mid: 2, sid: SID2, tid: 5, body: { structureSize: 16, shareType: 1 }, extra: { requestFrame: 30, ...share } }),
    smb({ frame: 32, dt: 3.009, conn: C2, dir: 'request', cmd: 'CREATE', mid: 3, sid: SID2, tid: 5, body: c2.body, bodyBytes: c2.bytes, bodySpans: c2.spans, extra: { path: 'dir\\file.txt', ...share, durable: { open: 1, event: 'DH2C reconnect' } } }),
    smb({ frame: 33, dt: 3.011, conn: C2, dir: 'response', cmd: 'CREATE', mid: 3, sid: SID2, tid: 5, body: c2r.body, bodyBytes: c2r.bytes, bodySpans: c2r.spans, extra: { path: 'dir\\file.txt', fileId: FID2, ...share, requestFrame: 32, durable: { open: 1, event: 'DH2C reconnected' } } }),
    smb({ frame: 34, dt: 3.012, conn: C2, dir: 'request', cmd: 'READ', mid: 4, sid: SID2, tid: 5, body: { structureSize: 49, length: 100, offset: 0n, fileId: { persistent: 0xa1n, volatile: 2n } }, extra: { path: 'dir\\file.txt', fileId: FID2, ...share, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 35, dt: 3.013, conn: C2, dir: 'response', cmd: 'READ', mid: 4, sid: SID2, tid: 5, body: { structureSize: 17, dataLength: 100, data: write }, extra: { path: 'dir\\file.txt', fileId: FID2, ...share, requestFrame: 34, durable: { open: 1, event: 'use' } } }),
    smb({ frame: 36, dt: 3.014, conn: C2, dir: 'request', cmd: 'CLOSE', mid: 5, sid: SID2, tid: 5, body: { structureSize: 24, flags: 0, fileId: { persistent: 0xa1n, volatile: 2n } }, extra: { path: 'dir\\file.txt', fileId: FID2, ...share, durable: { open: 1, event: 'close' } } }),
    smb({ frame: 37, dt: 3.015, conn: C2, dir: 'response', cmd: 'CLOSE', mid: 5, sid: SID2, tid: 5, body: { structureSize: 60, flags: 0 }, extra: { path: 'dir\\file.txt', fileId: FID2, ...share, requestFrame: 36, durable: { open: 1, event: 'closed' }, notes: [{ severity: 'note', group: 'sequence', message: 'durable open #1 closed after a reconnect' }] } }),
    smb({ frame: 38, dt: 3.020, conn: C2, dir: 'request', cmd: 'LOGOFF', mid: 6, sid: SID2, body: { structureSize: 4 } }),
    smb({ frame: 39, dt: 3.021, conn: C2, dir: 'response', cmd: 'LOGOFF', mid: 6, sid: SID2, body: { structureSize: 4 }, extra: { requestFrame: 38 } }),
    tcp(40, 3.5, C2, 'close', 'server'),
  )
  return out
}

/** The dissector's durable lifecycle for the scenario's open #1. */
export function scenarioDurable(): DurableOpen {
  return {
    id: 1, path: 'dir\\file.txt', share: 'share', conn: C2, sessionId: BigInt(SID2), fileId: FID2, kind: 'DH2Q', createGuid: CREATE_GUID,
    leaseKey: LEASE_KEY, requestFrame: 12, granted: true, grantFrame: 13, timeoutMs: 60000,
    disconnects: [{ frame: 24, time: T0 + 2.5, conn: C1, event: 'close' }],
    reconnects: [{ frame: 32, time: T0 + 3.009, conn: C2, kind: 'DH2C', status: 'STATUS_SUCCESS', responseFrame: 33, fileId: FID2 }],
    closedFrame: 37, messagesAfterReconnect: 4,
  }
}

export function scenarioSummary(items: readonly SourceItem[] = scenarioItems()): Summary {
  const recs: TraceRecord[] = items.map((i) => i.record)
  return {
    frames: 40, smbMessages: recs.filter((r) => r.proto !== 'tcp').length, records: recs.length, firstTime: T0, lastTime: T0 + 3.5,
    connections: [{ conn: C1, dialect: 'SMB 3.1.1', opened: 1, closed: 24, how: 'close' }, { conn: C2, dialect: 'SMB 3.1.1', opened: 25, closed: 40, how: 'close' }],
    sessions: [
      { sessionId: SID1, conn: C1, user: 'labuser', domain: 'LAB', auth: 'NTLMSSP', dialect: 'SMB 3.1.1', signing: 'required', keyKnown: false },
      { sessionId: SID2, conn: C2, user: 'labuser', domain: 'LAB', auth: 'NTLMSSP', dialect: 'SMB 3.1.1', signing: 'required', keyKnown: false },
    ],
    trees: [{ sessionId: SID1, treeId: '0x00000001', share: 'share', conn: C1, frame: 11 }, { sessionId: SID2, treeId: '0x00000005', share: 'share', conn: C2, frame: 31 }],
    commands: [], errors: [{ status: 'STATUS_OBJECT_NAME_NOT_FOUND', count: 1, commands: { CREATE: 1 } }], malformed: 1, undecrypted: 0, decrypted: 0,
    compressed: 0, badSignatures: 0, durable: [scenarioDurable()], beyondTshark: [], warnings: [],
  }
}

/** An in-memory indexer holding the scenario. */
export function scenarioIndexer(items: readonly SourceItem[] = scenarioItems()): Indexer {
  const ix = new Indexer()
  for (const it of items) ix.add(it)
  return ix
}

/** A RecordSource over given items (optionally failing after them). */
export function memorySource(items: readonly SourceItem[], o: { name?: string; failAt?: number; failOpen?: string; summary?: Summary } = {}): RecordSource {
  return {
    name: o.name ?? 'scenario.pcap',
    async *items(onProgress) {
      if (o.failOpen) throw new Error(o.failOpen)
      let n = 0
      for (const it of items) {
        if (o.failAt !== undefined && n === o.failAt) throw new Error('truncated packet record')
        n++
        onProgress?.({ bytesRead: n * 100, totalBytes: items.length * 100 })
        yield it
      }
    },
    summary: () => o.summary ?? scenarioSummary(items as SourceItem[]),
  }
}
