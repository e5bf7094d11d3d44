import { describe, expect, it } from 'vitest'
import { settle } from './effects.js'
import { initCapture, initReplay, selected, treeLength, update, visible, wants, type Action, type Model } from './model.js'
import { layout } from './layout.js'
import { StepLog, type ReplayStep } from './replay-types.js'
import { FID_Q, scenarioIndexer, scenarioItems, scenarioSummary } from './test-helpers/scenario.js'

const items = scenarioItems()
const ix = scenarioIndexer(items)
const deps = { store: ix, summary: () => scenarioSummary(items) }

function loaded(width = 80, height = 24): Model {
  const m = initCapture({ name: 'scenario.pcap', rows: ix.rows, width, height })
  return settle(update(update(m, { type: 'rowsAdded', count: ix.rows.length }), { type: 'loadDone' }), deps)
}

function run(m: Model, ...actions: Action[]): Model {
  for (const a of actions) m = settle(update(m, a), deps)
  return m
}

const rowAt = (frame: number, cmd?: string) => items.findIndex((x) => x.record.frame === frame && (cmd === undefined || (x.record.proto !== 'tcp' && x.record.cmd === cmd)))
const at = (m: Model, frame: number, cmd?: string): Model => run(m, { type: 'select', pos: visible(m).pos(rowAt(frame, cmd)) })
const frame = (m: Model) => ix.rows.frame(selected(m))
const cmd = (m: Model) => ix.rows.cmd(selected(m))
const frames = (m: Model) => Array.from({ length: visible(m).length }, (_, p) => ix.rows.frame(visible(m).at(p)))
const node = (m: Model) => m.detail?.nodes[m.tree.cursor]?.path

interface Case {
  name: string
  from?: (m: Model) => Model
  actions: Action[]
  check: (m: Model) => void
}

