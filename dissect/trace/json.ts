/** Serialising records: `--format jsonl` lines and `--format json`. @module */
import { toJsonText, toJsonValue, type TraceRecord } from './record.js'

/** A record as JSON-ready data (bigints, Buffers and FILETIMEs turned into strings and numbers). */
export function recordToJson(r: TraceRecord): Record<string, unknown> {
  return toJsonValue(r) as Record<string, unknown>
}

export function recordToJsonLine(r: TraceRecord): string {
  return toJsonText(r)
}
