/**
 * MS-SMB2 2.1 — Direct TCP transport framing (and the RFC 1002 NetBIOS session service on port 139, which has the
 * same four-byte header): each SMB transport message is preceded by a zero byte and a 24-bit big-endian length.
 * On port 139 the session service also sends control packets (0x81 session request, 0x82 positive response,
 * 0x83 negative response, 0x84 retarget, 0x85 keepalive) with the same header layout.
 *
 * `NetbiosFramer` is incremental: `push(chunk)` returns what the chunk completed. It knows nothing about captures,
 * so the server uses it on sockets as is; the capture reader also passes frame numbers and times, and each
 * message carries the frame (and its time) that supplied its last byte (the highest frame number among the
 * chunks that made it up, which is the same thing when chunks arrive in order).
 *
 * Bad input never throws: a message larger than `maxMessageSize` is reported `bad` and skipped by its length
 * (nothing is buffered); a header that is not a NetBIOS header, or (with `validateMagic`) a session message that
 * does not start with an SMB protocol identifier, is reported `bad` and the framer scans forward for the next
 * plausible transport header (see `plausibleTransportHeader`). `gap(n)` tells it that `n` bytes of the stream
 * were lost: it drops the message they belonged to and, when it knows where the next one starts, carries on
 * from there; otherwise it resynchronises by scanning.
 * @module
 */
import { TRANSPORT_PROBE_SIZE, plausibleTransportHeader, smbProtocolAt } from './smb-magic.js'
import { Writer } from '../wire/writer.js'

/** 16 MiB of payload plus room for the transform, SMB2 and READ/WRITE headers. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024 + 4096

/** RFC 1002 4.3 session packet types. */
export const NetbiosType = {
  SessionMessage: 0x00,
  SessionRequest: 0x81,
  PositiveResponse: 0x82,
  NegativeResponse: 0x83,
  RetargetResponse: 0x84,
  Keepalive: 0x85,
} as const

/** RFC 1002 4.3.1: control packets have a 17-bit length (one extension bit and 16 bits). */
const MAX_CONTROL_LENGTH = 0x1ffff

export interface NetbiosFramerOptions {
  /** Largest transport message accepted; larger frames are reported `bad` and skipped. */
  maxMessageSize?: number
  /** Start by scanning for a plausible header (a capture that starts mid-stream). Default false. */
  resync?: boolean
  /** Reject session messages that do not start with 0xFE/0xFD/0xFC/0xFF 'SMB'. Default true. */
  validateMagic?: boolean
  /**
   * Gives the buffer a message of `length` bytes is assembled in (default `Buffer.allocUnsafe`); a server uses it
   * to recycle the buffers of large WRITEs instead of allocating (and page-faulting) megabytes per message.
   */
  allocate?: (length: number) => Buffer
}

export type FramerOutput =
  | {
      kind: 'message'
      /** The transport message without the four-byte header; an owned copy, safe to keep. */
      data: Buffer
      frame: number
      time: number
      /** Bytes were lost or skipped since the previous message (not set for the initial mid-stream scan). */
      gapBefore: boolean
      /** Only the first bytes of the message: the rest was not captured (see `cut`). */
      truncated: boolean
    }
  | { kind: 'session'; type: number; data: Buffer; frame: number; time: number }
  | { kind: 'bad'; reason: string; frame: number; time: number }

const HEADER = 0
const BODY = 1
const SKIP = 2
const RESYNC = 3

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0')
}

export class NetbiosFramer {
  readonly maxMessageSize: number
  private readonly validate: boolean
  private readonly allocate: (length: number) => Buffer
  private state: number
  /** Header bytes gathered when a header straddles chunks (4, or 8 to check the magic). */
  private readonly hdr = Buffer.alloc(8)
  private hdrHave = 0
  private type = 0
  private len = 0
  private body: Buffer | null = null
  private have = 0
  private skipLeft = 0
  /** Bytes kept between chunks while scanning (fewer than TRANSPORT_PROBE_SIZE). */
  private carry: Buffer | null = null
  private frame = 0
  private time = 0
  private lost = false
  private initialScan: boolean
  private skipped = 0
  private bad = 0

  constructor(opts: NetbiosFramerOptions = {}) {
    this.maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
    this.validate = opts.validateMagic ?? true
    this.allocate = opts.allocate ?? Buffer.allocUnsafe
    this.state = opts.resync ? RESYNC : HEADER
    this.initialScan = !!opts.resync
  }

  /** Bytes held for a frame that is not complete yet. */
  get pendingBytes(): number {
    if (this.state === BODY) return 4 + this.have
    if (this.state === RESYNC) return this.carry?.length ?? 0
    return this.hdrHave
  }

  /** Bytes discarded while scanning for a header or skipping bad frames (not counting bytes lost in gaps). */
  get skippedBytes(): number {
    return this.skipped
  }

