// Shared helpers for the benchmarks: the lab Samba, capture recording, timing child processes.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const CLI = join(ROOT, 'dist/bin/smbscope.js')
export const CACHE = process.env.SMBSCOPE_BENCH_DIR ?? join(tmpdir(), 'smbscope-bench')
mkdirSync(CACHE, { recursive: true })

/** The lab scripts: $SMBSCOPE_LAB (or $SMBSCOPE_LAB_DIR), ../shared/lab from the checkout, or /work/shared/lab. */
export const LAB = [process.env.SMBSCOPE_LAB, process.env.SMBSCOPE_LAB_DIR, resolve(ROOT, '../shared/lab'), '/work/shared/lab'].find((d) => d && existsSync(join(d, 'samba-lab.sh')))

/** The value after `--NAME` on the command line, or undefined. */
export function strArg(name) {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : undefined
}

/** `--NAME N` as a number, or `dflt`. */
export const numArg = (name, dflt) => {
  const v = strArg(name)
  return v === undefined ? dflt : Number(v)
}

export const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

export function missing(tools) {
  return tools.filter((t) => !have(t))
}

export function sh(cmd, opts = {}) {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', ...opts })
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}\n${r.stderr}`)
  return r.stdout
}

/** Starts the lab Samba on `port` in `dir`; returns stop(). */
export function startSamba(dir, port, extra = '') {
  if (!LAB) throw new Error('the lab scripts (../shared/lab) are not here')
  sh(`SHARE_EXTRA=${JSON.stringify(extra)} bash ${LAB}/samba-lab.sh start ${dir} ${port}`)
  return () => spawnSync('bash', [join(LAB, 'samba-lab.sh'), 'stop', dir], { stdio: 'ignore' })
}

/**
 * Runs a command and returns { wall, rss } (seconds, KiB peak RSS via /usr/bin/time), stdout discarded.
 */
export function timed(argv, { cwd } = {}) {
  return new Promise((res, rej) => {
    const out = join(CACHE, `time-${process.pid}.txt`)
    const t0 = performance.now()
    const p = spawn('/usr/bin/time', ['-o', out, '-f', '%M', ...argv], { cwd, stdio: ['ignore', 'ignore', 'ignore'] })
    p.on('error', rej)
    p.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000
      if (code !== 0) return rej(new Error(`${argv.join(' ')}: exit ${code}`))
      res({ wall, rss: Number(readFileSync(out, 'utf8').trim().split('\n').pop()) })
    })
  })
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const s = createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address()
  await new Promise((r) => s.close(r))
  return port
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Interleaves the commands round by round (so load on a shared machine hits all alike); medians. */
export async function compare(cmds, rounds) {
  const res = Object.fromEntries(Object.keys(cmds).map((k) => [k, { wall: [], rss: [] }]))
  for (let r = 0; r < rounds; r++) {
    for (const [k, argv] of Object.entries(cmds)) {
      const t = await timed(argv)
      res[k].wall.push(t.wall)
      res[k].rss.push(t.rss)
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { wall: median(v.wall), rss: Math.max(...v.rss), walls: v.wall }]))
}
