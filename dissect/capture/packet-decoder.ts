/**
 * From a captured packet to a TCP segment: link layers (Ethernet with 802.1Q/802.1ad/QinQ tags, Linux cooked
 * SLL and SLL2, raw IP, BSD null/loopback), IPv4 (RFC 791: options, fragment reassembly), IPv6 (RFC 8200:
 * extension headers, fragment reassembly) and the TCP header (RFC 9293; options ignored). Anything else returns
 * null as early as possible. Checksums are not verified (as tshark by default).
 * @module
 */
import type { RawPacket } from './capture-file.js'

/** tcpdump LINKTYPE_ values this decoder understands. */
export const LinkType = {
  Null: 0,
  Ethernet: 1,
  RawOpenBsd: 12,
  RawBsdOs: 14,
  Raw: 101,
  Loop: 108,
  LinuxSll: 113,
  Ipv4: 228,
  Ipv6: 229,
  LinuxSll2: 276,
} as const

export const TcpFlags = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10 } as const

export interface TcpSegment {
  frame: number
  time: number
  v6: boolean
  /** Buffer holding the source and destination addresses (4 or 16 bytes each) at `srcOff` and `dstOff`. */
  ip: Buffer
  srcOff: number
  dstOff: number
  srcPort: number
  dstPort: number
  seq: number
  ack: number
  flags: number
  /** The captured payload: a view, valid only until the next packet. */
  payload: Buffer
  /** Payload bytes the IP length announces but the capture does not hold (snapshot length). */
  missing: number
}

export interface DecoderLimits {
  /** Capture-time seconds after which an incomplete fragmented datagram is dropped (default 30, like Linux). */
  fragmentTimeout?: number
  /** Most datagrams under reassembly at once (default 1024). */
  maxFragmentedDatagrams?: number
  /** Most bytes held for reassembly (default 4 MiB). */
  maxFragmentBytes?: number
}

const ETH_IPV4 = 0x0800
const ETH_IPV6 = 0x86dd
const PROTO_TCP = 6

interface Fragments {
  key: string
  firstTime: number
  /** Pieces in arrival order (first copy wins on overlap). */
  pieces: { off: number; data: Buffer }[]
  bytes: number
  /** Total payload length, known once the last fragment arrived. */
  total: number
  /** IPv4 protocol, or IPv6 next header of the fragmentable part. */
  next: number
  ip: Buffer
  srcOff: number
  dstOff: number
}

export class PacketDecoder {
  private readonly timeout: number
  private readonly maxDatagrams: number
  private readonly maxBytes: number
  private readonly fragments = new Map<string, Fragments>()
  private fragmentBytes = 0
  private readonly unsupported = new Set<number>()
  /** Warnings raised while decoding; the caller drains them. */
  readonly warnings: { message: string; frame: number }[] = []
  private warnedFragments = false
  private readonly seg: TcpSegment = { frame: 0, time: 0, v6: false, ip: Buffer.alloc(0), srcOff: 0, dstOff: 0, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, payload: Buffer.alloc(0), missing: 0 }

  constructor(limits: DecoderLimits = {}) {
    this.timeout = limits.fragmentTimeout ?? 30
    this.maxDatagrams = limits.maxFragmentedDatagrams ?? 1024
    this.maxBytes = limits.maxFragmentBytes ?? 4 * 1024 * 1024
  }

  /** Bytes held for IP reassembly. */
  get heldBytes(): number {
    return this.fragmentBytes
  }

  /** The segment returned is one object reused for every packet, valid until the next call. */
  decode(p: RawPacket): TcpSegment | null {
    const b = p.data
    const n = b.length
    switch (p.linkType) {
      case LinkType.Ethernet: {
        if (n < 14) return null
        return this.ether(p, b.readUInt16BE(12), 14)
      }
      case LinkType.LinuxSll:
        if (n < 16) return null
        return this.ether(p, b.readUInt16BE(14), 16)
      case LinkType.LinuxSll2:
        if (n < 20) return null
        return this.ether(p, b.readUInt16BE(0), 20)
      case LinkType.Raw:
      case LinkType.RawOpenBsd:
      case LinkType.RawBsdOs:
        if (n < 1) return null
        return this.ipByVersion(p, 0)
      case LinkType.Ipv4:
        return this.ipv4(p, b, 0, n)
      case LinkType.Ipv6:
        return this.ipv6(p, b, 0, n)
      case LinkType.Null:
      case LinkType.Loop: {
        if (n < 4) return null
        // DLT_NULL stores the address family in the capturing host's byte order; DLT_LOOP in network order.
        const family = p.linkType === LinkType.Loop || (b[0] === 0 && b[1] === 0) ? b.readUInt32BE(0) : b.readUInt32LE(0)
        if (family === 2) return this.ipv4(p, b, 4, n)
        if (family === 24 || family === 28 || family === 30) return this.ipv6(p, b, 4, n)
        return null
      }
      default:
        if (!this.unsupported.has(p.linkType)) {
          this.unsupported.add(p.linkType)
          this.warnings.push({ message: `link type ${p.linkType} is not supported: its packets are skipped`, frame: p.frame })
        }
        return null
    }
  }

