/**
 * TCP stream reassembly (RFC 9293 sequence space) per connection and direction, feeding a NetBIOS framer per
 * direction, and the connection-level decisions: is this SMB, which side is the client, when did it open, close,
 * reset or lose bytes.
 *
 * - The SYN (and SYN-ACK) give the initial sequence numbers; a stream seen without its SYN starts at the first
 *   captured byte and its framer scans for a plausible SMB transport header.
 * - Segments ahead of the next expected byte are buffered (bounded per direction and overall); retransmissions
 *   and overlaps are trimmed so that the first captured copy of each byte wins (tshark's default).
 * - A hole is declared lost (a `gap` event; the framer drops the message it was in and carries on at the next
 *   header or rescans) when the receiver has acknowledged the missing bytes (they went by uncaptured), when the
 *   buffer limit is reached, when the connection closes, or at the end of the capture. Bytes the snapshot length
 *   cut off are lost at once.
 * - Messages carry the frame that supplied their last byte, so a message completed late by a gap declaration
 *   still names the frame it came from; such a message is the only case where events leave frame order.
 * - Sequence numbers are compared modulo 2^32 (`(a - b) | 0`), so wrap-around is transparent.
 * - A SYN whose sequence number differs from the first one seen in that direction starts a new conversation on
 *   the same addresses and ports (tshark's port-reuse rule), with a new stream index.
 * - Closed and reset connections keep only a small record (to number trailing packets like tshark); idle ones
 *   are swept.
 * @module
 */
import { formatEndpoint, formatIPv4, formatIPv6 } from './address.js'
import type { CaptureEvent, CaptureTcpEvent } from './events.js'
import { DEFAULT_MAX_MESSAGE_SIZE, NetbiosFramer, type FramerOutput } from './netbios-framer.js'
import { TcpFlags, type TcpSegment } from './packet-decoder.js'
import { TRANSPORT_PROBE_SIZE, messageDirection, plausibleTransportHeader } from './smb-magic.js'

export interface TcpReassemblyOptions {
  /** Largest transport message accepted by the framers (default 16 MiB + headers). */
  maxMessageSize?: number
  /** Most out-of-order bytes buffered per direction before the hole is declared lost (default 4 MiB). */
  maxBufferedPerDirection?: number
  /** Most out-of-order segments buffered per direction (default 2048). */
  maxSegmentsPerDirection?: number
  /** Most out-of-order bytes buffered over all connections (default 32 MiB). */
  maxBufferedTotal?: number
  /** TCP ports always treated as SMB (default 445 and 139). */
  smbPorts?: readonly number[]
  /** Sweep closed and idle connections every this many segments (default 65,536). */
  sweepInterval?: number
  /** Where the framers get the buffer of each message (default Buffer.allocUnsafe); see MessageBufferPool. */
  allocate?: (length: number) => Buffer
}

const UNKNOWN = 0
const SMB = 1
const OTHER = 2

/** Data segments examined on a non-SMB port, picked up mid-stream, before deciding it is not SMB. */
const MIDSTREAM_PROBES = 8
/** Warnings per connection before the rest are suppressed. */
const MAX_CONN_WARNINGS = 20
/** Sweep the connection table every this many segments. */
const SWEEP_EVERY = 65_536
/** Closed connections kept past which they are forgotten after 10 s instead of 300 s. */
const MAX_TOMBSTONES = 50_000

interface Piece {
  seq: number
  data: Buffer
  /** Bytes after `data` that the capture lacks (snapshot length). */
  missing: number
  frame: number
  time: number
}

class Half {
  hasBase = false
  /** Next expected sequence number. */
  base = 0
  /** First sequence number seen (tshark's base_seq), -1 before any. */
  firstSeq = -1
  syn = false
  fin = false
  /** No SYN seen before the first data: the framer must scan for a header. */
  midstream = false
  /** Bytes passed on in order (or declared lost). */
  delivered = 0
  hasAck = false
  /** Highest acknowledgement number this side has sent (it covers the other direction's bytes). */
  maxAck = 0
  ooo: Piece[] = []
  oooBytes = 0
  framer: NetbiosFramer | null = null
}

