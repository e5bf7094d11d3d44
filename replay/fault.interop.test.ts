/**
 * The fault test of durable handles: for each durable capture in ../shared/captures/samba, the TCP connection is
 * dropped after every frame between the durable open and its close, and the client reconnects as Windows would
 * (new connection, SESSION_SETUP with PreviousSessionId, TREE_CONNECT, DHnC/DH2C), then the rest of the capture
 * runs. Against the lab Samba (the reference) and the bundled server, point by point:
 * - the reconnect is accepted inside the timeout: the bundled server accepts every reconnect Samba accepts (where
 *   they differ, the test prints it);
 * - no data is lost: every READ after the reconnect returns the captured bytes, and no later step diverges from
 *   the capture against the bundled server that did not diverge against Samba;
 * - after the timeout (a short one configured on the bundled server) the reconnect is refused with
 *   STATUS_OBJECT_NAME_NOT_FOUND, as Samba answers for an expired durable open.
 */
import { describe, expect, it } from 'vitest'
import { formatText } from './compare/report.js'
import { ReplayEngine, type ReplayOptions } from './engine.js'
import { startBundled } from './test-helpers/bundled.js'
import { haveSambaCaptures, LAB_PASSWORD, samba } from './test-helpers/captures.js'
import { faultPoints } from './test-helpers/fault-points.js'
import { labUnavailable, startLab } from './test-helpers/samba-lab.js'
import type { ReplayReport } from './types.js'
import type { ServerConfig } from '../server/config.js'

const why = !haveSambaCaptures ? 'no Samba captures' : labUnavailable()
if (why) console.warn(`\n*** durable fault tests SKIPPED: ${why} ***\n`)

const CAPTURES = [
  'durable-open.reopen1.pcap',
  'durable-open.reopen2.pcap',
  'durable-open.reopen4.pcap',
  'durable-open.lock-lease.pcap',
  'durable-v2-open.reopen1.pcap',
  'durable-v2-open.reopen2.pcap',
  'durable-v2-open.reopen2-lease-v2.pcap',
  'replay.replay-dhv2-lease1.pcap',
]

const options = (port: number, frame: number, delayMs = 0): ReplayOptions => ({
  host: '127.0.0.1',
  port,
  credentials: { user: 'labuser', password: LAB_PASSWORD },
  responseTimeoutMs: 10_000,
  breakTimeoutMs: 2_000,
  inject: [{ kind: 'after-frame', frame, ...(delayMs ? { delayMs } : {}) }],
})

/** What a fault run is judged on. */
function outcome(r: ReplayReport) {
  return {
    injected: r.durable.flatMap((d) => d.reconnects.filter((x) => x.injected).map((x) => `#${d.id} ${x.kind} ${x.actual}`)),
    dataLost: r.durable.filter((d) => d.dataIntact === false).map((d) => `#${d.id}`),
    diverged: r.steps.filter((s) => !s.injected && s.verdict === 'diverged').map((s) => `${s.frame} ${s.cmd}`),
  }
}

/** One replay against a fresh bundled server (in-process). */
async function onBundled(name: string, frame: number, delayMs = 0, tune?: (c: ServerConfig) => void): Promise<ReplayReport> {
  const ours = await startBundled(tune)
  try {
    return await (await ReplayEngine.fromFile(samba(name), options(ours.port, frame, delayMs))).run()
  } finally {
    await ours.close()
  }
}

describe.skipIf(!!why)('durable handles survive an outage at every point between open and close', () => {
  for (const name of CAPTURES) {
    it(`${name}: Samba and the bundled server give the same answers`, async () => {
      const plan = await faultPoints(samba(name), { password: LAB_PASSWORD })
      expect(plan.points.length, 'a durable open that is granted').toBeGreaterThan(0)
      const lines: string[] = []
      const differences: string[] = []
      for (const frame of plan.points) {
        // A fresh Samba per point: the disconnected durable opens of the previous run live on in its lock database.
        const lab = await startLab()
        let ref: ReplayReport
        try {
          ref = await (await ReplayEngine.fromFile(samba(name), options(lab.port, frame))).run()
        } finally {
          await lab.stop()
        }
        const got = await onBundled(name, frame)
        const a = outcome(ref)
        const b = outcome(got)
        lines.push(`after ${frame}: samba ${a.injected.join(',') || '-'}; ours ${b.injected.join(',') || '-'}`)
        // Samba, the reference: nothing is lost.
        expect(a.dataLost, `samba after frame ${frame}\n${formatText(ref)}`).toEqual([])
        // The bundled server: every reconnect Samba accepts is accepted, nothing is lost, and no step diverges
        // from the capture that did not diverge against Samba.
        const acceptedBySamba = a.injected.filter((x) => x.endsWith('STATUS_SUCCESS'))
        expect(b.injected.filter((x) => x.endsWith('STATUS_SUCCESS')), `after frame ${frame}\n${formatText(got)}`).toEqual(expect.arrayContaining(acceptedBySamba))
        expect(b.dataLost, `after frame ${frame}\n${formatText(got)}`).toEqual([])
        expect(b.diverged.filter((x) => !a.diverged.includes(x)), `after frame ${frame}\n${formatText(got)}`).toEqual([])
        if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`after ${frame}: samba ${JSON.stringify(a)} ours ${JSON.stringify(b)}`)
      }
      console.log(`${name}: ${plan.points.length} outage points\n  ${lines.join('\n  ')}${differences.length ? `\n  where we differ from Samba:\n  ${differences.join('\n  ')}` : ''}`)
    })
  }

  it('after the durable timeout the reconnect is refused with STATUS_OBJECT_NAME_NOT_FOUND', async () => {
    for (const name of ['durable-open.reopen2.pcap', 'durable-v2-open.reopen2.pcap']) {
      const plan = await faultPoints(samba(name), { password: LAB_PASSWORD })
      const granted = plan.opens[0]!.granted
      const short = (c: ServerConfig) => {
        c.durable.v1TimeoutMs = 300
        c.durable.defaultTimeoutMs = 300
        c.durable.maxTimeoutMs = 300
      }
      // Inside the timeout: accepted.
      const inside = await onBundled(name, granted, 0, short)
      expect(outcome(inside).injected.every((x) => x.endsWith('STATUS_SUCCESS')), formatText(inside)).toBe(true)
      // Past it (and past a scavenger pass): refused, the open is gone.
      const late = await onBundled(name, granted, 1500, short)
      const inj = outcome(late).injected
      expect(inj.length, formatText(late)).toBeGreaterThan(0)
      expect(inj.every((x) => x.endsWith('STATUS_OBJECT_NAME_NOT_FOUND')), formatText(late)).toBe(true)
    }
  })
})
