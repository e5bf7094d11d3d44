/**
 * The library entry point: a capture file in, dissected messages out, streaming. Used by the CLI, the TUI
 * and the replay planner.
 * @module
 */
import { openCapture, type OpenCaptureOptions } from '../capture/index.js'
import { Dissector, type Dissected, type DissectorOptions } from './dissector.js'

export interface DissectFileOptions extends DissectorOptions {
  onProgress?: OpenCaptureOptions['onProgress']
}

/** Streams the dissection of a capture; the dissector (with its summary state) is returned at the end. */
export async function* dissectFile(path: string, opts: DissectFileOptions = {}, dissector = new Dissector(opts)): AsyncGenerator<Dissected, Dissector> {
  for await (const ev of openCapture(path, { onProgress: opts.onProgress })) {
    for (const d of dissector.feed(ev)) yield d
  }
  return dissector
}

/** The same, a batch at a time (one per chunk of the file): cheaper for long captures. */
export async function* dissectBatches(path: string, opts: DissectFileOptions = {}, dissector = new Dissector(opts)): AsyncGenerator<Dissected[], Dissector> {
  for await (const batch of openCapture(path, { onProgress: opts.onProgress }).batches()) {
    const out: Dissected[] = []
    for (const ev of batch) for (const d of dissector.feed(ev)) out.push(d)
    if (out.length) yield out
  }
  return dissector
}

/** Dissects a whole capture into memory (small captures, tests). */
export async function dissectAll(path: string, opts: DissectorOptions = {}): Promise<{ items: Dissected[]; dissector: Dissector }> {
  const dissector = new Dissector(opts)
  const items: Dissected[] = []
  for await (const batch of dissectBatches(path, opts, dissector)) for (const d of batch) items.push(d)
  return { items, dissector }
}
