/**
 * The regression test of the bundled server: the shipped captures (the Samba captures and the replay
 * fixtures) replayed in-process against `SmbServer`, each on a fresh share, judged as against Samba: 99% or
 * more of the requests match and no durable open diverges, apart from the explained divergences.
 *
 * It skips, saying why, until server/server.ts exports a startable server (`SmbServer.create(config)`,
 * `listen(host, port)`, `close()`, with `buildConfig` from server/config.ts).
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatText } from './compare/report.js'
import { ReplayEngine } from './engine.js'
import { haveSambaCaptures, LAB_PASSWORD, SAMBA_CAPTURES } from './test-helpers/captures.js'
import type { ReplayReport } from './types.js'

interface StartableServer {
  listen(host: string, port: number): Promise<{ port: number }>
  close(): Promise<void>
}
interface ServerModule {
  SmbServer: { create(config: unknown): Promise<StartableServer> }
}
interface ConfigModule {
  buildConfig(a: { listen?: string; share?: string[]; user?: string[]; log?: string }): unknown
}

// URLs in variables, so that neither tsc nor vite needs the modules before the server exists.
const SERVER = new URL('../server/server.ts', import.meta.url).href
const CONFIG = new URL('../server/config.ts', import.meta.url).href
let why: string | undefined
let server: ServerModule | undefined
let config: ConfigModule | undefined
try {
  server = (await import(/* @vite-ignore */ SERVER)) as ServerModule
  config = (await import(/* @vite-ignore */ CONFIG)) as ConfigModule
  if (typeof server.SmbServer?.create !== 'function') why = 'server/server.ts does not export SmbServer.create yet'
  else if (typeof config.buildConfig !== 'function') why = 'server/config.ts does not export buildConfig'
} catch (e) {
  why = `the bundled server is not startable yet (server/server.ts: ${(e as Error).message.split('\n')[0]})`
}
if (!why && !haveSambaCaptures) why = `no shipped captures at ${SAMBA_CAPTURES}`
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
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-bundled-'))
  chmodSync(dir, 0o755)
  const srv = await server!.SmbServer.create(config!.buildConfig({ listen: '127.0.0.1:0', share: [`share=${dir}`], user: [`labuser:${LAB_PASSWORD}`], log: 'error' }))
  try {
    const { port } = await srv.listen('127.0.0.1', 0)
    const engine = await ReplayEngine.fromFile(file, {
      host: '127.0.0.1', port, credentials: { user: 'labuser', password: LAB_PASSWORD }, responseTimeoutMs: 10_000, breakTimeoutMs: 1_000,
    })
    return await engine.run()
  } finally {
    await srv.close()
    rmSync(dir, { recursive: true, force: true })
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

describe('bundled-server regression test', () => {
  it('says why it is skipped, or runs', () => {
    expect(why === undefined || why.length > 0).toBe(true)
  })
})
