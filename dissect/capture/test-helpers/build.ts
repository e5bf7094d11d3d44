/**
 * Builders for synthetic captures, written from the format specifications independently of the reader under
 * test (pcap: draft-ietf-opsawg-pcap; pcapng: draft-ietf-opsawg-pcapng; IPv4 RFC 791; IPv6 RFC 8200; TCP RFC 9293).
 * Used by the tests only.
 * @module
 */

// ---- capture files -------------------------------------------------------------------------------------------

export interface PcapPacket {
  time: number
  data: Buffer
  /** Wire length when the snapshot length cut the packet. */
  origLen?: number
}

export interface PcapOptions {
  linkType?: number
  le?: boolean
  nano?: boolean
  /** Kuznetzov's modified format (magic 0xA1B2CD34, 24-byte record headers). */
  modified?: boolean
  snapLen?: number
}

export function pcapFile(packets: PcapPacket[], o: PcapOptions = {}): Buffer {
  const le = o.le ?? true
  const hdr = Buffer.alloc(24)
  const w32 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at))
  const w16 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at))
  w32(hdr, o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0)
  w16(hdr, 2, 4)
  w16(hdr, 4, 6)
  w32(hdr, o.snapLen ?? 262144, 16)
  w32(hdr, o.linkType ?? 1, 20)
  const parts: Buffer[] = [hdr]
  const rh = o.modified ? 24 : 16
  for (const p of packets) {
    const r = Buffer.alloc(rh)
    const sec = Math.floor(p.time)
    const frac = Math.round((p.time - sec) * (o.nano ? 1e9 : 1e6))
    w32(r, sec, 0)
    w32(r, frac, 4)
    w32(r, p.data.length, 8)
    w32(r, p.origLen ?? p.data.length, 12)
    parts.push(r, p.data)
  }
  return Buffer.concat(parts)
}

export interface NgInterface {
  linkType: number
  snapLen?: number
  /** if_tsresol option byte (default: absent, i.e. microseconds). */
  tsresol?: number
  /** if_tsoffset in seconds. */
  tsoffset?: number
}

export type NgBlock =
  | { type: 'epb'; iface: number; ts: bigint; data: Buffer; origLen?: number }
  | { type: 'pb'; iface: number; ts: bigint; data: Buffer; origLen?: number }
  | { type: 'spb'; data: Buffer; origLen?: number }
  | { type: 'raw'; blockType: number; body: Buffer }

export interface NgSection {
  le?: boolean
  interfaces: NgInterface[]
  blocks: NgBlock[]
  /** Blocks to put between the section header and the interface blocks. */
  early?: NgBlock[]
}

function pad4(b: Buffer): Buffer {
  const n = (4 - (b.length % 4)) % 4
  return n ? Buffer.concat([b, Buffer.alloc(n)]) : b
}

export function pcapngFile(sections: NgSection[]): Buffer {
  const parts: Buffer[] = []
  for (const s of sections) {
    const le = s.le ?? true
    const u32 = (v: number) => {
      const b = Buffer.alloc(4)
      if (le) b.writeUInt32LE(v >>> 0)
      else b.writeUInt32BE(v >>> 0)
      return b
    }
    const u16 = (v: number) => {
      const b = Buffer.alloc(2)
      if (le) b.writeUInt16LE(v)
      else b.writeUInt16BE(v)
      return b
    }
    const block = (type: number, body: Buffer) => {
      const b = pad4(body)
      const total = b.length + 12
      return Buffer.concat([u32(type), u32(total), b, u32(total)])
    }
    const option = (code: number, value: Buffer) => Buffer.concat([u16(code), u16(value.length), pad4(value)])
    const encode = (blk: NgBlock): Buffer => {
      switch (blk.type) {
        case 'epb':
        case 'pb': {
          const hi = Number(blk.ts >> 32n)
          const lo = Number(blk.ts & 0xffffffffn)
          const head =
            blk.type === 'epb'
              ? Buffer.concat([u32(blk.iface), u32(hi), u32(lo), u32(blk.data.length), u32(blk.origLen ?? blk.data.length)])
              : Buffer.concat([u16(blk.iface), u16(0), u32(hi), u32(lo), u32(blk.data.length), u32(blk.origLen ?? blk.data.length)])
          // A comment option after the data, to check options are skipped.
          const opts = Buffer.concat([option(1, Buffer.from('pkt')), Buffer.alloc(4)])
          return block(blk.type === 'epb' ? 6 : 2, Buffer.concat([head, pad4(blk.data), opts]))
        }
        case 'spb':
          return block(3, Buffer.concat([u32(blk.origLen ?? blk.data.length), blk.data]))
        case 'raw':
          return block(blk.blockType, blk.body)
      }
    }
    // Section header: byte-order magic, version 1.0, section length -1, a shb_userappl option.
    const shbBody = Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), Buffer.alloc(8, 0xff), option(4, Buffer.from('smbscope tests')), Buffer.alloc(4)])
    parts.push(block(0x0a0d0d0a, shbBody))
    for (const b of s.early ?? []) parts.push(encode(b))
    for (const i of s.interfaces) {
      const opts: Buffer[] = [option(2, Buffer.from('eth0'))]
      if (i.tsresol !== undefined) opts.push(option(9, Buffer.from([i.tsresol])))
      if (i.tsoffset !== undefined) {
        const v = Buffer.alloc(8)
        if (le) v.writeBigInt64LE(BigInt(i.tsoffset))
        else v.writeBigInt64BE(BigInt(i.tsoffset))
        opts.push(option(14, v))
      }
      opts.push(Buffer.alloc(4))
      parts.push(block(1, Buffer.concat([u16(i.linkType), u16(0), u32(i.snapLen ?? 0), ...opts])))
    }
    for (const b of s.blocks) parts.push(encode(b))
  }
  return Buffer.concat(parts)
}

