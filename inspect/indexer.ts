/**
 * The single streaming pass: each record from the source becomes a compact row (in memory) and a spool entry
 * (full JSON, spans, raw bytes; on disk), and the index maps one to the other. The model reads rows; the
 * controller reads spool entries back when a message is opened or a filter needs bodies.
 * @module
 */
import { hex64, toJsonValue, type TraceRecord } from '../dissect/trace/record.js'
import type { Span } from '../dissect/wire/index.js'
import { RowStore, type RowTable } from './rows.js'
import type { SourceItem } from './source.js'
import { MemoryBackend, Spool } from './spool.js'

/** What the field tree and hex panes need of one record. */
export interface DetailData {
  record: Record<string, unknown>
  header?: Record<string, unknown>
  bodyType?: string
  /** Field spans relative to the raw bytes. */
  spans: Span[]
  rawLength: number
}

/** Random access to full records (the controller's side of the model's effects). */
export interface RecordStore {
  readonly rows: RowTable
  detail(i: number): DetailData
  /** Raw bytes [start, end) of record i (clamped). */
  raw(i: number, start: number, end: number): Buffer
  /** The full record as JSON data (for filters on body fields and notes). */
  full(i: number): TraceRecord
}

/** Buffers longer than this show as { bytes, head } in the field tree (the hex pane has every byte). */
const TREE_MAX_HEX = 256

function previousSessionId(r: TraceRecord): string | undefined {
  if (r.proto !== 'smb2' || r.cmd !== 'SESSION_SETUP' || r.dir !== 'request') return undefined
  const v = (r.body as Record<string, unknown> | undefined)?.['previousSessionId']
  if (typeof v === 'bigint') return hex64(v)
  if (typeof v === 'number') return hex64(BigInt(v))
  if (typeof v === 'string' && /^(0x)?[0-9a-f]+$/i.test(v)) return hex64(BigInt(v.startsWith('0x') ? v : '0x' + v))
  return undefined
}

export class Indexer implements RecordStore {
  readonly rows = new RowStore()
  private offsets = new Float64Array(1024)

  constructor(readonly spool: Spool = new Spool(new MemoryBackend())) {}

  /** Appends one record; returns its row number. */
  add(item: SourceItem): number {
    const r = item.record
    const entry: { record: Record<string, unknown>; header?: Record<string, unknown>; bodyType?: string } = {
      record: toJsonValue(r, '', { maxHex: TREE_MAX_HEX }) as Record<string, unknown>,
    }
    if (item.header !== undefined) entry.header = toJsonValue(item.header, '', { maxHex: TREE_MAX_HEX }) as Record<string, unknown>
    if (item.bodyType) entry.bodyType = item.bodyType
    const offset = this.spool.append(entry, item.spans, item.raw)
    const i = this.rows.append(r, { previousSessionId: previousSessionId(r) })
    if (i >= this.offsets.length) {
      const next = new Float64Array(this.offsets.length * 2)
      next.set(this.offsets)
      this.offsets = next
    }
    this.offsets[i] = offset
    return i
  }

  private offset(i: number): number {
    if (i < 0 || i >= this.rows.length) throw new RangeError(`no record ${i} (${this.rows.length} indexed)`)
    return this.offsets[i]!
  }

  detail(i: number): DetailData {
    const { entry, spans, rawLength } = this.spool.read(this.offset(i))
    const d: DetailData = { record: entry.record, spans, rawLength }
    if (entry.header) d.header = entry.header
    if (entry.bodyType) d.bodyType = entry.bodyType
    return d
  }

  raw(i: number, start: number, end: number): Buffer {
    return this.spool.readRaw(this.offset(i), start, end)
  }

  full(i: number): TraceRecord {
    return this.spool.read(this.offset(i)).entry.record as unknown as TraceRecord
  }

  /** Bytes held in memory by the index (rows + offsets), not counting interned strings. */
  get memoryBytes(): number {
    return (this.rows as RowStore).bytes + this.offsets.byteLength
  }

  close(): void {
    this.spool.close()
  }
}
