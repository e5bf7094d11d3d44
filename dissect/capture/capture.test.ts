/**
 * openCapture against real captures: tshark as the oracle for which frames carry SMB (when installed), editcap
 * as an independent writer of other formats, gzip, truncation, garbage, and random mutations.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { recordBoundaries } from './test-helpers/build.js'
import { CaptureFormatError, messageDirection, openCapture, type CaptureEvent, type CaptureSource, type OpenCaptureOptions } from './index.js'

const PUB = '/work/shared/captures/public'
const SAMBA = '/work/shared/captures/samba'
const haveCaptures = existsSync(PUB) && existsSync(SAMBA)

function which(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const haveTshark = haveCaptures && which('tshark')
const haveEditcap = haveCaptures && which('editcap')

/** File descriptors of this process open on `path` (Linux /proc; -1 where it cannot tell). */
function openFds(path: string): number {
  if (!existsSync('/proc/self/fd')) return -1
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++
    } catch {
      // closed meanwhile
    }
  }
  return n
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5))
}

async function collect(src: CaptureSource, opts?: OpenCaptureOptions): Promise<{ events: CaptureEvent[]; frames: number }> {
  const cap = openCapture(src, opts)
  const events: CaptureEvent[] = []
  for await (const e of cap) events.push(e)
  return { events, frames: cap.frames }
}

/** Messages as comparable strings: frame, stream, direction, length, content hash. */
function messages(evs: CaptureEvent[]): string[] {
  return evs.flatMap((e) =>
    e.kind === 'message' ? [`${e.frame} ${e.stream} ${e.conn} ${e.fromClient ? 'c' : 's'} ${createHash('sha1').update(e.data).digest('hex').slice(0, 12)}`] : [],
  )
}

/**
 * tshark's view: the frames carrying SMB or SMB2 over TCP (SMB over NetBIOS datagrams, UDP 138, is not ours),
 * with their tcp.stream, and the total frame count.
 */
interface TsharkView {
  /** `frame stream` of the frames carrying SMB over TCP. */
  smb: string[]
  /** For those frames: the sender and receiver endpoint, as `ip:port` (IPv6 in brackets). */
  endpoints: Map<number, { src: string; dst: string }>
  frames: number
}