class Conn {
  client = -1
  id = ''
  kind = UNKNOWN
  closed = false
  openSent = false
  probes = 0
  warnings = 0
  lastTime = 0
  /** Next connection in the same hash bucket. */
  next: Conn | null = null
  /** TCP events of a connection not yet known to be SMB, with the direction they concern. */
  pending: { ev: CaptureTcpEvent; dir: number }[] | null = []
  readonly halves: [Half, Half] = [new Half(), new Half()]
  constructor(
    readonly hash: number,
    readonly v6: boolean,
    /** Side A (the sender of the first packet seen), then side B: four address words and the port each. */
    readonly ep: readonly number[],
    readonly stream: number,
    readonly addr: [string, string],
    readonly port: [number, number],
  ) {}

  /** 0 when `w` (source then destination) goes from A to B, 1 from B to A, -1 when it is another connection. */
  direction(w: readonly number[]): number {
    const e = this.ep
    if (e[0] === w[0] && e[1] === w[1] && e[2] === w[2] && e[3] === w[3] && e[4] === w[4] && e[5] === w[5] && e[6] === w[6] && e[7] === w[7] && e[8] === w[8] && e[9] === w[9]) return 0
    if (e[0] === w[5] && e[1] === w[6] && e[2] === w[7] && e[3] === w[8] && e[4] === w[9] && e[5] === w[0] && e[6] === w[1] && e[7] === w[2] && e[8] === w[3] && e[9] === w[4]) return 1
    return -1
  }
}

function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0
}

export class TcpReassembler {
  private readonly maxMessage: number
  private readonly allocate: ((length: number) => Buffer) | undefined
  private readonly maxPerDir: number
  private readonly maxSegs: number
  private readonly maxTotal: number
  private readonly smbPorts: Set<number>
  private readonly sweepEvery: number
  /** Connections by a hash of their endpoints that does not depend on direction, chained through `next`. */
  private readonly buckets = new Map<number, Conn>()
  private connCount = 0
  /** Source then destination endpoint of the segment at hand: four address words and the port each. */
  private readonly w: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  private streams = 0
  private oooTotal = 0
  private sinceSweep = 0
  private now = 0

  constructor(opts: TcpReassemblyOptions = {}) {
    this.maxMessage = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
    this.allocate = opts.allocate
    this.maxPerDir = opts.maxBufferedPerDirection ?? 4 * 1024 * 1024
    this.maxSegs = opts.maxSegmentsPerDirection ?? 2048
    this.maxTotal = opts.maxBufferedTotal ?? 32 * 1024 * 1024
    this.smbPorts = new Set(opts.smbPorts ?? [445, 139])
    this.sweepEvery = opts.sweepInterval ?? SWEEP_EVERY
  }

  /** TCP conversations seen so far (the next stream index). */
  get streamCount(): number {
    return this.streams
  }

  /** Connections currently tracked (open ones and recent tombstones). */
  get trackedConnections(): number {
    return this.connCount
  }

  /** Out-of-order bytes held over all connections. */
  get bufferedBytes(): number {
    return this.oooTotal
  }

