import { describe, expect, it } from 'vitest'
import { PacketDecoder, type TcpSegment } from './packet-decoder.js'
import { formatIPv4, formatIPv6 } from './address.js'
import {
  TCP,
  ethernet,
  fragmentHeaderBody,
  ipv4Packet,
  ipv6Packet,
  nullLoopback,
  sll,
  sll2,
  tcpBytes,
} from './test-helpers/build.js'

const payload = Buffer.from('00000044fe534d42', 'hex')
const seg = tcpBytes({ sport: 49152, dport: 445, seq: 0x12345678, ack: 0x9abcdef0, flags: TCP.ACK | TCP.PSH, payload, options: Buffer.from('020405b4', 'hex') })
const v4 = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', payload: seg })
const v6 = ipv6Packet({ src: 'fe80::1', dst: '2001:db8::2', payload: seg })

let frame = 0
function decode(linkType: number, data: Buffer, d = new PacketDecoder(), time = 1, origLen = data.length): TcpSegment | null {
  return d.decode({ frame: ++frame, time, linkType, iface: 0, data, origLen })
}

function summary(s: TcpSegment | null) {
  if (!s) return null
  const fmt = s.v6 ? formatIPv6 : formatIPv4
  return {
    src: fmt(s.ip, s.srcOff),
    dst: fmt(s.ip, s.dstOff),
    sport: s.srcPort,
    dport: s.dstPort,
    seq: s.seq,
    ack: s.ack,
    flags: s.flags,
    payload: s.payload.toString('hex'),
    missing: s.missing,
  }
}

const want4 = { src: '10.0.0.1', dst: '10.0.0.2', sport: 49152, dport: 445, seq: 0x12345678, ack: 0x9abcdef0, flags: 0x18, payload: payload.toString('hex'), missing: 0 }
const want6 = { ...want4, src: 'fe80::1', dst: '2001:db8::2' }

describe('link layers', () => {
  it('Ethernet, with trailing padding ignored', () => {
    expect(summary(decode(1, Buffer.concat([ethernet(v4), Buffer.alloc(6)])))).toEqual(want4)
    expect(summary(decode(1, ethernet(v6, 0x86dd)))).toEqual(want6)
  })

  it('Ethernet with 802.1Q, 802.1ad and QinQ tags', () => {
    expect(summary(decode(1, ethernet(v4, 0x0800, [{ tpid: 0x8100, vid: 10 }])))).toEqual(want4)
    expect(summary(decode(1, ethernet(v6, 0x86dd, [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 10 }])))).toEqual(want6)
    expect(summary(decode(1, ethernet(v4, 0x0800, [{ tpid: 0x9100, vid: 1 }, { tpid: 0x8100, vid: 2 }])))).toEqual(want4)
  })

  it('Linux loopback as tcpdump writes it: Ethernet with zero MAC addresses', () => {
    expect(summary(decode(1, ethernet(v4, 0x0800, [], true)))).toEqual(want4)
  })

  it('Linux cooked SLL and SLL2', () => {
    expect(summary(decode(113, sll(v4)))).toEqual(want4)
    expect(summary(decode(113, sll(v6, 0x86dd)))).toEqual(want6)
    expect(summary(decode(276, sll2(v4)))).toEqual(want4)
    expect(summary(decode(276, sll2(v6, 0x86dd)))).toEqual(want6)
  })

  it('raw IP link types', () => {
    for (const lt of [101, 12, 14]) {
      expect(summary(decode(lt, v4))).toEqual(want4)
      expect(summary(decode(lt, v6))).toEqual(want6)
    }
    expect(summary(decode(228, v4))).toEqual(want4)
    expect(summary(decode(229, v6))).toEqual(want6)
    expect(decode(228, v6)).toBeNull()
  })

  it('BSD null/loopback in both byte orders, IPv6 families 24, 28 and 30, and DLT_LOOP', () => {
    for (const le of [true, false]) {
      expect(summary(decode(0, nullLoopback(v4, 2, le)))).toEqual(want4)
      for (const af of [24, 28, 30]) expect(summary(decode(0, nullLoopback(v6, af, le)))).toEqual(want6)
    }
    expect(summary(decode(108, nullLoopback(v4, 2, false)))).toEqual(want4)
    expect(decode(0, nullLoopback(v4, 7, true))).toBeNull()
  })

  it('skips other ethertypes and protocols, and warns once about an unknown link type', () => {
    const d = new PacketDecoder()
    expect(decode(1, ethernet(v4, 0x0806), d)).toBeNull()
    expect(decode(1, ethernet(ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, payload: Buffer.alloc(8) })), d)).toBeNull()
    expect(decode(147, v4, d)).toBeNull()
    expect(decode(147, v4, d)).toBeNull()
    expect(d.warnings.map((w) => w.message)).toEqual(['link type 147 is not supported: its packets are skipped'])
  })

  it('returns null for runts at every layer without throwing', () => {
    const full = ethernet(v6, 0x86dd, [{ tpid: 0x8100, vid: 1 }])
    for (let n = 0; n < full.length; n++) expect(() => decode(1, full.subarray(0, n))).not.toThrow()
  })
})

