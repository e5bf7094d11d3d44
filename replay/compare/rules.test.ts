import { beforeAll, describe, expect, it } from 'vitest'
import { decodeDirectory, encodeDirectory, encodeInfo } from '../../dissect/smb2/info/index.js'
import { dissectAll } from '../../dissect/trace/dissect-file.js'
import { isSmb, type SmbRecord } from '../../dissect/trace/record.js'
import { haveSambaCaptures, LAB_PASSWORD, samba } from '../test-helpers/captures.js'
import { compareResponses, makeRules } from './rules.js'

/** A deep copy that keeps Buffers and bigints (structuredClone turns Buffers into plain Uint8Arrays). */
function clone<T>(v: T): T {
  if (Buffer.isBuffer(v)) return Buffer.from(v) as T
  if (Array.isArray(v)) return v.map(clone) as T
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T
  return v
}

async function records(name: string): Promise<SmbRecord[]> {
  const { items } = await dissectAll(samba(name), { passwords: [LAB_PASSWORD] })
  return items.map((d) => d.record).filter(isSmb)
}

const byFrame = (rs: SmbRecord[], frame: number, dir: 'request' | 'response'): SmbRecord => rs.find((r) => r.frame === frame && r.dir === dir)!
const rules = makeRules()

describe.skipIf(!haveSambaCaptures)('compareResponses on captured responses', () => {
  let lease: SmbRecord[]
  let enc: SmbRecord[]
  let reauth: SmbRecord[]
  beforeAll(async () => {
    lease = await records('durable-v2-open.reopen2-lease-v2.pcap')
    enc = await records('smbclient-encrypted-smb311.pcap')
    reauth = await records('session.reauth1.pcap')
  })

  it('a response equals itself; timestamps, FileIds and other server-chosen values are not compared', () => {
    const create = byFrame(lease, 23, 'response')
    expect(compareResponses({ expected: create, actual: create }, rules)).toEqual([])
    const live = clone(create)
    const b = live.body as Record<string, unknown>
    b['creationTime'] = 1n
    b['lastWriteTime'] = 2n
    b['fileId'] = { persistent: 9n, volatile: 9n }
    b['allocationSize'] = 123456n
    live.messageId = '0x0000000000000099'
    live.sessionId = '0x0000000000000099'
    live.credits = 77
    expect(compareResponses({ expected: create, actual: live }, rules)).toEqual([])
    expect(compareResponses({ expected: create, actual: live }, makeRules({ allocationSize: true }))).toEqual([
      { path: 'body.allocationSize', expected: 4096, actual: 123456 },
    ])
  })

  it('flags a different lease state, a missing durable context and a different create action', () => {
    const create = byFrame(lease, 23, 'response')
    const live = clone(create)
    const b = live.body as { createAction: number; createContexts: Array<{ tag: string; value: Record<string, unknown> }> }
    b.createAction = 3
    const rqls = b.createContexts.find((c) => c.tag === 'RqLs')!
    const was = rqls.value['leaseState'] as number
    rqls.value['leaseState'] = 1
    b.createContexts = b.createContexts.filter((c) => c.tag !== 'DH2Q')
    const diffs = compareResponses({ expected: create, actual: live }, rules)
    expect(diffs.map((d) => d.path).sort()).toEqual(['body.createAction', 'body.createContexts.DH2Q', 'body.createContexts.RqLs.leaseState'])
    expect(diffs.find((d) => d.path.endsWith('leaseState'))).toEqual({ path: 'body.createContexts.RqLs.leaseState', expected: was, actual: 1 })
    expect(diffs.find((d) => d.path.endsWith('DH2Q'))!.actual).toBeNull()
  })

  it('maps regenerated lease keys back before comparing', () => {
    const create = byFrame(lease, 23, 'response')
    const live = clone(create)
    const rqls = (live.body as { createContexts: Array<{ tag: string; value: Record<string, unknown> }> }).createContexts.find((c) => c.tag === 'RqLs')!
    const captured = rqls.value['leaseKey'] as string
    rqls.value['leaseKey'] = 'ffffffff-0000-0000-0000-000000000001'
    expect(compareResponses({ expected: create, actual: live }, rules).map((d) => d.path)).toEqual(['body.createContexts.RqLs.leaseKey'])
    const back = (g: string) => (g === 'ffffffff-0000-0000-0000-000000000001' ? captured : g)
    expect(compareResponses({ expected: create, actual: live, guidBack: back }, rules)).toEqual([])
  })

  it('a different status is the only difference reported', () => {
    const create = byFrame(lease, 23, 'response')
    const live = clone(create)
    live.status = 'STATUS_OBJECT_NAME_NOT_FOUND'
    live.statusCode = '0xc0000034'
    live.body = { structureSize: 9, errorContextCount: 0, reserved: 0, byteCount: 0, errorData: Buffer.alloc(0) }
    expect(compareResponses({ expected: create, actual: live }, rules)).toEqual([
      { path: 'status', expected: 'STATUS_SUCCESS', actual: 'STATUS_OBJECT_NAME_NOT_FOUND' },
    ])
  })

  it('compares READ data by hash and the encryption of the response', () => {
    const read = enc.find((r) => r.cmd === 'READ' && r.dir === 'response')!
    const live = clone(read)
    const data = (live.body as { data: Buffer }).data
    data[0] = data[0]! ^ 0xff
    live.encrypted = false
    const diffs = compareResponses({ expected: read, actual: live }, rules)
    expect(diffs.map((d) => d.path)).toEqual(['encrypted', 'body.data'])
    expect(String(diffs[1]!.expected)).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('compares directory listings as sets of names: order does not matter, a missing file does', () => {
    const resp = enc.find((r) => r.cmd === 'QUERY_DIRECTORY' && r.dir === 'response' && r.status === 'STATUS_SUCCESS')!
    const req = enc.find((r) => r.frame === resp.requestFrame && r.dir === 'request')!
    const request = { command: req.cmdCode, body: req.body }
    expect(compareResponses({ expected: resp, actual: resp, request }, rules)).toEqual([])
    const cls0 = (req.body as { fileInformationClass: number }).fileInformationClass
    const all = decodeDirectory(cls0, (resp.body as { outputBuffer: Buffer }).outputBuffer).entries!
    const reversed = clone(resp)
    ;(reversed.body as { outputBuffer: Buffer }).outputBuffer = encodeDirectory(cls0, [...all].reverse().map((e) => ({ ...e, nextEntryOffset: undefined }))).buffer
    expect(compareResponses({ expected: resp, actual: reversed, request }, rules)).toEqual([])
    // Keep only the first two entries ("." and ".."), re-encoded by the codec.
    const live = clone(resp)
    const cls = (req.body as { fileInformationClass: number }).fileInformationClass
    const entries = decodeDirectory(cls, (resp.body as { outputBuffer: Buffer }).outputBuffer).entries!
    expect(entries.length).toBeGreaterThan(2)
    ;(live.body as { outputBuffer: Buffer }).outputBuffer = encodeDirectory(cls, entries.slice(0, 2).map((e) => ({ ...e, nextEntryOffset: undefined }))).buffer
    const diffs = compareResponses({ expected: resp, actual: live, request }, rules)
    expect(diffs.length).toBe(entries.length - 2)
    expect(diffs.every((d) => /^body\.entries\[.+\]$/.test(d.path) && d.actual === null)).toBe(true)
  })

  it('decodes QUERY_INFO output by the request\'s class before comparing', () => {
    const resp = byFrame(reauth, 23, 'response')
    const req = byFrame(reauth, 22, 'request')
    const request = { command: req.cmdCode, body: req.body }
    const live = clone(resp)
    ;(live.body as { outputBuffer: Buffer }).outputBuffer = encodeInfo(1, 14, { currentByteOffset: 42n })
    expect(compareResponses({ expected: resp, actual: live, request }, rules)).toEqual([
      { path: 'body.info.currentByteOffset', expected: 0, actual: 42 },
    ])
  })

  it('--ignore removes a path from the comparison', () => {
    const create = byFrame(lease, 23, 'response')
    const live = clone(create)
    ;(live.body as { createAction: number }).createAction = 3
    expect(compareResponses({ expected: create, actual: live }, makeRules({ ignore: [/^body\.createAction$/] }))).toEqual([])
  })
})
