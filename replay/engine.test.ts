/**
 * The engine end to end without Samba: against a scripted server that answers with the captured responses
 * under different server-chosen ids (test-helpers/scripted-server.ts), and against targets that fail.
 */
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runReplay } from './cli.js'
import { exitCodeOf, formatText } from './compare/report.js'
import { ReplayEngine, ReplayFatalError } from './engine.js'
import { buildPlan } from './plan.js'
import { haveSambaCaptures, LAB_PASSWORD, samba } from './test-helpers/captures.js'
import { startScriptedServer } from './test-helpers/scripted-server.js'
import type { ReplayReport } from './types.js'

const opts = (port: number) => ({ host: '127.0.0.1', port, credentials: { user: 'labuser', password: LAB_PASSWORD }, responseTimeoutMs: 3000, breakTimeoutMs: 500 })

async function scripted(name: string): Promise<{ report: ReplayReport; problems: string[]; answered: number }> {
  const plan = await buildPlan(samba(name), { passwords: [LAB_PASSWORD] })
  const server = await startScriptedServer(plan)
  try {
    const report = await new ReplayEngine(plan, opts(server.port)).run()
    return { report, problems: server.problems, answered: server.answered }
  } finally {
    await server.close()
  }
}

/** The scripted server makes every session a guest (it cannot sign): that, and only that, differs. */
function onlyGuestDifference(r: ReplayReport): void {
  for (const s of r.steps) {
    if (s.verdict === 'match') continue
    expect(s.cmd, formatText(r)).toBe('SESSION_SETUP')
    expect(s.diffs.map((d) => d.path)).toEqual(['body.sessionFlags'])
  }
}

describe.skipIf(!haveSambaCaptures)('the engine against a scripted server (server-chosen ids all different from the capture)', () => {
  it('four connections, a durable open reconnected with DHnC on each: every id mapped, every response matched', async () => {
    const { report, problems, answered } = await scripted('durable-open.reopen2.pcap')
    expect(problems).toEqual([])
    expect(answered).toBe(24)
    expect(report.summary.requests).toBe(24)
    onlyGuestDifference(report)
    expect(report.durable.map((d) => [d.granted, d.reconnects.map((x) => x.actual)])).toEqual([
      [{ expected: true, actual: true }, ['STATUS_SUCCESS', 'STATUS_SUCCESS', 'STATUS_SUCCESS']],
    ])
  })

  it('two interleaved connections and PreviousSessionId (session.reconnect1)', async () => {
    const { report, problems } = await scripted('session.reconnect1.pcap')
    expect(problems).toEqual([])
    onlyGuestDifference(report)
    expect(report.steps.map((s) => s.frame)).toEqual([...report.steps.map((s) => s.frame)].sort((a, b) => a - b))
  })

  it('a related compound goes out as one chain with the all-ones ids (compound.related1)', async () => {
    const { report, problems } = await scripted('compound.related1.pcap')
    expect(problems).toEqual([])
    onlyGuestDifference(report)
    const chain = report.steps.filter((s) => s.frame === 16)
    expect(chain.map((s) => s.cmd)).toEqual(['CREATE', 'CLOSE'])
    expect(chain.every((s) => s.verdict === 'match')).toBe(true)
  })

  it('LOGOFF, then a new session reconnecting the durable open (durable-open.reopen4)', async () => {
    const { report, problems } = await scripted('durable-open.reopen4.pcap')
    expect(problems).toEqual([])
    onlyGuestDifference(report)
    expect(report.durable[0]!.reconnects.map((x) => x.actual)).toEqual(['STATUS_SUCCESS'])
  })
})

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) }), text: () => Buffer.concat(chunks).toString() }
}

describe.skipIf(!haveSambaCaptures)('targets that fail', () => {
  it('authentication refused: the replay stops with ReplayFatalError, the CLI exits 2 with the reason', async () => {
    const plan = await buildPlan(samba('durable-open.reopen1.pcap'), { passwords: [LAB_PASSWORD] })
    const server = await startScriptedServer(plan, { refuseAuth: true })
    try {
      const engine = new ReplayEngine(plan, opts(server.port))
      await expect(engine.run()).rejects.toThrow(ReplayFatalError)
      await engine.close()
    } finally {
      await server.close()
    }
    const again = await startScriptedServer(plan, { refuseAuth: true })
    try {
      const err = sink()
      const code = await runReplay(
        { file: samba('durable-open.reopen1.pcap'), target: `127.0.0.1:${again.port}`, user: 'labuser', password: LAB_PASSWORD, report: 'text', pace: 'fast', timeout: 3000, 'break-timeout': 500 },
        { stderr: err.stream, stdout: sink().stream },
      )
      expect(code).toBe(2)
      expect(err.text()).toContain('authentication as labuser refused by the target: STATUS_LOGON_FAILURE')
    } finally {
      await again.close()
    }
  })

  it('a target that drops every connection: the first request diverges, the rest of the connection is skipped', async () => {
    const s = createServer((sock) => sock.destroy())
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    try {
      const plan = await buildPlan(samba('durable-open.reopen1.pcap'), { passwords: [LAB_PASSWORD] })
      const r = await new ReplayEngine(plan, opts((s.address() as { port: number }).port)).run()
      expect(r.steps[0]!.cmd).toBe('NEGOTIATE')
      expect(r.steps[0]!.verdict).toBe('diverged')
      expect(r.steps.slice(1).every((x) => x.verdict === 'skipped')).toBe(true)
      expect(exitCodeOf(r)).toBe(1)
    } finally {
      await new Promise<void>((r) => s.close(() => r()))
    }
  })
})

describe.skipIf(!haveSambaCaptures)('createReplayDriver (for `smbscope inspect --target`)', () => {
  it('steps one request at a time, then runs to the end', async () => {
    const { createReplayDriver } = await import('./cli.js')
    const plan = await buildPlan(samba('durable-open.reopen1.pcap'), { passwords: [LAB_PASSWORD] })
    const server = await startScriptedServer(plan)
    try {
      const d = await createReplayDriver(samba('durable-open.reopen1.pcap'), { target: `127.0.0.1:${server.port}`, user: 'labuser', password: LAB_PASSWORD, timeout: 3000 })
      expect(d.remaining()).toBe(10)
      const first = await d.next()
      expect(first?.cmd).toBe('NEGOTIATE')
      expect(first?.verdict).toBe('match')
      expect(d.remaining()).toBe(9)
      const rest = []
      for await (const s of d.runToEnd()) rest.push(s)
      expect(rest.length).toBe(9)
      expect(await d.next()).toBeNull()
      expect(d.durable().length).toBe(1)
      await d.close()
    } finally {
      await server.close()
    }
  })
})
