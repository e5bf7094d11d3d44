import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { NetbiosFramer, NetbiosType, encodeTransportHeader, type FramerOutput } from './netbios-framer.js'

/** A minimal SMB2-looking message: 0xFE 'SMB', StructureSize 64, then filler that encodes `tag`. */
function smb2(len: number, tag: number): Buffer {
  const b = Buffer.alloc(len, tag & 0xff)
  b.writeUInt32LE(0x424d53fe, 0)
  if (len >= 6) b.writeUInt16LE(64, 4)
  return b
}

/** The four-byte Direct TCP header followed by the payload, built independently of the framer. */
function frame(payload: Buffer, type = 0): Buffer {
  const h = Buffer.from([type, (payload.length >> 16) & 0xff, (payload.length >> 8) & 0xff, payload.length & 0xff])
  return Buffer.concat([h, payload])
}

function digest(b: Buffer): string {
  return `${b.length}:${createHash('sha1').update(b).digest('hex')}`
}

type Simple = { kind: string; hex?: string; type?: number; gap?: boolean; frame?: number }
function simplify(outs: FramerOutput[]): Simple[] {
  return outs.map((o) =>
    o.kind === 'message'
      ? { kind: 'message', hex: digest(o.data), gap: o.gapBefore }
      : o.kind === 'session'
        ? { kind: 'session', type: o.type, hex: o.data.toString('hex') }
        : { kind: 'bad' },
  )
}

function feedChunks(chunks: Buffer[], opts?: ConstructorParameters<typeof NetbiosFramer>[0]): FramerOutput[] {
  const f = new NetbiosFramer(opts)
  const out: FramerOutput[] = []
  chunks.forEach((c, i) => out.push(...f.push(c, i + 1, (i + 1) / 10)))
  return out
}

const messages = [smb2(64, 1), smb2(200, 2), smb2(1500, 3), smb2(65, 4), smb2(5000, 5)]
const stream = Buffer.concat([
  frame(Buffer.alloc(0), NetbiosType.Keepalive),
  frame(messages[0]!),
  frame(messages[1]!),
  frame(Buffer.from('20434b4644454e45434644464545464843', 'hex'), NetbiosType.SessionRequest),
  frame(messages[2]!),
  frame(Buffer.alloc(0)),
  frame(messages[3]!),
  frame(messages[4]!),
])
const expected: Simple[] = [
  { kind: 'session', type: 0x85, hex: '' },
  { kind: 'message', hex: digest(messages[0]!), gap: false },
  { kind: 'message', hex: digest(messages[1]!), gap: false },
  { kind: 'session', type: 0x81, hex: '20434b4644454e45434644464545464843' },
  { kind: 'message', hex: digest(messages[2]!), gap: false },
  { kind: 'session', type: 0, hex: '' },
  { kind: 'message', hex: digest(messages[3]!), gap: false },
  { kind: 'message', hex: digest(messages[4]!), gap: false },
]

