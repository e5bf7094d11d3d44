/**
 * Benchmark of the capture reader (not a test; excluded from the build with the other test helpers).
 *
 *   npx tsc -p tsconfig.json --outDir /tmp/build --noEmit false
 *   node /tmp/build/dissect/capture/test-helpers/bench.js gen /tmp/big.pcap reads 400     # 400 MB of 64 KiB READs
 *   node /tmp/build/dissect/capture/test-helpers/bench.js gen /tmp/small.pcap small 11.7  # ~57k packets of small messages
 *   /usr/bin/time -v node /tmp/build/dissect/capture/test-helpers/bench.js run /tmp/big.pcap
 *
 * `gen` writes a pcap of four SMB connections (SYN, traffic, FIN) straight to disk; `run` reads it with
 * openCapture and prints packets/s, MB/s, CPU time and the peak RSS sampled during the run.
 * @module
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs'
import { openCapture } from '../index.js'

interface Flow {
  cip: number
  sip: number
  cport: number
  cseq: number
  sseq: number
  mid: number
}

function generate(out: string, mode: string, megabytes: number): void {
  const fd = openSync(out, 'w')
  const gh = Buffer.alloc(24)
  gh.writeUInt32LE(0xa1b2c3d4, 0)
  gh.writeUInt16LE(2, 4)
  gh.writeUInt16LE(4, 6)
  gh.writeUInt32LE(262144, 16)
  gh.writeUInt32LE(1, 20)
  writeSync(fd, gh)
  const buf = Buffer.allocUnsafe(8 << 20)
  let pos = 0
  let written = 24
  let packets = 0
  let t = 1_700_000_000
  const flush = () => {
    writeSync(fd, buf, 0, pos)
    written += pos
    pos = 0
  }
  const packet = (f: Flow, fromClient: boolean, flags: number, payload?: Buffer) => {
    const plen = payload?.length ?? 0
    const len = 54 + plen
    if (pos + 16 + len > buf.length) flush()
    t += 0.00001
    const sec = Math.floor(t)
    buf.writeUInt32LE(sec, pos)
    buf.writeUInt32LE(Math.floor((t - sec) * 1e6), pos + 4)
    buf.writeUInt32LE(len, pos + 8)
    buf.writeUInt32LE(len, pos + 12)
    const p = pos + 16
    buf.fill(0, p, p + 12)
    buf.writeUInt16BE(0x0800, p + 12)
    const ip = p + 14
    buf.fill(0, ip, ip + 20)
    buf[ip] = 0x45
    buf.writeUInt16BE(40 + plen, ip + 2)
    buf[ip + 8] = 64
    buf[ip + 9] = 6
    buf.writeUInt32BE(fromClient ? f.cip : f.sip, ip + 12)
    buf.writeUInt32BE(fromClient ? f.sip : f.cip, ip + 16)
    const tc = ip + 20
    buf.fill(0, tc, tc + 20)
    buf.writeUInt16BE(fromClient ? f.cport : 445, tc)
    buf.writeUInt16BE(fromClient ? 445 : f.cport, tc + 2)
    buf.writeUInt32BE(fromClient ? f.cseq : f.sseq, tc + 4)
    buf.writeUInt32BE(fromClient ? f.sseq : f.cseq, tc + 8)
    buf[tc + 12] = 0x50
    buf[tc + 13] = flags
    buf.writeUInt16BE(65535, tc + 14)
    if (payload) payload.copy(buf, tc + 20)
    const adv = plen + (flags & 3 ? 1 : 0)
    if (fromClient) f.cseq = (f.cseq + adv) >>> 0
    else f.sseq = (f.sseq + adv) >>> 0
    pos += 16 + len
    packets++
  }
  const smb = (len: number, mid: number, response: boolean, cmd: number) => {
    const b = Buffer.alloc(4 + len, 0x5a)
    b[0] = 0
    b.writeUIntBE(len, 1, 3)
    b.writeUInt32LE(0x424d53fe, 4)
    b.writeUInt16LE(64, 8)
    b.writeUInt16LE(cmd, 16)
    b.writeUInt32LE(response ? 1 : 0, 20)
    b.writeBigUInt64LE(BigInt(mid), 28)
    return b
  }
  const flows: Flow[] = Array.from({ length: 4 }, (_, i) => ({ cip: 0x0a000001 + i, sip: 0x0a0000fe, cport: 50000 + i, cseq: 1000 * i, sseq: (0xfffff000 - i * 7777) >>> 0, mid: 0 }))
  for (const f of flows) {
    packet(f, true, 0x02)
    packet(f, false, 0x12)
    packet(f, true, 0x10)
  }
  const target = megabytes * 1024 * 1024
  const readResponse = smb(64 + 16 + 65536, 0, true, 8)
  const MSS = 1448
  while (written + pos < target) {
    for (const f of flows) {
      f.mid++
      if (mode === 'reads') {
        packet(f, true, 0x18, smb(64 + 49, f.mid, false, 8))
        readResponse.writeBigUInt64LE(BigInt(f.mid), 28)
        for (let o = 0, n = 0; o < readResponse.length; o += MSS, n++) {
          packet(f, false, 0x18, readResponse.subarray(o, o + MSS))
          if (n % 2 === 1) packet(f, true, 0x10)
        }
      } else {
        packet(f, true, 0x18, smb(64 + 40 + (f.mid % 50), f.mid, false, 5 + (f.mid % 10)))
        packet(f, false, 0x18, smb(64 + 80 + (f.mid % 70), f.mid, true, 5 + (f.mid % 10)))
        if (f.mid % 4 === 0) packet(f, true, 0x10)
      }
    }
  }
  for (const f of flows) {
    packet(f, true, 0x11)
    packet(f, false, 0x11)
    packet(f, true, 0x10)
  }
  flush()
  closeSync(fd)
  console.log(JSON.stringify({ out, packets, bytes: written }))
}

async function run(file: string): Promise<void> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let messages = 0
  let bytes = 0
  let n = 0
  let peak = 0
  const cap = openCapture(file)
  for await (const e of cap) {
    if (e.kind === 'message') {
      messages++
      bytes += e.data.length
    }
    if (++n % 4096 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  const s = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(c0)
  const size = statSync(file).size
  console.log(
    JSON.stringify({
      file,
      seconds: +s.toFixed(3),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(3),
      frames: cap.frames,
      messages,
      messageBytes: bytes,
      packetsPerSecond: Math.round(cap.frames / s),
      megabytesPerSecond: +(size / 1048576 / s).toFixed(1),
      peakRssMiB: +(peak / 1048576).toFixed(1),
    }),
  )
}

const [cmd, a, b, c] = process.argv.slice(2)
if (cmd === 'gen' && a) generate(a, b ?? 'reads', Number(c ?? 400))
else if (cmd === 'run' && a) await run(a)
else console.error('usage: bench.js gen OUT [reads|small] [MB] | bench.js run FILE')