const cases: Case[] = [
  { name: 'starts on the first row with its detail read', actions: [], check: (m) => { expect(m.list.cursor).toBe(0); expect(m.detail?.row).toBe(0); expect(m.focus).toBe('list') } },
  { name: 'move down and up', actions: [{ type: 'move', delta: 1 }, { type: 'move', delta: 1 }, { type: 'move', delta: -1 }], check: (m) => expect(frame(m)).toBe(4) },
  { name: 'move stops at the top', actions: [{ type: 'move', delta: -5 }], check: (m) => expect(m.list.cursor).toBe(0) },
  { name: 'move stops at the bottom', actions: [{ type: 'move', delta: 999 }], check: (m) => expect(m.list.cursor).toBe(items.length - 1) },
  { name: 'page down moves a page (pane rows - 1) and scrolls', actions: [{ type: 'page', dir: 1 }], check: (m) => { expect(m.list.cursor).toBe(6); expect(m.list.top).toBe(0) } },
  { name: 'page down twice scrolls the list', actions: [{ type: 'page', dir: 1 }, { type: 'page', dir: 1 }], check: (m) => { expect(m.list.cursor).toBe(12); expect(m.list.top).toBe(6) } },
  { name: 'end, then home', actions: [{ type: 'end' }, { type: 'home' }], check: (m) => { expect(m.list.cursor).toBe(0); expect(m.list.top).toBe(0) } },
  { name: 'end scrolls the last row into view', actions: [{ type: 'end' }], check: (m) => { expect(frame(m)).toBe(40); expect(m.list.top).toBe(items.length - 7) } },
  { name: 'Enter on the list focuses the fields', from: (m) => at(m, 12), actions: [{ type: 'enter' }], check: (m) => { expect(m.focus).toBe('tree'); expect(node(m)).toBe('record') } },
  { name: 'Enter on a field node toggles it', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'enter' }], check: (m) => { expect(m.toggles.get('record')).toBe(true); expect(m.detail!.nodes[1]!.path).toBe('record.frame') } },
  { name: 'Enter twice on a node closes it again', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'enter' }, { type: 'enter' }], check: (m) => expect(m.detail!.nodes[1]!.path).toBe('header') },
  { name: 'right opens a node, right again enters it', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'move', delta: 1 }, { type: 'openNode' }, { type: 'openNode' }], check: (m) => expect(node(m)).toBe('header.protocolId') },
  { name: 'left on a field goes to its parent, left again closes it', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'move', delta: 3 }, { type: 'closeNode' }, { type: 'closeNode' }], check: (m) => { expect(node(m)).toBe('body'); expect(m.toggles.get('body')).toBe(false) } },
  { name: 'left on a closed top-level node goes back to the list', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'closeNode' }], check: (m) => expect(m.focus).toBe('list') },
  { name: 'Tab cycles list → fields → bytes → list', actions: [{ type: 'focusNext', dir: 1 }, { type: 'focusNext', dir: 1 }], check: (m) => expect(m.focus).toBe('hex') },
  { name: 'S-Tab goes the other way', actions: [{ type: 'focusNext', dir: -1 }], check: (m) => expect(m.focus).toBe('hex') },
  { name: 'the selected field scrolls the hex pane to its bytes', from: (m) => at(m, 18), actions: [{ type: 'enter' }, { type: 'end' }], check: (m) => { expect(node(m)).toBe('body.data'); expect(m.hex.top).toBe(5) } },
  { name: 'moving in the hex pane scrolls it and asks for the bytes', from: (m) => at(m, 18), actions: [{ type: 'focus', pane: 'hex' }, { type: 'end' }], check: (m) => { expect(m.hex.top).toBe(Math.ceil(4176 / 16) - 6); expect(m.detail!.raw!.start + m.detail!.raw!.bytes.length).toBe(4176) } },
  { name: 'the same field stays selected on the next message', from: (m) => at(m, 12), actions: [{ type: 'enter' }, { type: 'move', delta: 1 }, { type: 'focus', pane: 'list' }, { type: 'move', delta: 1 }], check: (m) => { expect(frame(m)).toBe(13); expect(node(m)).toBe('header') } },
  { name: 'filter by command keeps the selection when it still shows', from: (m) => at(m, 13), actions: [{ type: 'setFilter', text: 'CREATE' }], check: (m) => { expect(frames(m)).toEqual([12, 13, 19, 20, 21, 22, 32, 33]); expect(frame(m)).toBe(13) } },
  { name: 'filter moves to the next shown row when the selected one hides', from: (m) => at(m, 14), actions: [{ type: 'setFilter', text: 'CREATE' }], check: (m) => expect(frame(m)).toBe(19) },
  { name: 'filter on status and path', actions: [{ type: 'setFilter', text: 'status!=SUCCESS && response' }], check: (m) => expect(frames(m)).toEqual([7, 17, 20]) },
  { name: 'filter predicates: durable reconnect', actions: [{ type: 'setFilter', text: 'reconnect && !tcp' }], check: (m) => expect(frames(m)).toEqual([32, 33]) },
  { name: 'an empty filter shows everything again', actions: [{ type: 'setFilter', text: 'READ' }, { type: 'setFilter', text: '  ' }], check: (m) => expect(visible(m).length).toBe(items.length) },
  { name: 'a bad filter is a notice and changes nothing', actions: [{ type: 'setFilter', text: 'READ' }, { type: 'setFilter', text: 'cmd==NOPE' }], check: (m) => { expect(m.notice?.level).toBe('error'); expect(m.notice?.text).toMatch(/unknown command/); expect(m.view.kind).toBe('filter') } },
  { name: 'a filter on body fields scans full records', actions: [{ type: 'setFilter', text: 'body.createDisposition==1' }], check: (m) => { expect(m.view.kind === 'filter' && m.view.q.needsFull).toBe(true); expect(frames(m)).toEqual([12, 19, 21, 32]) } },
  { name: 'a filter on notes scans full records', actions: [{ type: 'setFilter', text: 'notes~reconnect' }], check: (m) => expect(frames(m)).toEqual([37]) },
  { name: 'the prompt edits, submits and closes', actions: [{ type: 'promptOpen', kind: 'filter' }, { type: 'promptInput', text: 'WRITX' }, { type: 'promptBackspace' }, { type: 'promptInput', text: 'E' }, { type: 'promptSubmit' }], check: (m) => { expect(m.prompt).toBeUndefined(); expect(frames(m)).toEqual([14, 15]) } },
  { name: 'a bad expression keeps the prompt open with the reason', actions: [{ type: 'promptOpen', kind: 'filter' }, { type: 'promptInput', text: 'frame >' }, { type: 'promptSubmit' }], check: (m) => { expect(m.prompt?.text).toBe('frame >'); expect(m.prompt?.error).toMatch(/needs a value/); expect(m.view.kind).toBe('all') } },
  { name: 'keys other than editing do nothing while the prompt is open', actions: [{ type: 'promptOpen', kind: 'find' }, { type: 'move', delta: 3 }, { type: 'jumpPeer' }], check: (m) => { expect(m.list.cursor).toBe(0); expect(m.prompt?.kind).toBe('find') } },
  { name: 'Esc cancels the prompt', actions: [{ type: 'promptOpen', kind: 'filter' }, { type: 'promptInput', text: 'READ' }, { type: 'back' }], check: (m) => { expect(m.prompt).toBeUndefined(); expect(m.view.kind).toBe('all') } },
  { name: 'the prompt starts from the current filter', actions: [{ type: 'setFilter', text: 'READ' }, { type: 'promptOpen', kind: 'filter' }], check: (m) => expect(m.prompt?.text).toBe('READ') },
  { name: 'find jumps to the first match from the cursor', from: (m) => at(m, 9), actions: [{ type: 'setFind', text: 'CREATE' }], check: (m) => expect(frame(m)).toBe(12) },
  { name: 'n goes to the next match, N back', from: (m) => at(m, 9), actions: [{ type: 'setFind', text: 'CREATE && response' }, { type: 'findNext', dir: 1 }, { type: 'findNext', dir: 1 }, { type: 'findNext', dir: -1 }], check: (m) => expect(frame(m)).toBe(20) },
  { name: 'find wraps around with a notice', from: (m) => at(m, 33), actions: [{ type: 'setFind', text: 'TREE_CONNECT && response' }], check: (m) => { expect(frame(m)).toBe(11); expect(m.notice?.text).toMatch(/wrapped to the top/) } },
  { name: 'N wraps backwards', from: (m) => at(m, 9), actions: [{ type: 'setFind', text: 'TREE_CONNECT && response' }, { type: 'findNext', dir: -1 }], check: (m) => { expect(frame(m)).toBe(31); expect(m.notice?.text).toMatch(/wrapped to the bottom/) } },
  { name: 'find skips what the filter hides', actions: [{ type: 'setFilter', text: 'c2' === 'c2' ? 'frame>=25' : '' }, { type: 'setFind', text: 'SESSION_SETUP' }], check: (m) => expect(frame(m)).toBe(28) },
  { name: 'find on body fields scans, then jumps', actions: [{ type: 'setFind', text: 'body.previousSessionId>0' }], check: (m) => expect(frame(m)).toBe(28) },
  { name: 'find with no match says so', actions: [{ type: 'setFind', text: 'IOCTL' }], check: (m) => { expect(m.notice?.text).toBe('no match for IOCTL'); expect(m.list.cursor).toBe(0) } },
  { name: 'n without a find expression says how', actions: [{ type: 'findNext', dir: 1 }], check: (m) => expect(m.notice?.text).toMatch(/press f/) },
  { name: 'm jumps from a request to its response', from: (m) => at(m, 12), actions: [{ type: 'jumpPeer' }], check: (m) => expect(frame(m)).toBe(13) },
  { name: 'm jumps from an async request to its final response', from: (m) => at(m, 16), actions: [{ type: 'jumpPeer' }], check: (m) => expect(frame(m)).toBe(18) },
  { name: 'm jumps from the interim response to the request', from: (m) => at(m, 17), actions: [{ type: 'jumpPeer' }], check: (m) => expect(frame(m)).toBe(16) },
  { name: 'm within a compound finds the same command', from: (m) => at(m, 22, 'QUERY_INFO'), actions: [{ type: 'jumpPeer' }], check: (m) => { expect(frame(m)).toBe(21); expect(cmd(m)).toBe('QUERY_INFO') } },
  { name: 'm on a TCP event explains', actions: [{ type: 'jumpPeer' }], check: (m) => { expect(m.notice?.text).toMatch(/TCP event/); expect(m.list.cursor).toBe(0) } },
  { name: 'm to a message the filter hides explains', from: (m) => at(m, 12), actions: [{ type: 'setFilter', text: 'request' }, { type: 'jumpPeer' }], check: (m) => { expect(m.notice?.text).toMatch(/frame 13\) is hidden by the filter/); expect(frame(m)).toBe(12) } },
  {
    name: 'o follows a durable open across the disconnect and the DH2C reconnect',
    from: (m) => at(m, 34),
    actions: [{ type: 'followOpen' }],
    check: (m) => {
      expect(frames(m)).toEqual([12, 13, 14, 15, 16, 17, 18, 24, 32, 33, 34, 35, 36, 37, 40])
      expect(frame(m)).toBe(34)
      expect(m.view.kind === 'follow' && m.view.f.label).toBe('open #1 share:dir\\file.txt')
    },
  },
  {
    name: 'o from the CREATE request of a durable open',
    from: (m) => at(m, 12),
    actions: [{ type: 'followOpen' }],
    check: (m) => expect(frames(m)).toEqual([12, 13, 14, 15, 16, 17, 18, 24, 32, 33, 34, 35, 36, 37, 40]),
  },
  {
    name: 'o follows a plain FileId, through the related compound',
    from: (m) => at(m, 22, 'CLOSE'),
    actions: [{ type: 'followOpen' }],
    check: (m) => {
      expect(frames(m)).toEqual([21, 21, 21, 22, 22, 22, 24])
      expect(m.view.kind === 'follow' && m.view.f.label).toBe(`fileId ${FID_Q} share:report.docx`)
    },
  },
  { name: 'o on a message without an open explains', from: (m) => at(m, 4), actions: [{ type: 'followOpen' }], check: (m) => { expect(m.notice?.text).toMatch(/names no open/); expect(m.view.kind).toBe('all') } },
  {
    name: 's follows the session and the session reconnected from it',
    from: (m) => at(m, 34),
    actions: [{ type: 'followSession' }],
    check: (m) => {
      expect(frames(m)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 21, 21, 22, 22, 22, 24, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40])
      expect(m.view.kind === 'follow' && m.view.f.label).toBe('session 0x0000100000000025 (+1 linked by PreviousSessionId)')
    },
  },
  { name: 'Esc from a follow shows everything, keeping the row', from: (m) => at(m, 34), actions: [{ type: 'followOpen' }, { type: 'back' }], check: (m) => { expect(m.view.kind).toBe('all'); expect(frame(m)).toBe(34) } },
  { name: 'Esc from the fields goes back to the list first', from: (m) => at(m, 34), actions: [{ type: 'followOpen' }, { type: 'enter' }, { type: 'back' }], check: (m) => { expect(m.focus).toBe('list'); expect(m.view.kind).toBe('follow') } },
  { name: 'c clears a filter', actions: [{ type: 'setFilter', text: 'READ' }, { type: 'clearView' }], check: (m) => expect(m.view.kind).toBe('all') },
  { name: 'i shows the summary and focuses it', actions: [{ type: 'toggleSummary' }], check: (m) => { expect(m.showSummary).toBe(true); expect(m.focus).toBe('summary'); expect(m.summary?.durable[0]?.id).toBe(1) } },
  { name: 'the summary scrolls and stops at its end', actions: [{ type: 'toggleSummary' }, { type: 'end' }], check: (m) => expect(m.summaryTop).toBeGreaterThan(5) },
  { name: 'Enter on the list closes the summary to show the fields', actions: [{ type: 'toggleSummary' }, { type: 'focus', pane: 'list' }, { type: 'enter' }], check: (m) => { expect(m.showSummary).toBe(false); expect(m.focus).toBe('tree') } },
  { name: 'help opens, scrolls, closes', actions: [{ type: 'toggleHelp' }, { type: 'move', delta: 3 }], check: (m) => { expect(m.help).toEqual({ open: true, top: 3 }); expect(m.list.cursor).toBe(0) } },
  { name: 'help scrolling stops at its end', actions: [{ type: 'toggleHelp' }, { type: 'end' }, { type: 'back' }], check: (m) => expect(m.help.open).toBe(false) },
  { name: 'resize keeps the cursor on screen', actions: [{ type: 'end' }, { type: 'resize', width: 60, height: 40 }, { type: 'move', delta: -1 }, { type: 'resize', width: 60, height: 12 }], check: (m) => { expect(m.list.top).toBe(m.list.cursor - 8); expect(frame(m)).toBe(39) } },
  { name: 'a short terminal shows the list and the focused pane', actions: [{ type: 'focusNext', dir: 1 }, { type: 'resize', width: 40, height: 10 }], check: (m) => { expect(m.focus).toBe('tree'); expect(Object.keys(layout(m).panes)).toEqual(['list', 'tree']); expect(treeLength(m)).toBeGreaterThan(0) } },
  { name: 'a short terminal shows only the list when it has the focus', actions: [{ type: 'resize', width: 40, height: 10 }], check: (m) => expect(Object.keys(layout(m).panes)).toEqual(['list']) },
  { name: 'q quits', actions: [{ type: 'quit' }], check: (m) => expect(m.quit).toBe(true) },
  { name: 'a key clears the previous notice', actions: [{ type: 'findNext', dir: 1 }, { type: 'move', delta: 1 }], check: (m) => expect(m.notice).toBeUndefined() },
]

