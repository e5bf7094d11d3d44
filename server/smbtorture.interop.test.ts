/**
 * Samba's smbtorture against the built server, a fresh share per suite: our pass count must be at least the one
 * Samba 4.17 itself reaches on the same machine (../shared/lab/README.md): the core suites, then the durability
 * suites (durable-open, durable-v2-open, durable-open-disconnect, durable-v2-delay, lease, replay; about five
 * minutes in all); smb2.session runs in session.interop.test.ts; oplock, lock and notify are measured by hand.
 * Skips with the reason when smbtorture is missing.
 */
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ensureBuilt, PASSWORD, startServe, USER, which } from './test-helpers/serve-child.js'

const SMBTORTURE = which('smbtorture')
if (!SMBTORTURE) console.warn('\n*** smbtorture interop tests SKIPPED: smbtorture is not installed (apt-get install samba-testsuite) ***\n')

/** Samba 4.17.12's passes on a fresh share (tests run), from the lab README. */
const SAMBA: Record<string, { passes: number; run: number }> = {
  connect: { passes: 1, run: 1 },
  credits: { passes: 3, run: 3 },
  read: { passes: 4, run: 5 },
  rename: { passes: 9, run: 11 },
  compound: { passes: 15, run: 19 },
  getinfo: { passes: 4, run: 8 },
  ioctl: { passes: 42, run: 73 },
  create: { passes: 12, run: 16 },
  dir: { passes: 5, run: 8 },
  // Durability: leases, durable/resilient handles, replay detection, reconnect.
  'durable-open': { passes: 22, run: 23 },
  'durable-v2-open': { passes: 14, run: 15 },
  'durable-open-disconnect': { passes: 1, run: 1 },
  'durable-v2-delay': { passes: 2, run: 2 },
  lease: { passes: 33, run: 39 },
  // With directory leases offered (Samba 4.17 cannot: its count is the same suite's without them), lease.v2_request
  // and v2_request_parent run instead of being skipped.
  'lease --directory-leases': { passes: 33, run: 39 },
  replay: { passes: 29, run: 56 },
}

interface TortureResult {
  passed: string[]
  failed: string[]
  skipped: string[]
  output: string
}

function runTorture(port: number, suite: string): Promise<TortureResult> {
  return new Promise((resolve) => {
    execFile(
      SMBTORTURE!,
      [`//127.0.0.1/share`, '-p', String(port), '-U', `${USER}%${PASSWORD}`, `smb2.${suite}`],
      { timeout: 540_000, maxBuffer: 1 << 24 },
      (_err, stdout, stderr) => {
        const pick = (re: RegExp) => [...stdout.matchAll(re)].map((m) => m[1]!)
        resolve({
          passed: pick(/^success: (.+)$/gm),
          failed: pick(/^(?:failure|error): (.+?) \[?$/gm),
          skipped: pick(/^skip: (.+?) \[?$/gm),
          output: stdout + stderr,
        })
      },
    )
  })
}

describe.skipIf(!SMBTORTURE)('smbtorture core suites against smbscope serve', () => {
  for (const [entry, ref] of Object.entries(SAMBA)) {
    // "suite --serve-flag ...": the suite against `serve` started with those flags.
    const [suite, ...args] = entry.split(' ') as [string, ...string[]]
    it(`smb2.${entry}: at least Samba's ${ref.passes}/${ref.run}`, async () => {
      await ensureBuilt()
      const srv = await startServe({ args })
      try {
        const r = await runTorture(srv.port, suite)
        console.log(`smb2.${entry}: ${r.passed.length} passed (Samba ${ref.passes}), failed: [${r.failed.join(', ')}], skipped: [${r.skipped.join(', ')}]`)
        expect(r.passed.length, `${r.output.slice(-4000)}\n${srv.stderr().slice(-2000)}`).toBeGreaterThanOrEqual(ref.passes)
      } finally {
        await srv.stop()
      }
    }, 600_000)
  }
})
