import { describe, expect, it } from 'vitest'
import { CaptureDecoder, type CaptureDecoderOptions } from './decoder.js'
import type { CaptureEvent, CaptureMessage } from './events.js'
import { Conversation, TCP, ethernet, ipv4Packet, nbss, pcapFile, smb2Message, tcpBytes, timed, type PcapPacket } from './test-helpers/build.js'

const CLI = { ip: '10.0.0.1', port: 49152 }
const SRV = { ip: '10.0.0.2', port: 445 }
const CONN = '10.0.0.1:49152-10.0.0.2:445'

function run(packets: Buffer[] | PcapPacket[], opts?: CaptureDecoderOptions): CaptureEvent[] {
  const list: PcapPacket[] = Buffer.isBuffer(packets[0]) ? timed(packets as Buffer[]) : (packets as PcapPacket[])
  const d = new CaptureDecoder(opts)
  return [...d.push(pcapFile(list)), ...d.end()]
}

/** Events in a compact, comparable form. */
function brief(evs: CaptureEvent[]): string[] {
  return evs.map((e) => {
    if (e.kind === 'message') {
      const id = e.data.length >= 32 && e.data[0] === 0xfe ? `#${e.data.readBigUInt64LE(24)}` : e.data.subarray(0, 4).toString('hex')
      return `msg f${e.frame} ${e.fromClient ? 'c' : 's'} ${id} ${e.data.length}${e.gapBefore ? ' gap' : ''}${e.truncated ? ' trunc' : ''}`
    }
    if (e.kind === 'tcp') return `${e.event} f${e.frame} ${e.fromClient ? 'c' : 's'}${e.detail ? ` ${e.detail}` : ''}`
    return `warning${e.frame ? ` f${e.frame}` : ''} ${e.message}`
  })
}

const req = (id: number, bodyLen = 8) => smb2Message({ messageId: id, bodyLen, fill: id })
const rsp = (id: number, bodyLen = 8) => smb2Message({ messageId: id, response: true, bodyLen, fill: id })

function handshake(c: Conversation): Buffer[] {
  return [c.syn(), c.synAck(), c.ack(true)]
}