describe('IPv4', () => {
  it('skips options', () => {
    const withOpts = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', payload: seg, options: Buffer.from('94040000', 'hex') })
    expect(summary(decode(101, withOpts))).toEqual(want4)
  })

  it('reports the bytes a snapshot length cut off', () => {
    const cut = v4.subarray(0, v4.length - 3)
    expect(summary(decode(101, cut, undefined, 1, v4.length))).toEqual({ ...want4, payload: payload.subarray(0, 5).toString('hex'), missing: 3 })
  })

  it('takes a zero total length (segmentation offload) as "as long as captured"', () => {
    const tso = Buffer.from(v4)
    tso.writeUInt16BE(0, 2)
    expect(summary(decode(101, tso))).toEqual(want4)
  })

  function fragments(data: Buffer, size: number, id = 7): Buffer[] {
    const out: Buffer[] = []
    for (let off = 0; off < data.length; off += size) {
      out.push(ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', id, fragOffset: off, moreFragments: off + size < data.length, payload: data.subarray(off, off + size) }))
    }
    return out
  }

  it('reassembles fragments in any order', () => {
    const big = tcpBytes({ sport: 1, dport: 445, seq: 1, payload: Buffer.alloc(100, 0xab) })
    const frs = fragments(big, 48)
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const d = new PacketDecoder()
      const results = order.map((i) => decode(101, frs[i]!, d))
      expect(results.slice(0, 2)).toEqual([null, null])
      expect(results[2]!.payload.equals(Buffer.alloc(100, 0xab))).toBe(true)
      expect(results[2]!.frame).toBe(frame)
      expect(d.heldBytes).toBe(0)
    }
  })

  it('keeps the first copy of overlapping fragment bytes', () => {
    const big = tcpBytes({ sport: 1, dport: 445, seq: 1, payload: Buffer.alloc(60, 0x11) })
    const d = new PacketDecoder()
    const first = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', id: 9, fragOffset: 0, moreFragments: true, payload: big.subarray(0, 48) })
    const altered = Buffer.from(big)
    altered.fill(0x22, 24)
    const overlap = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', id: 9, fragOffset: 24, moreFragments: false, payload: altered.subarray(24) })
    expect(decode(101, first, d)).toBeNull()
    const s = decode(101, overlap, d)!
    // bytes 24..47 of the datagram come from the first fragment (0x11), the rest from the second (0x22)
    expect(s.payload.toString('hex')).toBe('11'.repeat(48 - 20) + '22'.repeat(80 - 48))
  })

  it('drops datagrams not completed within the timeout, and bounds what it holds', () => {
    const big = tcpBytes({ sport: 1, dport: 445, seq: 1, payload: Buffer.alloc(100) })
    const frs = fragments(big, 48)
    const d = new PacketDecoder({ fragmentTimeout: 30 })
    expect(decode(101, frs[0]!, d, 100)).toBeNull()
    expect(decode(101, frs[1]!, d, 200)).toBeNull() // the first fragment expired
    expect(decode(101, frs[2]!, d, 201)).toBeNull()
    expect(d.warnings.map((w) => w.message)).toEqual(['IP reassembly: an IP datagram was not reassembled within 30 s; the datagram is dropped (further such warnings suppressed)'])

    const small = new PacketDecoder({ maxFragmentedDatagrams: 4, maxFragmentBytes: 1000 })
    for (let id = 0; id < 50; id++) decode(101, fragments(big, 48, id)[0]!, small, 1)
    expect(small.heldBytes).toBeLessThanOrEqual(1000)
    // the most recent datagrams are still there and complete
    const last = fragments(big, 48, 49)
    expect(decode(101, last[1]!, small, 1)).toBeNull()
    expect(decode(101, last[2]!, small, 1)).not.toBeNull()
  })
})

