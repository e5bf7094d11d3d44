/**
 * Streaming reader of capture files: libpcap (draft-ietf-opsawg-pcap; both byte orders, microsecond magic
 * 0xA1B2C3D4, nanosecond magic 0xA1B23C4D, and Kuznetzov's "modified" 0xA1B2CD34 with 24-byte record headers) and
 * pcapng (draft-ietf-opsawg-pcapng: several sections of either byte order, several interfaces each with its own
 * link type, if_tsresol and if_tsoffset; EPB, SPB and the obsolete PB; NRB, ISB, DSB and unknown blocks skipped).
 *
 * Why not the `pcap-parser` npm package the design names: version 0.2.1 was evaluated (see
 * `pcap-parser-evaluation.test.ts`) and falls short on every point the dissector needs. It rejects the
 * nanosecond magic ("unknown magic number"), ends silently on a truncated file (the cut packet disappears with
 * no error or warning), has no back-pressure (it resumes the stream itself and emits synchronously, so a slower
 * consumer buffers without bound), accepts any record length (a corrupt length buffers the rest of the file),
 * checks the version with `major != 2 && minor != 4`, and knows no pcapng at all. Wrapping it would have meant
 * re-parsing every record header to find out where it stopped, so this reader does the (small) job itself.
 *
 * `push(chunk)` accepts the file in chunks of any size; records that straddle chunks are stitched by copying only
 * the straddling record. Packet data handed to the sink is a view valid during the call only.
 * A file that is not a capture throws `CaptureFormatError` from the first `push` (or from `end` when it is too
 * short to tell). A file that stops inside a record, or a record that is corrupt, makes the reader report a
 * warning saying where it stopped; packets before it have been delivered.
 * @module
 */
import { CaptureFormatError, hexPreview } from './errors.js'

export interface RawPacket {
  /** 1-based, counting every packet record of the file (as tshark numbers frames). */
  frame: number
  /** Seconds since the epoch. */
  time: number
  linkType: number
  /** pcapng interface id (0 for pcap). */
  iface: number
  /** The captured bytes: a view, valid only during the `packet` call. */
  data: Buffer
  /** The length of the packet on the wire (more than `data.length` when the snapshot length cut it). */
  origLen: number
}

export interface PacketSink {
  /** `p` is one object the reader reuses for every packet: copy what must outlive the call. */
  packet(p: RawPacket): void
  warning(message: string, frame?: number): void
}

export type CaptureFormat = 'pcap' | 'pcapng'

/** tshark's limit for a packet record (WTAP_MAX_PACKET_SIZE_STANDARD); a larger one means a corrupt file. */
export const MAX_PACKET_SIZE = 262_144
/** Largest pcapng block accepted. */
export const MAX_BLOCK_SIZE = 16 * 1024 * 1024

const PCAPNG_SHB = 0x0a0d0d0a
const PCAPNG_BOM = 0x1a2b3c4d
const BLOCK_IDB = 0x00000001
const BLOCK_PB = 0x00000002
const BLOCK_SPB = 0x00000003
const BLOCK_EPB = 0x00000006
/** systemd Journal Export Block and custom blocks: not packets, but tshark (4.0) numbers them as frames. */
const BLOCK_SJE = 0x00000009
const BLOCK_CUSTOM = 0x00000bad
const BLOCK_CUSTOM_NOCOPY = 0x40000bad

interface Interface {
  linkType: number
  snapLen: number
  /** Timestamp units per second. */
  units: number
  /** if_tsoffset, seconds. */
  offset: number
}

/** Thrown inside the parser to stop on a corrupt record; caught by `push`. */
class Stop {
  constructor(readonly message: string) {}
}

export class CaptureFileReader {
  private format: CaptureFormat | undefined
  private le = true
  private parts: Buffer[] = []
  private partsLen = 0
  /** Bytes needed from the first unconsumed byte before the parser can make progress. */
  private need = 0
  private fileOffset = 0
  private frameCount = 0
  private stopped = false
  private ended = false
  // pcap
  private pcapNano = false
  private pcapRecordHeader = 16
  private pcapLinkType = 0
  private pcapSnapLen = 0
  // pcapng
  private interfaces: Interface[] = []
  private sectionSeen = false
  private lastTime = 0
  private readonly badIface = new Set<number>()
  private readonly pkt: RawPacket = { frame: 0, time: 0, linkType: 0, iface: 0, data: Buffer.alloc(0), origLen: 0 }

