/**
 * The built server (`dist/bin/smbscope.js serve`) as a child process for interop tests with real peers
 * (smbclient, smbtorture, impacket): a fresh share in a temp dir, port 0 (the server prints the port it got),
 * stopped with SIGTERM. `ensureBuilt()` rebuilds `dist/` when a source file is newer than the built CLI (CI
 * builds on `npm install`, so there it only checks).
 * @module
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const CLI = join(ROOT, 'dist/bin/smbscope.js')
export const USER = 'labuser'
export const PASSWORD = 'labpass'

/** The path of `cmd` on PATH (or in /usr/sbin, /usr/bin), or undefined. */
export function which(cmd: string): string | undefined {
  for (const d of ['/usr/bin', '/usr/sbin']) if (existsSync(join(d, cmd))) return join(d, cmd)
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/** A Python 3 that can import impacket (Debian's python3-impacket is in /usr/bin/python3), or undefined. */
export function impacketPython(): string | undefined {
  for (const py of ['/usr/bin/python3', which('python3')]) {
    if (!py || !existsSync(py)) continue
    try {
      execFileSync(py, ['-c', 'import impacket.smbconnection'], { stdio: 'ignore' })
      return py
    } catch {
      /* next */
    }
  }
  return undefined
}

function newestSource(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'test-helpers' || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

/** Builds dist/ if the CLI is missing or older than a source file of bin/, dissect/ or server/. */
export async function ensureBuilt(): Promise<void> {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0
  const src = Math.max(...['bin', 'dissect', 'server'].map((d) => newestSource(join(ROOT, d))))
  if (built >= src) return
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT })
  await run(process.execPath, [join(ROOT, 'scripts/postbuild.mjs')], { cwd: ROOT })
}

export interface ServeChild {
  port: number
  /** The temp dir: `share/` is the share root; other files here lie outside the share. */
  dir: string
  share: string
  proc: ChildProcess
  /** Everything the server wrote on stderr so far. */
  stderr(): string
  stop(): Promise<void>
}

/** Starts `smbscope serve` on 127.0.0.1, port 0, share `share` at a fresh dir, user labuser/labpass. */
export async function startServe(opts: { args?: string[]; log?: string } = {}): Promise<ServeChild> {
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-serve-'))
  const share = join(dir, 'share')
  mkdirSync(share)
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '-l', '127.0.0.1:0', '-s', `share=${share}`, '-u', `${USER}:${PASSWORD}`, '--log', opts.log ?? 'warn', ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let err = ''
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const port = await new Promise<number>((res, rej) => {
    let out = ''
    const timer = setTimeout(() => rej(new Error(`smbscope serve did not start in 30 s: ${err}`)), 30_000)
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = /listening on .*:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        res(Number(m[1]))
      }
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      rej(new Error(`smbscope serve exited with ${code}: ${err}`))
    })
  })
  return {
    port,
    dir,
    share,
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()))
        proc.kill('SIGTERM')
        const t = setTimeout(() => proc.kill('SIGKILL'), 8000)
        await exited
        clearTimeout(t)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
