import { describe, expect, it } from 'vitest'
import type { SmbRecord, TraceRecord } from '../dissect/trace/record.js'
import { LIGHT_FIELDS, ROW_BYTES, RowStore } from './rows.js'
import { C1, C2, FID1, FID2, SID1, SID2, scenarioItems } from './test-helpers/scenario.js'

function lightView(r: TraceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of [...LIGHT_FIELDS, 'error']) {
    const v = (r as unknown as Record<string, unknown>)[k]
    if (v !== undefined) out[k] = v
  }
  return out
}

function store(records: TraceRecord[]): RowStore {
  const s = new RowStore()
  for (const r of records) {
    const prev = r.proto === 'smb2' && r.cmd === 'SESSION_SETUP' && r.dir === 'request' ? (r.body as { previousSessionId?: bigint })?.previousSessionId : undefined
    s.append(r, { previousSessionId: prev ? '0x' + prev.toString(16).padStart(16, '0') : undefined })
  }
  return s
}

const base = (o: Partial<SmbRecord> & Pick<SmbRecord, 'frame' | 'dir' | 'cmd' | 'messageId'>): SmbRecord => ({
  time: 1, conn: C1, proto: 'smb2', cmdCode: 0, sessionId: SID1, treeId: '0x00000001', flags: [], creditCharge: 1, credits: 1, signed: false, encrypted: false, ...o,
})

describe('RowStore', () => {
  const items = scenarioItems()
  const records = items.map((i) => i.record)
  const rows = store(records)

  it('keeps one row per record and reproduces the header-level fields', () => {
    expect(rows.length).toBe(records.length)
    records.forEach((r, i) => {
      const want = lightView(r)
      // A row keeps only the fact of an error (its text stays in the spool); requestFrame comes from the pairing.
      if (r.proto !== 'tcp' && r.error !== undefined) want['error'] = ''
      const got = lightView(rows.light(i))
      expect(got, `row ${i} (frame ${r.frame})`).toEqual(want)
    })
  })

  it('numbers connections in order of appearance and knows each server side', () => {
    expect(rows.connNo(0)).toBe(1)
    const c2 = records.findIndex((r) => r.conn === C2)
    expect(rows.connNo(c2)).toBe(2)
    expect(rows.serverId(0)).toBe(rows.serverId(c2))
  })

  it('pairs requests and responses by connection and MessageId, async responses to their request', () => {
    const at = (frame: number, cmd?: string) => records.findIndex((r) => r.frame === frame && (cmd === undefined || (r.proto !== 'tcp' && r.cmd === cmd)))
    expect(rows.peer(at(12))).toBe(at(13))
    expect(rows.peer(at(13))).toBe(at(12))
    // READ: interim STATUS_PENDING (17) then the data (18); the request jumps to the final response.
    expect(rows.peer(at(16))).toBe(at(18))
    expect(rows.peer(at(17))).toBe(at(16))
    expect(rows.peer(at(18))).toBe(at(16))
    // Compound: each message of frame 21 pairs with the same command in frame 22.
    for (const cmd of ['CREATE', 'QUERY_INFO', 'CLOSE']) expect(rows.peer(at(21, cmd))).toBe(at(22, cmd))
    // The same MessageId on the second connection pairs there, not with the first connection's message.
    expect(rows.peer(at(26))).toBe(at(27))
    expect(rows.peer(at(1))).toBe(-1)
    expect(rows.peer(at(23))).toBe(-1)
  })

  it('links sessions by PreviousSessionId (a reconnect)', () => {
    const s1 = rows.internedId(SID1)
    const s2 = rows.internedId(SID2)
    expect(s1).toBeGreaterThan(0)
    expect(rows.linkedSessions(s2).sort()).toEqual([s1, s2].sort())
    expect(rows.linkedSessions(s1).sort()).toEqual([s1, s2].sort())
  })

  it('finds rows by frame (binary search over capture order)', () => {
    expect(rows.frame(rows.firstRowAtFrame(21))).toBe(21)
    expect(rows.firstRowAtFrame(21)).toBe(records.findIndex((r) => r.frame === 21))
    expect(rows.frame(rows.firstRowAtFrame(2))).toBe(4)
    expect(rows.firstRowAtFrame(1000)).toBe(records.length)
  })

  it('keeps FileIds as interned ids comparable across rows', () => {
    const f1 = rows.internedId(FID1)
    const f2 = rows.internedId(FID2)
    expect(f1).not.toBe(f2)
    expect(records.filter((_, i) => rows.fileId(i) === f1).length).toBe(records.filter((r) => r.proto !== 'tcp' && r.fileId === FID1).length)
  })

  it('keeps 64-bit ids exactly (the unsolicited oplock break MessageId is all ones)', () => {
    const s = store([base({ frame: 1, dir: 'response', cmd: 'OPLOCK_BREAK', messageId: '0xffffffffffffffff', asyncId: '0x8000000000000001', status: 'STATUS_SUCCESS', statusCode: '0x00000000' })])
    const r = s.light(0) as SmbRecord
    expect(r.messageId).toBe('0xffffffffffffffff')
    expect(r.asyncId).toBe('0x8000000000000001')
    expect(r.statusCode).toBe('0x00000000')
  })

  it('pairs CANCEL with the request it cancels, and forgets requests of a closed connection', () => {
    const s = store([
      base({ frame: 1, dir: 'request', cmd: 'CHANGE_NOTIFY', messageId: '0x0000000000000007' }),
      base({ frame: 2, dir: 'request', cmd: 'CANCEL', messageId: '0x0000000000000007' }),
      { frame: 3, time: 2, conn: C1, proto: 'tcp', event: 'close' },
      base({ frame: 4, dir: 'response', cmd: 'CHANGE_NOTIFY', messageId: '0x0000000000000007', status: 'STATUS_CANCELLED', statusCode: '0xc0000120' }),
    ])
    expect(s.peer(1)).toBe(0)
    expect(s.peer(3)).toBe(-1)
  })

  it('does not pair when the dissector matched the response to another frame', () => {
    const s = store([
      base({ frame: 1, dir: 'request', cmd: 'ECHO', messageId: '0x0000000000000003' }),
      base({ frame: 2, dir: 'response', cmd: 'ECHO', messageId: '0x0000000000000003', requestFrame: 99, status: 'STATUS_SUCCESS', statusCode: '0x00000000' }),
    ])
    expect(s.peer(1)).toBe(-1)
  })

  it('grows past its first capacity without losing rows', () => {
    const s = new RowStore()
    for (let i = 0; i < 5000; i++) s.append(base({ frame: i + 1, time: i, dir: i % 2 ? 'response' : 'request', cmd: 'ECHO', messageId: '0x' + Math.floor(i / 2).toString(16).padStart(16, '0'), ...(i % 2 ? { status: 'STATUS_SUCCESS', statusCode: '0x00000000' } : {}) }))
    expect(s.length).toBe(5000)
    expect(s.frame(4999)).toBe(5000)
    expect(s.time(4096)).toBe(4096)
    expect(s.peer(4998)).toBe(4999)
    expect(s.bytes).toBe(8192 * ROW_BYTES)
  })
})
