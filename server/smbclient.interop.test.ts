/**
 * Real clients against the built server (`smbscope serve` as a child process): smbclient at every dialect
 * (SMB 2.0.2 to 3.1.1, the dialect pinned by min = max protocol) × `--client-protection=off|sign|encrypt`
 * (encrypt only for SMB 3.x), each doing mkdir, put, ls, get (byte-exact), rename, del, rmdir in one session;
 * `smbclient -L` (share enumeration over srvsvc on IPC$); and impacket's SMBConnection doing the same
 * (server/interop/impacket_ops.py). Skips with the reason when a peer is missing.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt, impacketPython, PASSWORD, ROOT, startServe, USER, which, type ServeChild } from './test-helpers/serve-child.js'

const run = promisify(execFile)
const SMBCLIENT = which('smbclient')
const PYTHON = impacketPython()
if (!SMBCLIENT) console.warn('\n*** smbclient interop tests SKIPPED: smbclient is not installed (apt-get install smbclient) ***\n')
if (!PYTHON) console.warn('\n*** impacket interop tests SKIPPED: no python3 with impacket (apt-get install python3-impacket) ***\n')

const DIALECTS = ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_02', 'SMB3_11'] as const
const PROTECTIONS = ['off', 'sign', 'encrypt'] as const
const combos = DIALECTS.flatMap((d) => PROTECTIONS.filter((p) => p !== 'encrypt' || d.startsWith('SMB3')).map((p) => [d, p] as const))

/** The names in the listing of one `ls` (smbclient prints `  NAME   ATTR  SIZE  DATE`). */
function listings(out: string): string[][] {
  const blocks: string[][] = []
  let cur: string[] | undefined
  for (const line of out.split('\n')) {
    const m = /^ {2}(.+?)\s+[A-Z]*\s+\d+\s+\w{3} \w{3} [ \d]\d /.exec(line)
    if (m) (cur ??= []).push(m[1]!)
    else if (/blocks of size/.test(line) && cur) {
      blocks.push(cur.sort())
      cur = undefined
    }
  }
  return blocks
}

describe.skipIf(!SMBCLIENT && !PYTHON)('real clients against smbscope serve', () => {
  let srv: ServeChild
  let src: string
  let data: Buffer
  beforeAll(async () => {
    await ensureBuilt()
    srv = await startServe()
    data = randomBytes(3 * 1024 * 1024 + 12345) // several multi-credit reads/writes, a ragged tail
    src = join(srv.dir, 'src.bin')
    writeFileSync(src, data)
  }, 180_000)
  afterAll(async () => {
    await srv?.stop()
  })

  describe.skipIf(!SMBCLIENT)('smbclient', () => {
    for (const [dialect, protection] of combos) {
      it(`${dialect} --client-protection=${protection}: mkdir, put, ls, get (byte-exact), rename, del, rmdir`, async () => {
        const d = `d_${dialect}_${protection}`
        const out = join(srv.dir, `out_${d}.bin`)
        const cmds = [`mkdir ${d}`, `cd ${d}`, `put ${src} f.bin`, 'ls', `get f.bin ${out}`, 'rename f.bin g.bin', 'ls', 'del g.bin', 'ls', 'cd \\', `rmdir ${d}`, 'ls']
        const r = await run(
          SMBCLIENT!,
          [`//127.0.0.1/share`, '-p', String(srv.port), '-U', `${USER}%${PASSWORD}`, '-m', dialect, `--option=client min protocol=${dialect}`,
            `--client-protection=${protection}`, '-c', cmds.join('; ')],
          { timeout: 60_000, maxBuffer: 1 << 22 },
        )
        const ls = listings(r.stdout)
        expect(ls, r.stdout + r.stderr).toEqual([['.', '..', 'f.bin'], ['.', '..', 'g.bin'], ['.', '..'], ['.', '..']])
        expect(readFileSync(out).equals(data), 'get returned the bytes put').toBe(true)
        expect(existsSync(join(srv.share, d)), 'rmdir removed the directory').toBe(false)
        expect(readdirSync(srv.share)).toEqual([])
      }, 60_000)
    }

    it('smbclient -L lists the share and IPC$', async () => {
      const r = await run(SMBCLIENT!, ['-L', '//127.0.0.1', '-p', String(srv.port), '-U', `${USER}%${PASSWORD}`, '-m', 'SMB3_11'], { timeout: 30_000 })
      expect(r.stdout).toMatch(/^\s+share\s+Disk/m)
      expect(r.stdout).toMatch(/^\s+IPC\$\s+IPC/m)
    }, 30_000)

    it('a wrong password is refused (NT_STATUS_LOGON_FAILURE)', async () => {
      const e = await run(SMBCLIENT!, ['//127.0.0.1/share', '-p', String(srv.port), '-U', `${USER}%wrong`, '-c', 'ls'], { timeout: 30_000 }).then(
        () => undefined,
        (x: { stdout: string; stderr: string }) => x,
      )
      expect(e, 'smbclient must fail').toBeDefined()
      expect(e!.stdout + e!.stderr).toContain('NT_STATUS_LOGON_FAILURE')
    }, 30_000)
  })

  // impacket 0.10 (Debian 12) knows no 3.0.2 dialect, and its 3.1.1 session fails with ACCESS_DENIED against
  // Samba 4.17 as well (its own preauth/signing bug), so those two are not asked of it.
  describe.skipIf(!PYTHON)('impacket SMBConnection', () => {
    for (const dialect of ['2.0.2', '2.1', '3.0', 'auto']) {
      for (const sign of ['', 'sign']) {
        it(`dialect ${dialect}${sign ? ' signed' : ''}: shares, mkdir, put, ls, get (byte-exact), rename, del, rmdir`, async () => {
          const r = await run(
            PYTHON!,
            [join(ROOT, 'server/interop/impacket_ops.py'), '127.0.0.1', String(srv.port), USER, PASSWORD, 'share', dialect, ...(sign ? [sign] : [])],
            { timeout: 60_000 },
          ).catch((e: { stdout: string; stderr: string }) => e)
          const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>
          expect(res, r.stderr).toMatchObject({ ok: true, get_exact: true, renamed: true, cleaned: true, ls: ['.', '..', 'f.bin'] })
          expect(res['shares']).toEqual(expect.arrayContaining(['share', 'IPC$']))
          if (sign) expect(res['signing']).toBe(true)
        }, 60_000)
      }
    }
  })
})
