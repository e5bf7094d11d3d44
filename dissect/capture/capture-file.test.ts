import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CaptureFileReader, type RawPacket } from './capture-file.js'
import { CaptureFormatError } from './errors.js'
import { pcapFile, pcapngFile, recordBoundaries, type NgSection } from './test-helpers/build.js'

const haveTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

interface Got {
  packets: { frame: number; time: number; linkType: number; iface: number; hex: string; origLen: number }[]
  warnings: { message: string; frame?: number }[]
  frames: number
}

function read(file: Buffer, chunkSize = file.length || 1): Got {
  const got: Got = { packets: [], warnings: [], frames: 0 }
  const r = new CaptureFileReader({
    packet: (p: RawPacket) => got.packets.push({ frame: p.frame, time: p.time, linkType: p.linkType, iface: p.iface, hex: p.data.toString('hex'), origLen: p.origLen }),
    warning: (message, frame) => got.warnings.push(frame === undefined ? { message } : { message, frame }),
  })
  for (let i = 0; i < file.length; i += chunkSize) r.push(file.subarray(i, i + chunkSize))
  r.end()
  got.frames = r.frames
  return got
}

const pkts = [
  { time: 1_700_000_000.25, data: Buffer.from('00112233445566', 'hex') },
  { time: 1_700_000_001.5, data: Buffer.from('aabbccdd', 'hex'), origLen: 1514 },
  { time: 1_700_000_002, data: Buffer.alloc(0) },
]

