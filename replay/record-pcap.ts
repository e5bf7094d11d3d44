/**
 * `--record OUT.pcap`: the live traffic of a replay as a classic pcap file (draft-ietf-opsawg-pcap,
 * LINKTYPE_ETHERNET) that `smbscope dissect` reads like any capture. Each live connection becomes a TCP
 * conversation with a three-way handshake, data segments carrying the Direct TCP framing (RFC 1002 header
 * + the transport message exactly as it went over the wire, encrypted messages included, so the replay's
 * password decrypts them the way it decrypts the original capture), and FIN or RST at the end.
 *
 * Segments are at most 65000 bytes of payload (IPv4 total length is 16 bits). Checksums are left zero.
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { isIPv4 } from 'node:net'
import type { Transport, TransportTap } from './session/transport.js'

const MAX_SEGMENT = 65000
const TCP_FIN = 0x01
const TCP_SYN = 0x02
const TCP_RST = 0x04
const TCP_PSH = 0x08
const TCP_ACK = 0x10

interface Flow {
  cli: { address: string; port: number }
  srv: { address: string; port: number }
  /** Next sequence number of the client and of the server. */
  cliSeq: number
  srvSeq: number
  closed: boolean
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

export class PcapRecorder implements TransportTap {
  private readonly out: WriteStream
  private readonly flows = new Map<Transport, Flow>()
  private frames = 0
  private error: Error | undefined

  constructor(readonly path: string) {
    this.out = createWriteStream(path)
    this.out.on('error', (e) => (this.error = e))
    const hdr = Buffer.alloc(24)
    hdr.writeUInt32LE(0xa1b2c3d4, 0) // microsecond timestamps
    hdr.writeUInt16LE(2, 4)
    hdr.writeUInt16LE(4, 6)
    hdr.writeUInt32LE(262144, 16) // snaplen
    hdr.writeUInt32LE(1, 20) // LINKTYPE_ETHERNET
    this.out.write(hdr)
  }

  /** Frames written so far; the number of the last one (1-based, as tshark counts). */
  get lastFrame(): number {
    return this.frames
  }

  open(t: Transport): void {
    const f: Flow = { cli: t.local, srv: t.remote, cliSeq: 1000, srvSeq: 500000, closed: false }
    this.flows.set(t, f)
    this.segment(f, true, TCP_SYN, Buffer.alloc(0))
    f.cliSeq++
    this.segment(f, false, TCP_SYN | TCP_ACK, Buffer.alloc(0))
    f.srvSeq++
    this.segment(f, true, TCP_ACK, Buffer.alloc(0))
  }

  data(t: Transport, fromClient: boolean, message: Buffer): void {
    const f = this.flows.get(t)
    if (!f || f.closed) return
    const hdr = Buffer.alloc(4)
    hdr.writeUInt32BE(message.length)
    const stream = Buffer.concat([hdr, message])
    for (let o = 0; o < stream.length; o += MAX_SEGMENT) {
      const chunk = stream.subarray(o, Math.min(stream.length, o + MAX_SEGMENT))
      this.segment(f, fromClient, TCP_PSH | TCP_ACK, chunk)
      if (fromClient) f.cliSeq += chunk.length
      else f.srvSeq += chunk.length
    }
  }

  close(t: Transport, by: 'client' | 'server', reset: boolean): void {
    const f = this.flows.get(t)
    if (!f || f.closed) return
    f.closed = true
    const fromClient = by === 'client'
    if (reset) {
      this.segment(f, fromClient, TCP_RST | TCP_ACK, Buffer.alloc(0))
    } else {
      this.segment(f, fromClient, TCP_FIN | TCP_ACK, Buffer.alloc(0))
      if (fromClient) f.cliSeq++
      else f.srvSeq++
      this.segment(f, !fromClient, TCP_FIN | TCP_ACK, Buffer.alloc(0))
      if (fromClient) f.srvSeq++
      else f.cliSeq++
      this.segment(f, fromClient, TCP_ACK, Buffer.alloc(0))
    }
    this.flows.delete(t)
  }

  /** Flushes and closes the file. */
  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.end(() => (this.error ? reject(this.error) : resolve()))
    })
  }

  private segment(f: Flow, fromClient: boolean, flags: number, payload: Buffer): void {
    const src = fromClient ? f.cli : f.srv
    const dst = fromClient ? f.srv : f.cli
    const seq = fromClient ? f.cliSeq : f.srvSeq
    const ack = fromClient ? f.srvSeq : f.cliSeq
    const tcp = Buffer.alloc(20)
    tcp.writeUInt16BE(src.port, 0)
    tcp.writeUInt16BE(dst.port, 2)
    tcp.writeUInt32BE(seq >>> 0, 4)
    tcp.writeUInt32BE(flags & TCP_ACK ? ack >>> 0 : 0, 8)
    tcp[12] = 5 << 4 // data offset: 5 words
    tcp[13] = flags
    tcp.writeUInt16BE(65535, 14) // window
    const v4 = isIPv4(src.address)
    let ip: Buffer
    if (v4) {
      ip = Buffer.alloc(20)
      ip[0] = 0x45
      ip.writeUInt16BE(20 + 20 + payload.length, 2)
      ip.writeUInt16BE(0x4000, 6) // don't fragment
      ip[8] = 64
      ip[9] = 6 // TCP
      ipv4Bytes(src.address).copy(ip, 12)
      ipv4Bytes(dst.address).copy(ip, 16)
    } else {
      ip = Buffer.alloc(40)
      ip.writeUInt32BE(0x60000000, 0)
      ip.writeUInt16BE(20 + payload.length, 4)
      ip[6] = 6
      ip[7] = 64
      ipv6Bytes(src.address).copy(ip, 8)
      ipv6Bytes(dst.address).copy(ip, 24)
    }
    const eth = Buffer.alloc(14)
    eth[5] = fromClient ? 1 : 2
    eth[11] = fromClient ? 2 : 1
    eth.writeUInt16BE(v4 ? 0x0800 : 0x86dd, 12)
    const frame = Buffer.concat([eth, ip, tcp, payload])
    const now = performance.timeOrigin + performance.now()
    const rec = Buffer.alloc(16)
    const sec = Math.floor(now / 1000)
    rec.writeUInt32LE(sec, 0)
    rec.writeUInt32LE(Math.floor((now - sec * 1000) * 1000), 4)
    rec.writeUInt32LE(frame.length, 8)
    rec.writeUInt32LE(frame.length, 12)
    this.out.write(Buffer.concat([rec, frame]))
    this.frames++
  }
}