  private ether(p: RawPacket, type: number, o: number): TcpSegment | null {
    const b = p.data
    // 802.1Q, 802.1ad and the older QinQ tag types: 2 bytes of tag control, then the next type.
    while (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
      if (b.length < o + 4) return null
      type = b.readUInt16BE(o + 2)
      o += 4
    }
    if (type === ETH_IPV4) return this.ipv4(p, b, o, b.length)
    if (type === ETH_IPV6) return this.ipv6(p, b, o, b.length)
    return null
  }

  private ipByVersion(p: RawPacket, o: number): TcpSegment | null {
    const v = p.data[o]! >> 4
    if (v === 4) return this.ipv4(p, p.data, o, p.data.length)
    if (v === 6) return this.ipv6(p, p.data, o, p.data.length)
    return null
  }

  private ipv4(p: RawPacket, b: Buffer, o: number, end: number): TcpSegment | null {
    if (end - o < 20) return null
    const vihl = b[o]!
    if (vihl >> 4 !== 4) return null
    const ihl = (vihl & 15) * 4
    if (b[o + 9] !== PROTO_TCP || ihl < 20) return null
    let total = b.readUInt16BE(o + 2)
    // A zero total length is what TCP segmentation offload leaves: the packet is as long as captured.
    if (total === 0) total = Math.max(end - o, p.origLen - (p.data.length - (end - o)))
    if (total < ihl) return null
    const captured = Math.min(total, end - o)
    if (captured < ihl) return null
    const fragField = b.readUInt16BE(o + 6)
    if (fragField & 0x3fff) {
      const more = (fragField & 0x2000) !== 0
      const off = (fragField & 0x1fff) * 8
      if (captured < total) {
        this.warnFragments(p.frame, 'an IP fragment cut by the snapshot length cannot be reassembled')
        return null
      }
      const key = `4:${b.toString('latin1', o + 12, o + 20)}:${b.readUInt16BE(o + 4)}`
      const whole = this.addFragment(p, key, off, b.subarray(o + ihl, o + total), more, PROTO_TCP, b, o + 12, o + 16)
      if (!whole) return null
      return this.tcp(p, false, whole.ip, whole.srcOff, whole.dstOff, whole.data, 0, whole.data.length, 0)
    }
    return this.tcp(p, false, b, o + 12, o + 16, b, o + ihl, o + captured, total - captured)
  }

  private ipv6(p: RawPacket, b: Buffer, o: number, end: number): TcpSegment | null {
    if (end - o < 40) return null
    if (b[o]! >> 4 !== 6) return null
    const payloadLen = b.readUInt16BE(o + 4)
    let next = b[o + 6]!
    const srcOff = o + 8
    const dstOff = o + 24
    let p0 = o + 40
    // Payload length 0 is a jumbogram or offload: as long as captured.
    const wireEnd = payloadLen === 0 ? end + Math.max(0, p.origLen - p.data.length) : o + 40 + payloadLen
    const capEnd = Math.min(wireEnd, end)
    for (;;) {
      switch (next) {
        case PROTO_TCP:
          return this.tcp(p, true, b, srcOff, dstOff, b, p0, capEnd, wireEnd - capEnd)
        case 0: // hop-by-hop options
        case 43: // routing
        case 60: // destination options
        case 135: // mobility
        case 139: // HIP
        case 140: // shim6
          if (capEnd - p0 < 8) return null
          next = b[p0]!
          p0 += (b[p0 + 1]! + 1) * 8
          break
        case 51: // authentication header
          if (capEnd - p0 < 8) return null
          next = b[p0]!
          p0 += (b[p0 + 1]! + 2) * 4
          break
        case 44: {
          if (capEnd - p0 < 8) return null
          const nh = b[p0]!
          const offField = b.readUInt16BE(p0 + 2)
          const off = offField & 0xfff8
          const more = (offField & 1) !== 0
          if (off === 0 && !more) {
            // Atomic fragment (RFC 6946): just a header to step over.
            next = nh
            p0 += 8
            break
          }
          if (capEnd < wireEnd) {
            this.warnFragments(p.frame, 'an IP fragment cut by the snapshot length cannot be reassembled')
            return null
          }
          // Only TCP, possibly behind more extension headers, is worth reassembling.
          if (nh !== PROTO_TCP && nh !== 0 && nh !== 43 && nh !== 60 && nh !== 51 && nh !== 135 && nh !== 139 && nh !== 140) return null
          const key = `6:${b.toString('latin1', srcOff, srcOff + 32)}:${b.readUInt32BE(p0 + 4)}`
          const whole = this.addFragment(p, key, off, b.subarray(p0 + 8, capEnd), more, nh, b, srcOff, dstOff)
          if (!whole) return null
          return this.afterIpv6Fragment(p, whole)
        }
        default:
          return null
      }
      if (p0 > capEnd) return null
    }
  }