  /** Number of `bad` outputs so far. */
  get badFrames(): number {
    return this.bad
  }

  /** True while the framer is looking for a header rather than following lengths. */
  get scanning(): boolean {
    return this.state === RESYNC
  }

  /** Feeds the next bytes of the stream; returns what they completed, in stream order. */
  push(chunk: Buffer, frame = 0, time = 0): FramerOutput[] {
    const out: FramerOutput[] = []
    let buf = chunk
    let o = 0
    while (o < buf.length) {
      switch (this.state) {
        case HEADER: {
          let h: Buffer
          let ho: number
          if (this.hdrHave === 0) {
            this.frame = frame
            this.time = time
          } else this.note(frame, time)
          if (this.hdrHave === 0 && buf.length - o >= 8) {
            h = buf
            ho = o
          } else {
            let need = this.headerNeed()
            while (this.hdrHave < need && o < buf.length) {
              const n = Math.min(need - this.hdrHave, buf.length - o)
              buf.copy(this.hdr, this.hdrHave, o, o + n)
              this.hdrHave += n
              o += n
              need = this.headerNeed()
            }
            if (this.hdrHave < need) continue
            h = this.hdr
            ho = 0
          }
          const fromHdr = h === this.hdr
          const type = h[ho]!
          const len = (h[ho + 1]! << 16) | (h[ho + 2]! << 8) | h[ho + 3]!
          if (type === NetbiosType.SessionMessage) {
            if (len === 0) {
              out.push({ kind: 'session', type, data: Buffer.alloc(0), frame: this.frame, time: this.time })
              if (fromHdr) this.hdrHave = 0
              else o += 4
              continue
            }
            if (this.validate && (len < 4 || smbProtocolAt(h, ho + 4) < 0)) {
              const what = len < 4 ? `a ${len}-byte session message` : `payload ${[0, 1, 2, 3].map((i) => hex2(h[ho + 4 + i]!)).join(' ')}`
              this.reportBad(out, `not an SMB message: ${what}`)
              if (fromHdr) {
                this.startScan(this.hdr.subarray(1, this.hdrHave))
                this.hdrHave = 0
              } else {
                this.startScan(null)
                o += 1
              }
              continue
            }
            if (len > this.maxMessageSize) {
              this.reportBad(out, `transport message of ${len} bytes exceeds the limit of ${this.maxMessageSize}`)
              this.beginSkip(len, fromHdr)
              if (!fromHdr) o += 4
              continue
            }
          } else if (type >= NetbiosType.SessionRequest && type <= NetbiosType.Keepalive) {
            if (len > MAX_CONTROL_LENGTH) {
              this.reportBad(out, `NetBIOS packet type 0x${hex2(type)} with a ${len}-byte length`)
              if (fromHdr) {
                this.startScan(this.hdr.subarray(1, this.hdrHave))
                this.hdrHave = 0
              } else {
                this.startScan(null)
                o += 1
              }
              continue
            }
          } else {
            this.reportBad(out, `bad NetBIOS header: type 0x${hex2(type)}`)
            if (fromHdr) {
              this.startScan(this.hdr.subarray(1, this.hdrHave))
              this.hdrHave = 0
            } else {
              this.startScan(null)
              o += 1
            }
            continue
          }
          this.type = type
          this.len = len
          if (!fromHdr) {
            o += 4
            if (buf.length - o >= len) {
              // Fast path: the whole frame is in this chunk.
              // (set() on a subarray is markedly faster than Buffer#copy for small messages)
              const data = this.allocate(len)
              data.set(buf.subarray(o, o + len))
              o += len
              this.emit(out, data)
              continue
            }
            this.body = this.allocate(len)
            this.have = 0
          } else {
            this.body = this.allocate(len)
            this.have = Math.min(this.hdrHave - 4, len)
            this.hdr.copy(this.body, 0, 4, 4 + this.have)
            this.hdrHave = 0
            if (this.have === len) {
              const data = this.body
              this.body = null
              this.emit(out, data)
              continue
            }
          }
          this.state = BODY
          break
        }
        case BODY: {
          this.note(frame, time)
          const n = Math.min(this.len - this.have, buf.length - o)
          this.body!.set(buf.subarray(o, o + n), this.have)
          this.have += n
          o += n
          if (this.have === this.len) {
            const data = this.body!
            this.body = null
            this.state = HEADER
            this.emit(out, data)
          }
          break
        }
        case SKIP: {
          const n = Math.min(this.skipLeft, buf.length - o)
          this.skipLeft -= n
          o += n
          if (this.skipLeft === 0) this.state = HEADER
          break
        }
        default: {
          // RESYNC: look for a zero byte that starts a plausible transport header.
          let b = buf
          let start = o
          if (this.carry) {
            b = Buffer.concat([this.carry, buf.subarray(o)])
            start = 0
            this.carry = null
          }
          const lastFull = b.length - TRANSPORT_PROBE_SIZE
          let p = start
          for (;;) {
            p = b.indexOf(0, p)
            if (p < 0 || p > lastFull || plausibleTransportHeader(b, p, this.maxMessageSize)) break
            p++
          }
          if (p >= 0 && p <= lastFull) {
            this.skipped += p - start
            this.state = HEADER
            if (p > start && !this.initialScan) this.lost = true
            this.initialScan = false
            buf = b
            o = p
          } else {
            const keep = p < 0 ? b.length : p
            this.skipped += keep - start
            if (keep > start && !this.initialScan) this.lost = true
            if (keep < b.length) this.carry = Buffer.from(b.subarray(keep))
            buf = b
            o = b.length
          }
          break
        }
      }
    }
    return out
  }

