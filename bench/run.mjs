// `npm run bench`: every benchmark in bench/, one after the other. Each prints its own figures and ratios
// against the reference measured in the same run (absolute times on shared machines are noise).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const benches = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !['run.mjs', 'lib.mjs'].includes(f)).sort()
let failed = 0
for (const b of benches) {
  const name = b.replace(/\.mjs$/, '')
  if (only.length && !only.includes(name)) continue
  console.log(`\n=== ${name}`)
  const r = spawnSync(process.execPath, [join(dir, b)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
