/** From the dissector's output to the inspector's `SourceItem`. @module */
import type { Dissected } from '../dissect/trace/dissector.js'
import type { SourceItem } from './source.js'

/**
 * What the inspector keeps of one dissected message. The codec's spans count from the start of the decrypted
 * transport payload (a compound chain holds several messages); they become relative to this message's bytes.
 */
export function toSourceItem(d: Dissected): SourceItem {
  const item: SourceItem = { record: d.record }
  if (d.raw) item.raw = d.raw
  const m = d.decoded
  if (m) {
    item.header = m.header
    item.bodyType = m.bodyType
    if (m.spans) item.spans = m.spans.map((s) => ({ path: s.path, start: s.start - m.start, end: s.end - m.start }))
  }
  return item
}
