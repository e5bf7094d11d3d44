/**
 * The real record source: a capture file streamed through the dissector (with field spans and raw bytes kept
 * for the detail panes), and dissect's summary builder fed along the way. The one place the inspector touches
 * `dissectFile`.
 * @module
 */
import { basename } from 'node:path'
import { dissectFile } from '../dissect/trace/dissect-file.js'
import { Dissector } from '../dissect/trace/dissector.js'
import type { KeyEntry } from '../dissect/trace/security.js'
import { SummaryBuilder } from '../dissect/trace/summary.js'
import type { RecordSource } from './source.js'
import { toSourceItem } from './source-item.js'

export interface DissectSourceOptions {
  passwords?: string[]
  keys?: KeyEntry[]
}

export function dissectSource(path: string, o: DissectSourceOptions = {}): RecordSource {
  const dissector = new Dissector({ passwords: o.passwords, keys: o.keys, spans: true, keepRaw: true })
  const summary = new SummaryBuilder()
  return {
    name: basename(path),
    async *items(onProgress) {
      const opts = { onProgress: (bytesRead: number, totalBytes?: number) => onProgress?.({ bytesRead, totalBytes }) }
      for await (const d of dissectFile(path, opts, dissector)) {
        summary.add(d.record)
        yield toSourceItem(d)
      }
    },
    summary: () => summary.build(dissector),
  }
}