// ---- packets ------------------------------------------------------------------------------------------------

export function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number))
}

export function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined]
  const hs = head ? head.split(':') : []
  const ts = tail !== undefined && tail !== '' ? tail.split(':') : []
  const groups = tail === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts]
  const b = Buffer.alloc(16)
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2))
  return b
}

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const

export interface TcpSpec {
  sport: number
  dport: number
  seq: number
  ack?: number
  flags?: number
  payload?: Buffer
  /** Bytes of TCP options (padded to 4). */
  options?: Buffer
}

export function tcpBytes(t: TcpSpec): Buffer {
  const opts = pad4(t.options ?? Buffer.alloc(0))
  const h = Buffer.alloc(20)
  h.writeUInt16BE(t.sport, 0)
  h.writeUInt16BE(t.dport, 2)
  h.writeUInt32BE(t.seq >>> 0, 4)
  h.writeUInt32BE((t.ack ?? 0) >>> 0, 8)
  h[12] = ((20 + opts.length) / 4) << 4
  h[13] = t.flags ?? TCP.ACK
  h.writeUInt16BE(65535, 14)
  return Buffer.concat([h, opts, t.payload ?? Buffer.alloc(0)])
}

export interface Ipv4Spec {
  src: string
  dst: string
  proto?: number
  id?: number
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number
  moreFragments?: boolean
  options?: Buffer
  payload: Buffer
  /** Override the total length field. */
  totalLength?: number
}

export function ipv4Packet(s: Ipv4Spec): Buffer {
  const opts = pad4(s.options ?? Buffer.alloc(0))
  const h = Buffer.alloc(20)
  h[0] = 0x40 | ((20 + opts.length) / 4)
  h.writeUInt16BE(s.totalLength ?? 20 + opts.length + s.payload.length, 2)
  h.writeUInt16BE(s.id ?? 1, 4)
  h.writeUInt16BE(((s.fragOffset ?? 0) / 8) | (s.moreFragments ? 0x2000 : 0), 6)
  h[8] = 64
  h[9] = s.proto ?? 6
  ipv4Bytes(s.src).copy(h, 12)
  ipv4Bytes(s.dst).copy(h, 16)
  return Buffer.concat([h, opts, s.payload])
}

export interface Ipv6Spec {
  src: string
  dst: string
  /** Extension headers before the payload: [type, body] where body excludes the next-header/length bytes. */
  ext?: { type: number; body: Buffer }[]
  nextHeader?: number
  payload: Buffer
}