  /**
   * Tells the framer that `lost` bytes of the stream are missing before the next `push`. The message they belong
   * to is dropped. When the framer knows the length of the message in progress and the gap ends inside it, it
   * skips the rest of that message and carries on at the next header; otherwise it scans for a header.
   */
  gap(lost: number = Infinity): void {
    if (lost <= 0) return
    this.lost = true
    if (this.state === BODY && this.type === NetbiosType.SessionMessage) {
      const rest = this.len - this.have
      this.body = null
      if (lost <= rest) {
        this.skipLeft = rest - lost
        this.state = this.skipLeft > 0 ? SKIP : HEADER
        return
      }
    } else if (this.state === SKIP && lost <= this.skipLeft) {
      this.skipLeft -= lost
      if (this.skipLeft === 0) this.state = HEADER
      return
    }
    this.body = null
    this.hdrHave = 0
    this.carry = null
    this.state = RESYNC
  }

  /**
   * Tells the framer that the next `lost` bytes were not captured because the snapshot length cut the packet
   * (the bytes before them are contiguous). A message in progress is returned with the bytes captured so far,
   * marked `truncated`; then the framer goes on as after `gap(lost)`.
   */
  cut(lost: number, frame = 0, time = 0): FramerOutput[] {
    if (lost <= 0) return []
    if (this.state !== BODY || this.type !== NetbiosType.SessionMessage || this.have === 0) {
      this.gap(lost)
      return []
    }
    this.note(frame, time)
    const out: FramerOutput[] = [
      { kind: 'message', data: Buffer.from(this.body!.subarray(0, this.have)), frame: this.frame, time: this.time, gapBefore: this.lost, truncated: true },
    ]
    const rest = this.len - this.have
    this.body = null
    if (lost <= rest) {
      this.lost = false
      this.skipLeft = rest - lost
      this.state = this.skipLeft > 0 ? SKIP : HEADER
    } else {
      this.lost = true
      this.state = RESYNC
      this.carry = null
    }
    return out
  }

  /** Forgets any partial frame and scans for the next header (used when a stream is picked up mid-way). */
  resync(): void {
    this.gap(Infinity)
  }

  private headerNeed(): number {
    if (this.hdrHave < 4) return 4
    const h = this.hdr
    if (!this.validate || h[0] !== NetbiosType.SessionMessage) return 4
    const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!
    return len >= 4 ? 8 : 4
  }

  private note(frame: number, time: number): void {
    if (frame > this.frame) {
      this.frame = frame
      this.time = time
    }
  }

  private emit(out: FramerOutput[], data: Buffer): void {
    if (this.type === NetbiosType.SessionMessage) {
      out.push({ kind: 'message', data, frame: this.frame, time: this.time, gapBefore: this.lost, truncated: false })
      this.lost = false
    } else out.push({ kind: 'session', type: this.type, data, frame: this.frame, time: this.time })
  }

  private reportBad(out: FramerOutput[], reason: string): void {
    // Right after a reported gap a bad header is expected (the guess of where the next header is was wrong):
    // scan quietly.
    if (this.lost) return
    this.bad++
    out.push({ kind: 'bad', reason, frame: this.frame, time: this.time })
  }

  private startScan(prefix: Buffer | null): void {
    this.state = RESYNC
    this.carry = prefix && prefix.length > 0 ? Buffer.from(prefix) : null
    // A header was present but bad: later messages are not contiguous with the earlier ones.
    this.lost = true
  }

  private beginSkip(len: number, fromHdr: boolean): void {
    let left = len
    if (fromHdr) {
      left -= Math.min(this.hdrHave - 4, len)
      this.hdrHave = 0
    }
    this.skipped += len
    this.lost = true
    this.skipLeft = left
    this.state = left > 0 ? SKIP : HEADER
  }
}

/** MS-SMB2 2.1 — the four-byte Direct TCP header (a zero byte, then the 24-bit big-endian length) of one message. */
export function encodeTransportHeader(length: number): Buffer {
  const w = new Writer(4)
  w.u8(NetbiosType.SessionMessage)
  w.u24be(length)
  return w.finish()
}
