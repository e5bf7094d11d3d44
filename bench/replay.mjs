#!/usr/bin/env node
/**
 * Replay throughput: records smbclient doing a file workload against a private Samba, then replays the capture
 * against the same Samba (fresh share) and compares with smbclient doing the same work.
 *
 *   node bench/replay.mjs [--files 1500] [--size 4096] [--big-mb 32] [--rounds 3] [--keep-capture OUT.pcap]
 *
 * Needs the lab (../shared/lab/samba-lab.sh and capture.sh, smbd, smbclient, tcpdump) and root, and the
 * compiled tree (`npm run build`; the script builds it when dist/ is missing).
 * Prints one JSON document: capture size, requests, smbclient seconds, replay seconds, requests/s, the ratio,
 * and the replay process's user and system CPU seconds during the replay: when the user CPU (the engine's own
 * work) is well below the wall time, the server, not the replay engine, sets the pace.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { freePort, LAB, numArg, ROOT, strArg } from './lib.mjs'

const root = ROOT
const FILES = numArg('files', 1500)
const SIZE = numArg('size', 4096)
const BIG_MB = numArg('big-mb', 32)
const ROUNDS = numArg('rounds', 3)
const KEEP = strArg('keep-capture')

const lab = LAB
if (!lab) {
  console.error('bench/replay: the lab scripts (samba-lab.sh, capture.sh) are not found; set SMBSCOPE_LAB_DIR')
  process.exit(2)
}
if (!existsSync(join(root, 'dist/replay/engine.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
const { ReplayEngine } = await import(join(root, 'dist/replay/engine.js'))
const { buildPlan } = await import(join(root, 'dist/replay/plan.js'))

const work = mkdtempSync(join(tmpdir(), 'smbscope-bench-'))
chmodSync(work, 0o755)
const sambaDir = join(work, 'samba')
const port = await freePort()
execFileSync('bash', [join(lab, 'samba-lab.sh'), 'start', sambaDir, String(port)], { stdio: 'ignore' })
const share = join(sambaDir, 'share')
const freshShare = () => {
  for (const f of readdirSync(share)) rmSync(join(share, f), { recursive: true, force: true })
}

// The workload: FILES small files put, got back and queried (allinfo), plus one big file put and got (multi-credit I/O).
const src = join(work, 'src')
const dst = join(work, 'dst')
mkdirSync(src)
mkdirSync(dst)
for (let i = 0; i < FILES; i++) writeFileSync(join(src, `f${i}.dat`), randomBytes(SIZE))
writeFileSync(join(src, 'big.dat'), randomBytes(BIG_MB * 1024 * 1024))
const commands = [`lcd ${src}`]
for (let i = 0; i < FILES; i++) commands.push(`put f${i}.dat`)
commands.push('put big.dat', `lcd ${dst}`)
for (let i = 0; i < FILES; i++) commands.push(`get f${i}.dat`)
commands.push('get big.dat')
for (let i = 0; i < FILES; i++) commands.push(`allinfo f${i}.dat`)
const script = commands.join('\n') + '\n'
const smbclientArgs = [`//127.0.0.1/share`, '-p', String(port), '-U', 'labuser%labpass', '-m', 'SMB3_11']

function smbclient() {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('smbclient', smbclientArgs, { input: script, stdio: ['pipe', 'ignore', 'pipe'] })
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0) throw new Error(`smbclient failed: ${r.stderr}`)
  return s
}

try {
  // 1. The capture.
  freshShare()
  const pcap = join(work, 'workload.pcap')
  const cap = spawnSync('bash', [join(lab, 'capture.sh'), pcap, String(port), '--', 'smbclient', ...smbclientArgs], { input: script, stdio: ['pipe', 'ignore', 'pipe'] })
  if (cap.status !== 0) throw new Error(`capture failed: ${cap.stderr}`)

  // 2. smbclient doing the work, not captured.
  const clientTimes = []
  for (let i = 0; i < ROUNDS; i++) {
    freshShare()
    clientTimes.push(smbclient())
  }

  // 3. The plan (dissection of the capture), then the replays.
  let t0 = process.hrtime.bigint()
  const plan = await buildPlan(pcap, { passwords: ['labpass'] })
  const planSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  const replays = []
  for (let i = 0; i < ROUNDS; i++) {
    freshShare()
    const engine = new ReplayEngine(plan, { host: '127.0.0.1', port, credentials: { user: 'labuser', password: 'labpass' }, regenerateIds: true })
    const cpu0 = process.cpuUsage()
    t0 = process.hrtime.bigint()
    const report = await engine.run()
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const cpu = process.cpuUsage(cpu0)
    replays.push({ seconds, userCpuSeconds: cpu.user / 1e6, systemCpuSeconds: cpu.system / 1e6, summary: report.summary })
  }
  const best = (xs) => Math.min(...xs)
  const replaySeconds = best(replays.map((r) => r.seconds))
  const requests = replays[0].summary.requests + replays[0].summary.skipped
  const out = {
    workload: { files: FILES, fileBytes: SIZE, bigFileMiB: BIG_MB, smbclientCommands: commands.length - 2 },
    capture: { bytes: statSync(pcap).size, requests: plan.steps.length, connections: plan.connections.size },
    smbclientSeconds: { best: best(clientTimes), all: clientTimes },
    planSeconds,
    replay: replays,
    replaySeconds: replaySeconds,
    requestsPerSecond: Math.round(requests / replaySeconds),
    ratioReplayToSmbclient: +(replaySeconds / best(clientTimes)).toFixed(2),
    // User-space CPU of the replay process per wall second (the engine's own work), and system CPU (socket
    // writes: on loopback the kernel delivers to smbd inside the sender's write call).
    replayUserCpuShareOfWall: +(replays.reduce((a, r) => a + r.userCpuSeconds, 0) / replays.reduce((a, r) => a + r.seconds, 0)).toFixed(2),
    replaySystemCpuShareOfWall: +(replays.reduce((a, r) => a + r.systemCpuSeconds, 0) / replays.reduce((a, r) => a + r.seconds, 0)).toFixed(2),
    matched: `${replays[0].summary.matched}/${replays[0].summary.requests}`,
  }
  console.log(JSON.stringify(out, null, 2))
  if (KEEP) execFileSync('cp', [pcap, KEEP])
} finally {
  execFileSync('bash', [join(lab, 'samba-lab.sh'), 'stop', sambaDir], { stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 300))
  rmSync(work, { recursive: true, force: true })
}