  constructor(private readonly sink: PacketSink) {}

  /** Number of packet records read so far. */
  get frames(): number {
    return this.frameCount
  }

  /** The detected format, once the first bytes have been seen. */
  get detected(): CaptureFormat | undefined {
    return this.format
  }

  /** True once the reader has stopped on a corrupt record: further input is ignored. */
  get done(): boolean {
    return this.stopped
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return
    try {
      while (this.partsLen > 0) {
        if (this.partsLen + chunk.length < this.need) {
          this.parts.push(chunk)
          this.partsLen += chunk.length
          return
        }
        const take = this.need - this.partsLen
        const head = Buffer.concat([...this.parts, chunk.subarray(0, take)])
        chunk = chunk.subarray(take)
        this.parts = []
        this.partsLen = 0
        const used = this.parse(head)
        if (used < head.length) {
          // The head held only a record header; `need` now covers the whole record.
          this.parts = [head.subarray(used)]
          this.partsLen = head.length - used
        }
      }
      const used = this.parse(chunk)
      if (used < chunk.length) {
        this.parts = [chunk.subarray(used)]
        this.partsLen = chunk.length - used
      }
    } catch (e) {
      if (!(e instanceof Stop)) throw e
      this.stopped = true
      this.parts = []
      this.partsLen = 0
      this.sink.warning(e.message, this.frameCount > 0 ? this.frameCount : undefined)
    }
  }

  /** The input ended: reports a record cut short. */
  end(): void {
    if (this.ended) return
    this.ended = true
    if (this.stopped) return
    if (this.format === undefined) {
      if (this.partsLen === 0) throw new CaptureFormatError('not a capture file: the file is empty')
      const head = Buffer.concat(this.parts)
      if (head.length < 4) throw new CaptureFormatError(`not a capture file: only ${head.length} bytes`)
      this.detect(head) // throws for unknown magic
    }
    if (this.partsLen === 0) return
    const present = this.partsLen
    this.parts = []
    this.partsLen = 0
    if (this.fileOffset === 0) {
      throw new CaptureFormatError(`not a capture file: the file ends inside its ${this.format} header (${present} bytes)`)
    }
    this.sink.warning(
      `capture file truncated: it ends inside the record that starts at byte ${this.fileOffset} (${present} of ${this.need} bytes present); ${this.frameCount} frames read`,
      this.frameCount || undefined,
    )
  }

  /** Parses whole records from `b`; returns the bytes consumed and sets `need` for the rest. */
  private parse(b: Buffer): number {
    if (this.format === undefined) {
      if (b.length < 4) {
        this.need = 4
        return 0
      }
      this.detect(b)
    }
    const used = this.format === 'pcap' ? this.parsePcap(b) : this.parsePcapng(b)
    this.fileOffset += used
    return used
  }

