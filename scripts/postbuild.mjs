// Makes the CLI entry executable after tsc has written it.
import { chmodSync, existsSync } from 'node:fs'
const bin = new URL('../dist/bin/smbscope.js', import.meta.url)
if (existsSync(bin)) chmodSync(bin, 0o755)
