/**
 * End to end in a real terminal: the built CLI runs `inspect` on a real Samba capture inside a detached tmux
 * session of 80x24; the test types keys with `send-keys` and reads the screen with `capture-pane`. It needs
 * tmux, the built CLI with the inspect command (`npm run build`; SMBSCOPE_CLI may name another entry point)
 * and the capture; when one is missing it skips and says which.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = process.env['SMBSCOPE_CLI'] ?? join(ROOT, 'dist/bin/smbscope.js')
const CAPTURE = resolve(ROOT, '../shared/captures/samba/durable-v2-open.reopen2.pcap')
const ALT_CAPTURE = '/work/shared/captures/samba/durable-v2-open.reopen2.pcap'
const capture = existsSync(CAPTURE) ? CAPTURE : ALT_CAPTURE

function skipReason(): string | undefined {
  if (spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status !== 0) return 'tmux is not installed'
  if (!existsSync(CLI)) return `the CLI is not built (${CLI} is missing; run npm run build)`
  const help = spawnSync(process.execPath, [CLI, 'inspect', '--help'], { encoding: 'utf8', timeout: 30_000 })
  if (help.status !== 0 || !/inspect/.test(help.stdout)) return `${CLI} has no inspect command yet (bin/smbscope.ts must register inspectCommand)`
  if (!existsSync(capture)) return `the capture ${capture} is missing`
  return undefined
}

const reason = skipReason()
if (reason) console.warn(`SKIP inspect e2e: ${reason}`)

let tmp = ''
// A private server socket inside the test's directory: nothing shared with other tmux users, nothing left behind.
// -u: UTF-8 whatever the locale of the test runner (CI often has none); the inspector gets a UTF-8 locale too.
const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-S', join(tmp, 'tmux.sock'), ...args], { encoding: 'utf8' })
const UTF8 = 'LANG=C.UTF-8 LC_ALL=C.UTF-8'
const screen = () => tmux('capture-pane', '-p', '-t', 'inspect')
const keys = (...k: string[]) => tmux('send-keys', '-t', 'inspect', ...k)
const text = (s: string) => tmux('send-keys', '-t', 'inspect', '-l', s)

async function waitFor(pred: (s: string) => boolean, what: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms
  let last = ''
  while (Date.now() < end) {
    last = screen()
    if (pred(last)) return last
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`)
}

describe.skipIf(reason !== undefined)(`inspect in tmux 80x24${reason ? ` (skipped: ${reason})` : ''}`, () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'inspect-e2e-'))
  })
  afterAll(() => {
    spawnSync('tmux', ['-S', join(tmp, 'tmux.sock'), 'kill-server'])
    rmSync(tmp, { recursive: true, force: true })
  })

  it('opens a capture, moves, opens a message\'s fields, filters, quits and leaves no spool behind', async () => {
    const cmd = `${UTF8} TMPDIR=${tmp} ${process.execPath} ${CLI} inspect ${capture}; echo "__EXIT__$?"; sleep 120`
    tmux('new-session', '-d', '-s', 'inspect', '-x', '80', '-y', '24', cmd)

    let s = await waitFor((x) => /· \d+ records/.test(x) && !/indexing/.test(x), 'the capture to be indexed')
    const lines = s.split('\n')
    expect(lines[0]).toMatch(/^ smbscope {2}durable-v2-open\.reopen2\.pcap · \d+ records$/)
    expect(lines[1]).toMatch(/^══ Messages ═ 1\/\d+ ═+$/)
    expect(lines[2]).toMatch(/^>\s+1\s+0\.000000 c1\s+── TCP OPEN by client ──/)
    expect(s).toContain('── Fields ─ TCP OPEN · frame 1')
    const spools = () => readdirSync(tmp).filter((n) => n.startsWith('smbscope-inspect-'))
    expect(spools()).toHaveLength(1)

    keys('j', 'j')
    s = await waitFor((x) => /\s3\/\d+\s*$/.test(x.trimEnd().split('\n').pop()!), 'the cursor on the third row')
    expect(s).toMatch(/^>\s+\d+\s+[\d.]+ c1 {2}← NEGOTIATE\s+SUCCESS/m)

    keys('Enter')
    s = await waitFor((x) => x.includes('══ Fields ═ NEGOTIATE response'), 'the fields pane focused')
    expect(s).toMatch(/^>▸ record \{\d+\}$/m)
    expect(s).toContain('0000  fe 53 4d 42 40 00')

    keys('Down', 'Right')
    s = await waitFor((x) => /header \[0x0, 0x40\)/.test(x) && x.includes('protocolId'), 'the header opened')

    keys('Escape', '/')
    text('CREATE')
    keys('Enter')
    s = await waitFor((x) => /· filter: CREATE \(\d+\)$/m.test(x), 'the filter applied')
    const rows = s.split('\n').slice(2, 9).filter((l) => l.trim())
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(r).toMatch(/[→←] CREATE\b/)

    keys('?')
    await waitFor((x) => x.includes('══ Keys ═ Esc or ? closes'), 'the help')
    keys('q')
    s = await waitFor((x) => x.includes('__EXIT__'), 'the inspector to exit')
    expect(s).toContain('__EXIT__0')
    expect(spools()).toEqual([])
  }, 120_000)

  it('removes its spool and gives the terminal back on SIGTERM', async () => {
    const cmd = `${UTF8} TMPDIR=${tmp} ${process.execPath} ${CLI} inspect ${capture}; echo "__EXIT__$?"; sleep 120`
    tmux('new-session', '-d', '-s', 'term', '-x', '80', '-y', '24', cmd)
    const shot = () => tmux('capture-pane', '-p', '-t', 'term')
    const end = Date.now() + 30_000
    while (!/· \d+ records/.test(shot()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
    const spools = () => readdirSync(tmp).filter((n) => n.startsWith('smbscope-inspect-'))
    expect(spools()).toHaveLength(1)
    const shell = tmux('list-panes', '-t', 'term', '-F', '#{pane_pid}').trim()
    const node = spawnSync('pgrep', ['-P', shell], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!
    process.kill(Number(node), 'SIGTERM')
    while (!shot().includes('__EXIT__') && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
    const s = shot()
    expect(s).toContain('__EXIT__143')
    // The alternate screen is gone: only the exit line is left on a cleared terminal.
    expect(s).not.toContain('Messages')
    expect(spools()).toEqual([])
  }, 60_000)

  it('exits 2 with one line on stderr for a file that is not a capture', () => {
    const r = spawnSync(process.execPath, [CLI, 'inspect', join(ROOT, 'package.json')], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/package\.json: /)
  })
})
