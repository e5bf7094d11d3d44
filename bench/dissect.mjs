// Dissector benchmark (issue 2): `smbscope dissect --format jsonl` against tshark, measured in the same run.
//   1. metadata capture: ~57k packets of small SMB 3.1.1 operations (smbclient against the lab Samba:
//      1500 puts, then 1500 gets and allinfo) — ours vs `tshark -T ek` and `tshark -T fields` (8 SMB2 fields)
//   2. bulk capture: ~400 MB (a 200 MB put and get) — peak RSS, ours vs tshark
// Captures are recorded once into $SMBSCOPE_BENCH_DIR (default $TMPDIR/smbscope-bench) and reused.
import { existsSync, mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE, CLI, LAB, compare, missing, sh, startSamba } from './lib.mjs'

const rounds = Number(process.env.ROUNDS ?? 3)
const need = missing(['tshark', 'tcpdump', 'smbclient', 'smbd'])
if (!existsSync(CLI)) throw new Error('build first: npm install (or npm run build)')
const meta = join(CACHE, 'meta.pcap')
const bulk = join(CACHE, 'bulk.pcap')

function record() {
  if (existsSync(meta) && existsSync(bulk)) return
  if (need.length || !LAB) {
    console.log(`SKIPPED dissect bench: cannot record captures (missing: ${[...need, ...(LAB ? [] : ['../shared/lab'])].join(', ')})`)
    process.exit(0)
  }
  const lab = join(CACHE, 'lab')
  const port = 4460
  const stop = startSamba(lab, port)
  try {
    const small = join(CACHE, 'small')
    mkdirSync(small, { recursive: true })
    mkdirSync(join(CACHE, 'out'), { recursive: true })
    for (let i = 1; i <= 1500; i++) writeFileSync(join(small, `f${i}.txt`), `file ${i}\n`)
    const puts = ['lcd ' + small, ...Array.from({ length: 1500 }, (_, i) => `put f${i + 1}.txt`)].join('\n')
    const gets = ['lcd ' + join(CACHE, 'out'), ...Array.from({ length: 1500 }, (_, i) => `get f${i + 1}.txt\nallinfo f${i + 1}.txt`)].join('\n')
    writeFileSync(join(CACHE, 'puts.cmd'), puts + '\n')
    writeFileSync(join(CACHE, 'gets.cmd'), gets + '\n')
    const client = `smbclient //127.0.0.1/share -p ${port} -U labuser%labpass -m SMB3_11`
    if (!existsSync(meta)) sh(`bash ${LAB}/capture.sh ${meta} ${port} -- bash -c "${client} < ${CACHE}/puts.cmd >/dev/null 2>&1; ${client} < ${CACHE}/gets.cmd >/dev/null 2>&1"`)
    if (!existsSync(bulk)) {
      sh(`head -c 200000000 /dev/urandom > ${CACHE}/big.bin`)
      sh(`cd ${CACHE} && bash ${LAB}/capture.sh ${bulk} ${port} -- bash -c "${client} -c 'put big.bin; get big.bin big.out' >/dev/null 2>&1"`)
      rmSync(join(CACHE, 'big.bin'))
      rmSync(join(CACHE, 'big.out'), { force: true })
    }
  } finally {
    stop()
  }
}

record()
const packets = sh(`capinfos -c -M ${meta} 2>/dev/null | awk '/Number of packets/ {print $NF}'`).trim()
const fields = ['frame.number', 'smb2.msg_id', 'smb2.cmd', 'smb2.nt_status', 'smb2.sesid', 'smb2.tid', 'smb2.flags.response', 'smb2.filename'].flatMap((f) => ['-e', f])
console.log(`metadata capture: ${packets} packets, ${(statSync(meta).size / 1e6).toFixed(1)} MB; ${rounds} interleaved rounds, medians`)
const m = await compare({
  'smbscope jsonl': ['node', CLI, 'dissect', meta, '--format', 'jsonl'],
  'tshark -T ek': ['tshark', '-r', meta, '-T', 'ek'],
  'tshark -T fields (8)': ['tshark', '-r', meta, '-Y', 'smb2', '-T', 'fields', ...fields],
}, rounds)
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(22)} ${v.wall.toFixed(2).padStart(6)} s  (runs ${v.walls.map((w) => w.toFixed(2)).join(' ')})  peak ${(v.rss / 1024).toFixed(0)} MiB`)
const ours = m['smbscope jsonl'].wall
console.log(`  ratio: tshark -T ek / smbscope = ${(m['tshark -T ek'].wall / ours).toFixed(1)}× (bar ≥ 10×); tshark -T fields / smbscope = ${(m['tshark -T fields (8)'].wall / ours).toFixed(2)}× (bar ≥ 1.0×)`)

console.log(`bulk capture: ${(statSync(bulk).size / 1e6).toFixed(0)} MB`)
const b = await compare({
  'smbscope jsonl': ['node', CLI, 'dissect', bulk, '--format', 'jsonl'],
  'tshark -T fields (8)': ['tshark', '-r', bulk, '-Y', 'smb2', '-T', 'fields', ...fields],
}, 1)
for (const [k, v] of Object.entries(b)) console.log(`  ${k.padEnd(22)} ${v.wall.toFixed(2).padStart(6)} s  peak ${(v.rss / 1024).toFixed(0)} MiB`)
console.log(`  peak memory: smbscope ${(b['smbscope jsonl'].rss / 1024).toFixed(0)} MiB (bar < 150 MiB), tshark ${(b['tshark -T fields (8)'].rss / 1024).toFixed(0)} MiB`)
