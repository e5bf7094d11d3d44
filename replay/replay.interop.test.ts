/**
 * Replays every capture in ../shared/captures/samba against a private Samba (the lab script) on a fresh
 * share: at least 99% of the requests match, no durable open diverges, and each remaining divergence is one
 * of the explained ones below. Then the verification power: the same captures against a Samba that is wrong
 * (`durable handles = no`, and `posix locking = yes` with a byte-range lock) must be flagged.
 */
import { readdirSync } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dissectAll } from '../dissect/trace/dissect-file.js'
import { isSmb } from '../dissect/trace/record.js'
import { exitCodeOf, formatText } from './compare/report.js'
import { ReplayEngine, type ReplayOptions } from './engine.js'
import { PcapRecorder } from './record-pcap.js'
import { haveSambaCaptures, LAB_PASSWORD, SAMBA_CAPTURES } from './test-helpers/captures.js'
import { labUnavailable, startLab, type Lab } from './test-helpers/samba-lab.js'
import type { ReplayReport } from './types.js'

const why = !haveSambaCaptures ? `no Samba captures at ${SAMBA_CAPTURES}` : labUnavailable()
if (why) console.warn(`\n*** replay interop tests SKIPPED: ${why} ***\n`)

/**
 * Divergences that are the capture's, not the replay's: `capture:frame` → why. smbclient-encrypted-smb311.pcap
 * was recorded on a share that still held files of earlier smbtorture runs; its directory listing (frame 28)
 * names four of them, which a fresh share does not have.
 */
const EXPLAINED: Record<string, string> = {
  'smbclient-encrypted-smb311.pcap:28': 'the captured share held leftover files of earlier test runs; the fresh share does not',
}

const FIXTURES = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.endsWith('.pcap')).sort()
const captures = haveSambaCaptures ? readdirSync(SAMBA_CAPTURES).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).sort() : []

const options = (lab: Lab, extra: Partial<ReplayOptions> = {}): ReplayOptions => ({
  host: '127.0.0.1',
  port: lab.port,
  credentials: { user: 'labuser', password: LAB_PASSWORD },
  responseTimeoutMs: 10_000,
  breakTimeoutMs: 3_000,
  ...extra,
})

async function replay(lab: Lab, name: string, extra: Partial<ReplayOptions> = {}): Promise<ReplayReport> {
  lab.freshShare()
  const engine = await ReplayEngine.fromFile(join(SAMBA_CAPTURES, name), options(lab, extra))
  return engine.run()
}

