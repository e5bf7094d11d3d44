import { describe, expect, it } from 'vitest'
import { parseReport, type ReplayDriver as InspectDriver, type ReplayReport as InspectReport } from '../../inspect/replay-types.js'
import type { ReplayEngine } from '../engine.js'
import { countVerdicts, type ReplayReport, type ReplayStep } from '../types.js'
import { exitCodeOf, formatJunit, formatReport, formatText, matchedPercent } from './report.js'

const step = (frame: number, cmd: string, verdict: ReplayStep['verdict'], extra: Partial<ReplayStep> = {}): ReplayStep => ({
  frame,
  conn: '127.0.0.1:45126-127.0.0.1:445',
  cmd,
  expected: { status: 'STATUS_SUCCESS' },
  actual: verdict === 'skipped' ? null : { status: verdict === 'match' ? 'STATUS_SUCCESS' : 'STATUS_OBJECT_NAME_NOT_FOUND' },
  verdict,
  diffs: verdict === 'diverged' ? [{ path: 'status', expected: 'STATUS_SUCCESS', actual: 'STATUS_OBJECT_NAME_NOT_FOUND' }] : [],
  ...extra,
})

function report(steps: ReplayStep[], extra: Partial<ReplayReport> = {}): ReplayReport {
  return {
    summary: countVerdicts(steps),
    steps,
    durable: [],
    events: [],
    capture: '/captures/durable-open.reopen2.pcap',
    target: '127.0.0.1:4452',
    notes: [],
    elapsedMs: 500,
    ...extra,
  }
}

describe('replay reports', () => {
  const steps = [step(4, 'NEGOTIATE', 'match'), step(34, 'CREATE', 'diverged'), step(52, 'CREATE', 'skipped', { note: 'its connection is not open' })]
  const durable: ReplayReport['durable'] = [{
    id: 1, path: 'a<b>.dat', kind: 'DHnQ', requestFrame: 16, granted: { expected: true, actual: false },
    reconnects: [{ frame: 34, kind: 'DHnC', injected: false, expected: 'STATUS_SUCCESS', actual: 'STATUS_OBJECT_NAME_NOT_FOUND' }],
    dataIntact: null, verdict: 'diverged', note: 'not granted live',
  }]

  it('exit code 0 only when every step, durable open and event matched', () => {
    expect(exitCodeOf(report([step(4, 'NEGOTIATE', 'match'), step(5, 'X', 'skipped')]))).toBe(0)
    expect(exitCodeOf(report(steps))).toBe(1)
    expect(exitCodeOf(report([step(4, 'NEGOTIATE', 'match')], { durable }))).toBe(1)
    expect(exitCodeOf(report([step(4, 'NEGOTIATE', 'match')], { events: [{ frame: 9, conn: 'c', kind: 'break', verdict: 'diverged', note: 'x', diffs: [] }] }))).toBe(1)
    expect(matchedPercent(report(steps))).toBe(50)
  })

  it('text: summary line, the steps that did not match with their differences, durable table', () => {
    const t = formatText(report(steps, { durable, notes: ['injected disconnect after frame 20'] }))
    expect(t).toContain('2 requests replayed: 1 matched, 1 diverged (50.0% matched); 1 skipped')
    expect(t).toMatch(/34\s+127\.0\.0\.1:45126\s+CREATE\s+SUCCESS\s+OBJECT_NAME_NOT_FOUND\s+diverged/)
    expect(t).toContain('status: expected STATUS_SUCCESS, got STATUS_OBJECT_NAME_NOT_FOUND')
    expect(t).toContain('note: its connection is not open')
    expect(t).not.toMatch(/^\s+4\s+.*NEGOTIATE/m) // matched steps only with --verbose
    expect(formatText(report(steps), { verbose: true })).toMatch(/^\s+4\s+.*NEGOTIATE.*match$/m)
    expect(t).toMatch(/1\s+a<b>\.dat\s+DHnQ\s+yes\/no\s+34:SUCCESS->OBJECT_NAME_NOT_FOUND/)
    expect(t).toContain('Result: divergence (exit 1)')
  })

  it('json: design.md shape, readable by the inspector', () => {
    const doc = JSON.parse(formatReport(report(steps, { durable }), 'json')) as Record<string, unknown>
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['summary', 'steps', 'durable']))
    expect(doc['summary']).toEqual({ requests: 2, matched: 1, diverged: 1, skipped: 1 })
    const parsed: InspectReport = parseReport(doc)
    expect(parsed.steps.map((s) => s.verdict)).toEqual(['match', 'diverged', 'skipped'])
    expect(parsed.steps[2]!.note).toBe('its connection is not open')
  })

  it('junit: one test case per step, durable open and event; failures and skips counted; XML escaped', () => {
    const x = formatJunit(report(steps, { durable }))
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true)
    expect(x).toContain('<testsuites name="smbscope replay" tests="4" failures="2" skipped="1"')
    expect((x.match(/<testcase /g) ?? []).length).toBe(4)
    expect(x).toContain('name="durable #1 DHnQ a&lt;b&gt;.dat"')
    expect(x).toContain('<failure message="status: expected STATUS_SUCCESS, got STATUS_OBJECT_NAME_NOT_FOUND" type="divergence">')
    expect(x).toContain('<skipped message="its connection is not open"/>')
    // balanced elements
    for (const tag of ['testsuites', 'testsuite']) expect((x.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length).toBe((x.match(new RegExp(`</${tag}>`, 'g')) ?? []).length)
  })

  it('the engine is a ReplayDriver for the inspector (types only)', () => {
    const asDriver = (e: ReplayEngine): InspectDriver => e
    expect(typeof asDriver).toBe('function')
  })
})
