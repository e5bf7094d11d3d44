import { describe, expect, it } from 'vitest'
import { FilterError, compileFilter } from './filter.js'
import type { SmbRecord, TraceRecord } from './record.js'

const base: SmbRecord = {
  frame: 10, time: 0, conn: 'c', dir: 'request', proto: 'smb2', cmd: 'CREATE', cmdCode: 5, messageId: '0x0000000000000007',
  sessionId: '0x0000000000001234', treeId: '0x00000005', flags: [], creditCharge: 1, credits: 1, signed: false, encrypted: false,
  path: 'dir\\Report.docx',
}
const resp: SmbRecord = { ...base, frame: 11, dir: 'response', status: 'STATUS_ACCESS_DENIED', statusCode: '0xc0000022' }
const tcp: TraceRecord = { frame: 12, time: 0, conn: 'c', proto: 'tcp', event: 'reset' }

describe('compileFilter', () => {
  const cases: Array<[string, TraceRecord, boolean]> = [
    ['', base, true],
    ['create', base, true],
    ['CLOSE', base, false],
    ['cmd==CREATE', base, true],
    ['cmd!=CREATE', base, false],
    ['status==ACCESS_DENIED', resp, true],
    ['STATUS_ACCESS_DENIED', resp, true],
    ['status==STATUS_SUCCESS', resp, false],
    ['path~report', base, true],
    ['path~nothing', base, false],
    ['frame>=10 && frame<11', base, true],
    ['frame in 11..20', base, false],
    ['frame in 11..20', resp, true],
    ['session==0x1234', base, true],
    ['tree==5', base, true],
    ['error', resp, true],
    ['error', base, false],
    ['!error && request', base, true],
    ['response || tcp', tcp, true],
    ['(CREATE || CLOSE) && !response', base, true],
    ['CREATE response', resp, true],
    ['tcp', base, false],
  ]
  for (const [expr, rec, want] of cases) {
    it(`${JSON.stringify(expr)} on frame ${rec.frame} → ${want}`, () => expect(compileFilter(expr)(rec)).toBe(want))
  }

  it('reports bad expressions clearly', () => {
    expect(() => compileFilter('cmd==FROB')).toThrow(new FilterError('unknown command "FROB"'))
    expect(() => compileFilter('(create')).toThrow(/missing \)/)
    expect(() => compileFilter('frobnicate')).toThrow(/unknown word "frobnicate"/)
    expect(() => compileFilter('frame in 5')).toThrow(/range/)
  })
})
