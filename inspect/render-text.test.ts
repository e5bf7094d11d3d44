import { describe, expect, it } from 'vitest'
import { recordToJson } from '../dissect/trace/json.js'
import { settle } from './effects.js'
import { layout } from './layout.js'
import { initCapture, initReplay, update, visible, type Action, type Model } from './model.js'
import { renderPanes } from './render.js'
import { renderText } from './render-text.js'
import { parseReport, StepLog } from './replay-types.js'
import type { Line, Style } from './styled.js'
import { scenarioIndexer, scenarioItems, scenarioSummary } from './test-helpers/scenario.js'

const items = scenarioItems()
const ix = scenarioIndexer(items)
const deps = { store: ix, summary: () => scenarioSummary(items) }
const rowAt = (frame: number) => items.findIndex((x) => x.record.frame === frame)

function capture(...actions: Action[]): Model {
  let m = initCapture({ name: 'scenario.pcap', rows: ix.rows, width: 80, height: 24 })
  m = settle(update(update(m, { type: 'rowsAdded', count: ix.rows.length }), { type: 'loadDone' }), deps)
  for (const a of actions) m = settle(update(m, a), deps)
  return m
}
const select = (frame: number): Action => ({ type: 'select', pos: rowAt(frame) })

/** A replay report made from the scenario: every response replayed, two of them diverging, one skipped. */
function report() {
  const responses = items.map((i) => recordToJson(i.record)).filter((r) => r['dir'] === 'response' && r['status'] !== 'STATUS_PENDING')
  const steps = responses.map((r) => {
    const actual = JSON.parse(JSON.stringify(r)) as Record<string, unknown>
    let verdict = 'match'
    let note: string | undefined
    const diffs: unknown[] = []
    if (r['frame'] === 13) {
      ;((actual['body'] as { createContexts: Array<{ value: { timeout: number } }> }).createContexts[0]!.value.timeout) = 0
      verdict = 'diverged'
      diffs.push({ path: 'smb2.body.createContexts[0].value.timeout', expected: 60000, actual: 0 })
    }
    if (r['frame'] === 33) {
      actual['status'] = 'STATUS_OBJECT_NAME_NOT_FOUND'
      actual['statusCode'] = '0xc0000034'
      delete actual['body']
      delete actual['fileId']
      verdict = 'diverged'
      diffs.push({ path: 'status', expected: 'STATUS_SUCCESS', actual: 'STATUS_OBJECT_NAME_NOT_FOUND' }, { path: 'fileId', expected: r['fileId'], actual: undefined })
    }
    if (r['frame'] === 22 && r['cmd'] === 'QUERY_INFO') {
      verdict = 'skipped'
      note = 'related compound: replayed with its CREATE'
    }
    return { frame: r['requestFrame'], conn: r['conn'], cmd: r['cmd'], expected: r, actual: verdict === 'skipped' ? null : actual, verdict, diffs, note }
  })
  return parseReport({ summary: { requests: 18, matched: 16, diverged: 2, skipped: 1 }, steps, durable: [{ open: 1, path: 'dir\\file.txt', kind: 'DH2Q', reconnect: 'DH2C', expected: 'STATUS_SUCCESS', actual: 'STATUS_OBJECT_NAME_NOT_FOUND' }] })
}

function replay(...actions: Action[]): Model {
  const r = report()
  let m = initReplay({ name: 'replay.json', source: 'report', steps: new StepLog(r.steps), width: 80, height: 24, summary: r.summary, durable: r.durable })
  for (const a of actions) m = update(m, a)
  return m
}

const snap = (name: string) => `./__snapshots__/render/${name}.txt`

