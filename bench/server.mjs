#!/usr/bin/env node
/**
 * The bundled server against the lab Samba, in the same run (absolute times on a shared machine are noise; the
 * ratios are the figures):
 *
 *   1. bulk: a 200 MB put and get with smbclient, SMB 3.1.1 (bar: at least as fast as Samba);
 *   2. metadata: 1500 small puts, then 1500 gets and 1500 allinfo, all in one smbclient session (bar: within
 *      1.5× of Samba's time);
 *   3. memory: the RSS of a fresh server over 1000 connect / session setup / tree connect / logoff / disconnect
 *      cycles after 300 warm-up ones (impacket in one process, or smbclient when impacket is missing) (bar:
 *      flat, less than max(16 MiB, 10 %) of growth over the measured cycles).
 *
 *   node bench/server.mjs [--rounds 3] [--big-mb 200] [--files 1500] [--cycles 1000] [--only bulk,metadata,memory]
 *
 * Needs smbclient, the lab (../shared/lab/samba-lab.sh, smbd, root) and the build (`npm run build`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE, CLI, compare, freePort, LAB, missing, numArg, sh, startSamba, strArg } from './lib.mjs'

const ROUNDS = numArg('rounds', 3)
const BIG_MB = numArg('big-mb', 200)
const FILES = numArg('files', 1500)
const CYCLES = numArg('cycles', 1000)
const ONLY = strArg('only')?.split(',') ?? ['bulk', 'metadata', 'memory']
const want = (phase) => ONLY.includes(phase)

const lacking = missing(['smbclient'])
if (lacking.length || !LAB || !existsSync(CLI)) {
  console.log(`server bench SKIPPED: ${lacking.length ? `missing ${lacking.join(', ')}` : !LAB ? 'no lab scripts' : 'no build (npm run build)'}`)
  process.exit(0)
}

/** Our server as a child process on a fresh share; resolves once it listens. */
async function startOurs(shareDir) {
  const p = spawn(process.execPath, [CLI, 'serve', '-l', '127.0.0.1:0', '-s', `share=${shareDir}`, '-u', 'labuser:labpass', '--log', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((res, rej) => {
    let out = ''
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d
      const m = /listening on .*:(\d+)/.exec(out)
      if (m) res(Number(m[1]))
    })
    p.on('exit', (c) => rej(new Error(`smbscope serve exited with ${c}`)))
  })
  return { port, pid: p.pid, stop: () => new Promise((r) => { p.once('exit', r); p.kill('SIGTERM') }) }
}

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
const mib = (kib) => (kib / 1024).toFixed(0)
const verdict = (ok) => (ok ? 'met' : 'MISSED')

const work = mkdtempSync(join(CACHE, 'server-'))
chmodSync(work, 0o755)
const sambaDir = join(work, 'samba')
const oursShare = join(work, 'ours')
mkdirSync(oursShare)
const sambaPort = await freePort()
const stopSamba = startSamba(sambaDir, sambaPort)
const sambaShare = join(sambaDir, 'share')
let ours = await startOurs(oursShare)
const targets = { smbscope: ours.port, samba: sambaPort }
const client = (port, extra = '') => `smbclient //127.0.0.1/share -p ${port} -U labuser%labpass -m SMB3_11 ${extra}`