describe('IPv6', () => {
  it('walks hop-by-hop, routing and destination options headers', () => {
    const p = ipv6Packet({
      src: 'fe80::1',
      dst: '2001:db8::2',
      ext: [
        { type: 0, body: Buffer.alloc(4) },
        { type: 43, body: Buffer.alloc(12) },
        { type: 60, body: Buffer.alloc(20) },
      ],
      payload: seg,
    })
    expect(summary(decode(229, p))).toEqual(want6)
  })

  it('steps over an atomic fragment header and reassembles real fragments', () => {
    const atomic = ipv6Packet({ src: 'fe80::1', dst: '2001:db8::2', ext: [{ type: 44, body: fragmentHeaderBody(0, false, 5) }], payload: seg })
    expect(summary(decode(229, atomic))).toEqual(want6)

    const big = tcpBytes({ sport: 49152, dport: 445, seq: 1, payload: Buffer.alloc(100, 0x5a) })
    // Fragmentable part: a destination options header, then TCP.
    const dest = Buffer.concat([Buffer.from([6, 0]), Buffer.alloc(6)])
    const whole = Buffer.concat([dest, big])
    const d = new PacketDecoder()
    const f1 = ipv6Packet({ src: 'fe80::1', dst: '2001:db8::2', ext: [{ type: 44, body: fragmentHeaderBody(0, true, 77) }], nextHeader: 60, payload: whole.subarray(0, 64) })
    const f2 = ipv6Packet({ src: 'fe80::1', dst: '2001:db8::2', ext: [{ type: 44, body: fragmentHeaderBody(64, false, 77) }], nextHeader: 60, payload: whole.subarray(64) })
    expect(decode(229, f2, d)).toBeNull()
    const s = decode(229, f1, d)!
    expect(s.srcPort).toBe(49152)
    expect(s.payload.equals(Buffer.alloc(100, 0x5a))).toBe(true)
    expect(formatIPv6(s.ip, s.srcOff)).toBe('fe80::1')
  })

  it('takes a zero payload length (offload) as "as long as captured", counting what the snapshot cut', () => {
    const tso = Buffer.from(v6)
    tso.writeUInt16BE(0, 4)
    expect(summary(decode(229, tso))).toEqual(want6)
    expect(summary(decode(229, tso.subarray(0, tso.length - 2), undefined, 1, tso.length))).toEqual({ ...want6, payload: payload.subarray(0, 6).toString('hex'), missing: 2 })
  })

  it('does not reassemble fragments of other protocols', () => {
    const d = new PacketDecoder()
    const udp = ipv6Packet({ src: 'fe80::1', dst: 'fe80::2', ext: [{ type: 44, body: fragmentHeaderBody(0, true, 1) }], nextHeader: 17, payload: Buffer.alloc(64) })
    expect(decode(229, udp, d)).toBeNull()
    expect(d.heldBytes).toBe(0)
  })
})

describe('TCP header', () => {
  it('rejects a data offset beyond the segment', () => {
    const bad = Buffer.from(seg)
    bad[12] = 0xf0
    expect(decode(228, ipv4Packet({ src: '1.1.1.1', dst: '2.2.2.2', payload: bad.subarray(0, 40) }))).toBeNull()
  })
})
