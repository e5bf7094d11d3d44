// After tsc: make the CLI entry executable, and bundle the dissector's CLI runner into one file.
//
// A plain `smbscope dissect FILE` loads about a hundred modules; resolving, reading and compiling them one by one
// took ~150 ms of a 1.3 s run on the dissect benchmark. The bundle (same code, one file) loads in about a third
// of that. bin/smbscope.ts uses it when it is there and falls back to dist/dissect/cli.js when it is not (a build
// without dev dependencies), so the bundle is an optimisation, never a requirement.
import { chmodSync, existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bin = new URL('../dist/bin/smbscope.js', import.meta.url)
if (existsSync(bin)) chmodSync(bin, 0o755)

const entry = fileURLToPath(new URL('../dist/dissect/cli.js', import.meta.url))
const out = fileURLToPath(new URL('../dist/dissect-cli.bundle.js', import.meta.url))
rmSync(out, { force: true })
let rolldown
try {
  ;({ rolldown } = await import('rolldown'))
} catch {
  console.log('postbuild: rolldown not installed; `dissect` runs from the unbundled modules')
}
if (rolldown && existsSync(entry)) {
  const bundle = await rolldown({
    input: entry,
    platform: 'node',
    // Packages stay imports (native modules, and they resolve from node_modules as usual).
    external: (id) => id.startsWith('node:') || !(id.startsWith('.') || id.startsWith('/')),
    logLevel: 'warn',
  })
  await bundle.write({ file: out, format: 'esm', sourcemap: true })
  await bundle.close()
}
