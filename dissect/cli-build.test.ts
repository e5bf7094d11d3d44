/**
 * The built CLI (what `npx smbscope dissect` runs: dist/bin/smbscope.js and the bundle scripts/postbuild.mjs
 * makes of dissect/cli.js) prints the golden trace of a shipped capture (with the lab password the goldens were made with, captures/secrets.json). `npm install` builds, so the build is
 * there in CI; a stale build fails here, which is the point.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = join(ROOT, 'dist/bin/smbscope.js')
const BUNDLE = join(ROOT, 'dist/dissect-cli.bundle.js')
const CAPTURE = 'durable-v2-open.reopen1.pcap'

describe.skipIf(!existsSync(CLI))('the built dissect CLI', () => {
  it('is bundled into one file when the build had rolldown', () => {
    expect(existsSync(BUNDLE)).toBe(existsSync(join(ROOT, 'node_modules/rolldown')))
  })
  it(`prints the golden jsonl trace of captures/${CAPTURE}`, () => {
    const out = execFileSync(process.execPath, [CLI, 'dissect', join(ROOT, 'captures', CAPTURE), '--format', 'jsonl', '--password', 'labpass'], { encoding: 'utf8' })
    expect(out).toBe(readFileSync(join(ROOT, 'captures/golden', `${CAPTURE}.trace.jsonl`), 'utf8'))
  })
  it('prints the same trace as a JSON document with --format json', () => {
    const out = execFileSync(process.execPath, [CLI, 'dissect', join(ROOT, 'captures', CAPTURE), '--format', 'json', '--password', 'labpass'], { encoding: 'utf8' })
    const lines = readFileSync(join(ROOT, 'captures/golden', `${CAPTURE}.trace.jsonl`), 'utf8').trim().split('\n')
    expect(JSON.parse(out)).toEqual(lines.map((l) => JSON.parse(l)))
  })
})