describe('NetbiosFramer', () => {
  it('frames a whole stream pushed at once', () => {
    expect(simplify(feedChunks([stream]))).toEqual(expected)
  })

  it('gives the same result for a split at every byte position', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = simplify(feedChunks([stream.subarray(0, cut), stream.subarray(cut)]))
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ cut, got }).toEqual({ cut, got: expected })
    }
  })

  it('gives the same result when fed one byte at a time', () => {
    const chunks: Buffer[] = []
    for (let i = 0; i < stream.length; i++) chunks.push(stream.subarray(i, i + 1))
    expect(simplify(feedChunks(chunks))).toEqual(expected)
  })

  it('gives the same result for random splits into many chunks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length]
        const chunks = points.slice(1).map((end, i) => stream.subarray(points[i]!, end))
        expect(simplify(feedChunks(chunks))).toEqual(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('reports the chunk that supplied the last byte of each message as its frame', () => {
    const a = frame(smb2(100, 7))
    const b = frame(smb2(64, 8))
    // chunk 1: all of a and the first 10 bytes of b; chunk 2: nothing of ours; chunk 3: the rest of b
    const outs = feedChunks([Buffer.concat([a, b.subarray(0, 10)]), Buffer.alloc(0), b.subarray(10)])
    expect(outs.map((o) => [o.kind, o.frame, o.time])).toEqual([
      ['message', 1, 0.1],
      ['message', 3, 0.3],
    ])
  })

  it('takes the highest frame number when chunks arrive out of frame order', () => {
    const f = new NetbiosFramer()
    const m = frame(smb2(100, 1))
    expect(f.push(m.subarray(0, 50), 5, 5)).toEqual([])
    const outs = f.push(m.subarray(50), 4, 4)
    expect(outs.map((o) => o.frame)).toEqual([5])
  })

  it('reports an oversized frame as bad and skips it without buffering it', () => {
    const f = new NetbiosFramer({ maxMessageSize: 1000 })
    const big = frame(smb2(5000, 9))
    const ok = frame(smb2(64, 10))
    const outs = [...f.push(big.subarray(0, 2000), 1), ...f.push(Buffer.concat([big.subarray(2000), ok]), 2)]
    expect(outs.map((o) => o.kind)).toEqual(['bad', 'message'])
    expect(outs[0]).toMatchObject({ reason: 'transport message of 5000 bytes exceeds the limit of 1000', frame: 1 })
    expect(outs[1]).toMatchObject({ kind: 'message', gapBefore: true, frame: 2 })
    expect(f.pendingBytes).toBe(0)
    expect(f.skippedBytes).toBe(5000)
  })

  it('resynchronises after a bad header and marks the next message', () => {
    const garbage = Buffer.from('0100000a6f6f7073', 'hex')
    const ok = frame(smb2(64, 11))
    const outs = feedChunks([Buffer.concat([frame(smb2(64, 1)), garbage, ok])])
    expect(outs.map((o) => o.kind)).toEqual(['message', 'bad', 'message'])
    expect(outs[1]).toMatchObject({ reason: 'bad NetBIOS header: type 0x01' })
    expect(outs[2]).toMatchObject({ gapBefore: true })
    expect((outs[2] as { data: Buffer }).data.equals(smb2(64, 11))).toBe(true)
  })

  it('rejects a session message that is not SMB, then finds the next real one', () => {
    const notSmb = frame(Buffer.from('hello, world, this is not SMB'))
    const ok = frame(smb2(80, 12))
    for (let cut = 0; cut <= notSmb.length + ok.length; cut++) {
      const all = Buffer.concat([notSmb, ok])
      const outs = feedChunks([all.subarray(0, cut), all.subarray(cut)])
      expect(outs.map((o) => o.kind)).toEqual(['bad', 'message'])
      expect(outs[0]).toMatchObject({ reason: 'not an SMB message: payload 68 65 6c 6c' })
    }
  })

  it('passes any payload through when validateMagic is off', () => {
    const f = new NetbiosFramer({ validateMagic: false })
    const outs = f.push(frame(Buffer.from('abc')))
    expect(outs).toMatchObject([{ kind: 'message' }])
  })

  it('starts mid-stream by scanning for a plausible header, at any split', () => {
    const m1 = frame(smb2(300, 1))
    const m2 = frame(smb2(64, 2))
    const all = Buffer.concat([m1.subarray(123), m2, frame(Buffer.from('fd534d42' + '00'.repeat(48), 'hex'))])
    for (let cut = 0; cut <= all.length; cut++) {
      const outs = feedChunks([all.subarray(0, cut), all.subarray(cut)], { resync: true })
      expect(simplify(outs)).toEqual([
        { kind: 'message', hex: digest(smb2(64, 2)), gap: false },
        { kind: 'message', hex: digest(Buffer.from('fd534d42' + '00'.repeat(48), 'hex')), gap: false },
      ])
    }
  })

  it('does not take a zero byte followed by a non-SMB length for a header while scanning', () => {
    // 00 00 00 40 fe 'SMB' but the StructureSize is not 64
    const decoy = Buffer.from('00000040fe534d4241000000', 'hex')
    const outs = feedChunks([Buffer.concat([decoy, frame(smb2(64, 3))])], { resync: true })
    expect(outs).toHaveLength(1)
    expect((outs[0] as { data: Buffer }).data.equals(smb2(64, 3))).toBe(true)
  })

  it('after a gap inside a message skips the rest of it and keeps the next one', () => {
    const m1 = frame(smb2(1000, 1))
    const m2 = frame(smb2(64, 2))
    const f = new NetbiosFramer()
    expect(f.push(m1.subarray(0, 300), 1)).toEqual([])
    f.gap(200) // bytes 300..500 lost
    const outs = f.push(Buffer.concat([m1.subarray(500), m2]), 2)
    expect(simplify(outs)).toEqual([{ kind: 'message', hex: digest(smb2(64, 2)), gap: true }])
  })

  it('after a gap that swallowed a header scans for the next one', () => {
    const m1 = frame(smb2(100, 1))
    const m2 = frame(smb2(100, 2))
    const m3 = frame(smb2(64, 3))
    const f = new NetbiosFramer()
    expect(f.push(m1, 1)).toHaveLength(1)
    f.gap(50) // the first 50 bytes of m2 lost, header included
    const outs = f.push(Buffer.concat([m2.subarray(50), m3]), 2)
    expect(simplify(outs)).toEqual([{ kind: 'message', hex: digest(smb2(64, 3)), gap: true }])
    expect(f.badFrames).toBe(0)
  })

  it('a gap larger than the rest of the message, or of unknown size, makes it scan', () => {
    const m1 = frame(smb2(1000, 1))
    const m2 = frame(smb2(64, 2))
    const f = new NetbiosFramer()
    f.push(m1.subarray(0, 100))
    f.gap()
    expect(f.scanning).toBe(true)
    const outs = f.push(Buffer.concat([m1.subarray(600), m2]))
    expect(simplify(outs)).toEqual([{ kind: 'message', hex: digest(smb2(64, 2)), gap: true }])
  })

  it('survives arbitrary bytes without throwing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), fc.boolean(), (chunks, resync) => {
        const f = new NetbiosFramer({ resync, maxMessageSize: 4096 })
        for (const c of chunks) {
          for (const o of f.push(Buffer.from(c))) {
            if (o.kind === 'message') expect(o.data.length).toBeLessThanOrEqual(4096)
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('encodeTransportHeader writes the header the framer reads back', () => {
    const body = smb2(300, 7)
    const h = encodeTransportHeader(body.length)
    expect(h.toString('hex')).toBe('0000012c')
    const outs = new NetbiosFramer().push(Buffer.concat([h, body]))
    expect(simplify(outs)).toEqual([{ kind: 'message', hex: digest(body), gap: false }])
    expect(encodeTransportHeader(0xffffff).toString('hex')).toBe('00ffffff')
    expect(() => encodeTransportHeader(0x1000000)).toThrow(/does not fit/)
  })
})
