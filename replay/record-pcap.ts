/**
 * `--record OUT.pcap`: the live traffic of a replay as a classic pcap file (draft-ietf-opsawg-pcap,
 * LINKTYPE_ETHERNET) that `smbscope dissect` reads like any capture. Each live connection becomes a TCP
 * conversation with a three-way handshake, data segments carrying the Direct TCP framing (RFC 1002 header
 * + the transport message exactly as it went over the wire, encrypted messages included, so the replay's
 * password decrypts them the way it decrypts the original capture), and FIN or RST at the end.
 *
 * Segments are at most 65000 bytes of payload (IPv4 total length is 16 bits); the frame layout is
 * dissect/capture/pcap-writer.ts.
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { encodeTransportHeader } from '../dissect/capture/netbios-framer.js'
import { pcapFileHeader, pcapRecord, tcpFrame, TcpFlag } from '../dissect/capture/pcap-writer.js'
import type { Transport, TransportTap } from './session/transport.js'

const MAX_SEGMENT = 65000
const { Fin: TCP_FIN, Syn: TCP_SYN, Rst: TCP_RST, Psh: TCP_PSH, Ack: TCP_ACK } = TcpFlag

interface Flow {
  cli: { address: string; port: number }
  srv: { address: string; port: number }
  /** Next sequence number of the client and of the server. */
  cliSeq: number
  srvSeq: number
  closed: boolean
}

export class PcapRecorder implements TransportTap {
  private readonly out: WriteStream
  private readonly flows = new Map<Transport, Flow>()
  private frames = 0
  private error: Error | undefined

  constructor(readonly path: string) {
    this.out = createWriteStream(path)
    this.out.on('error', (e) => (this.error = e))
    this.out.write(pcapFileHeader())
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
    const stream = Buffer.concat([encodeTransportHeader(message.length), message])
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
    const frame = tcpFrame({ src, dst, seq, ack, flags, payload, side: fromClient ? 1 : 2 })
    this.out.write(pcapRecord(performance.timeOrigin + performance.now(), frame))
    this.frames++
  }
}
