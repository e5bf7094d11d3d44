import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordToJson } from '../dissect/trace/json.js'
import { runLiveReplayView } from './app.js'
import { runInspect, type InspectArgs, type InspectDeps } from './cli.js'
import { selected, visible } from './model.js'
import { renderText } from './render-text.js'
import type { ReplayDriver, ReplayStep } from './replay-types.js'
import type { RecordSource, SourceItem } from './source.js'
import { fakeTerminal, type FakeView } from './test-helpers/fake-view.js'
import { memorySource, scenarioItems } from './test-helpers/scenario.js'

const base = mkdtempSync(join(tmpdir(), 'inspect-cli-test-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))
const items = scenarioItems()
const capFile = join(base, 'scenario.pcap')
writeFileSync(capFile, 'not read: the tests give the source')

function errors(args: InspectArgs, deps: InspectDeps = {}) {
  const lines: string[] = []
  let viewCalls = 0
  const run = runInspect(args, { isTTY: true, signals: false, stderr: (l) => lines.push(l), view: () => { viewCalls++; throw new Error('no screen expected') }, source: () => memorySource(items), ...deps })
  return run.then((rc) => ({ rc, lines, viewCalls }))
}

describe('inspect: input errors are one line and exit 2, before any screen', () => {
  const report = (name: string, text: string) => {
    const p = join(base, name)
    writeFileSync(p, text)
    return p
  }
  it.each<[string, InspectArgs, InspectDeps, RegExp]>([
    ['no file', {}, {}, /^smbscope: inspect needs a capture FILE \(or --report FILE\)$/],
    ['missing capture', { file: join(base, 'nope.pcap') }, {}, /^smbscope: .*nope\.pcap: no such file$/],
    ['a directory', { file: base }, {}, /: is a directory, not a capture$/],
    ['missing key file', { file: capFile, keys: join(base, 'nokeys') }, {}, /^smbscope: --keys .*nokeys: no such file$/],
    ['bad key file', { file: capFile, keys: report('keys.txt', 'zz\n') }, {}, /^smbscope: --keys .*keys\.txt: /],
    ['not a capture', { file: capFile }, { source: () => memorySource([], { failOpen: 'not a capture file: it starts with 7b 0a 20 20' }) }, /^smbscope: .*scenario\.pcap: not a capture file: it starts with 7b 0a 20 20$/],
    ['no terminal', { file: capFile }, { isTTY: false }, /^smbscope: inspect needs a terminal \(stdin and stdout must be a TTY\)$/],
    ['missing report', { report: join(base, 'none.json') }, {}, /^smbscope: .*none\.json: no such file$/],
    ['report not JSON', { report: report('bad.json', '{ steps: ') }, {}, /^smbscope: .*bad\.json: not JSON \(/],
    ['not a report', { report: report('obj.json', '{"frames": []}') }, {}, /^smbscope: .*obj\.json: not a replay report: "steps" is missing or not an array$/],
    ['bad verdict', { report: report('verdict.json', '{"steps": [{"frame": 1, "verdict": "same"}]}') }, {}, /steps\[0\]\.verdict must be match, diverged or skipped \(got "same"\)$/],
    ['report and capture', { file: capFile, report: report('ok.json', '{"steps": []}') }, {}, /give either a capture FILE or --report FILE, not both$/],
    ['report without terminal', { report: report('ok2.json', '{"steps": []}') }, { isTTY: false }, /needs a terminal/],
  ])('%s', async (_n, args, deps, msg) => {
    const r = await errors(args, deps)
    expect(r.rc).toBe(2)
    expect(r.lines).toHaveLength(1)
    expect(r.lines[0]).toMatch(msg)
    expect(r.viewCalls).toBe(0)
  })

  it('without a terminal the primed source is closed', async () => {
    let closed = false
    const src: RecordSource = {
      name: 'x',
      async *items() {
        try {
          yield items[0]!
          yield items[1]!
        } finally {
          closed = true
        }
      },
      summary: () => memorySource(items).summary(),
    }
    const r = await errors({ file: capFile }, { isTTY: false, source: () => src })
    expect(r.rc).toBe(2)
    expect(closed).toBe(true)
  })
})

const spoolDirs = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('smbscope-inspect-'))

describe('inspect: a session with the controller, the spool and a fake terminal', () => {
  it('indexes, moves, opens fields, filters, follows, shows the summary, quits and removes the spool', async () => {
    const tmp = join(base, 'spool1')
    mkdirSync(tmp)
    const frameOf = (v: FakeView) => v.last!.rows.frame(selected(v.last!))
    const t = fakeTerminal(async (v) => {
      await v.until((m) => m.load.state === 'done' && m.count === items.length, 'indexing')
      expect(spoolDirs(tmp)).toHaveLength(1)
      v.type('jjjjjjjjjjj')
      await v.until((m) => m.list.cursor === 11)
      expect(frameOf(v)).toBe(14)
      v.type('\r')
      await v.until((m) => m.focus === 'tree' && m.detail?.row === selected(m))
      expect(renderText(v.last!)).toContain('WRITE request · WriteRequest · frame 14')
      v.type('\x1b/CREATE\r')
      await v.until((m) => m.view.kind === 'filter')
      expect(visible(v.last!).length).toBe(8)
      v.type('c/body.createDisposition==1\r')
      await v.until((m) => m.view.kind === 'filter' && m.view.q.text === 'body.createDisposition==1' && m.view.q.scanned === items.length, 'the body scan')
      expect(visible(v.last!).length).toBe(4)
      v.type('Go')
      await v.until((m) => m.view.kind === 'follow')
      expect(visible(v.last!).length).toBe(15)
      v.type('i')
      await v.until((m) => m.showSummary && m.summary !== undefined)
      expect(renderText(v.last!)).toContain('══ Summary')
      v.resize(100, 30)
      await v.until((m) => m.width === 100 && m.height === 30)
      v.type('?')
      await v.until((m) => m.help.open)
      v.type('q')
    })
    const [rc] = await Promise.all([runInspect({ file: capFile }, { isTTY: true, signals: false, view: t.factory, source: () => memorySource(items), tmpDir: tmp }), t.done()])
    expect(rc).toBe(0)
    expect(t.view()!.destroyed).toBe(true)
    expect(spoolDirs(tmp)).toEqual([])
  })

  it('stays usable while indexing and quits early, closing the source', async () => {
    const tmp = join(base, 'spool2')
    mkdirSync(tmp)
    let closed = false
    const many: SourceItem[] = Array.from({ length: 400 }, (_, i) => items[i % items.length]!)
    const slow: RecordSource = {
      name: 'slow.pcap',
      async *items(onProgress) {
        try {
          for (let i = 0; i < many.length; i++) {
            await new Promise((r) => setTimeout(r, 1))
            onProgress?.({ bytesRead: i, totalBytes: many.length })
            yield many[i]!
          }
        } finally {
          closed = true
        }
      },
      summary: () => memorySource(items).summary(),
    }
    const t = fakeTerminal(async (v) => {
      await v.until((m) => m.count > 5, 'the first rows')
      expect(v.last!.load.state).toBe('loading')
      v.type('jj')
      await v.until((m) => m.list.cursor === 2)
      expect(renderText(v.last!)).toMatch(/indexing \d+%/)
      v.type('q')
    })
    const [rc] = await Promise.all([runInspect({ file: capFile }, { isTTY: true, signals: false, view: t.factory, source: () => slow, tmpDir: tmp }), t.done()])
    expect(rc).toBe(0)
    expect(closed).toBe(true)
    expect(spoolDirs(tmp)).toEqual([])
  })

  it('shows a read error after the rows before it', async () => {
    const tmp = join(base, 'spool3')
    mkdirSync(tmp)
    const t = fakeTerminal(async (v) => {
      const m = await v.until((x) => x.load.state === 'failed', 'the read error')
      expect(m.count).toBe(20)
      expect(renderText(m)).toContain('read stopped: truncated packet record')
      v.type('q')
    })
    const [rc] = await Promise.all([runInspect({ file: capFile }, { isTTY: true, signals: false, view: t.factory, source: () => memorySource(items, { failAt: 20 }), tmpDir: tmp }), t.done()])
    expect(rc).toBe(0)
  })

  it('browses a replay report', async () => {
    const steps = items
      .map((i) => recordToJson(i.record))
      .filter((r) => r['dir'] === 'response')
      .map((r) => ({ frame: r['requestFrame'], conn: r['conn'], cmd: r['cmd'], expected: r, actual: r['frame'] === 20 ? { ...r, status: 'STATUS_SUCCESS' } : r, verdict: r['frame'] === 20 ? 'diverged' : 'match', diffs: r['frame'] === 20 ? [{ path: 'status', expected: r['status'], actual: 'STATUS_SUCCESS' }] : [] }))
    const file = join(base, 'replay.json')
    writeFileSync(file, JSON.stringify({ summary: { requests: steps.length, matched: steps.length - 1, diverged: 1, skipped: 0 }, steps, durable: [] }))
    const t = fakeTerminal(async (v) => {
      await v.until((m) => m.mode === 'replay')
      v.type('d')
      const m = await v.until((x) => selected(x) > 0)
      expect(m.replay!.steps.get(selected(m)).frame).toBe(19)
      expect(renderText(m)).toContain('status: STATUS_OBJECT_NAME_NOT_FOUND → STATUS_SUCCESS')
      v.type('v')
      await v.until((x) => x.replay!.onlyDivergences && visible(x).length === 1)
      v.type('q')
    })
    const [rc] = await Promise.all([runInspect({ report: file }, { isTTY: true, signals: false, view: t.factory }), t.done()])
    expect(rc).toBe(0)
  })
})

/** A replay engine stand-in: steps come one at a time, a little later each. */
class FakeDriver implements ReplayDriver {
  private i = 0
  closed = false
  constructor(private readonly steps: ReplayStep[]) {}
  private async one(): Promise<ReplayStep | null> {
    await new Promise((r) => setTimeout(r, 1))
    return this.i < this.steps.length ? this.steps[this.i++]! : null
  }
  next(): Promise<ReplayStep | null> {
    return this.one()
  }
  async *runToDivergence(): AsyncIterable<ReplayStep> {
    for (let s = await this.one(); s; s = await this.one()) {
      yield s
      if (s.verdict === 'diverged') return
    }
  }
  async *runToEnd(): AsyncIterable<ReplayStep> {
    for (let s = await this.one(); s; s = await this.one()) yield s
  }
  remaining(): number {
    return this.steps.length - this.i
  }
  durable(): unknown[] {
    return [{ open: 1, replayed: this.i }]
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

describe('live replay through a ReplayDriver', () => {
  it('steps, runs to the divergence, runs to the end, then reports the end', async () => {
    const mk = (frame: number, verdict: ReplayStep['verdict']): ReplayStep => ({ frame, conn: 'c', cmd: 'READ', expected: { status: 'STATUS_SUCCESS' }, actual: { status: verdict === 'diverged' ? 'STATUS_FILE_CLOSED' : 'STATUS_SUCCESS' }, verdict, diffs: verdict === 'diverged' ? [{ path: 'status', expected: 'STATUS_SUCCESS', actual: 'STATUS_FILE_CLOSED' }] : [] })
    const driver = new FakeDriver([mk(1, 'match'), mk(3, 'match'), mk(5, 'match'), mk(7, 'diverged'), mk(9, 'match'), mk(11, 'match')])
    const t = fakeTerminal(async (v) => {
      await v.until((m) => m.mode === 'replay')
      v.type(' ')
      await v.until((m) => m.replay!.count === 1 && !m.replay!.running)
      v.type('d')
      let m = await v.until((x) => x.replay!.count === 4 && !x.replay!.running, 'the run to the divergence')
      expect(m.replay!.finished).toBe(false)
      expect(selected(m)).toBe(3)
      expect(renderText(m)).toContain('1 diverged')
      v.type('r')
      m = await v.until((x) => x.replay!.finished, 'the end')
      expect(m.replay!.count).toBe(6)
      expect(m.replay!.durable).toEqual([{ open: 1, replayed: 6 }])
      expect(m.notice?.text).toBe('replay finished')
      v.type('q')
    })
    await Promise.all([runLiveReplayView(driver, { view: t.factory, name: 'live' }), t.done()])
    expect(driver.closed).toBe(true)
  })
})
