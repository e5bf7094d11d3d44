import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, describe, expect, it } from 'vitest'
import { toJsonValue, type SmbRecord } from '../dissect/trace/record.js'
import { Indexer } from './indexer.js'
import { initCapture, update, visible } from './model.js'
import { ROW_BYTES } from './rows.js'
import { FileBackend, Spool } from './spool.js'
import { C1, scenarioIndexer, scenarioItems } from './test-helpers/scenario.js'

const base = mkdtempSync(join(tmpdir(), 'inspect-index-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('Indexer round trip', () => {
  const items = scenarioItems()
  const ix = scenarioIndexer(items)

  it('gives back each record as JSON data, with the header, body type, spans and raw bytes', () => {
    items.forEach((it, i) => {
      const d = ix.detail(i)
      expect(d.record).toEqual(JSON.parse(JSON.stringify(toJsonValue(it.record, '', { maxHex: 256 }))))
      expect(d.spans).toEqual(it.spans ?? [])
      expect(d.rawLength).toBe(it.raw?.length ?? 0)
      if (it.header) expect(d.header).toEqual(JSON.parse(JSON.stringify(toJsonValue(it.header, '', { maxHex: 256 }))))
      if (it.raw) expect(ix.raw(i, 0, it.raw.length)).toEqual(it.raw)
    })
  })

  it('shows bigints, FILETIMEs and Buffers readably', () => {
    const create = items.findIndex((x) => x.record.frame === 13)
    const body = ix.detail(create).record['body'] as Record<string, unknown>
    expect(body['allocationSize']).toBe(4096)
    expect(body['creationTime']).toBe('2023-11-14T22:13:20.000Z')
    expect(body['fileId']).toEqual({ persistent: 0xa1, volatile: 1 })
    const write = items.findIndex((x) => x.record.frame === 14)
    expect((ix.detail(write).record['body'] as Record<string, unknown>)['data']).toMatch(/^000d1a27/)
    const read = items.findIndex((x) => x.record.frame === 18)
    expect((ix.detail(read).record['body'] as Record<string, unknown>)['data']).toEqual({ bytes: 4096, head: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' })
  })

  it('reads full records for filters on body fields', () => {
    const i = items.findIndex((x) => x.record.frame === 12)
    expect((ix.full(i) as SmbRecord).body).toMatchObject({ createDisposition: 1, name: 'dir\\file.txt' })
    expect(() => ix.detail(items.length)).toThrow(RangeError)
  })
})

/** A synthetic record of a bulk transfer: READ/WRITE pairs over a few opens, 160 raw bytes each. */
function bulk(i: number): { record: SmbRecord; raw: Buffer } {
  const response = i % 2 === 1
  const mid = Math.floor(i / 2)
  const cmd = mid % 3 ? 'READ' : 'WRITE'
  const fileId = `00000000000000a${mid % 4}:000000000000000${mid % 4}`
  const record: SmbRecord = {
    frame: i + 1, time: 1_700_000_000 + i / 1000, conn: C1, dir: response ? 'response' : 'request', proto: 'smb2', cmd, cmdCode: cmd === 'READ' ? 8 : 9,
    messageId: '0x' + mid.toString(16).padStart(16, '0'), sessionId: '0x0000100000000011', treeId: '0x00000001', flags: response ? ['SERVER_TO_REDIR'] : [],
    creditCharge: 1, credits: 1, signed: false, encrypted: false, fileId, path: `bulk\\file${mid % 4}.bin`, share: 'share',
    body: response
      ? { structureSize: 17, dataOffset: 80, dataLength: 65536, data: Buffer.alloc(96, i & 0xff) }
      : { structureSize: 49, length: 65536, offset: BigInt(mid) * 65536n, fileId: { persistent: 0xa0n, volatile: BigInt(mid % 4) } },
  }
  if (response) {
    record.status = 'STATUS_SUCCESS'
    record.statusCode = '0x00000000'
    record.requestFrame = i
  }
  return { record, raw: Buffer.alloc(160, i & 0xff) }
}

describe('memory bound', () => {
  it('indexes 200k records with a small heap: rows in typed arrays, records on disk, read back on demand', () => {
    setFlagsFromString('--expose_gc')
    const gc = runInNewContext('gc') as () => void
    const N = 200_000
    gc()
    const before = process.memoryUsage()
    const ix = new Indexer(new Spool(new FileBackend(base)))
    let jsonBytes = 0
    for (let i = 0; i < N; i++) {
      const it = bulk(i)
      if (i < 1000) jsonBytes += JSON.stringify(toJsonValue(it.record)).length
      ix.add(it)
    }
    gc()
    const after = process.memoryUsage()
    const heap = after.heapUsed - before.heapUsed
    const total = heap + (after.arrayBuffers - before.arrayBuffers)
    const spoolBytes = ix.spool.size
    const perRecordJson = jsonBytes / 1000
    // The figures, for the record.
    console.log(
      `indexed ${N} records: heap +${(heap / 1048576).toFixed(1)} MiB, heap+arrayBuffers +${(total / 1048576).toFixed(1)} MiB, ` +
        `index ${(ix.memoryBytes / 1048576).toFixed(1)} MiB (${ROW_BYTES + 8} B/row), spool ${(spoolBytes / 1048576).toFixed(1)} MiB on disk, ` +
        `~${perRecordJson.toFixed(0)} B of JSON per record`,
    )
    expect(ix.rows.length).toBe(N)
    // Everything the records hold went to disk...
    expect(spoolBytes).toBeGreaterThan(N * 400)
    // ...and memory grew by the row table (~90 B a row) plus a little, far less than the records themselves.
    expect(heap).toBeLessThan(16 * 1048576)
    expect(total).toBeLessThan(48 * 1048576)
    expect(total).toBeLessThan(spoolBytes / 3)
    // Random access still gives the right records.
    for (const i of [0, 1, 77_777, 123_457, N - 1]) {
      const want = bulk(i)
      expect(ix.detail(i).record).toEqual(JSON.parse(JSON.stringify(toJsonValue(want.record, '', { maxHex: 256 }))))
      expect(ix.raw(i, 0, 160)).toEqual(want.raw)
    }
    expect(ix.rows.peer(123_456)).toBe(123_457)
    // A filter over the rows runs without touching the spool.
    let m = initCapture({ name: 'bulk', rows: ix.rows, width: 80, height: 24 })
    m = update(m, { type: 'rowsAdded', count: N })
    const t = Date.now()
    m = update(m, { type: 'setFilter', text: 'WRITE && response && path~file1' })
    const ms = Date.now() - t
    // WRITE: MessageId ≡ 0 (mod 3); file1: ≡ 1 (mod 4); so ≡ 9 (mod 12) among 100000 MessageIds.
    expect(visible(m).length).toBe(8333)
    console.log(`filter over ${N} rows: ${ms} ms`)
    ix.close()
  }, 120_000)
})
