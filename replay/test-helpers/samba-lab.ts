/**
 * A private Samba for interop tests, through the shared lab script (`samba-lab.sh start DIR PORT`, user
 * labuser/labpass, share `share`). `labUnavailable()` says why it cannot run here (no smbd, no script, not
 * root for useradd/smbpasswd), so tests can skip loudly with the reason.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const LAB_SCRIPT: string =
  [process.env['SMBSCOPE_LAB'], resolve(process.cwd(), '../shared/lab/samba-lab.sh'), '/work/shared/lab/samba-lab.sh']
    .filter((p): p is string => !!p)
    .find((p) => existsSync(p)) ?? '/work/shared/lab/samba-lab.sh'

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

export function labUnavailable(): string | undefined {
  if (!existsSync(LAB_SCRIPT)) return `the lab script ${LAB_SCRIPT} is missing (set SMBSCOPE_LAB)`
  for (const c of ['smbd', 'smbpasswd']) if (!which(c) && !existsSync(`/usr/sbin/${c}`) && !existsSync(`/usr/bin/${c}`)) return `${c} is not installed (apt-get install samba)`
  if (process.getuid?.() !== 0) return 'the lab Samba needs root (useradd, smbpasswd)'
  return undefined
}

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

export interface Lab {
  dir: string
  port: number
  target: string
  /** Empties the share (a fresh share for the next replay). */
  freshShare(): void
  stop(): Promise<void>
}

/** Starts a lab smbd on a free port in a temp dir; `shareExtra` adds lines to [share] (SHARE_EXTRA). */
export async function startLab(shareExtra?: string): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-samba-'))
  chmodSync(dir, 0o755) // smbd serves the share as labuser, who must reach it through this directory
  const port = await freePort()
  await run('bash', [LAB_SCRIPT, 'start', dir, String(port)], { env: { ...process.env, SHARE_EXTRA: shareExtra ?? '' } })
  const share = join(dir, 'share')
  return {
    dir,
    port,
    target: `127.0.0.1:${port}`,
    freshShare() {
      for (const f of readdirSync(share)) rmSync(join(share, f), { recursive: true, force: true })
    },
    async stop() {
      await run('bash', [LAB_SCRIPT, 'stop', dir]).catch(() => undefined)
      // smbd's children go with the parent; give them a moment before the directory goes.
      await new Promise((r) => setTimeout(r, 300))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
