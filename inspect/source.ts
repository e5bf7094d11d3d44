/**
 * Where the inspector's records come from. The TUI depends only on this interface: the real source streams a
 * capture through the dissector (`source-dissect.ts`), tests feed synthetic records.
 * @module
 */
import type { Summary } from '../dissect/trace/summary.js'
import type { TraceRecord } from '../dissect/trace/record.js'
import type { Span } from '../dissect/wire/index.js'

/** One record and what the detail panes need from the dissection. */
export interface SourceItem {
  record: TraceRecord
  /** Plaintext bytes of the message (header to end of message). */
  raw?: Buffer
  /** Field spans relative to `raw` (`decoded.spans` minus the message start). */
  spans?: Span[]
  /** The decoded wire header. */
  header?: unknown
  /** Name of the body codec. */
  bodyType?: string
}

export interface SourceProgress {
  bytesRead: number
  totalBytes?: number
}

/** What the summary pane shows: dissect's summary (sessions, trees, durable-handle lifecycle, ...). */
export type InspectSummary = Summary

export interface RecordSource {
  /** Shown in the title bar (the file name). */
  readonly name: string
  /**
   * One streaming pass over the records in capture order. Opening problems (missing file, not a capture)
   * reject the first `next()`; later read errors end the stream with an error after the records before it.
   */
  items(onProgress?: (p: SourceProgress) => void): AsyncIterable<SourceItem>
  /** The summary of what was streamed so far (complete once `items()` has ended). */
  summary(): InspectSummary
}
