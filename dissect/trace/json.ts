/** Serialising records: `--format jsonl` lines and `--format json`. @module */
import { JsonBytes } from './json-bytes.js'
import { toJsonValue, type TraceRecord } from './record.js'

/** A record as JSON-ready data (bigints, Buffers and FILETIMEs turned into strings and numbers). */
export function recordToJson(r: TraceRecord): Record<string, unknown> {
  return toJsonValue(r) as Record<string, unknown>
}

/** A record's JSON text (one line of `--format jsonl`), as the CLI writes it. */
export function recordToJsonLine(r: TraceRecord): string {
  const w = new JsonBytes(1024)
  w.value(r)
  return w.take().toString('utf8')
}