describe.skipIf(!!why)('replay against the lab Samba', () => {
  let lab: Lab
  const reports = new Map<string, ReplayReport>()
  beforeAll(async () => {
    lab = await startLab()
  })
  afterAll(async () => {
    await lab?.stop()
  })

  for (const name of captures) {
    it(`replays ${name}: no durable divergence, only explained divergences`, async () => {
      const r = await replay(lab, name)
      reports.set(name, r)
      const s = r.summary
      console.log(`${name}: ${s.matched}/${s.requests} matched, ${s.diverged} diverged, ${s.skipped} skipped; ${r.durable.length} durable open(s)`)
      expect(s.requests).toBeGreaterThan(0)
      for (const d of r.durable) expect(d.verdict, `${name} durable #${d.id}: ${d.note ?? ''}`).toBe('match')
      const unexplained = r.steps.filter((x) => x.verdict === 'diverged' && !EXPLAINED[`${name}:${x.frame}`])
      expect(unexplained.map((x) => `${x.frame} ${x.cmd} ${JSON.stringify(x.diffs)}`), formatText(r)).toEqual([])
      expect(r.events.filter((e) => e.verdict !== 'match')).toEqual([])
    })
  }

  for (const name of FIXTURES) {
    it(`replays the fixture ${name} (async answers, CANCEL, oplock breaks): everything matches`, async () => {
      lab.freshShare()
      const engine = await ReplayEngine.fromFile(new URL(`./fixtures/${name}`, import.meta.url).pathname, options(lab, { regenerateIds: true }))
      const r = await engine.run()
      console.log(`fixture ${name}: ${r.summary.matched}/${r.summary.requests} matched`)
      expect(exitCodeOf(r), formatText(r)).toBe(0)
      if (name === 'smb2.lock.cancel.pcap') {
        // the CANCELs reached the server: the LOCKs they cancel end STATUS_CANCELLED live too
        const cancelled = r.steps.filter((x) => (x.actual as { status?: string } | null)?.status === 'STATUS_CANCELLED')
        expect(cancelled.length).toBe(r.steps.filter((x) => x.cmd === 'CANCEL').length)
      }
    })
  }

  it('99% or more of all replayed requests match', () => {
    let requests = 0
    let matched = 0
    for (const r of reports.values()) {
      requests += r.summary.requests
      matched += r.summary.matched
    }
    console.log(`all captures: ${matched}/${requests} requests matched (${((100 * matched) / requests).toFixed(2)}%)`)
    expect(reports.size).toBe(captures.length)
    expect(matched / requests).toBeGreaterThanOrEqual(0.99)
  })

  it('the encrypted capture replays encrypted, and --record writes traffic that the same password decrypts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smbscope-rec-'))
    try {
      const out = join(dir, 'live.pcap')
      const r = await replay(lab, 'smbclient-encrypted-smb311.pcap', { recorder: new PcapRecorder(out), regenerateIds: true })
      const encrypted = r.steps.filter((x) => (x.actual as { encrypted?: boolean } | null)?.encrypted === true)
      expect(encrypted.length).toBe(25)
      const { items } = await dissectAll(out, { passwords: [LAB_PASSWORD] })
      const recs = items.map((d) => d.record).filter(isSmb)
      expect(recs.filter((x) => x.cmd === 'ENCRYPTED')).toEqual([])
      expect(recs.filter((x) => x.dir === 'request').length).toBe(r.summary.requests)
      // 25 encrypted requests, each answered encrypted (an extra interim answer may come, by timing).
      expect(recs.filter((x) => x.encrypted && x.dir === 'request').length).toBe(25)
      expect(recs.filter((x) => x.encrypted && x.dir === 'response').length).toBeGreaterThanOrEqual(25)
      expect(recs.filter((x) => x.dir === 'response' && x.sessionId !== '0x0000000000000000' && x.cmd !== 'SESSION_SETUP' && !x.encrypted)).toEqual([])
      expect(recs.filter((x) => x.signature === 'invalid')).toEqual([])
      // the report points at the recorded frames
      const first = r.steps.find((x) => x.cmd === 'TREE_CONNECT')!
      expect(recs.find((x) => x.frame === first.live!.frame)?.cmd).toBe('TREE_CONNECT')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('--inject-disconnect durable-close: every durable open survives an outage before its close', async () => {
    for (const name of ['durable-open.reopen2.pcap', 'durable-v2-open.reopen2-lease-v2.pcap', 'durable-open.lock-lease.pcap']) {
      const r = await replay(lab, name, { inject: [{ kind: 'before-durable-close' }], regenerateIds: true })
      const injected = r.durable.flatMap((d) => d.reconnects.filter((x) => x.injected))
      console.log(`${name} with injected outages: ${r.summary.matched}/${r.summary.requests} matched, ${injected.length} injected reconnect(s)`)
      expect(injected.length).toBeGreaterThan(0)
      expect(injected.every((x) => x.actual === 'STATUS_SUCCESS'), formatText(r)).toBe(true)
      expect(exitCodeOf(r), formatText(r)).toBe(0)
    }
  })

  it('--inject-disconnect after a frame: the reconnect (PreviousSessionId, tree, DH2C) and the rest of the capture', async () => {
    // durable-v2-open.reopen2-lease-v2.pcap: frame 68 reconnects the open on the third connection; drop it right after.
    const r = await replay(lab, 'durable-v2-open.reopen2-lease-v2.pcap', { inject: [{ kind: 'after-frame', frame: 68 }], regenerateIds: true })
    const extra = r.steps.filter((x) => x.injected).map((x) => `${x.cmd} ${x.verdict}`)
    expect(extra).toEqual(['NEGOTIATE match', 'SESSION_SETUP match', 'TREE_CONNECT match', 'CREATE match'])
    expect(exitCodeOf(r), formatText(r)).toBe(0)
  })

  it('--pace original keeps the captured gaps', async () => {
    const r = await replay(lab, 'durable-open.reopen4.pcap', { pace: 'original', regenerateIds: true })
    expect(r.summary.diverged).toBe(0)
    expect(r.elapsedMs).toBeGreaterThanOrEqual(9) // the capture spans 10 ms from its first to its last request
  })
})

