/**
 * Golden traces: every capture shipped in captures/ dissects to exactly its `golden/<name>.trace.jsonl`.
 * A changed or missing golden fails; `UPDATE_GOLDEN=1` rewrites them (then review the diff).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dissectAll } from './dissect-file.js'
import { JsonBytes } from './json-bytes.js'
import { parseKeyFile } from './keys.js'
import { formatSummary, SummaryBuilder } from './summary.js'

const DIR = resolve(import.meta.dirname, '../../captures')
const GOLDEN = join(DIR, 'golden')
const secrets = JSON.parse(readFileSync(join(DIR, 'secrets.json'), 'utf8')) as Record<string, { passwords?: string[]; keys?: string[] }>
const files = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).sort()
const update = process.env['UPDATE_GOLDEN'] === '1'

describe('golden traces of captures/', () => {
  it('ships captures', () => expect(files.length).toBeGreaterThanOrEqual(10))
  for (const f of files) {
    it(f, async () => {
      const s = secrets[f] ?? secrets['default']!
      const { items, dissector } = await dissectAll(join(DIR, f), { passwords: s.passwords, keys: s.keys ? parseKeyFile(s.keys.join('\n')) : undefined })
      // Written as `dissect --format jsonl` writes it (JsonBytes: straight into bytes).
      const w = new JsonBytes()
      for (const d of items) {
        w.value(d.record)
        w.byte(10)
      }
      const trace = w.take().toString('utf8')
      const sb = new SummaryBuilder()
      for (const d of items) sb.add(d.record)
      const summary = formatSummary(sb.build(dissector))
      const tracePath = join(GOLDEN, `${f}.trace.jsonl`)
      const summaryPath = join(GOLDEN, `${f}.summary.txt`)
      if (update) {
        mkdirSync(GOLDEN, { recursive: true })
        writeFileSync(tracePath, trace)
        writeFileSync(summaryPath, summary)
      }
      expect(existsSync(tracePath), `missing golden ${tracePath} (run with UPDATE_GOLDEN=1 and review)`).toBe(true)
      expect(existsSync(summaryPath), `missing golden ${summaryPath}`).toBe(true)
      const want = readFileSync(tracePath, 'utf8').split('\n')
      const have = trace.split('\n')
      // Compare line by line so a failure names the first differing record, not a 1 MB string.
      for (let i = 0; i < Math.max(want.length, have.length); i++) {
        if (want[i] !== have[i]) expect(have[i], `${f} record ${i + 1} differs from the golden trace`).toBe(want[i])
      }
      expect(summary).toBe(readFileSync(summaryPath, 'utf8'))
    })
  }
})