describe('TCP reassembly into SMB transport messages', () => {
  it('follows a connection from SYN to both FINs', () => {
    const c = new Conversation(CLI, SRV)
    const evs = run([...handshake(c), c.data(true, nbss(req(1))), c.data(false, nbss(rsp(1))), c.fin(true), c.fin(false), c.ack(true)])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f4 c #1 72', 'msg f5 s #1 72', 'close f6 c FIN', 'close f7 s FIN from both sides'])
    for (const e of evs) if (e.kind !== 'warning') expect(e).toMatchObject({ conn: CONN, stream: 0 })
    expect((evs[1] as CaptureMessage).data.equals(req(1))).toBe(true)
    expect((evs[1] as CaptureMessage).time).toBeCloseTo(1_700_000_000.003, 6)
  })

  it('names the frame that completes a message split over segments, and several messages in one segment', () => {
    const c = new Conversation(CLI, SRV)
    const stream = Buffer.concat([nbss(req(1, 3000)), nbss(req(2)), nbss(req(3))])
    const evs = run([...handshake(c), c.data(true, stream.subarray(0, 1000)), c.data(true, stream.subarray(1000, 2000)), c.data(true, stream.subarray(2000, 3100)), c.data(true, stream.subarray(3100))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f6 c #1 3064', 'msg f7 c #2 72', 'msg f7 c #3 72'])
  })

  it('reorders segments and names the frame that filled the hole', () => {
    const c = new Conversation(CLI, SRV)
    const m = nbss(req(1, 2000))
    const hs = handshake(c)
    const s1 = c.data(true, m.subarray(0, 700))
    const s2 = c.data(true, m.subarray(700, 1400))
    const s3 = c.data(true, m.subarray(1400))
    const evs = run([...hs, s1, s3, s2])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f6 c #1 2064'])
    expect((evs[1] as CaptureMessage).data.equals(req(1, 2000))).toBe(true)
  })

  it('ignores retransmissions and keeps the first copy of overlapping bytes', () => {
    const c = new Conversation(CLI, SRV)
    const m = nbss(req(1, 200))
    const base = c.cseq + 1 // after the SYN
    const hs = handshake(c)
    const first = c.data(true, m.subarray(0, 150))
    // A retransmission covering the same bytes with different content, then one that overlaps and extends.
    const altered = Buffer.from(m)
    altered.fill(0xee, 100)
    const dup = c.data(true, altered.subarray(0, 150), { seq: base })
    const overlap = c.data(true, altered.subarray(100), { seq: base + 100 })
    c.cseq = (base + m.length) >>> 0
    const evs = run([...hs, first, dup, overlap, c.data(true, nbss(req(2)))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f6 c #1 264', 'msg f7 c #2 72'])
    const got = (evs[1] as CaptureMessage).data
    expect(got.subarray(0, 146).equals(req(1, 200).subarray(0, 146))).toBe(true) // first copy wins
    expect(got.subarray(146).every((b) => b === 0xee)).toBe(true) // bytes only the later copy had
  })

  it('keeps the first copy among overlapping out-of-order segments', () => {
    const c = new Conversation(CLI, SRV)
    const m = nbss(req(1, 300))
    const hs = handshake(c)
    const base = c.cseq
    const a = Buffer.from(m)
    a.fill(0xaa, 100)
    const b = Buffer.from(m)
    b.fill(0xbb, 100)
    // [150, 250) arrives first with 0xaa, then [100, 300) with 0xbb, then [0, 100) fills the hole, then the rest
    const evs = run([
      ...hs,
      c.data(true, a.subarray(150, 250), { seq: base + 150 }),
      c.data(true, b.subarray(100, 300), { seq: base + 100 }),
      c.data(true, m.subarray(0, 100), { seq: base }),
      c.data(true, b.subarray(300), { seq: base + 300 }),
    ])
    const got = (evs.find((e) => e.kind === 'message') as CaptureMessage).data
    const expected = Buffer.concat([m.subarray(4, 100), b.subarray(100, 150), a.subarray(150, 250), b.subarray(250)])
    expect(got.equals(expected)).toBe(true)
  })

  it('declares a hole lost when the receiver acknowledged it, and carries on at the next message', () => {
    const c = new Conversation(CLI, SRV)
    const m1 = nbss(req(1, 3000))
    const hs = handshake(c)
    const p1 = c.data(true, m1.subarray(0, 1000))
    c.data(true, m1.subarray(1000, 2000)) // lost: never captured
    const p3 = c.data(true, m1.subarray(2000))
    const p4 = c.data(true, nbss(req(2)))
    const evs = run([...hs, p1, p3, c.ack(false), p4, c.data(false, nbss(rsp(2)))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'gap f5 c 1000 bytes acknowledged but not captured', 'msg f7 c #2 72 gap', 'msg f8 s #2 72'])
  })

  it('without acknowledgements, declares the hole at the end of the capture and keeps frame numbers', () => {
    const c = new Conversation(CLI, SRV)
    const hs = handshake(c)
    const p1 = c.data(true, nbss(req(1)))
    c.data(true, nbss(req(2))) // lost
    const p3 = c.data(true, nbss(req(3)))
    const evs = run([...hs, p1, p3])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f4 c #1 72', 'gap f5 c 76 bytes not captured', 'msg f5 c #3 72 gap'])
  })

  it('declares the hole when the out-of-order buffer is full, and bounds what it holds', () => {
    const c = new Conversation(CLI, SRV)
    const hs = handshake(c)
    c.data(true, nbss(req(0))) // lost
    const later: Buffer[] = []
    for (let i = 1; i <= 40; i++) later.push(c.data(true, nbss(req(i, 1000))))
    const d = new CaptureDecoder({ maxSegmentsPerDirection: 8 })
    const evs = [...d.push(pcapFile(timed([...hs, ...later.slice(0, 20)])))]
    expect(d.heldBytes).toBeLessThanOrEqual(9 * 1068)
    evs.push(...d.push(Buffer.alloc(0)), ...d.end())
    const b = brief(evs)
    expect(b.slice(0, 3)).toEqual(['open f1 c SYN', 'gap f4 c 76 bytes not captured (reassembly buffer limit reached)', 'msg f4 c #1 1064 gap'])
    expect(b.filter((x) => x.startsWith('msg'))).toHaveLength(20)
  })

  it('picks up a capture that starts mid-stream at the next SMB header', () => {
    const c = new Conversation(CLI, SRV)
    const m1 = nbss(req(1, 500))
    const stream = Buffer.concat([m1, nbss(req(2)), nbss(req(3))])
    c.data(true, stream.subarray(0, 300)) // before the capture started
    const evs = run([c.data(false, nbss(rsp(1))), c.data(true, stream.subarray(300, 600)), c.data(true, stream.subarray(600))])
    expect(brief(evs)).toEqual(['msg f1 s #1 72', 'msg f3 c #2 72', 'msg f3 c #3 72'])
    expect(evs[0]).toMatchObject({ conn: CONN })
  })

  it('handles sequence numbers that wrap around 2^32', () => {
    const c = new Conversation(CLI, SRV, 0xffffff00, 0xfffffff0)
    const m = nbss(req(1, 600))
    const hs = handshake(c)
    const parts = [c.data(true, m.subarray(0, 200)), c.data(true, m.subarray(200, 400)), c.data(true, m.subarray(400))]
    const evs = run([...hs, parts[0]!, parts[2]!, parts[1]!, c.data(false, nbss(rsp(1, 100))), c.data(true, nbss(req(2)))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f6 c #1 664', 'msg f7 s #1 164', 'msg f8 c #2 72'])
    expect(c.cseq).toBeLessThan(0x1000)
  })

  it('consumes the NetBIOS session service on port 139', () => {
    const c = new Conversation(CLI, { ip: '10.0.0.2', port: 139 })
    const request = nbss(Buffer.concat([Buffer.from(' CKFDENECFDEFFCFGEFFCCACACACACACA\0'), Buffer.from(' EOFAEPFDEFFCCACACACACACACACACAAA\0')]), 0x81)
    const evs = run([
      ...handshake(c),
      c.data(true, request),
      c.data(false, nbss(Buffer.alloc(0), 0x82)),
      c.data(true, Buffer.concat([nbss(Buffer.alloc(0), 0x85), nbss(req(1))])),
      c.data(false, nbss(rsp(1))),
    ])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f6 c #1 72', 'msg f7 s #1 72'])
    expect(evs[1]).toMatchObject({ conn: '10.0.0.1:49152-10.0.0.2:139' })
  })

  it('recognises SMB on another port by its first transport frame, and ignores other protocols', () => {
    const smb = new Conversation(CLI, { ip: '10.0.0.2', port: 8445 })
    const http = new Conversation({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.3', port: 80 })
    const evs = run([
      ...handshake(smb),
      ...handshake(http),
      http.data(true, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      http.data(false, Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), nbss(rsp(9))])),
      smb.data(true, nbss(req(1))),
      smb.data(false, nbss(rsp(1))),
      http.fin(true),
      smb.fin(true),
    ])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f9 c #1 72', 'msg f10 s #1 72', 'close f12 c FIN'])
    expect(evs.map((e) => (e.kind === 'warning' ? '' : e.stream))).toEqual([0, 0, 0, 0])
    expect(evs[1]).toMatchObject({ conn: '10.0.0.1:49152-10.0.0.2:8445' })
  })

  it('recognises SMB on another port picked up mid-stream, and takes the client from the first request', () => {
    const c = new Conversation({ ip: '10.0.0.9', port: 7000 }, { ip: '10.0.0.8', port: 9000 })
    c.data(true, nbss(req(1)))
    // The server's response comes first: its sender is the server.
    const evs = run([c.data(false, nbss(rsp(1))), c.data(true, nbss(req(2)))])
    expect(brief(evs)).toEqual(['msg f1 s #1 72', 'msg f2 c #2 72'])
    expect(evs[0]).toMatchObject({ conn: '10.0.0.9:7000-10.0.0.8:9000' })
  })

  it('takes the side talking to port 445 as the client when no SYN was seen', () => {
    const c = new Conversation({ ip: '10.0.0.2', port: 445 }, { ip: '10.0.0.1', port: 49152 })
    // Built "backwards": the builder's client is the 445 side; its packets carry responses.
    const evs = run([c.data(true, nbss(rsp(1))), c.data(false, nbss(req(2)))])
    expect(brief(evs)).toEqual(['msg f1 s #1 72', 'msg f2 c #2 72'])
    expect(evs[0]).toMatchObject({ conn: CONN })
  })

  it('prefers the SYN sender over the port rule', () => {
    // A client on port 445 connecting to a server on 50000 (as a peer-to-peer test might).
    const c = new Conversation({ ip: '10.0.0.2', port: 445 }, { ip: '10.0.0.1', port: 50000 })
    const evs = run([...handshake(c), c.data(true, nbss(req(1)))])
    expect(evs[1]).toMatchObject({ conn: '10.0.0.2:445-10.0.0.1:50000', fromClient: true })
  })

  it('brackets IPv6 addresses in the connection id', () => {
    const c = new Conversation({ ip: '2001:db8::1', port: 49152 }, { ip: '2001:db8::2', port: 445 })
    const evs = run([...handshake(c), c.data(true, nbss(req(1)))])
    expect(evs[1]).toMatchObject({ kind: 'message', conn: '[2001:db8::1]:49152-[2001:db8::2]:445' })
  })

  it('reports a reset, ignores what follows, and numbers a new connection on the same ports', () => {
    const c = new Conversation(CLI, SRV)
    const first = [...handshake(c), c.data(true, nbss(req(1))), c.rst(false), c.data(true, nbss(req(2)))]
    const c2 = new Conversation(CLI, SRV, 777777, 888888)
    const evs = run([...first, ...handshake(c2), c2.data(true, nbss(req(3)))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f4 c #1 72', 'reset f5 s RST', 'open f7 c SYN', 'msg f10 c #3 72'])
    expect(evs.map((e) => (e.kind === 'warning' ? '' : e.stream))).toEqual([0, 0, 0, 1, 1])
  })

  it('opens on a SYN-ACK when the SYN was not captured, and takes its receiver as the client', () => {
    const c = new Conversation({ ip: '10.0.0.1', port: 7000 }, { ip: '10.0.0.2', port: 7001 })
    c.syn() // not captured
    const evs = run([c.synAck(), c.ack(true), c.data(false, nbss(rsp(1))), c.data(true, nbss(req(2)))])
    // On ports other than 445/139 the open event waits until the stream is known to be SMB.
    expect(brief(evs)).toEqual(['open f1 s SYN-ACK', 'msg f3 s #1 72', 'msg f4 c #2 72'])
    expect(evs[0]).toMatchObject({ conn: '10.0.0.1:7000-10.0.0.2:7001' })
  })

  it('bounds out-of-order data over all connections', () => {
    const d = new CaptureDecoder({ maxBufferedTotal: 50_000 })
    const pk: Buffer[] = []
    for (let i = 0; i < 10; i++) {
      const c = new Conversation({ ip: '10.0.1.1', port: 41000 + i }, SRV)
      pk.push(...handshake(c))
      c.data(true, nbss(req(0))) // lost
      for (let k = 0; k < 10; k++) pk.push(c.data(true, nbss(req(k + 1, 1000))))
    }
    const evs = d.push(pcapFile(timed(pk)))
    expect(d.heldBytes).toBeLessThanOrEqual(50_000 + 1068)
    expect(evs.filter((e) => e.kind === 'tcp' && e.event === 'gap').length).toBeGreaterThan(0)
    const all = [...evs, ...d.end()]
    expect(all.filter((e) => e.kind === 'message')).toHaveLength(100)
  })

  it('keeps a retransmitted SYN in the same connection', () => {
    const c = new Conversation(CLI, SRV)
    const syn = c.syn()
    const evs = run([syn, syn, c.synAck(), c.ack(true), c.data(true, nbss(req(1)))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f5 c #1 72'])
    expect(evs[1]).toMatchObject({ stream: 0 })
  })

  it('hands out a message cut by the snapshot length, marked, and goes on', () => {
    const c = new Conversation(CLI, SRV)
    const hs = handshake(c)
    const big = c.data(false, nbss(rsp(1, 4000)))
    const next = c.data(false, nbss(rsp(2)))
    const evs = run([...timed(hs), { time: 1_700_000_001, data: big.subarray(0, 200), origLen: big.length }, { time: 1_700_000_002, data: next }])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'msg f4 s #1 142 trunc', 'gap f4 s 3922 bytes not captured (snapshot length)', 'msg f5 s #2 72'])
  })

  it('reports a bad transport frame as a warning and resynchronises', () => {
    const c = new Conversation(CLI, SRV)
    const evs = run([...handshake(c), c.data(true, Buffer.concat([Buffer.from('0100000a0102030405060708090a', 'hex'), nbss(req(1))]))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'warning f4 client stream: bad NetBIOS header: type 0x01', 'msg f4 c #1 72 gap'])
  })

  it('does not take a port-445 packet without TCP payload for a message', () => {
    const p = ethernet(ipv4Packet({ src: CLI.ip, dst: SRV.ip, payload: tcpBytes({ sport: CLI.port, dport: 445, seq: 1, flags: TCP.ACK }) }))
    expect(run([p, p])).toEqual([])
  })

  it('forgets closed connections after a while, keeping their stream number for late packets until then', () => {
    const c = new Conversation(CLI, SRV)
    const pk: PcapPacket[] = timed([...handshake(c), c.data(true, nbss(req(1))), c.fin(true), c.fin(false)])
    const late = (dt: number) => ({ time: 1_700_000_000 + dt, data: c.ack(true) })
    const other = new Conversation({ ip: '10.9.9.9', port: 1 }, { ip: '10.9.9.8', port: 2 })
    const filler = (dt: number) => Array.from({ length: 5 }, () => ({ time: 1_700_000_000 + dt, data: other.ack(true) }))
    const d = new CaptureDecoder({ sweepInterval: 4 })
    d.push(pcapFile([...pk, ...filler(100), late(101)]))
    expect(d.tcpStreams).toBe(2) // the late ACK still belongs to stream 0
    d.push(pcapFile([...filler(500), late(501)]).subarray(24))
    expect(d.tcpStreams).toBe(3) // swept after 300 s: a new conversation, as a fresh capture would see it
  })

  it('says when the capture ends inside a message, but not while it was still looking for one', () => {
    const c = new Conversation(CLI, SRV)
    const m = nbss(req(1, 1000))
    const evs = run([...handshake(c), c.data(true, m.subarray(0, 500))])
    expect(brief(evs)).toEqual(['open f1 c SYN', 'warning the capture ends inside 1 incomplete SMB transport message (500 bytes held); it is not reported'])
    const mid = new Conversation(CLI, SRV)
    mid.data(true, m.subarray(0, 100))
    expect(run([mid.data(true, m.subarray(100, 500))])).toEqual([])
  })

  it('holds nothing once connections are closed', () => {
    const d = new CaptureDecoder()
    for (let i = 0; i < 20; i++) {
      const c = new Conversation({ ip: '10.0.0.1', port: 40000 + i }, SRV)
      const hs = handshake(c)
      const m = nbss(req(i, 5000))
      const a = c.data(true, m.subarray(0, 100))
      c.data(true, m.subarray(100, 200)) // lost
      const b = c.data(true, m.subarray(200))
      d.push(pcapFile(timed([...hs, a, b, c.fin(true), c.fin(false)])))
    }
    expect(d.heldBytes).toBe(0)
  })
})