function tshark(file: string, extra: string[] = []): TsharkView {
  const fields = ['frame.number', 'tcp.stream', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport']
  const lines = execFileSync('tshark', ['-r', file, ...extra, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  })
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
  // The same frames as -Y 'tcp && (smb2 || smb)' (checked on every shared capture), in one pass.
  const rows = lines.filter(([, stream, protos]) => stream !== '' && /:smb2?(:|$)/.test(protos ?? ''))
  const ep = (v4: string | undefined, v6: string | undefined, port: string | undefined) => (v6 ? `[${v6}]:${port}` : `${v4}:${port}`)
  const endpoints = new Map(rows.map((r) => [Number(r[0]), { src: ep(r[3], r[5], r[7]), dst: ep(r[4], r[6], r[8]) }]))
  return { smb: rows.map(([frame, stream]) => `${frame} ${stream}`), endpoints, frames: lines.length }
}

// A spread of formats, link types and situations; all 58 shared captures were checked the same way by hand.
const DIFFERENTIAL: { file: string; tsharkArgs?: string[] }[] = [
  { file: `${PUB}/ndpi_smb2-deletefile-lease-break-oplock-break.pcap` }, // mid-stream, compounds
  { file: `${PUB}/samr-enum-lab_smb300-encrypted-ntlm-pw_crackmapexec-3sessions.pcapng` }, // pcapng, 6 connections
  { file: `${PUB}/suricata-verify_smb2-async-midstream.pcap` },
  { file: `${PUB}/suricata-verify_smb210-krb5-psexec-dhnq-lease.pcap` },
  { file: `${PUB}/suricata-verify_smb300-encrypted-midstream.pcap` }, // transform headers, mid-stream
  // NULL/loopback link type; stream 0 is SMB on port 4445, which tshark decodes only when told to.
  { file: `${PUB}/suricata-verify_smb302-macos-leases-breaks-5770.pcap`, tsharkArgs: ['-d', 'tcp.port==4445,nbss'] },
  { file: `${PUB}/suricata-verify_smb311-async-large-read.pcap` }, // multi-MB reads over many segments
  { file: `${PUB}/wiki_smb-on-windows-10_multi-dialect-negotiate.pcapng` }, // SMB1 negotiate, many connections
  { file: `${PUB}/wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz` }, // gzip
  { file: `${PUB}/wireshark-test_smb311-compressed-lz77-lz77huff-lznt1.pcap.gz` }, // Linux SLL, compression 0xFC
  { file: `${PUB}/wireshark-test_smb311-compressed-chained-patternv1-lznt1.pcapng.gz` },
  { file: `${PUB}/zeek_smb210-krb5_dhnq-lease-compound.pcap` }, // a message cut by the snapshot length
  { file: `${PUB}/zeek_smb311-multichannel_dh2q-lease-break.pcap` },
  { file: `${PUB}/wiki_ws-credssp_smb311-krb5-signed_win2k19-joined_converted.pcap` },
  { file: `${SAMBA}/durable-open.reopen2.pcap` }, // tcpdump on Linux lo: Ethernet with zero MACs, reconnects
  { file: `${SAMBA}/smbclient-encrypted-smb311.pcap` },
]

describe.skipIf(!haveTshark)('frames carrying SMB agree with tshark (skipped: tshark or the shared captures are missing)', () => {
  for (const { file, tsharkArgs } of DIFFERENTIAL) {
    it(file.split('/').pop()!, async () => {
      const want = tshark(file, tsharkArgs)
      const { events, frames } = await collect(file)
      expect(frames).toBe(want.frames)
      const got = [...new Set(events.flatMap((e) => (e.kind === 'message' ? [`${e.frame} ${e.stream}`] : [])))]
      expect(got).toEqual(want.smb)
      // Capture order: message frames never go backwards in these captures.
      const fr = events.flatMap((e) => (e.kind === 'message' ? [e.frame] : []))
      expect(fr).toEqual([...fr].sort((a, b) => a - b))
      // The stream index always maps to the same connection id.
      const ids = new Map<number, string>()
      for (const e of events) if (e.kind !== 'warning') expect(ids.set(e.stream, ids.get(e.stream) ?? e.conn).get(e.stream)).toBe(e.conn)
      // The connection id names the frame's two endpoints, the client first: fromClient says who sent it.
      for (const e of events) {
        if (e.kind !== 'message') continue
        const t = want.endpoints.get(e.frame)!
        const [cli, srv] = e.conn.split('-')
        expect(e.fromClient ? [cli, srv] : [srv, cli]).toEqual([t.src, t.dst])
        // and it agrees with the header: requests come from the client (SMB2 and SMB1 response flags)
        const dir = messageDirection(e.data)
        if (dir) expect(dir, `frame ${e.frame}`).toBe(e.fromClient ? 'request' : 'response')
      }
    })
  }
})

describe.skipIf(!haveCaptures)('real captures', () => {
  const midstream = `${PUB}/suricata-verify_smb2-async-midstream.pcap`

  it('picks up a capture that starts mid-stream', async () => {
    const { events, frames } = await collect(midstream)
    expect(frames).toBe(10)
    expect(events.filter((e) => e.kind !== 'message')).toEqual([])
    const msgs = events.flatMap((e) => (e.kind === 'message' ? [e] : []))
    expect(msgs.map((m) => [m.frame, m.fromClient, m.data.readUInt16LE(12)])).toEqual([
      [1, true, 5], // CREATE request
      [2, false, 5], // interim STATUS_PENDING response
      [3, false, 5], // final CREATE response
      [5, true, 17], // SET_INFO
      [6, false, 17],
      [7, true, 16], // QUERY_INFO
      [8, false, 16],
      [9, true, 6], // CLOSE
      [10, false, 6],
    ])
    expect(msgs[0]!.conn).toBe('10.0.2.4:49209-10.0.2.5:445')
    expect(msgs[1]!.data.readUInt32LE(8)).toBe(0x00000103) // STATUS_PENDING
  })

  it('reads gzipped files like their decompressed bytes', async () => {
    for (const f of [`${PUB}/wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz`, `${PUB}/wireshark-test_smb311-compressed-chained-patternv1-lznt1.pcapng.gz`]) {
      const cap = openCapture(f)
      const evs: CaptureEvent[] = []
      for await (const e of cap) evs.push(e)
      expect(cap.compressed).toBe(true)
      const plain = await collect(gunzipSync(readFileSync(f)))
      expect(messages(evs)).toEqual(messages(plain.events))
      expect(messages(evs).length).toBeGreaterThan(0)
    }
    // and a file compressed here, fed as a stream in small pieces
    const raw = readFileSync(midstream)
    const gz = gzipSync(raw)
    const pieces = Readable.from(Array.from({ length: Math.ceil(gz.length / 100) }, (_, i) => gz.subarray(i * 100, i * 100 + 100)))
    expect(messages((await collect(pieces)).events)).toEqual(messages((await collect(raw)).events))
  })

  it('accepts a path, a Buffer, a Readable and an async iterable of Uint8Array alike, and reports progress', async () => {
    const f = `${PUB}/zeek_smb2-readwrite-notify-async.pcap`
    const bytes = readFileSync(f)
    const progress: [number, number | undefined][] = []
    const a = await collect(f, { chunkSize: 4096, onProgress: (n, t) => progress.push([n, t]) })
    expect(progress.length).toBeGreaterThan(2)
    expect(progress[progress.length - 1]).toEqual([bytes.length, bytes.length])
    const b = await collect(bytes)
    const c = await collect(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))
    async function* u8() {
      for (let i = 0; i < bytes.length; i += 777) yield new Uint8Array(bytes.subarray(i, i + 777))
    }
    const d = await collect(u8())
    for (const x of [b, c, d]) {
      expect(messages(x.events)).toEqual(messages(a.events))
      expect(x.frames).toBe(a.frames)
    }
  })

  it.skipIf(!haveEditcap)('reads what editcap writes: pcapng and nanosecond pcap of the same packets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-capture-'))
    try {
      for (const src of [`${PUB}/zeek_smb311-samba-100-small-files_dhnq-lease-posix.pcap`, `${PUB}/suricata-verify_smb302-macos-leases-breaks-5786.pcap`]) {
        const base = await collect(src)
        for (const fmt of ['pcapng', 'nsecpcap']) {
          const out = join(dir, `x.${fmt}`)
          execFileSync('editcap', ['-F', fmt, src, out], { stdio: 'ignore' })
          const conv = await collect(out)
          expect(messages(conv.events)).toEqual(messages(base.events))
          const times = (evs: CaptureEvent[]) => evs.flatMap((e) => (e.kind === 'message' ? [e.time.toFixed(6)] : []))
          expect(times(conv.events)).toEqual(times(base.events))
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('delivers everything before the cut of a truncated file, then warns', async () => {
    for (const f of [`${PUB}/zeek_smb210-krb5_dhnq-lease-compound.pcap`, `${PUB}/samr-enum-lab_smb311-samba-rpcclient-signed.pcapng`]) {
      const bytes = readFileSync(f)
      const full = await collect(bytes)
      const fullMsgs = full.events.flatMap((e) => (e.kind === 'message' ? [e] : []))
      const boundaries = new Set(recordBoundaries(bytes))
      const cuts = new Set<number>()
      for (let i = 0; i <= 120; i++) cuts.add(Math.floor((bytes.length * i) / 120))
      for (let i = 0; i < 200; i++) cuts.add(i) // through the file header and the first records
      for (const cut of cuts) {
        let res: { events: CaptureEvent[]; frames: number }
        try {
          res = await collect(bytes.subarray(0, cut))
        } catch (e) {
          // Only a file that ends inside its header (the pcap file header, the first pcapng block) is refused.
          expect(e).toBeInstanceOf(CaptureFormatError)
          expect(cut).toBeLessThan(Math.min(...boundaries))
          continue
        }
        const got = new Set(messages(res.events))
        for (const m of messages(fullMsgs.filter((x) => x.frame <= res.frames))) expect(got.has(m), `cut ${cut}: ${m}`).toBe(true)
        // A warning says where it stopped, unless the cut fell exactly between two records.
        const truncated = res.events.some((e) => e.kind === 'warning' && e.message.startsWith('capture file truncated'))
        expect(truncated, `cut ${cut}`).toBe(!boundaries.has(cut))
      }
    }
  })

  it('delivers everything zlib can give from a truncated gzip file, and says so', async () => {
    const f = `${PUB}/wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz`
    const gz = readFileSync(f)
    const plain = gunzipSync(gz)
    for (const frac of [0.3, 0.61, 0.95]) {
      const cut = gz.subarray(0, Math.floor(gz.length * frac))
      const res = await collect(cut)
      const warnings = res.events.filter((e) => e.kind === 'warning').map((e) => e.message)
      expect(warnings[0]).toMatch(/^gzip data ends early or is corrupt after \d+ compressed bytes \(zlib: unexpected end of file\); everything before is read$/)
      // Compare with reading the plain bytes cut where zlib stopped: same messages.
      const full = await collect(plain)
      const fullMsgs = full.events.flatMap((e) => (e.kind === 'message' && e.frame <= res.frames ? messages([e]) : []))
      const got = new Set(messages(res.events))
      for (const m of fullMsgs) expect(got.has(m)).toBe(true)
      expect(res.frames).toBeGreaterThan(0)
    }
  })

  it('stops early when the consumer stops', async () => {
    const cap = openCapture(`${PUB}/zeek_smb202-ntlm-dhnq-write.pcap`, { chunkSize: 8192 })
    let n = 0
    for await (const e of cap) {
      if (e.kind === 'message' && ++n === 3) break
    }
    expect(cap.frames).toBeLessThan(200)
    const gzPath = `${PUB}/wiki_smb300-dac-sample_krb5-dh2q-lease.pcap.gz`
    const gz = openCapture(gzPath, { chunkSize: 1024 })
    for await (const e of gz) if (e.kind === 'message') break
    expect(gz.frames).toBeLessThan(1537)
    await settle()
    expect(openFds(`${PUB}/zeek_smb202-ntlm-dhnq-write.pcap`)).toBeLessThanOrEqual(0)
    expect(openFds(gzPath)).toBeLessThanOrEqual(0)
  })
})

describe('not a capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-garbage-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('throws CaptureFormatError with a one-line message for garbage, text, empty and gzipped garbage', async () => {
    const cases: [Buffer, string][] = [
      [Buffer.from('hello, this is a text file\n'), 'not a capture file: it starts with 68 65 6c 6c, which is neither a pcap nor a pcapng magic number'],
      [Buffer.alloc(0), 'not a capture file: the file is empty'],
      [gzipSync(Buffer.from('%PDF-1.7 not a capture')), 'not a capture file: it starts with 25 50 44 46, which is neither a pcap nor a pcapng magic number'],
      [Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 1, 2, 3, 4]), 'not a capture file: pcapng header with a bad byte-order magic 01 02 03 04'],
    ]
    for (const [bytes, msg] of cases) {
      const p = join(dir, 'f.bin')
      writeFileSync(p, bytes)
      const err = await collect(p).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(CaptureFormatError)
      expect((err as Error).message).toBe(msg)
      expect((err as Error).message).not.toContain('\n')
      await settle()
      expect(openFds(p)).toBeLessThanOrEqual(0) // the file was closed
    }
  })

  it('lets file-system errors through unchanged', async () => {
    await expect(collect(join(dir, 'does-not-exist.pcap'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('can be iterated only once', async () => {
    const cap = openCapture(Buffer.alloc(0))
    await expect(async () => {
      for await (const _ of cap) void _
    }).rejects.toBeInstanceOf(CaptureFormatError)
    await expect(async () => {
      for await (const _ of cap) void _
    }).rejects.toThrow('a CaptureStream can be iterated only once')
  })
})

describe.skipIf(!haveCaptures)('fuzz: mutated real captures', () => {
  const files = [
    `${PUB}/suricata-verify_smb2-async-midstream.pcap`,
    `${PUB}/zeek_smb2-compound-create-setinfo-close.pcap`,
    `${PUB}/samr-enum-lab_smb311-samba-rpcclient-signed.pcapng`,
    `${PUB}/wireshark-test_smb311-compressed-lz77-lz77huff-lznt1.pcap.gz`,
    `${SAMBA}/durable-open.reopen1.pcap`,
  ].filter(existsSync)
  const originals = files.map((f) => readFileSync(f))

  it('never throws anything but CaptureFormatError, and never hangs', async () => {
    const mutation = fc.record({
      file: fc.nat({ max: originals.length - 1 }),
      edits: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 64 }) }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
          fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
      chunk: fc.integer({ min: 1, max: 5000 }),
    })
    await fc.assert(
      fc.asyncProperty(mutation, async ({ file, edits, chunk }) => {
        let b = Buffer.from(originals[file]!)
        const gz = b[0] === 0x1f && b[1] === 0x8b
        if (gz) b = gunzipSync(b) // mutate the capture, not the compressed bytes
        for (const e of edits) {
          const at = Math.floor(e.at * b.length)
          if (e.kind === 'flip') b[Math.min(at, b.length - 1)] = e.value
          else if (e.kind === 'cut') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)])
          else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)])
          else b = b.subarray(0, at)
          if (b.length === 0) break
        }
        const input = gz ? gzipSync(b) : b
        const pieces = Array.from({ length: Math.ceil(input.length / chunk) }, (_, i) => input.subarray(i * chunk, (i + 1) * chunk))
        try {
          const res = await collect(Readable.from(pieces))
          for (const e of res.events) if (e.kind === 'message') expect(e.data.length).toBeLessThanOrEqual(16 * 1024 * 1024 + 4096)
        } catch (e) {
          if (!(e instanceof CaptureFormatError)) throw e
        }
      }),
      { numRuns: 300, seed: 20240601 },
    )
  })
})