try {
  // 1. Bulk throughput.
  if (want('bulk')) {
  const big = join(CACHE, `big-${BIG_MB}.bin`)
  if (!existsSync(big) || statSync(big).size !== BIG_MB * 1024 * 1024) sh(`head -c ${BIG_MB * 1024 * 1024} /dev/urandom > ${big}`)
  const out = join(work, 'big.out')
  const put = await compare(Object.fromEntries(Object.entries(targets).map(([k, port]) => [k, ['bash', '-c', `${client(port)} -c 'put ${big} big.bin' >/dev/null`]])), ROUNDS)
  const get = await compare(Object.fromEntries(Object.entries(targets).map(([k, port]) => [k, ['bash', '-c', `${client(port)} -c 'get big.bin ${out}' >/dev/null && cmp -s ${out} ${big}`]])), ROUNDS)
  console.log(`bulk ${BIG_MB} MB, SMB 3.1.1, ${ROUNDS} interleaved rounds, medians (byte-exact get checked):`)
  for (const [name, r] of [['put', put], ['get', get]]) {
    const rate = (k) => BIG_MB / r[k].wall
    const ratio = rate('smbscope') / rate('samba')
    console.log(`  ${name}: smbscope ${rate('smbscope').toFixed(0)} MB/s, Samba ${rate('samba').toFixed(0)} MB/s, ratio ${ratio.toFixed(2)} (bar ≥ 1.0: ${verdict(ratio >= 1)})`)
  }
  rmSync(out, { force: true })
  }

  // 2. Metadata workload in one session.
  if (want('metadata')) {
  const src = join(CACHE, `small-${FILES}`)
  if (!existsSync(join(src, `f${FILES - 1}.dat`))) {
    mkdirSync(src, { recursive: true })
    for (let i = 0; i < FILES; i++) writeFileSync(join(src, `f${i}.dat`), Buffer.alloc(4096, i & 0xff))
  }
  const dst = join(work, 'dst')
  mkdirSync(dst)
  const lines = [`lcd ${src}`]
  for (let i = 0; i < FILES; i++) lines.push(`put f${i}.dat`)
  lines.push(`lcd ${dst}`)
  for (let i = 0; i < FILES; i++) lines.push(`get f${i}.dat`, `allinfo f${i}.dat`)
  const script = join(work, 'meta.txt')
  writeFileSync(script, lines.join('\n') + '\n')
  const fresh = { smbscope: oursShare, samba: sambaShare }
  const meta = await compare(
    Object.fromEntries(Object.entries(targets).map(([k, port]) => [k, ['bash', '-c', `find ${fresh[k]} -mindepth 1 -delete; ${client(port)} < ${script} >/dev/null`]])),
    ROUNDS,
  )
  const mratio = meta.smbscope.wall / meta.samba.wall
  console.log(`metadata: ${FILES} puts, then ${FILES} gets + allinfo, one session: smbscope ${meta.smbscope.wall.toFixed(2)} s, Samba ${meta.samba.wall.toFixed(2)} s, ratio ${mratio.toFixed(2)} (bar ≤ 1.5: ${verdict(mratio <= 1.5)})`)

  }

  // 3. Memory over connect/disconnect cycles, on a fresh server (not one still holding the bulk phase's garbage).
  if (want('memory')) {
  await ours.stop()
  ours = await startOurs(oursShare)
  const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import impacket.smbconnection'], { stdio: 'ignore' }).status === 0)
  const cyclesScript = join(work, 'cycles.py')
  writeFileSync(
    cyclesScript,
    [
      'import sys',
      'from impacket.smbconnection import SMBConnection',
      'port, n = int(sys.argv[1]), int(sys.argv[2])',
      'for i in range(n):',
      "    c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port)",
      "    c.login('labuser', 'labpass')",
      "    t = c.connectTree('share')",
      '    c.disconnectTree(t)',
      '    c.logoff()',
      '    c.close()',
      '',
    ].join('\n'),
  )
  const cycle = (n) => {
    if (py) sh(`${py} ${cyclesScript} ${ours.port} ${n}`)
    else for (let i = 0; i < n; i++) sh(`${client(ours.port, "-c 'exit'")} >/dev/null 2>&1 || true`)
  }
  // A warm-up first (V8 sizes its heap and JIT-compiles the handlers), then the 1000 measured cycles.
  const WARMUP = 300
  const series = [[0, rssKiB(ours.pid)]]
  cycle(WARMUP)
  const base = rssKiB(ours.pid)
  series.push([WARMUP, base])
  const step = 200
  for (let done = 0; done < CYCLES; ) {
    const n = Math.min(step, CYCLES - done)
    cycle(n)
    done += n
    series.push([WARMUP + done, rssKiB(ours.pid)])
  }
  const last = series[series.length - 1][1]
  const growth = last - base
  const flat = growth < Math.max(16 * 1024, base * 0.1)
  console.log(`memory: smbscope RSS over ${WARMUP} warm-up + ${CYCLES} connect/logoff/disconnect cycles (${py ? 'impacket' : 'smbclient'}): ${series.map(([n, r]) => `${n}:${mib(r)}`).join(' ')} MiB`)
  console.log(`  growth over the ${CYCLES} measured cycles: ${(growth / 1024).toFixed(1)} MiB (bar: flat, < max(16 MiB, 10 %): ${verdict(flat)})`)
  }
} finally {
  await ours.stop()
  stopSamba()
  rmSync(work, { recursive: true, force: true })
}