describe('update (capture mode)', () => {
  it.each(cases)('$name', ({ from, actions, check }) => {
    const m = run(from ? from(loaded()) : loaded(), ...actions)
    check(m)
  })
})

describe('rows arriving while indexing', () => {
  it('extends filter, find and follow as rows come, the same as all at once', () => {
    const n = items.length
    let m = initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 })
    m = run(m, { type: 'rowsAdded', count: 14 }, { type: 'setFilter', text: 'READ || durable' }, { type: 'setFind', text: 'response' })
    expect(frames(m)).toEqual([12, 13, 14, 15, 16])
    m = run(m, { type: 'rowsAdded', count: 30 }, { type: 'rowsAdded', count: n })
    const all = run(loaded(), { type: 'setFilter', text: 'READ || durable' }, { type: 'setFind', text: 'response' })
    expect(frames(m)).toEqual(frames(all))
    expect(m.find!.matches.length).toBe(all.find!.matches.length)

    let f = initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 })
    f = run(f, { type: 'rowsAdded', count: rowAt(15) + 1 })
    f = at(f, 14)
    f = run(f, { type: 'followOpen' }, { type: 'rowsAdded', count: rowAt(33) + 1 }, { type: 'rowsAdded', count: n })
    expect(frames(f)).toEqual(frames(run(at(loaded(), 14), { type: 'followOpen' })))
  })

  it('an older state does not see rows a later state appended to a shared match list', () => {
    let m = initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 })
    m = run(m, { type: 'rowsAdded', count: 10 }, { type: 'setFilter', text: 'SESSION_SETUP || CREATE' })
    const a = run(m, { type: 'rowsAdded', count: 20 })
    const b = run(m, { type: 'rowsAdded', count: 12 })
    expect(frames(m)).toEqual([6, 7, 8, 9, 12])
    expect(frames(a)).toEqual([6, 7, 8, 9, 12, 13, 19, 20, 21])
    expect(frames(b)).toEqual([6, 7, 8, 9, 12, 13])
  })

  it('a body filter scans only what is indexed and resumes with more rows', () => {
    let m = initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 })
    m = run(m, { type: 'rowsAdded', count: 15 }, { type: 'setFilter', text: 'body.createDisposition==1' })
    expect(frames(m)).toEqual([12])
    expect(wants(m).scan).toBeUndefined()
    m = update(m, { type: 'rowsAdded', count: items.length })
    expect(wants(m).scan).toEqual({ target: 'view', text: 'body.createDisposition==1', from: 15, to: items.length })
    m = settle(m, deps)
    expect(frames(m)).toEqual([12, 19, 21, 32])
  })

  it('progress and completion are shown in the model', () => {
    let m = initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 })
    m = update(m, { type: 'progress', bytesRead: 500, totalBytes: 2000 })
    expect(m.load).toEqual({ state: 'loading', bytesRead: 500, totalBytes: 2000 })
    m = update(m, { type: 'loadFailed', message: 'read stopped: truncated' })
    expect(m.load.state).toBe('failed')
    expect(m.notice).toEqual({ text: 'read stopped: truncated', level: 'error' })
  })
})