  private detect(b: Buffer): void {
    const le = b.readUInt32LE(0)
    const be = b.readUInt32BE(0)
    if (le === PCAPNG_SHB) {
      this.format = 'pcapng'
      return
    }
    for (const [magic, isLe] of [
      [le, true],
      [be, false],
    ] as const) {
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xa1b2cd34) {
        this.format = 'pcap'
        this.le = isLe
        this.pcapNano = magic === 0xa1b23c4d
        this.pcapRecordHeader = magic === 0xa1b2cd34 ? 24 : 16
        return
      }
    }
    if (b[0] === 0x1f && b[1] === 0x8b) throw new CaptureFormatError('not a capture file: gzip data inside gzip data')
    throw new CaptureFormatError(`not a capture file: it starts with ${hexPreview(b)}, which is neither a pcap nor a pcapng magic number`)
  }

  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o)
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o)
  }

  // ---- pcap -------------------------------------------------------------------------------------------------

  private parsePcap(b: Buffer): number {
    let o = 0
    if (this.fileOffset === 0) {
      if (b.length < 24) {
        this.need = 24
        return 0
      }
      const major = this.u16(b, 4)
      const minor = this.u16(b, 6)
      if (major !== 2) throw new CaptureFormatError(`not a capture file: pcap magic with version ${major}.${minor}`)
      this.pcapSnapLen = this.u32(b, 16)
      // LinkType is the low 16 bits; the rest carries FCS information.
      this.pcapLinkType = this.u32(b, 20) & 0xffff
      o = 24
    }
    const hl = this.pcapRecordHeader
    const div = this.pcapNano ? 1e9 : 1e6
    const le = this.le
    for (;;) {
      if (b.length - o < hl) {
        this.need = hl
        return o
      }
      const capLen = le ? b.readUInt32LE(o + 8) : b.readUInt32BE(o + 8)
      if (capLen > MAX_PACKET_SIZE) {
        this.fileOffset += o
        throw new Stop(
          `capture file corrupt: the pcap record after frame ${this.frameCount} (byte ${this.fileOffset}) claims ${capLen} captured bytes, more than ${MAX_PACKET_SIZE}; stopped there`,
        )
      }
      if (b.length - o < hl + capLen) {
        this.need = hl + capLen
        return o
      }
      const sec = le ? b.readUInt32LE(o) : b.readUInt32BE(o)
      const frac = le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 4)
      const origLen = le ? b.readUInt32LE(o + 12) : b.readUInt32BE(o + 12)
      this.frameCount++
      this.emit(this.frameCount, sec + frac / div, this.pcapLinkType, 0, b.subarray(o + hl, o + hl + capLen), Math.max(origLen, capLen))
      o += hl + capLen
    }
  }

  // ---- pcapng -----------------------------------------------------------------------------------------------

  private parsePcapng(b: Buffer): number {
    let o = 0
    for (;;) {
      const rest = b.length - o
      if (rest < 12) {
        this.need = 12
        return o
      }
      let type = this.u32(b, o)
      if (b.readUInt32LE(o) === PCAPNG_SHB) {
        // The byte-order magic decides the byte order of this section, its own length field included.
        const bom = b.readUInt32LE(o + 8)
        if (bom === PCAPNG_BOM) this.le = true
        else if (bom === 0x4d3c2b1a) this.le = false
        else {
          if (this.fileOffset + o === 0) throw new CaptureFormatError(`not a capture file: pcapng header with a bad byte-order magic ${hexPreview(b.subarray(o + 8))}`)
          this.fileOffset += o
          throw new Stop(`capture file corrupt: a pcapng section header at byte ${this.fileOffset} has a bad byte-order magic; stopped there`)
        }
        type = PCAPNG_SHB
      } else if (!this.sectionSeen) {
        throw new CaptureFormatError('not a capture file: pcapng data without a section header')
      }
      const total = this.u32(b, o + 4)
      if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK_SIZE) {
        if (this.fileOffset + o === 0) throw new CaptureFormatError(`not a capture file: pcapng section header with a block length of ${total}`)
        this.fileOffset += o
        throw new Stop(`capture file corrupt: the pcapng block after frame ${this.frameCount} (byte ${this.fileOffset}) has a length of ${total}; stopped there`)
      }
      if (rest < total) {
        this.need = total
        return o
      }
      if (this.u32(b, o + total - 4) !== total) {
        this.fileOffset += o
        throw new Stop(`capture file corrupt: the pcapng block after frame ${this.frameCount} (byte ${this.fileOffset}) has mismatched lengths; stopped there`)
      }
      this.block(type, b, o, total)
      o += total
    }
  }

  private block(type: number, b: Buffer, o: number, total: number): void {
    switch (type) {
      case PCAPNG_SHB: {
        if (total < 28 && this.fileOffset + o === 0) throw new CaptureFormatError(`not a capture file: a ${total}-byte pcapng section header`)
        if (total < 28) throw new Stop(`capture file corrupt: a ${total}-byte pcapng section header at byte ${this.fileOffset + o}; stopped there`)
        const major = this.u16(b, o + 12)
        if (major !== 1) {
          if (this.fileOffset + o === 0) throw new CaptureFormatError(`not a capture file: pcapng version ${major}`)
          throw new Stop(`capture file corrupt: a pcapng section of version ${major} at byte ${this.fileOffset + o}; stopped there`)
        }
        this.sectionSeen = true
        this.interfaces = []
        this.badIface.clear()
        return
      }
      case BLOCK_IDB: {
        if (total < 20) throw new Stop(`capture file corrupt: a ${total}-byte pcapng interface block at byte ${this.fileOffset + o}; stopped there`)
        const iface: Interface = { linkType: this.u16(b, o + 8), snapLen: this.u32(b, o + 12), units: 1e6, offset: 0 }
        this.options(b, o + 16, o + total - 4, (code, vo, len) => {
          if (code === 9 && len >= 1) {
            const v = b[vo]!
            iface.units = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v
          } else if (code === 14 && len >= 8) {
            iface.offset = Number(this.le ? b.readBigInt64LE(vo) : b.readBigInt64BE(vo))
          }
        })
        this.interfaces.push(iface)
        return
      }
      case BLOCK_EPB:
      case BLOCK_PB: {
        if (total < 32) throw new Stop(`capture file corrupt: a ${total}-byte pcapng packet block at byte ${this.fileOffset + o}; stopped there`)
        const id = type === BLOCK_EPB ? this.u32(b, o + 8) : this.u16(b, o + 8)
        const hi = this.u32(b, o + 12)
        const lo = this.u32(b, o + 16)
        const capLen = this.u32(b, o + 20)
        const origLen = this.u32(b, o + 24)
        if (capLen > total - 32) {
          throw new Stop(`capture file corrupt: the pcapng packet block after frame ${this.frameCount} (byte ${this.fileOffset + o}) claims ${capLen} captured bytes in a ${total}-byte block; stopped there`)
        }
        this.frameCount++
        const iface = this.interfaces[id]
        if (!iface) {
          this.warnIface(id)
          return
        }
        const time = (hi * 4294967296 + lo) / iface.units + iface.offset
        this.lastTime = time
        this.emit(this.frameCount, time, iface.linkType, id, b.subarray(o + 28, o + 28 + capLen), Math.max(origLen, capLen))
        return
      }
      case BLOCK_SPB: {
        if (total < 16) throw new Stop(`capture file corrupt: a ${total}-byte pcapng simple packet block at byte ${this.fileOffset + o}; stopped there`)
        this.frameCount++
        const iface = this.interfaces[0]
        if (!iface) {
          this.warnIface(0)
          return
        }
        const origLen = this.u32(b, o + 8)
        let capLen = Math.min(origLen, total - 16)
        if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen)
        // An SPB has no timestamp: keep the previous packet's time so the timeline stays monotonic.
        this.emit(this.frameCount, this.lastTime, iface.linkType, 0, b.subarray(o + 12, o + 12 + capLen), origLen)
        return
      }
      case BLOCK_SJE:
      case BLOCK_CUSTOM:
      case BLOCK_CUSTOM_NOCOPY:
        this.frameCount++
        return
      default:
        // NRB (4), ISB (5), DSB (10) and unknown blocks carry no packets and are not frames.
        return
    }
  }

  /** Hands a packet to the sink in the one RawPacket object this reader reuses (fewer allocations per packet). */
  private emit(frame: number, time: number, linkType: number, iface: number, data: Buffer, origLen: number): void {
    const p = this.pkt
    p.frame = frame
    p.time = time
    p.linkType = linkType
    p.iface = iface
    p.data = data
    p.origLen = origLen
    this.sink.packet(p)
  }

  private options(b: Buffer, start: number, end: number, f: (code: number, valueOffset: number, len: number) => void): void {
    let p = start
    while (p + 4 <= end) {
      const code = this.u16(b, p)
      const len = this.u16(b, p + 2)
      if (code === 0 || p + 4 + len > end) return
      f(code, p + 4, len)
      p += 4 + ((len + 3) & ~3)
    }
  }

  private warnIface(id: number): void {
    if (this.badIface.has(id)) return
    this.badIface.add(id)
    this.sink.warning(`pcapng packet block refers to interface ${id}, which the section does not describe; its packets are skipped`, this.frameCount)
  }
}