/** Builds an IPv6 packet; extension bodies are padded so each header is a multiple of 8 bytes. */
export function ipv6Packet(s: Ipv6Spec): Buffer {
  const exts = s.ext ?? []
  const finalNext = s.nextHeader ?? 6
  const encoded: Buffer[] = []
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? exts[i + 1]!.type : finalNext
    if (e.type === 44) {
      encoded.push(Buffer.concat([Buffer.from([next, 0]), e.body]))
      return
    }
    let body = Buffer.concat([Buffer.from([next, 0]), e.body])
    const padTo = Math.ceil(body.length / 8) * 8
    body = Buffer.concat([body, Buffer.alloc(padTo - body.length)])
    body[1] = body.length / 8 - 1
    encoded.push(body)
  })
  const payload = Buffer.concat([...encoded, s.payload])
  const h = Buffer.alloc(40)
  h[0] = 0x60
  h.writeUInt16BE(payload.length, 4)
  h[6] = exts.length ? exts[0]!.type : finalNext
  h[7] = 64
  ipv6Bytes(s.src).copy(h, 8)
  ipv6Bytes(s.dst).copy(h, 24)
  return Buffer.concat([h, payload])
}

/** The 8-byte IPv6 fragment header body after next-header/reserved: offset/flags and identification. */
export function fragmentHeaderBody(offset: number, more: boolean, id: number): Buffer {
  const b = Buffer.alloc(6)
  b.writeUInt16BE(offset | (more ? 1 : 0), 0)
  b.writeUInt32BE(id, 2)
  return b
}

export function ethernet(payload: Buffer, ethertype = 0x0800, vlans: { tpid: number; vid: number }[] = [], zeroMacs = false): Buffer {
  const macs = zeroMacs ? Buffer.alloc(12) : Buffer.from('0200000000010200000000020000', 'hex').subarray(0, 12)
  const tags = vlans.map((v) => {
    const t = Buffer.alloc(4)
    t.writeUInt16BE(v.tpid, 0)
    t.writeUInt16BE(v.vid, 2)
    return t
  })
  const type = Buffer.alloc(2)
  type.writeUInt16BE(ethertype)
  // Tags sit between the MACs and the final type: each tag's TPID is the "type" of the previous header.
  return Buffer.concat([macs, ...tags, type, payload])
}

export function sll(payload: Buffer, protocol = 0x0800): Buffer {
  const h = Buffer.alloc(16)
  h.writeUInt16BE(0, 0) // to us
  h.writeUInt16BE(1, 2) // ARPHRD_ETHER
  h.writeUInt16BE(6, 4)
  h.writeUInt16BE(protocol, 14)
  return Buffer.concat([h, payload])
}

export function sll2(payload: Buffer, protocol = 0x0800): Buffer {
  const h = Buffer.alloc(20)
  h.writeUInt16BE(protocol, 0)
  h.writeUInt32BE(2, 4) // interface index
  h.writeUInt16BE(1, 8) // ARPHRD_ETHER
  h[10] = 0
  h[11] = 6
  return Buffer.concat([h, payload])
}

export function nullLoopback(payload: Buffer, family: number, le: boolean): Buffer {
  const h = Buffer.alloc(4)
  if (le) h.writeUInt32LE(family)
  else h.writeUInt32BE(family)
  return Buffer.concat([h, payload])
}

// ---- SMB ----------------------------------------------------------------------------------------------------

/** A minimal SMB2 sync header (MS-SMB2 2.2.1.2) followed by `bodyLen` filler bytes. */
export function smb2Message(o: { command?: number; response?: boolean; messageId?: number; bodyLen?: number; fill?: number }): Buffer {
  const b = Buffer.alloc(64 + (o.bodyLen ?? 8), o.fill ?? 0)
  b.writeUInt32LE(0x424d53fe, 0)
  b.writeUInt16LE(64, 4)
  b.writeUInt16LE(o.command ?? 0, 12)
  b.writeUInt32LE(o.response ? 1 : 0, 16)
  b.writeBigUInt64LE(BigInt(o.messageId ?? 0), 24)
  return b
}

/** The Direct TCP / NetBIOS session header (type, 24-bit length) and the message. */
export function nbss(msg: Buffer, type = 0): Buffer {
  const h = Buffer.from([type, (msg.length >> 16) & 0xff, (msg.length >> 8) & 0xff, msg.length & 0xff])
  return Buffer.concat([h, msg])
}

// ---- TCP conversations --------------------------------------------------------------------------------------

export interface Endpoint {
  ip: string
  port: number
}

/**
 * A TCP conversation between a client and a server, tracking sequence numbers. Each method returns the link-layer
 * packet (Ethernet + IPv4/IPv6 by default) and advances the sender's sequence number.
 */