describe.skipIf(!!why)('a target with an older dialect', () => {
  it('SMB 3.1.1 encrypted capture against SMB 2.1: authenticates, signs instead of encrypting, reports the differences', async () => {
    // A second [global] section in smb.conf applies globally.
    const lab = await startLab('[global]\n  server max protocol = SMB2_10')
    try {
      const r = await replay(lab, 'smbclient-encrypted-smb311.pcap', { regenerateIds: true })
      expect(r.notes.some((n) => /negotiated SMB 2\.1 where the capture had SMB 3\.1\.1/.test(n))).toBe(true)
      expect(r.notes.some((n) => /the capture encrypted .* so the requests went signed/.test(n))).toBe(true)
      const neg = r.steps.find((x) => x.cmd === 'NEGOTIATE')!
      expect(neg.diffs.find((d) => d.path === 'body.dialectRevision')).toEqual({ path: 'body.dialectRevision', expected: 0x0311, actual: 0x0210 })
      // Every other request got the captured status; what differs is that the responses came unencrypted.
      const others = r.steps.filter((x) => x.cmd !== 'NEGOTIATE')
      expect(others.filter((x) => x.diffs.some((d) => d.path === 'status'))).toEqual([])
      expect(others.filter((x) => (x.expected as { encrypted?: boolean } | null)?.encrypted).every((x) => x.diffs.some((d) => d.path === 'encrypted'))).toBe(true)
    } finally {
      await lab.stop()
    }
  })
})

describe.skipIf(!!why)('verification power: a wrong server is flagged', () => {
  const durableCaptures = ['durable-open.reopen2.pcap', 'durable-open.reopen4.pcap', 'durable-open.lock-lease.pcap', 'durable-v2-open.reopen2.pcap', 'durable-v2-open.reopen2-lease-v2.pcap', 'session.reconnect1.pcap']

  it('`durable handles = no`: every capture that reconnects a durable open diverges on its durable opens', async () => {
    const lab = await startLab('durable handles = no')
    try {
      for (const name of durableCaptures) {
        const r = await replay(lab, name)
        const bad = r.durable.filter((d) => d.verdict !== 'match')
        console.log(`durable handles = no, ${name}: ${r.summary.matched}/${r.summary.requests} matched, ${bad.length}/${r.durable.length} durable open(s) flagged: ${bad.map((d) => d.note).join(' | ')}`)
        if (name === 'session.reconnect1.pcap') continue // it has no durable open: a control
        expect(exitCodeOf(r)).toBe(1)
        expect(bad.length).toBeGreaterThan(0)
        expect(bad.every((d) => d.granted.expected === true && d.granted.actual === false)).toBe(true)
        // Control: the opens themselves succeeded; only the durable part is missing.
        for (const d of bad) {
          const create = r.steps.find((x) => x.frame === d.requestFrame && x.cmd === 'CREATE')!
          expect(create.diffs.map((x) => x.path), `${name} frame ${d.requestFrame}`).not.toContain('status')
          expect(create.diffs.some((x) => /^body\.createContexts\.(DHnQ|DH2Q)$/.test(x.path))).toBe(true)
        }
      }
    } finally {
      await lab.stop()
    }
  })

  it('`posix locking = yes` with a byte-range lock: the durable reconnect of the locked open is flagged', async () => {
    const lab = await startLab('posix locking = yes')
    try {
      const r = await replay(lab, 'durable-open.lock-lease.pcap')
      const d = r.durable[0]!
      console.log(`posix locking = yes, durable-open.lock-lease.pcap: ${r.summary.matched}/${r.summary.requests} matched, ${r.summary.skipped} skipped; durable: ${d.note ?? d.verdict}`)
      expect(exitCodeOf(r)).toBe(1)
      expect(d.verdict).toBe('diverged')
      expect(d.reconnects[0]!.expected).toBe('STATUS_SUCCESS')
      expect(d.reconnects[0]!.actual).not.toBe('STATUS_SUCCESS')
      // Control: granted like the capture, and everything before the reconnect matched.
      expect(d.granted).toEqual({ expected: true, actual: true })
      expect(r.steps.filter((x) => x.frame < d.reconnects[0]!.frame).every((x) => x.verdict === 'match')).toBe(true)
    } finally {
      await lab.stop()
    }
  })
})