  /** Continues through the extension headers of a reassembled IPv6 datagram. */
  private afterIpv6Fragment(p: RawPacket, w: { ip: Buffer; srcOff: number; dstOff: number; data: Buffer; next: number }): TcpSegment | null {
    let next = w.next
    let o = 0
    const d = w.data
    while (next !== PROTO_TCP) {
      if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
        if (d.length - o < 8) return null
        next = d[o]!
        o += (d[o + 1]! + 1) * 8
      } else if (next === 51) {
        if (d.length - o < 8) return null
        next = d[o]!
        o += (d[o + 1]! + 2) * 4
      } else return null
    }
    if (o > d.length) return null
    return this.tcp(p, true, w.ip, w.srcOff, w.dstOff, d, o, d.length, 0)
  }

  private tcp(p: RawPacket, v6: boolean, ip: Buffer, srcOff: number, dstOff: number, b: Buffer, o: number, end: number, missing: number): TcpSegment | null {
    if (end - o < 20) return null
    const hl = (b[o + 12]! >> 4) * 4
    if (hl < 20 || o + hl > end) return null
    // One TcpSegment object is reused for every packet (fewer allocations on the hot path).
    const s = this.seg
    s.frame = p.frame
    s.time = p.time
    s.v6 = v6
    s.ip = ip
    s.srcOff = srcOff
    s.dstOff = dstOff
    s.srcPort = (b[o]! << 8) | b[o + 1]!
    s.dstPort = (b[o + 2]! << 8) | b[o + 3]!
    s.seq = b.readUInt32BE(o + 4)
    s.ack = b.readUInt32BE(o + 8)
    s.flags = b[o + 13]!
    s.payload = b.subarray(o + hl, end)
    s.missing = missing
    return s
  }

  // ---- fragment reassembly ----------------------------------------------------------------------------------

  private addFragment(
    p: RawPacket,
    key: string,
    off: number,
    data: Buffer,
    more: boolean,
    next: number,
    ip: Buffer,
    srcOff: number,
    dstOff: number,
  ): { ip: Buffer; srcOff: number; dstOff: number; data: Buffer; next: number } | null {
    this.expire(p.time, p.frame)
    if (off + data.length > 65535) {
      this.warnFragments(p.frame, 'an IP fragment reaches beyond 65535 bytes')
      return null
    }
    let f = this.fragments.get(key)
    if (!f) {
      if (this.fragments.size >= this.maxDatagrams) this.dropOldest(p.frame, 'too many fragmented datagrams at once')
      // Keep a private copy of the addresses; the packet buffer is reused.
      const addrLen = dstOff - srcOff
      const addrs = Buffer.alloc(addrLen * 2)
      ip.copy(addrs, 0, srcOff, srcOff + addrLen)
      ip.copy(addrs, addrLen, dstOff, dstOff + addrLen)
      f = { key, firstTime: p.time, pieces: [], bytes: 0, total: -1, next: -1, ip: addrs, srcOff: 0, dstOff: addrLen }
      this.fragments.set(key, f)
    }
    if (off === 0) f.next = next
    if (!more) f.total = off + data.length
    if (data.length > 0) {
      f.pieces.push({ off, data: Buffer.from(data) })
      f.bytes += data.length
      this.fragmentBytes += data.length
    }
    while (this.fragmentBytes > this.maxBytes && this.fragments.size > 0) this.dropOldest(p.frame, `more than ${this.maxBytes} bytes of fragments held`)
    if (!this.fragments.has(key) || f.total < 0 || f.next < 0) return null
    // Complete when the pieces cover [0, total).
    const sorted = [...f.pieces].sort((a, c) => a.off - c.off)
    let covered = 0
    for (const piece of sorted) {
      if (piece.off > covered) return null
      covered = Math.max(covered, piece.off + piece.data.length)
    }
    if (covered < f.total) return null
    const out = Buffer.alloc(f.total)
    // Write the latest arrivals first so that earlier copies overwrite them: the first copy wins.
    for (let i = f.pieces.length - 1; i >= 0; i--) {
      const piece = f.pieces[i]!
      piece.data.copy(out, piece.off, 0, Math.min(piece.data.length, f.total - piece.off))
    }
    this.fragments.delete(key)
    this.fragmentBytes -= f.bytes
    return { ip: f.ip, srcOff: f.srcOff, dstOff: f.dstOff, data: out, next: f.next }
  }

  private expire(now: number, frame: number): void {
    for (const f of this.fragments.values()) {
      if (now - f.firstTime <= this.timeout) break
      this.fragments.delete(f.key)
      this.fragmentBytes -= f.bytes
      this.warnFragments(frame, `an IP datagram was not reassembled within ${this.timeout} s`)
    }
  }

  private dropOldest(frame: number, why: string): void {
    const first = this.fragments.values().next()
    if (first.done) return
    this.fragments.delete(first.value.key)
    this.fragmentBytes -= first.value.bytes
    this.warnFragments(frame, why)
  }

  private warnFragments(frame: number, why: string): void {
    if (this.warnedFragments) return
    this.warnedFragments = true
    this.warnings.push({ message: `IP reassembly: ${why}; the datagram is dropped (further such warnings suppressed)`, frame })
  }
}