describe('wants', () => {
  it('asks for the selected record, the bytes the hex pane shows, and the summary when shown', () => {
    let m = update(update(initCapture({ name: 'x', rows: ix.rows, width: 80, height: 24 }), { type: 'rowsAdded', count: items.length }), { type: 'select', pos: rowAt(18) })
    expect(wants(m)).toEqual({ detail: rowAt(18) })
    m = update(m, { type: 'detailLoaded', row: rowAt(18), data: ix.detail(rowAt(18)) })
    expect(wants(m)).toEqual({ raw: { row: rowAt(18), start: 0, end: 4176 } })
    m = update(m, { type: 'toggleSummary' })
    expect(wants(m).summary).toBe(true)
  })

  it('ignores stale loads', () => {
    let m = loaded()
    m = update(m, { type: 'rawLoaded', row: 99, start: 0, bytes: Buffer.alloc(3) })
    expect(m.detail!.raw).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------------------------

function step(frame: number, verdict: ReplayStep['verdict'], diffs: ReplayStep['diffs'] = [], cmd = 'CREATE'): ReplayStep {
  const expected = { frame: frame + 1, cmd, status: 'STATUS_SUCCESS', body: { structureSize: 89, createContexts: [{ tag: 'DH2Q', value: { timeout: 60000 } }] } }
  const actual = verdict === 'skipped' ? null : { ...expected, status: diffs.some((d) => d.path === 'status') ? 'STATUS_ACCESS_DENIED' : 'STATUS_SUCCESS' }
  return { frame, conn: 'c', cmd, expected, actual, verdict, diffs }
}

const STEPS: ReplayStep[] = [
  step(4, 'match', [], 'NEGOTIATE'),
  step(12, 'match'),
  step(14, 'diverged', [{ path: 'status', expected: 'STATUS_SUCCESS', actual: 'STATUS_ACCESS_DENIED' }]),
  step(16, 'skipped', [], 'READ'),
  step(18, 'match'),
  step(20, 'diverged', [{ path: 'smb2.body.createContexts[0].value.timeout', expected: 60000, actual: 0 }]),
  step(22, 'match'),
]

describe('update (replay mode)', () => {
  const report = () => initReplay({ name: 'r.json', source: 'report', steps: new StepLog(STEPS), width: 80, height: 24 })

  it('counts the verdicts of a report without a summary', () => {
    expect(report().replay!.summary).toEqual({ requests: 6, matched: 4, diverged: 2, skipped: 1 })
  })

  it.each<[string, Action[], (m: Model) => void]>([
    ['d goes to the next divergence', [{ type: 'replayRunToDivergence' }], (m) => expect(selected(m)).toBe(2)],
    ['d twice goes to the second', [{ type: 'replayRunToDivergence' }, { type: 'replayRunToDivergence' }], (m) => expect(selected(m)).toBe(5)],
    ['d after the last says so', [{ type: 'end' }, { type: 'replayRunToDivergence' }], (m) => { expect(m.notice?.text).toMatch(/no divergence/); expect(selected(m)).toBe(6) }],
    ['space steps', [{ type: 'replayStep' }, { type: 'replayStep' }], (m) => expect(selected(m)).toBe(2)],
    ['r goes to the end', [{ type: 'replayRunToEnd' }], (m) => expect(selected(m)).toBe(6)],
    ['v shows only divergences, keeping the nearest step', [{ type: 'move', delta: 3 }, { type: 'toggleOnlyDivergences' }], (m) => { expect(visible(m).length).toBe(2); expect(selected(m)).toBe(5) }],
    ['v twice shows everything', [{ type: 'toggleOnlyDivergences' }, { type: 'toggleOnlyDivergences' }], (m) => expect(visible(m).length).toBe(7)],
    ['a diverged step opens on its first difference', [{ type: 'replayRunToDivergence' }, { type: 'replayRunToDivergence' }], (m) => {
      expect(m.pair!.nodes[m.tree.cursor]!.path).toBe('body.createContexts.0.value.timeout')
      expect(m.pair!.nodes[m.tree.cursor]!.diff).toBe('self')
    }],
    ['the status difference is the first line', [{ type: 'replayRunToDivergence' }], (m) => { expect(m.tree.cursor).toBe(0); expect(m.pair!.nodes[0]).toMatchObject({ path: 'status', left: 'STATUS_SUCCESS', right: 'STATUS_ACCESS_DENIED', diff: 'self' }) }],
    ['a skipped step has an empty actual side', [{ type: 'move', delta: 3 }], (m) => expect(m.pair!.nodes.every((n) => n.right === '')).toBe(true)],
    ['filters are for captures', [{ type: 'promptOpen', kind: 'filter' }], (m) => { expect(m.prompt).toBeUndefined(); expect(m.notice?.text).toMatch(/only divergences/) }],
    ['Tab reaches the differences pane', [{ type: 'focusNext', dir: 1 }, { type: 'focusNext', dir: 1 }], (m) => expect(m.focus).toBe('hex')],
  ])('%s', (_n, actions, check) => {
    let m = report()
    for (const a of actions) m = update(m, a)
    check(m)
  })

  it('live: keys start runs, steps arrive, the newest stays selected, the end is reported', () => {
    const log = new StepLog()
    let m = initReplay({ name: 'live', source: 'live', steps: log, width: 80, height: 24 })
    expect(m.replay!.finished).toBe(false)
    m = update(m, { type: 'replayStep' })
    expect(wants(m).replay).toBe('step')
    m = update(m, { type: 'replayRunToEnd' })
    expect(m.notice?.text).toMatch(/already running \(step\)/)
    log.push(STEPS[0]!)
    m = update(m, { type: 'stepsAdded', count: 1 })
    m = update(m, { type: 'replayRunDone', finished: false })
    expect(m.replay!.running).toBeUndefined()
    m = update(m, { type: 'replayRunToDivergence' })
    for (const s of STEPS.slice(1, 3)) {
      log.push(s)
      m = update(m, { type: 'stepsAdded', count: log.length })
    }
    expect(selected(m)).toBe(2)
    expect(m.replay!.summary).toEqual({ requests: 3, matched: 2, diverged: 1, skipped: 0 })
    m = update(m, { type: 'replayRunDone', finished: false, durable: [{ open: 1 }] })
    expect(m.replay!.durable).toEqual([{ open: 1 }])
    // Looking at an older step: new steps do not move the cursor.
    m = update(m, { type: 'home' })
    m = update(m, { type: 'replayRunToEnd' })
    for (const s of STEPS.slice(3)) {
      log.push(s)
      m = update(m, { type: 'stepsAdded', count: log.length })
    }
    expect(selected(m)).toBe(0)
    m = update(m, { type: 'replayRunDone', finished: true })
    expect(m.replay!.finished).toBe(true)
    expect(m.notice?.text).toBe('replay finished')
    expect(update(m, { type: 'replayStep' }).notice?.text).toBe('the replay has ended')
  })

  it('live: Esc stops a run', () => {
    let m = initReplay({ name: 'live', source: 'live', steps: new StepLog(), width: 80, height: 24 })
    m = update(m, { type: 'replayRunToEnd' })
    m = update(m, { type: 'back' })
    expect(m.replay!.running).toBeUndefined()
    expect(m.notice?.text).toBe('stopped')
    expect(update(m, { type: 'replayRunDone', finished: false, error: 'connection reset' }).notice).toEqual({ text: 'replay: connection reset', level: 'error' })
  })
})
