/**
 * Writing classic pcap files (draft-ietf-opsawg-pcap, little-endian, microsecond timestamps, LINKTYPE_ETHERNET)
 * of synthetic TCP conversations: Ethernet + IPv4 (RFC 791) or IPv6 (RFC 8200) + TCP (RFC 9293) frames with
 * checksums left zero. The reader side is capture-file.ts / packet-decoder.ts; replay's `--record` writes with this.
 * @module
 */
import { isIPv4 } from 'node:net'

export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10 } as const

export interface TcpEndpoint {
  address: string
  port: number
}

export interface TcpSegment {
  src: TcpEndpoint
  dst: TcpEndpoint
  seq: number
  /** Sent only when `flags` has ACK. */
  ack: number
  flags: number
  payload: Buffer
  /** Distinguishes the two sides in the (otherwise zero) MAC addresses: 1 or 2. */
  side: 1 | 2
}

/** The 24-byte file header. */
export function pcapFileHeader(): Buffer {
  const hdr = Buffer.alloc(24)
  hdr.writeUInt32LE(0xa1b2c3d4, 0) // microsecond timestamps
  hdr.writeUInt16LE(2, 4)
  hdr.writeUInt16LE(4, 6)
  hdr.writeUInt32LE(262144, 16) // snaplen
  hdr.writeUInt32LE(1, 20) // LINKTYPE_ETHERNET
  return hdr
}

/** One record: its 16-byte header (time in epoch milliseconds) and the frame. */
export function pcapRecord(timeMs: number, frame: Buffer): Buffer {
  const rec = Buffer.alloc(16)
  const sec = Math.floor(timeMs / 1000)
  rec.writeUInt32LE(sec, 0)
  rec.writeUInt32LE(Math.floor((timeMs - sec * 1000) * 1000), 4)
  rec.writeUInt32LE(frame.length, 8)
  rec.writeUInt32LE(frame.length, 12)
  return Buffer.concat([rec, frame])
}

/** An Ethernet frame carrying one TCP segment over IPv4 or IPv6 (by the source address). */
export function tcpFrame(s: TcpSegment): Buffer {
  const tcp = Buffer.alloc(20)
  tcp.writeUInt16BE(s.src.port, 0)
  tcp.writeUInt16BE(s.dst.port, 2)
  tcp.writeUInt32BE(s.seq >>> 0, 4)
  tcp.writeUInt32BE(s.flags & TcpFlag.Ack ? s.ack >>> 0 : 0, 8)
  tcp[12] = 5 << 4 // data offset: 5 words
  tcp[13] = s.flags
  tcp.writeUInt16BE(65535, 14) // window
  const v4 = isIPv4(s.src.address)
  let ip: Buffer
  if (v4) {
    ip = Buffer.alloc(20)
    ip[0] = 0x45
    ip.writeUInt16BE(20 + 20 + s.payload.length, 2)
    ip.writeUInt16BE(0x4000, 6) // don't fragment
    ip[8] = 64
    ip[9] = 6 // TCP
    ipv4Bytes(s.src.address).copy(ip, 12)
    ipv4Bytes(s.dst.address).copy(ip, 16)
  } else {
    ip = Buffer.alloc(40)
    ip.writeUInt32BE(0x60000000, 0)
    ip.writeUInt16BE(20 + s.payload.length, 4)
    ip[6] = 6
    ip[7] = 64
    ipv6Bytes(s.src.address).copy(ip, 8)
    ipv6Bytes(s.dst.address).copy(ip, 24)
  }
  const eth = Buffer.alloc(14)
  eth[5] = s.side
  eth[11] = s.side === 1 ? 2 : 1
  eth.writeUInt16BE(v4 ? 0x0800 : 0x86dd, 12)
  return Buffer.concat([eth, ip, tcp, s.payload])
}

function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map((x) => Number(x)))
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined]
  const part = (s: string | undefined) => (s ? s.split(':').filter((x) => x.length) : [])
  const h = part(head)
  const t = part(tail)
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  const b = Buffer.alloc(16)
  groups.forEach((g, i) => b.writeUInt16BE(Number.parseInt(g, 16) & 0xffff, i * 2))
  return b
}