describe('pcap', () => {
  for (const le of [true, false]) {
    for (const variant of ['usec', 'nsec', 'modified'] as const) {
      it(`reads ${le ? 'little' : 'big'}-endian ${variant} files`, () => {
        const f = pcapFile(pkts, { le, nano: variant === 'nsec', modified: variant === 'modified', linkType: 113 })
        const got = read(f)
        expect(got.warnings).toEqual([])
        expect(got.frames).toBe(3)
        expect(got.packets.map((p) => [p.frame, p.hex, p.linkType, p.origLen])).toEqual([
          [1, '00112233445566', 113, 7],
          [2, 'aabbccdd', 113, 1514],
          [3, '', 113, 0],
        ])
        expect(got.packets[0]!.time).toBeCloseTo(1_700_000_000.25, 6)
        expect(got.packets[1]!.time).toBeCloseTo(1_700_000_001.5, 6)
      })
    }
  }

  it.skipIf(!haveTshark)('agrees with tshark on every variant (skipped without tshark)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-pcap-'))
    try {
      for (const le of [true, false]) {
        for (const variant of ['usec', 'nsec', 'modified'] as const) {
          const f = pcapFile(pkts, { le, nano: variant === 'nsec', modified: variant === 'modified' })
          const p = join(dir, 'x.pcap')
          writeFileSync(p, f)
          const out = execFileSync('tshark', ['-r', p, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch'], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          })
          const theirs = out.split('\n').filter(Boolean).map((l) => l.split('\t').map(Number))
          const ours = read(f).packets.map((x) => [x.frame, x.origLen, x.hex.length / 2, x.time])
          expect(ours.length).toBe(theirs.length)
          ours.forEach((o, i) => {
            expect(o.slice(0, 3)).toEqual(theirs[i]!.slice(0, 3))
            expect(o[3]).toBeCloseTo(theirs[i]![3]!, 6)
          })
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps nanosecond precision in the fraction', () => {
    const f = pcapFile([{ time: 1_700_000_000.000000123, data: Buffer.alloc(1) }], { nano: true })
    // 1_700_000_000.000000123 is not representable exactly; check the fraction the file holds (123 ns, rounded by the double)
    const t = read(f).packets[0]!.time
    expect(Math.round((t - 1_700_000_000) * 1e9)).toBe(Math.round((1_700_000_000.000000123 - 1_700_000_000) * 1e9))
  })

  it('masks the FCS bits out of the link type field', () => {
    const f = pcapFile(pkts.slice(0, 1), { linkType: 0x10000001 })
    expect(read(f).packets[0]!.linkType).toBe(1)
  })

  it('reads the same packets whatever the chunk size', () => {
    const f = pcapFile(pkts, { le: false })
    const whole = read(f)
    for (const size of [1, 2, 3, 5, 7, 16, 17, 24, 25, 40]) expect(read(f, size)).toEqual(whole)
  })

  it('stops on a record with an impossible length, keeping what came before', () => {
    const f = pcapFile(pkts)
    // the second record's captured length (record header at 24 + 16 + 7)
    f.writeUInt32LE(0x7fffffff, 24 + 16 + 7 + 8)
    const got = read(f)
    expect(got.packets).toHaveLength(1)
    expect(got.warnings).toEqual([
      { message: 'capture file corrupt: the pcap record after frame 1 (byte 47) claims 2147483647 captured bytes, more than 262144; stopped there', frame: 1 },
    ])
  })
})

describe('pcapng', () => {
  const sections: NgSection[] = [
    {
      le: true,
      early: [{ type: 'raw', blockType: 0x0a, body: Buffer.from('4b534c540400000041424344', 'hex') }], // DSB: TLS key log, 4 bytes
      interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 9, snapLen: 3 }],
      blocks: [
        { type: 'epb', iface: 0, ts: 1_700_000_000_250_000n, data: Buffer.from('0102030405', 'hex') },
        { type: 'raw', blockType: 4, body: Buffer.from('0000000000000000', 'hex') }, // NRB
        { type: 'epb', iface: 1, ts: 1_700_000_001_000_000_500n, data: Buffer.from('a1a2', 'hex'), origLen: 60 },
        { type: 'raw', blockType: 0x12345678, body: Buffer.from('unknown block') },
        { type: 'spb', data: Buffer.from('cafe', 'hex') },
        { type: 'raw', blockType: 5, body: Buffer.alloc(12) }, // ISB
        { type: 'pb', iface: 1, ts: 1_700_000_002_000_000_000n, data: Buffer.from('beef', 'hex') },
      ],
    },
    {
      le: false,
      // 2^-10 s units and a 100 s offset; the section resets interface numbering.
      interfaces: [{ linkType: 0, tsresol: 0x80 | 10, tsoffset: 100 }],
      blocks: [
        { type: 'epb', iface: 0, ts: 1024n * 1_700_000_000n + 512n, data: Buffer.from('02000000', 'hex') },
        { type: 'raw', blockType: 9, body: Buffer.from('__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=journal entry\n') }, // systemd journal export: a frame
        { type: 'raw', blockType: 0x40000bad, body: Buffer.from('00007ed9', 'hex') }, // custom block: a frame too
        { type: 'epb', iface: 0, ts: 1024n * 1_700_000_001n, data: Buffer.from('ff', 'hex') },
      ],
    },
  ]
  const file = pcapngFile(sections)

  it('reads sections of both byte orders, several interfaces, EPB, SPB and PB, skipping other blocks', () => {
    const got = read(file)
    expect(got.warnings).toEqual([])
    // Frame numbers as tshark 4.0 gives them: the journal entry and the custom block count (checked with tshark).
    expect(got.frames).toBe(8)
    expect(got.packets.map((p) => [p.frame, p.iface, p.linkType, p.hex, p.origLen])).toEqual([
      [1, 0, 1, '0102030405', 5],
      [2, 1, 101, 'a1a2', 60],
      [3, 0, 1, 'cafe', 2],
      [4, 1, 101, 'beef', 2],
      [5, 0, 0, '02000000', 4],
      [8, 0, 0, 'ff', 1],
    ])
    const t = got.packets.map((p) => p.time)
    expect(t[0]).toBeCloseTo(1_700_000_000.25, 6)
    expect(t[1]).toBeCloseTo(1_700_000_001.0000005, 6)
    expect(t[2]).toBe(t[1]) // an SPB has no timestamp: the previous one is kept
    expect(t[3]).toBeCloseTo(1_700_000_002, 6)
    expect(t[4]).toBeCloseTo(1_700_000_100.5, 6)
    expect(t[5]).toBeCloseTo(1_700_000_101, 6)
  })

  it.skipIf(!haveTshark)('numbers frames as tshark does (skipped without tshark)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-ng-'))
    try {
      const p = join(dir, 'x.pcapng')
      writeFileSync(p, file)
      const out = execFileSync('tshark', ['-r', p, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t').map(Number))
      expect(rows.length).toBe(read(file).frames)
      // the packets' wire lengths at the frame numbers we give them
      for (const pk of read(file).packets) expect(rows[pk.frame - 1]).toEqual([pk.frame, pk.origLen])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('limits an SPB to the interface snapshot length', () => {
    const f = pcapngFile([{ interfaces: [{ linkType: 1, snapLen: 3 }], blocks: [{ type: 'spb', data: Buffer.from('0102030405', 'hex') }] }])
    expect(read(f).packets.map((p) => [p.hex, p.origLen])).toEqual([['010203', 5]])
  })

  it('reads the same packets whatever the chunk size', () => {
    const whole = read(file)
    for (const size of [1, 3, 4, 11, 12, 13, 28, 64, 100]) expect(read(file, size)).toEqual(whole)
  })

  it('warns once and skips packets of an undeclared interface', () => {
    const f = pcapngFile([{ interfaces: [{ linkType: 1 }], blocks: [1, 2].map(() => ({ type: 'epb' as const, iface: 3, ts: 0n, data: Buffer.alloc(1) })) }])
    const got = read(f)
    expect(got.frames).toBe(2)
    expect(got.packets).toEqual([])
    expect(got.warnings).toEqual([{ message: 'pcapng packet block refers to interface 3, which the section does not describe; its packets are skipped', frame: 1 }])
  })

  it('stops on a block whose trailing length does not match', () => {
    const f = Buffer.from(file)
    // Corrupt the trailing length of the first EPB (the fourth block: SHB, DSB, IDB, IDB, EPB...).
    const got0 = read(f)
    expect(got0.packets.length).toBe(6)
    let o = 0
    const starts: number[] = []
    while (o < f.length) {
      starts.push(o)
      o += f.readUInt32LE(o + 4)
      if (starts.length === 8) break
    }
    const nrbStart = starts[5]!
    const nrbLen = f.readUInt32LE(nrbStart + 4)
    f.writeUInt32LE(nrbLen + 4, nrbStart + nrbLen - 4)
    const got = read(f)
    expect(got.packets.map((p) => p.frame)).toEqual([1])
    expect(got.warnings).toHaveLength(1)
    expect(got.warnings[0]!.message).toMatch(/^capture file corrupt: the pcapng block after frame 1 \(byte \d+\) has mismatched lengths; stopped there$/)
  })
})

describe('not a capture, or cut short', () => {
  it('rejects garbage with a one-line typed error', () => {
    const r = new CaptureFileReader({ packet: () => {}, warning: () => {} })
    expect(() => r.push(Buffer.from('<!DOCTYPE html><html>'))).toThrow(CaptureFormatError)
    try {
      new CaptureFileReader({ packet: () => {}, warning: () => {} }).push(Buffer.from('<!DOCTYPE html><html>'))
    } catch (e) {
      expect((e as Error).message).toBe('not a capture file: it starts with 3c 21 44 4f, which is neither a pcap nor a pcapng magic number')
    }
  })

  it('rejects an empty file and a file shorter than a magic number', () => {
    expect(() => read(Buffer.alloc(0))).toThrow('not a capture file: the file is empty')
    expect(() => read(Buffer.from('d4c3', 'hex'))).toThrow('not a capture file: only 2 bytes')
  })

  it('rejects a file that ends inside the pcap header', () => {
    expect(() => read(pcapFile([]).subarray(0, 20))).toThrow('not a capture file: the file ends inside its pcap header (20 bytes)')
  })

  it('delivers every packet before a cut at any byte, then warns', () => {
    for (const file of [pcapFile(pkts), pcapFile(pkts, { le: false, nano: true }), pcapngFile([{ interfaces: [{ linkType: 1 }], blocks: pkts.map((p, i) => ({ type: 'epb' as const, iface: 0, ts: BigInt(i), data: p.data })) }])]) {
      const whole = read(file)
      const ends: number[] = []
      // byte offsets where each record ends
      for (let cut = 0; cut <= file.length; cut++) {
        let got: Got
        try {
          got = read(file.subarray(0, cut))
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureFormatError)
          continue
        }
        const n = got.packets.length
        expect(got.packets).toEqual(whole.packets.slice(0, n))
        if (got.warnings.length === 0) ends.push(cut)
        else expect(got.warnings[0]!.message).toMatch(/^capture file truncated: it ends inside the record that starts at byte \d+ \(\d+ of \d+ bytes present\); \d+ frames read$/)
      }
      // A clean end exactly where a record (pcap) or block (pcapng) ends.
      const boundaries = recordBoundaries(file)
      expect(ends).toEqual(boundaries)
    }
  })
})