export class Conversation {
  cseq: number
  sseq: number
  private readonly v6: boolean
  constructor(
    readonly cli: Endpoint,
    readonly srv: Endpoint,
    cisn = 1000,
    sisn = 5000,
    private readonly link: (ip: Buffer, v6: boolean) => Buffer = (ip, v6) => ethernet(ip, v6 ? 0x86dd : 0x0800),
  ) {
    this.cseq = cisn >>> 0
    this.sseq = sisn >>> 0
    this.v6 = cli.ip.includes(':')
  }

  private packet(fromClient: boolean, t: Omit<TcpSpec, 'sport' | 'dport'>): Buffer {
    const [a, b] = fromClient ? [this.cli, this.srv] : [this.srv, this.cli]
    const seg = tcpBytes({ sport: a.port, dport: b.port, ...t })
    const ip = this.v6 ? ipv6Packet({ src: a.ip, dst: b.ip, payload: seg }) : ipv4Packet({ src: a.ip, dst: b.ip, payload: seg })
    return this.link(ip, this.v6)
  }

  syn(): Buffer {
    const p = this.packet(true, { seq: this.cseq, flags: TCP.SYN })
    this.cseq = (this.cseq + 1) >>> 0
    return p
  }

  synAck(): Buffer {
    const p = this.packet(false, { seq: this.sseq, ack: this.cseq, flags: TCP.SYN | TCP.ACK })
    this.sseq = (this.sseq + 1) >>> 0
    return p
  }

  /** Data from one side; `seq` overrides the sequence number without advancing it (for retransmissions). */
  data(fromClient: boolean, payload: Buffer, o: { seq?: number; flags?: number; ack?: number } = {}): Buffer {
    const seq = o.seq ?? (fromClient ? this.cseq : this.sseq)
    const ack = o.ack ?? (fromClient ? this.sseq : this.cseq)
    const p = this.packet(fromClient, { seq, ack, flags: o.flags ?? TCP.ACK | TCP.PSH, payload })
    if (o.seq === undefined) {
      if (fromClient) this.cseq = (this.cseq + payload.length) >>> 0
      else this.sseq = (this.sseq + payload.length) >>> 0
    }
    return p
  }

  ack(fromClient: boolean, ack?: number): Buffer {
    return this.packet(fromClient, { seq: fromClient ? this.cseq : this.sseq, ack: ack ?? (fromClient ? this.sseq : this.cseq), flags: TCP.ACK })
  }

  fin(fromClient: boolean): Buffer {
    const p = this.packet(fromClient, { seq: fromClient ? this.cseq : this.sseq, ack: fromClient ? this.sseq : this.cseq, flags: TCP.FIN | TCP.ACK })
    if (fromClient) this.cseq = (this.cseq + 1) >>> 0
    else this.sseq = (this.sseq + 1) >>> 0
    return p
  }

  rst(fromClient: boolean): Buffer {
    return this.packet(fromClient, { seq: fromClient ? this.cseq : this.sseq, flags: TCP.RST })
  }
}

/** Packets at one per millisecond from t0. */
export function timed(packets: Buffer[], t0 = 1_700_000_000): PcapPacket[] {
  return packets.map((data, i) => ({ time: t0 + i / 1000, data }))
}

/** Byte offsets where a pcap record or a pcapng block ends: the places a file can be cut cleanly. */
export function recordBoundaries(file: Buffer): number[] {
  const out: number[] = []
  if (file.readUInt32LE(0) === 0x0a0d0d0a) {
    let le = true
    for (let o = 0; o + 12 <= file.length; ) {
      if (file.readUInt32LE(o) === 0x0a0d0d0a) le = file.readUInt32LE(o + 8) === 0x1a2b3c4d
      const len = le ? file.readUInt32LE(o + 4) : file.readUInt32BE(o + 4)
      out.push((o += len))
    }
    return out
  }
  const magicLe = file.readUInt32LE(0)
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d || magicLe === 0xa1b2cd34
  const magic = le ? magicLe : file.readUInt32BE(0)
  const rh = magic === 0xa1b2cd34 ? 24 : 16
  let o = 24
  out.push(o)
  while (o + rh <= file.length) out.push((o += rh + (le ? file.readUInt32LE(o + 8) : file.readUInt32BE(o + 8))))
  return out
}