  handle(seg: TcpSegment, out: CaptureEvent[]): void {
    const v6 = seg.v6
    const ip = seg.ip
    const w = this.w
    if (v6) {
      for (let k = 0; k < 4; k++) {
        w[k] = ip.readUInt32BE(seg.srcOff + 4 * k)
        w[5 + k] = ip.readUInt32BE(seg.dstOff + 4 * k)
      }
    } else {
      w[0] = ip.readUInt32BE(seg.srcOff)
      w[5] = ip.readUInt32BE(seg.dstOff)
      w[1] = w[2] = w[3] = w[6] = w[7] = w[8] = 0
    }
    w[4] = seg.srcPort
    w[9] = seg.dstPort
    if (w[0] === w[5] && w[1] === w[6] && w[2] === w[7] && w[3] === w[8] && w[4] === w[9]) return
    // XOR pairs the two sides, so both directions hash alike.
    const hash =
      ((w[0]! ^ w[5]!) + Math.imul(w[1]! ^ w[6]!, 3) + Math.imul(w[2]! ^ w[7]!, 5) + Math.imul(w[3]! ^ w[8]!, 7) + Math.imul(w[4]! ^ w[9]!, 0x9e3779b1) + (v6 ? 1 : 0)) | 0
    const flags = seg.flags
    this.now = seg.time
    if (++this.sinceSweep >= this.sweepEvery) this.sweep(out)

    let c: Conn | null | undefined = this.buckets.get(hash)
    let d = -1
    while (c) {
      if (c.v6 === v6 && (d = c.direction(w)) >= 0) break
      c = c.next
    }
    if (c) {
      const h = c.halves[d]!
      if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) === TcpFlags.Syn && h.firstSeq >= 0 && seg.seq !== h.firstSeq) {
        // Port reuse: a new conversation on the same 4-tuple (it shadows the old one in the bucket).
        if (!c.closed) this.close(c, seg.frame, seg.time, out)
        c = null
      }
    }
    if (!c) {
      c = this.create(hash, seg)
      d = 0
    }
    c.lastTime = seg.time
    const h = c.halves[d]
    const o = c.halves[1 - d]!
    if (h.firstSeq < 0) h.firstSeq = seg.seq
    if (c.closed) return

    if (flags & TcpFlags.Syn) {
      if (c.client < 0) c.client = flags & TcpFlags.Ack ? 1 - d : d
      if (!h.syn) {
        h.syn = true
        if (h.delivered === 0 && h.ooo.length === 0) {
          h.hasBase = true
          h.base = (seg.seq + 1) >>> 0
          h.midstream = false
        }
      }
      if (!c.openSent) {
        c.openSent = true
        this.event(c, d, { kind: 'tcp', event: 'open', frame: seg.frame, time: seg.time, conn: '', stream: c.stream, detail: flags & TcpFlags.Ack ? 'SYN-ACK' : 'SYN' }, out)
      }
    }

    if (flags & TcpFlags.Rst) {
      this.event(c, d, { kind: 'tcp', event: 'reset', frame: seg.frame, time: seg.time, conn: '', stream: c.stream, detail: 'RST' }, out)
      this.close(c, seg.frame, seg.time, out)
      return
    }

    if ((seg.payload.length > 0 || seg.missing > 0) && c.kind !== OTHER) {
      const seq = flags & TcpFlags.Syn ? (seg.seq + 1) >>> 0 : seg.seq
      if (!h.hasBase) {
        h.hasBase = true
        h.base = seq
        h.midstream = true
      }
      this.insert(c, d, seq, seg.payload, seg.missing, seg.frame, seg.time, out)
    }

    if (flags & TcpFlags.Ack) {
      if (!h.hasAck || seqGe(seg.ack, h.maxAck)) {
        h.maxAck = seg.ack
        h.hasAck = true
      }
      // The peer has received bytes we hold no copy of and are waiting for: they went by uncaptured.
      if (o.ooo.length > 0 && o.hasBase && ((h.maxAck - o.base) | 0) > 0) {
        const first = o.ooo[0]!.seq
        this.skipTo(c, 1 - d, seqGe(h.maxAck, first) ? first : h.maxAck, seg.frame, seg.time, 'acknowledged but not captured', out)
      }
    }

    if (flags & TcpFlags.Fin && !h.fin && !c.closed) {
      h.fin = true
      const both = o.fin
      this.event(
        c,
        d,
        { kind: 'tcp', event: 'close', frame: seg.frame, time: seg.time, conn: '', stream: c.stream, detail: both ? 'FIN from both sides' : 'FIN' },
        out,
      )
      if (both) this.close(c, seg.frame, seg.time, out)
    }
  }

  /** The capture ended: declares the holes that remain and reports incomplete messages. */
  finish(out: CaptureEvent[]): void {
    let partial = 0
    let partialBytes = 0
    for (const c of this.connections()) {
      if (c.closed || c.kind !== SMB) continue
      for (let d = 0; d < 2; d++) {
        const h = c.halves[d]!
        this.flushHoles(c, d, h.ooo.length ? h.ooo[h.ooo.length - 1]!.frame : 0, this.now, 'not captured', out)
        const pend = h.framer && !h.framer.scanning ? h.framer.pendingBytes : 0
        if (pend > 0) {
          partial++
          partialBytes += pend
        }
      }
    }
    if (partial > 0) {
      out.push({
        kind: 'warning',
        message: `the capture ends inside ${partial} incomplete SMB transport message${partial > 1 ? 's' : ''} (${partialBytes} bytes held); ${partial > 1 ? 'they are' : 'it is'} not reported`,
      })
    }
  }

  private create(hash: number, seg: TcpSegment): Conn {
    const fmt = seg.v6 ? formatIPv6 : formatIPv4
    const c = new Conn(hash, seg.v6, this.w.slice(), this.streams++, [fmt(seg.ip, seg.srcOff), fmt(seg.ip, seg.dstOff)], [seg.srcPort, seg.dstPort])
    const smbA = this.smbPorts.has(seg.srcPort)
    const smbB = this.smbPorts.has(seg.dstPort)
    if (smbA || smbB) c.kind = SMB
    if (seg.flags & TcpFlags.Syn) c.client = seg.flags & TcpFlags.Ack ? 1 : 0
    else if (smbB && !smbA) c.client = 0
    else if (smbA && !smbB) c.client = 1
    if (c.client >= 0) this.name(c)
    if (c.kind === SMB) c.pending = null
    c.next = this.buckets.get(hash) ?? null
    this.buckets.set(hash, c)
    this.connCount++
    return c
  }

  private name(c: Conn): void {
    const cli = c.client
    const srv = 1 - cli
    c.id = `${formatEndpoint(c.addr[cli]!, c.port[cli]!)}-${formatEndpoint(c.addr[srv]!, c.port[srv]!)}`
  }

  /** Fixes the client when nothing better told: the side with the higher port, or the sender of `d`. */
  private fallbackClient(c: Conn, d: number): void {
    if (c.client >= 0) return
    c.client = c.port[0] !== c.port[1] ? (c.port[0] > c.port[1] ? 0 : 1) : d
    this.name(c)
  }

  /** Emits a TCP event concerning direction `d` (held back while the connection may still turn out not SMB). */
  private event(c: Conn, d: number, ev: CaptureTcpEvent, out: CaptureEvent[]): void {
    if (c.kind === OTHER) return
    if (c.kind === UNKNOWN) {
      c.pending?.push({ ev, dir: d })
      return
    }
    this.fallbackClient(c, d)
    ev.conn = c.id
    ev.fromClient = d === c.client
    out.push(ev)
  }

  private warn(c: Conn, frame: number, message: string, out: CaptureEvent[]): void {
    if (c.warnings > MAX_CONN_WARNINGS) return
    c.warnings++
    this.fallbackClient(c, 0)
    out.push({ kind: 'warning', frame, conn: c.id, message: c.warnings > MAX_CONN_WARNINGS ? 'further warnings on this connection are suppressed' : message })
  }

  private insert(c: Conn, d: number, seq: number, payload: Buffer, missing: number, frame: number, time: number, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    const rel = (seq - h.base) | 0
    if (rel > 0) {
      const o = c.halves[1 - d]!
      if (o.hasAck && seqGe(o.maxAck, seq)) {
        // The receiver had already acknowledged the hole before this segment: those bytes are not coming.
        this.skipTo(c, d, seq, frame, time, 'acknowledged but not captured', out)
      } else {
        this.buffer(h, seq, payload, missing, frame, time)
        if (h.oooBytes > this.maxPerDir || h.ooo.length > this.maxSegs || this.oooTotal > this.maxTotal) {
          this.skipTo(c, d, h.ooo[0]!.seq, frame, time, 'not captured (reassembly buffer limit reached)', out)
        }
        return
      }
    }
    this.take(c, d, seq, payload, missing, frame, time, out)
    this.drain(c, d, out)
  }

  /** Passes on a segment that starts at or before the next expected byte, trimming what was already seen. */
  private take(c: Conn, d: number, seq: number, payload: Buffer, missing: number, frame: number, time: number, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    const trim = -((seq - h.base) | 0)
    const len = payload.length
    if (trim >= len + missing) return // retransmission or keep-alive: every byte already seen
    if (trim < len) {
      const data = trim > 0 ? payload.subarray(trim) : payload
      h.base = (h.base + data.length) >>> 0
      this.deliver(c, d, data, frame, time, out)
    }
    const lost = missing - Math.max(0, trim - len)
    if (lost > 0) {
      if (c.kind === SMB) {
        // The bytes before the cut are contiguous: hand out the message they start, marked truncated.
        const outs = this.framerOf(h).cut(lost, frame, time)
        h.base = (h.base + lost) >>> 0
        h.delivered += lost
        this.emitOutputs(c, d, outs, out)
        this.event(c, d, { kind: 'tcp', event: 'gap', frame, time, conn: '', stream: c.stream, detail: `${lost} bytes not captured (snapshot length)`, bytes: lost }, out)
      } else this.lose(c, d, lost, frame, time, 'not captured (snapshot length)', out)
    }
  }

  private drain(c: Conn, d: number, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    while (h.ooo.length > 0 && ((h.ooo[0]!.seq - h.base) | 0) <= 0) {
      const p = h.ooo.shift()!
      h.oooBytes -= p.data.length
      this.oooTotal -= p.data.length
      this.take(c, d, p.seq, p.data, p.missing, p.frame, p.time, out)
    }
  }

  /** Declares the bytes up to `seq` lost and carries on from there. */
  private skipTo(c: Conn, d: number, seq: number, frame: number, time: number, why: string, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    const lost = (seq - h.base) | 0
    if (lost <= 0) return
    // The gap is reported at the first frame after it when that frame is buffered.
    const first = h.ooo.length > 0 && h.ooo[0]!.seq === seq ? h.ooo[0]! : undefined
    this.lose(c, d, lost, first ? first.frame : frame, first ? first.time : time, why, out)
    this.drain(c, d, out)
  }

  /** Declares every hole of direction `d` lost and delivers all buffered data. */
  private flushHoles(c: Conn, d: number, frame: number, time: number, why: string, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    while (h.ooo.length > 0) this.skipTo(c, d, h.ooo[0]!.seq, frame, time, why, out)
  }

  private lose(c: Conn, d: number, n: number, frame: number, time: number, why: string, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    h.base = (h.base + n) >>> 0
    h.delivered += n
    if (c.kind === SMB) this.framerOf(h).gap(n)
    this.event(c, d, { kind: 'tcp', event: 'gap', frame, time, conn: '', stream: c.stream, detail: `${n} bytes ${why}`, bytes: n }, out)
  }

  /** Buffers an out-of-order segment, keeping only the bytes no earlier buffered copy covers. */
  private buffer(h: Half, seq: number, payload: Buffer, missing: number, frame: number, time: number): void {
    const base = h.base
    let s = (seq - base) | 0
    const e = s + payload.length + missing
    const ooo = h.ooo
    let i = 0
    const add = (from: number, to: number, at: number): number => {
      const a = from - ((seq - base) | 0)
      const b = to - ((seq - base) | 0)
      const dataEnd = Math.min(b, payload.length)
      const data = dataEnd > a ? Buffer.from(payload.subarray(a, dataEnd)) : Buffer.alloc(0)
      const miss = b - Math.max(a, payload.length)
      ooo.splice(at, 0, { seq: (base + from) >>> 0, data, missing: miss > 0 ? miss : 0, frame, time })
      h.oooBytes += data.length
      this.oooTotal += data.length
      return at + 1
    }
    while (i < ooo.length && s < e) {
      const x = ooo[i]!
      const xs = (x.seq - base) | 0
      const xe = xs + x.data.length + x.missing
      if (xe <= s) {
        i++
        continue
      }
      if (xs >= e) break
      if (xs > s) i = add(s, xs, i)
      s = Math.max(s, xe)
      i++
    }
    if (s < e) add(s, e, i)
  }

  private deliver(c: Conn, d: number, data: Buffer, frame: number, time: number, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    if (c.kind === UNKNOWN) this.probe(c, d, data, out)
    if (c.kind !== SMB) {
      h.delivered += data.length
      return
    }
    const framer = this.framerOf(h)
    h.delivered += data.length
    this.emitOutputs(c, d, framer.push(data, frame, time), out)
  }

  /** The direction's framer, created on first use: aligned on a header when the stream start was seen. */
  private framerOf(h: Half): NetbiosFramer {
    if (!h.framer) h.framer = new NetbiosFramer({ maxMessageSize: this.maxMessage, resync: h.midstream || h.delivered > 0, allocate: this.allocate })
    return h.framer
  }

  private emitOutputs(c: Conn, d: number, outs: FramerOutput[], out: CaptureEvent[]): void {
    for (let i = 0; i < outs.length; i++) {
      const x = outs[i]!
      if (x.kind === 'message') {
        if (c.client < 0) {
          const dir = messageDirection(x.data)
          if (dir) {
            c.client = dir === 'request' ? d : 1 - d
            this.name(c)
          } else this.fallbackClient(c, d)
        }
        const ev: CaptureEvent = { kind: 'message', frame: x.frame, time: x.time, conn: c.id, stream: c.stream, fromClient: d === c.client, data: x.data }
        if (x.gapBefore) ev.gapBefore = true
        if (x.truncated) ev.truncated = true
        out.push(ev)
      } else if (x.kind === 'bad') {
        this.warn(c, x.frame, `${d === c.client ? 'client' : 'server'} stream: ${x.reason}`, out)
      }
      // 'session' outputs are the port-139 session service (request, response, keepalive): consumed.
    }
  }

  /** Decides whether a connection on another port carries SMB, from the first bytes of a direction. */
  private probe(c: Conn, d: number, data: Buffer, out: CaptureEvent[]): void {
    const h = c.halves[d]!
    const atStart = h.delivered === 0
    // A stream picked up mid-way may show a message start at any segment boundary.
    if ((atStart || h.midstream) && data.length >= TRANSPORT_PROBE_SIZE && plausibleTransportHeader(data, 0, this.maxMessage)) {
      c.kind = SMB
      if (c.client < 0) {
        const dir = messageDirection(data.subarray(4))
        if (dir) {
          c.client = dir === 'request' ? d : 1 - d
          this.name(c)
        } else this.fallbackClient(c, d)
      }
      h.framer = new NetbiosFramer({ maxMessageSize: this.maxMessage, allocate: this.allocate })
      const pending = c.pending ?? []
      c.pending = null
      for (const p of pending) {
        p.ev.conn = c.id
        p.ev.fromClient = p.dir === c.client
        out.push(p.ev)
      }
      return
    }
    if ((atStart && !h.midstream) || ++c.probes >= MIDSTREAM_PROBES) {
      c.kind = OTHER
      c.pending = null
      for (const half of c.halves) this.dropBuffers(half)
    }
  }

  private dropBuffers(h: Half): void {
    this.oooTotal -= h.oooBytes
    h.ooo = []
    h.oooBytes = 0
    h.framer = null
  }

  /** Closes a connection (both FINs, RST, port reuse): flushes what is buffered and keeps a tombstone. */
  private close(c: Conn, frame: number, time: number, out: CaptureEvent[]): void {
    if (c.kind === SMB) {
      for (let d = 0; d < 2; d++) this.flushHoles(c, d, frame, time, 'not captured before the connection closed', out)
    }
    for (const h of c.halves) this.dropBuffers(h)
    c.closed = true
    c.pending = null
  }

  private *connections(): Generator<Conn> {
    for (const head of this.buckets.values()) for (let c: Conn | null = head; c; c = c.next) yield c
  }

  /** Forgets tombstones and idle connections. */
  private sweep(out: CaptureEvent[]): void {
    this.sinceSweep = 0
    const now = this.now
    // Tombstones number late packets of a closed connection as tshark does (same tcp.stream); keep them for
    // Windows' TIME_WAIT (240 s), fewer when there are very many of them (a scan).
    let closed = 0
    for (const c of this.connections()) if (c.closed) closed++
    const closedLimit = closed > MAX_TOMBSTONES ? 10 : 300
    for (const [hash, head] of this.buckets) {
      let keep: Conn | null = null
      let tail: Conn | null = null
      for (let c: Conn | null = head; c; ) {
        const next: Conn | null = c.next
        const idle = now - c.lastTime
        if ((c.closed && idle > closedLimit) || (c.kind === OTHER && idle > 600) || idle > 3600) {
          if (!c.closed) this.close(c, 0, now, out)
          this.connCount--
        } else {
          c.next = null
          if (tail) tail.next = c
          else keep = c
          tail = c
        }
        c = next
      }
      if (keep) this.buckets.set(hash, keep)
      else this.buckets.delete(hash)
    }
  }
}
