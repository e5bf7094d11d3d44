import { describe, expect, it } from 'vitest'
import { countVerdicts, normaliseDiffPath, parseReport, ReportError, StepLog, type ReplayStep } from './replay-types.js'

const step = (verdict: string, extra: Record<string, unknown> = {}) => ({ frame: 5, conn: 'a-b', cmd: 'CREATE', expected: { status: 'STATUS_SUCCESS' }, actual: { status: 'STATUS_SUCCESS' }, verdict, diffs: [], ...extra })

describe('replay report', () => {
  it('reads design.md\'s report shape and keeps its summary', () => {
    const r = parseReport({ summary: { requests: 3, matched: 1, diverged: 1, skipped: 1 }, steps: [step('match'), step('diverged', { diffs: [{ path: 'status', expected: 'A', actual: 'B' }] }), step('skipped', { actual: null, reason: 'no open to replay on' })], durable: [{ open: 1 }] })
    expect(r.summary).toEqual({ requests: 3, matched: 1, diverged: 1, skipped: 1 })
    expect(r.steps[1]!.diffs).toEqual([{ path: 'status', expected: 'A', actual: 'B' }])
    expect(r.steps[2]!.note).toBe('no open to replay on')
    expect(r.steps[2]!.actual).toBeNull()
    expect(r.durable).toEqual([{ open: 1 }])
  })

  it('counts the verdicts when the summary is missing; skipped steps are not replayed requests', () => {
    const r = parseReport({ steps: [step('match'), step('diverged'), step('skipped'), step('match')] })
    expect(r.summary).toEqual({ requests: 3, matched: 2, diverged: 1, skipped: 1 })
    expect(countVerdicts([])).toEqual({ requests: 0, matched: 0, diverged: 0, skipped: 0 })
    expect(r.durable).toEqual([])
  })

  it.each<[unknown, RegExp]>([
    [[], /expected a JSON object/],
    [{ steps: {} }, /"steps" is missing or not an array/],
    [{ steps: [1] }, /steps\[0\] is not an object/],
    [{ steps: [step('same')] }, /steps\[0\]\.verdict must be match, diverged or skipped \(got "same"\)/],
    [{ steps: [step('match', { frame: '5' })] }, /steps\[0\]\.frame must be a number/],
    [{ steps: [step('match', { expected: 'x' })] }, /steps\[0\]\.expected must be an object or null/],
    [{ steps: [step('match', { diffs: [{ expected: 1 }] })] }, /steps\[0\]\.diffs\[0\] needs a string path/],
  ])('rejects %j', (doc, msg) => {
    expect(() => parseReport(doc)).toThrow(ReportError)
    expect(() => parseReport(doc)).toThrow(msg)
  })

  it('normalises diff paths to the field tree\'s', () => {
    expect(normaliseDiffPath('smb2.body.createContexts[0].value.timeout')).toBe('body.createContexts.0.value.timeout')
    expect(normaliseDiffPath('status')).toBe('status')
    expect(normaliseDiffPath('body.a[2][3]')).toBe('body.a.2.3')
  })

  it('keeps steps in an append-only log', () => {
    const log = new StepLog([step('match') as ReplayStep])
    expect(log.push(step('diverged') as ReplayStep)).toBe(2)
    expect(log.get(1).verdict).toBe('diverged')
    expect(() => log.get(2)).toThrow(RangeError)
  })
})
