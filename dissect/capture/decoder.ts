/**
 * The synchronous pipeline: capture file bytes in, capture events out. `openCapture` (index.ts) wraps it with
 * file reading, gzip and async iteration; tests and callers holding bytes already can use it directly.
 * @module
 */
import { CaptureFileReader, type CaptureFormat, type PacketSink, type RawPacket } from './capture-file.js'
import type { CaptureEvent } from './events.js'
import { PacketDecoder, type DecoderLimits } from './packet-decoder.js'
import { TcpReassembler, type TcpReassemblyOptions } from './tcp-reassembly.js'

export interface CaptureDecoderOptions extends TcpReassemblyOptions, DecoderLimits {}

export class CaptureDecoder implements PacketSink {
  private readonly file: CaptureFileReader
  private readonly packets: PacketDecoder
  private readonly tcp: TcpReassembler
  private out: CaptureEvent[] = []
  private truncatedPackets = 0

  constructor(opts: CaptureDecoderOptions = {}) {
    this.file = new CaptureFileReader(this)
    this.packets = new PacketDecoder(opts)
    this.tcp = new TcpReassembler(opts)
  }

  /** Packet records read so far (all of them, TCP or not). */
  get frames(): number {
    return this.file.frames
  }

  get format(): CaptureFormat | undefined {
    return this.file.detected
  }

  /** True when the file reader stopped on a corrupt record: more input would be ignored. */
  get stopped(): boolean {
    return this.file.done
  }

  /** TCP conversations seen (tshark's number of `tcp.stream` values). */
  get tcpStreams(): number {
    return this.tcp.streamCount
  }

  /** Packets whose capture was cut by the snapshot length. */
  get snaplenTruncated(): number {
    return this.truncatedPackets
  }

  /** Bytes held for reassembly (out-of-order TCP data and IP fragments), for memory checks. */
  get heldBytes(): number {
    return this.tcp.bufferedBytes + this.packets.heldBytes
  }

  /** Feeds the next bytes of the (decompressed) capture file; returns the events they completed. */
  push(chunk: Buffer): CaptureEvent[] {
    this.file.push(chunk)
    return this.take()
  }

  /** The file ended: returns the last events (holes flushed, truncation reported). */
  end(): CaptureEvent[] {
    this.file.end()
    this.tcp.finish(this.out)
    return this.take()
  }

  /** Adds a warning from outside the pipeline (the gzip layer). */
  warn(message: string): void {
    this.out.push({ kind: 'warning', message })
  }

  /** @internal PacketSink */
  packet(p: RawPacket): void {
    if (p.origLen > p.data.length) this.truncatedPackets++
    const seg = this.packets.decode(p)
    if (this.packets.warnings.length > 0) {
      for (const w of this.packets.warnings) this.out.push({ kind: 'warning', frame: w.frame, message: w.message })
      this.packets.warnings.length = 0
    }
    if (seg) this.tcp.handle(seg, this.out)
  }

  /** @internal PacketSink */
  warning(message: string, frame?: number): void {
    this.out.push(frame === undefined ? { kind: 'warning', message } : { kind: 'warning', frame, message })
  }

  private take(): CaptureEvent[] {
    const o = this.out
    this.out = []
    return o
  }
}
