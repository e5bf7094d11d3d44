/**
 * The regression test of the bundled server: the shipped captures (the Samba captures and the replay
 * fixtures) replayed in-process against `SmbServer`, each on a fresh share, judged as against Samba: 99% or
 * more of the requests match and no durable open diverges, apart from the explained divergences.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatText } from './compare/report.js'
import { ReplayEngine } from './engine.js'
import { startBundled } from './test-helpers/bundled.js'
import { haveSambaCaptures, LAB_PASSWORD, SAMBA_CAPTURES } from './test-helpers/captures.js'
import type { ReplayReport } from './types.js'

const why = haveSambaCaptures ? undefined : `no shipped captures at ${SAMBA_CAPTURES}`
if (why) console.warn(`\n*** bundled-server replay regression test SKIPPED: ${why} ***\n`)

/** Divergences that come from the capture, not from the server (see replay.interop.test.ts). */
const EXPLAINED: Record<string, string> = {
  'smbclient-encrypted-smb311.pcap:28': 'the captured share held leftover files of earlier test runs; the fresh share does not',
  'smbclient-encrypted-smb311.pcap:42':
    'Samba 4.17 fills FileModeInformation (inside FileAllInformation) with the DOS attributes (ARCHIVE = 0x20) of the file; the open was made without FILE_SYNCHRONOUS_IO_* so MS-FSCC 2.4.26 gives 0',
}

const fixtures = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.endsWith('.pcap')).map((f) => new URL(`./fixtures/${f}`, import.meta.url).pathname)
const captures = haveSambaCaptures ? readdirSync(SAMBA_CAPTURES).filter((f) => f.endsWith('.pcap')).map((f) => join(SAMBA_CAPTURES, f)) : []

async function replayInProcess(file: string): Promise<ReplayReport> {
  const srv = await startBundled()
  try {
    const engine = await ReplayEngine.fromFile(file, {
      host: '127.0.0.1', port: srv.port, credentials: { user: 'labuser', password: LAB_PASSWORD }, responseTimeoutMs: 10_000, breakTimeoutMs: 1_000,
    })
    return await engine.run()
  } finally {
    await srv.close()
  }
}

describe.skipIf(!!why)('the shipped captures replayed against the bundled server', () => {
  const reports = new Map<string, ReplayReport>()
  for (const file of [...captures, ...fixtures]) {
    const name = file.slice(file.lastIndexOf('/') + 1)
    it(`${name}: no durable divergence, only explained divergences`, async () => {
      const r = await replayInProcess(file)
      reports.set(name, r)
      for (const d of r.durable) expect(d.verdict, `durable #${d.id}: ${d.note ?? ''}\n${formatText(r)}`).toBe('match')
      const unexplained = r.steps.filter((x) => x.verdict === 'diverged' && !EXPLAINED[`${name}:${x.frame}`])
      expect(unexplained.map((x) => `${x.frame} ${x.cmd} ${JSON.stringify(x.diffs)}`), formatText(r)).toEqual([])
    })
  }

  it('99% or more of all requests match', () => {
    let requests = 0
    let matched = 0
    for (const r of reports.values()) {
      requests += r.summary.requests
      matched += r.summary.matched
    }
    expect(requests).toBeGreaterThan(0)
    expect(matched / requests).toBeGreaterThanOrEqual(0.99)
  })
})