describe('renderText snapshots (80x24 unless named)', () => {
  it.each<[string, () => Model, number?, number?]>([
    ['capture-list', () => capture()],
    ['capture-create-request-fields', () => capture(select(12), { type: 'enter' }, { type: 'end' }, { type: 'move', delta: -1 }, { type: 'openNode' })],
    ['capture-create-response-filetime', () => capture(select(13), { type: 'enter' }, { type: 'move', delta: 6 })],
    ['capture-read-data-hex', () => capture(select(18), { type: 'enter' }, { type: 'end' })],
    ['capture-malformed', () => capture(select(23), { type: 'enter' })],
    ['capture-tcp-close', () => capture(select(24))],
    ['capture-compound', () => capture(select(22), { type: 'move', delta: 1 })],
    ['capture-filter-prompt', () => capture({ type: 'promptOpen', kind: 'filter' }, { type: 'promptInput', text: 'status!=SUCCESS && respons' })],
    ['capture-filter-error', () => capture({ type: 'promptOpen', kind: 'filter' }, { type: 'promptInput', text: 'frame >' }, { type: 'promptSubmit' })],
    ['capture-filtered', () => capture({ type: 'setFilter', text: 'CREATE' }, { type: 'move', delta: 3 })],
    ['capture-follow-open', () => capture(select(34), { type: 'followOpen' })],
    ['capture-follow-session', () => capture(select(29), { type: 'followSession' }, { type: 'end' })],
    ['capture-summary', () => capture({ type: 'toggleSummary' })],
    ['capture-summary-durable', () => capture({ type: 'toggleSummary' }, { type: 'move', delta: 14 })],
    ['capture-help', () => capture({ type: 'toggleHelp' })],
    ['capture-wide', () => capture(select(13), { type: 'enter' }), 120, 30],
    ['capture-short', () => capture(select(12), { type: 'enter' }), 60, 10],
    ['replay-divergence', () => replay({ type: 'replayRunToDivergence' })],
    ['replay-second-divergence', () => replay({ type: 'replayRunToDivergence' }, { type: 'replayRunToDivergence' }, { type: 'focusNext', dir: 1 })],
    ['replay-only-divergences', () => replay({ type: 'toggleOnlyDivergences' }, { type: 'end' })],
    ['replay-skipped', () => replay({ type: 'end' }, { type: 'move', delta: -8 })],
    ['replay-summary', () => replay({ type: 'toggleSummary' })],
    ['replay-help', () => replay({ type: 'toggleHelp' })],
  ])('%s', async (name, make, w = 80, h = 24) => {
    const text = renderText(make(), w, h, { marks: true })
    const lines = text.split('\n')
    expect(lines).toHaveLength(h)
    for (const l of lines) expect([...l.replace(/[[\]<>]/g, '')].length).toBeLessThanOrEqual(w)
    await expect(text + '\n').toMatchFileSnapshot(snap(name))
  })

  it('renders while indexing: partial rows and progress', async () => {
    let m = initCapture({ name: 'big.pcapng', rows: ix.rows, width: 80, height: 24 })
    m = update(m, { type: 'progress', bytesRead: 157286400, totalBytes: 419430400 })
    m = settle(update(m, { type: 'rowsAdded', count: 9 }), deps)
    await expect(renderText(m) + '\n').toMatchFileSnapshot(snap('capture-indexing'))
    const empty = update(initCapture({ name: 'big.pcapng', rows: ix.rows, width: 80, height: 24 }), { type: 'progress', bytesRead: 0, totalBytes: 419430400 })
    expect(renderText(empty)).toContain('(reading the capture…)')
  })

  it('redraws at a new size', () => {
    const m = capture(select(13))
    const a = renderText(m, 80, 24)
    const b = renderText(m, 100, 30)
    expect(b.split('\n')).toHaveLength(30)
    // The status line ends with the position at the right edge (the trailing space is trimmed).
    expect(b.split('\n')[29]!.length).toBe(99)
    expect(a.split('\n')[23]!.length).toBe(79)
    expect(a).not.toContain('«DH2Q granted #1»')
    expect(b).toContain('«DH2Q granted #1»')
  })
})

/** The segments of a pane's line that carry a style. */
function styled(m: Model, pane: string, style: Style): string[][] {
  const v = renderPanes(m, layout(m)).find((p) => p.name === pane)!
  return v.lines.map((l: Line) => l.filter((s) => s.style?.includes(style)).map((s) => s.text))
}

describe('styles', () => {
  it('marks the cursor row inverse in the focused pane, underlined otherwise', () => {
    const m = capture(select(13))
    const list = renderPanes(m).find((p) => p.name === 'list')!
    const cursorLine = list.lines.findIndex((l) => l[0]?.text === '>')
    expect(list.lines[cursorLine]!.every((s) => s.style?.includes('inverse'))).toBe(true)
    const inTree = update(m, { type: 'enter' })
    const list2 = renderPanes(inTree).find((p) => p.name === 'list')!
    expect(list2.lines[cursorLine]!.every((s) => s.style?.includes('underline'))).toBe(true)
  })

  it('colours statuses by severity and marks malformed records', () => {
    const m = capture()
    const red = styled(m, 'list', 'red').flat().join('|')
    const green = styled(m, 'list', 'green').flat().join('|')
    expect(green).toContain('SUCCESS')
    expect(red).toContain('MORE_PROCESSI…')
    const bad = capture(select(23))
    expect(styled(bad, 'list', 'red').flat()).toEqual(expect.arrayContaining(['!', 'MALFORMED      ', ' malformed']))
    const pending = capture(select(17))
    expect(styled(pending, 'list', 'cyan').flat()).toContain('PENDING       ')
  })

  it('highlights exactly the selected field\'s bytes', () => {
    const m = capture(select(12), { type: 'enter' }, { type: 'move', delta: 1 }, { type: 'openNode' }, { type: 'move', delta: 9 })
    expect(m.detail!.nodes[m.tree.cursor]!.path).toBe('header.messageId')
    // MessageId 4 occupies bytes 24..31 of the header: the right half of the second hex line, and its text.
    const hex = styled(m, 'hex', 'highlight')
    expect(hex[2]).toEqual(['04 00 00 00 00 00 00 00', '........'])
    expect(hex.filter((l) => l.length).length).toBe(1)
  })

  it('shows differing fields in the diff style on both sides', () => {
    const m = replay({ type: 'replayRunToDivergence' })
    const diffs = styled(m, 'tree', 'diff').flat().map((s) => s.trim())
    expect(diffs).toEqual(['60000', '0'])
  })
})

it('the visible list never renders more rows than the pane has', () => {
  const m = capture({ type: 'end' })
  const list = renderPanes(m).find((p) => p.name === 'list')!
  expect(list.lines).toHaveLength(list.rect.height)
  expect(visible(m).length).toBe(items.length)
})
