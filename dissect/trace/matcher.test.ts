import { describe, expect, it } from 'vitest'
import { Matcher } from './matcher.js'

describe('Matcher', () => {
  it('pairs a response with its request by connection and MessageId', () => {
    const m = new Matcher<string>()
    m.request('a', 5n, { frame: 1, time: 0, command: 5, data: 'x' })
    m.request('b', 5n, { frame: 2, time: 0, command: 6, data: 'y' })
    const r = m.response('b', 5n, { interim: false, frame: 3 })
    expect(r.kind).toBe('matched')
    expect(r.kind === 'matched' && r.request.data).toBe('y')
    expect(m.response('b', 5n, { interim: false, frame: 4 }).kind).toBe('orphan')
    expect(m.pending).toBe(1)
  })

  it('keeps the request open across an interim STATUS_PENDING answer', () => {
    const m = new Matcher<null>()
    m.request('a', 9n, { frame: 1, time: 0, command: 15, data: null })
    const i = m.response('a', 9n, { interim: true, asyncId: 77n, frame: 2 })
    expect(i.kind).toBe('interim')
    expect(m.findForCancel('a', 10n, 77n)?.frame).toBe(1)
    const f = m.response('a', 9n, { interim: false, frame: 5 })
    expect(f.kind === 'matched' && f.request.interimFrame).toBe(2)
  })

  it('treats MessageId all-ones as unsolicited', () => {
    expect(new Matcher().response('a', 0xffff_ffff_ffff_ffffn, { interim: false, frame: 1 }).kind).toBe('unsolicited')
  })

  it('stays bounded', () => {
    const m = new Matcher<null>(10)
    for (let i = 0; i < 100; i++) m.request('a', BigInt(i), { frame: i, time: 0, command: 0, data: null })
    expect(m.pending).toBe(10)
    expect(m.response('a', 99n, { interim: false, frame: 1 }).kind).toBe('matched')
    expect(m.response('a', 0n, { interim: false, frame: 1 }).kind).toBe('orphan')
  })

  it('forgets a closed connection and returns its unanswered requests', () => {
    const m = new Matcher<null>()
    m.request('a', 1n, { frame: 1, time: 0, command: 0, data: null })
    m.request('b', 1n, { frame: 2, time: 0, command: 0, data: null })
    expect(m.closeConnection('a').map((r) => r.frame)).toEqual([1])
    expect(m.pending).toBe(1)
  })
})
