/**
 * Capture reading for the dissector: from a pcap/pcapng file (optionally gzipped) to a stream of SMB transport
 * messages and TCP connection events, in capture order, with bounded memory.
 *
 * ```ts
 * const cap = openCapture('trace.pcapng.gz')
 * for await (const ev of cap) if (ev.kind === 'message') handle(ev.data)
 * console.log(cap.frames)
 * ```
 * @module
 */
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { constants as zlibConstants, createGunzip } from 'node:zlib'
import type { CaptureFormat } from './capture-file.js'
import { CaptureDecoder, type CaptureDecoderOptions } from './decoder.js'
import type { CaptureEvent } from './events.js'

export { CaptureFormatError, isCaptureFormatError } from './errors.js'
export type { CaptureEvent, CaptureMessage, CaptureTcpEvent, CaptureWarning } from './events.js'
export { CaptureDecoder, type CaptureDecoderOptions } from './decoder.js'
export { DEFAULT_MAX_MESSAGE_SIZE, NetbiosFramer, NetbiosType, encodeTransportHeader, type FramerOutput, type NetbiosFramerOptions } from './netbios-framer.js'
export { SmbProtocol, messageDirection, plausibleTransportHeader } from './smb-magic.js'
export { LinkType } from './packet-decoder.js'
export type { CaptureFormat } from './capture-file.js'

export type CaptureSource = string | Buffer | AsyncIterable<Uint8Array | string> | NodeJS.ReadableStream

export interface OpenCaptureOptions extends CaptureDecoderOptions {
  /** Called after each chunk of the file (compressed bytes when gzipped); totalBytes when the size is known. */
  onProgress?(bytesRead: number, totalBytes?: number): void
  /** Read size for files (default 128 KiB: larger batches keep more messages alive at once and cost more GC). */
  chunkSize?: number
}

/** One pass over a capture. Iterate it once (events or batches); `frames` counts packet records read so far. */
export class CaptureStream implements AsyncIterable<CaptureEvent> {
  private readonly decoder: CaptureDecoder
  private started = false
  private gz = false

  constructor(
    private readonly source: CaptureSource,
    private readonly opts: OpenCaptureOptions = {},
  ) {
    this.decoder = new CaptureDecoder(opts)
  }

  /** Packet records read so far (every frame of the file, as tshark counts them). */
  get frames(): number {
    return this.decoder.frames
  }

  get format(): CaptureFormat | undefined {
    return this.decoder.format
  }

  /** True when the input was gzip-compressed. */
  get compressed(): boolean {
    return this.gz
  }

  /** TCP conversations seen so far. */
  get tcpStreams(): number {
    return this.decoder.tcpStreams
  }

  [Symbol.asyncIterator](): AsyncIterator<CaptureEvent> {
    // Hand out events from the current batch directly: `yield*` in an async generator costs several
    // microtask turns per event, which dominated the profile.
    const batches = this.batches()
    let cur: CaptureEvent[] = []
    let i = 0
    return {
      next: async (): Promise<IteratorResult<CaptureEvent>> => {
        while (i >= cur.length) {
          const r = await batches.next()
          if (r.done) return { done: true, value: undefined }
          cur = r.value
          i = 0
        }
        return { done: false, value: cur[i++]! }
      },
      return: async (): Promise<IteratorResult<CaptureEvent>> => {
        await batches.return(undefined)
        return { done: true, value: undefined }
      },
    }
  }

  /** The same events in the batches each chunk of the file produced (cheaper to iterate). */
  async *batches(): AsyncGenerator<CaptureEvent[]> {
    if (this.started) throw new Error('a CaptureStream can be iterated only once')
    this.started = true
    const dec = this.decoder
    const gzip = { error: undefined as string | undefined, compressedBytes: 0 }
    for await (const chunk of this.chunks(gzip)) {
      const evs = dec.push(chunk)
      if (evs.length > 0) yield evs
      if (dec.stopped) break
    }
    if (gzip.error) dec.warn(`gzip data ends early or is corrupt after ${gzip.compressedBytes} compressed bytes (${gzip.error}); everything before is read`)
    const last = dec.end()
    if (last.length > 0) yield last
  }

  private async *chunks(gzip: { error: string | undefined; compressedBytes: number }): AsyncGenerator<Buffer> {
    const src = this.source
    let total: number | undefined
    let input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>
    if (typeof src === 'string') {
      const st = await stat(src)
      total = st.isFile() ? st.size : undefined
      input = createReadStream(src, { highWaterMark: this.opts.chunkSize ?? 128 * 1024 })
    } else if (Buffer.isBuffer(src)) {
      total = src.length
      input = [src]
    } else input = src as AsyncIterable<Uint8Array | string>
    const onProgress = this.opts.onProgress
    let read = 0
    const raw = async function* (): AsyncGenerator<Buffer> {
      for await (const c of input) {
        const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength)
        read += b.length
        gzip.compressedBytes = read
        onProgress?.(read, total)
        if (b.length > 0) yield b
      }
    }
    const it = raw()
    try {
      // Look at the first two bytes for the gzip magic (RFC 1952: 1f 8b).
      const head: Buffer[] = []
      let headLen = 0
      while (headLen < 2) {
        const r = await it.next()
        if (r.done) break
        head.push(r.value)
        headLen += r.value.length
      }
      const first = head.length === 1 ? head[0]! : Buffer.concat(head)
      if (headLen >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
        this.gz = true
        yield* gunzip(first, it, gzip)
        return
      }
      if (first.length > 0) yield first
      yield* it
    } finally {
      // Closes the file when the consumer stopped early (or the first chunk was refused).
      await it.return(undefined)
    }
  }
}

/**
 * Decompresses with back-pressure. When the input ends, a sync flush first hands out everything zlib holds, so a
 * truncated file loses nothing; the resulting zlib error is recorded in `state.error` instead of thrown.
 */
async function* gunzip(first: Buffer, rest: AsyncIterator<Buffer>, state: { error: string | undefined }): AsyncGenerator<Buffer> {
  const g = createGunzip()
  const abort = new AbortController()
  const feed = (async () => {
    try {
      const write = async (b: Buffer) => {
        if (!g.write(b)) await once(g, 'drain', { signal: abort.signal })
      }
      await write(first)
      for (;;) {
        if (g.destroyed) return
        const r = await rest.next()
        if (r.done) break
        await write(r.value)
      }
      await new Promise<void>((resolve) => g.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()))
      g.end()
    } catch (e) {
      if (!abort.signal.aborted) g.destroy(e as Error)
    }
  })()
  try {
    for await (const c of g) yield c as Buffer
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (typeof err.code === 'string' && err.code.startsWith('Z_')) state.error = `zlib: ${err.message}`
    else throw e
  } finally {
    abort.abort()
    g.destroy()
    await rest.return?.(undefined)
    await feed
  }
}

/**
 * Opens a capture (a path, a Buffer, or a stream of its bytes; pcap or pcapng, optionally gzipped) and returns
 * an async iterable of capture events. Throws `CaptureFormatError` on the first iteration when the input is not a
 * capture.
 */
export function openCapture(source: CaptureSource, opts?: OpenCaptureOptions): CaptureStream {
  return new CaptureStream(source, opts)
}
