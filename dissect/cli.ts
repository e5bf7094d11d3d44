/**
 * `smbscope dissect FILE` (the runner; the yargs definition is in command.ts): decode a capture into a trace (text lines, JSON lines, one JSON document, or a
 * summary). Exit codes: 0 done, 2 the input could not be read as a capture or the arguments are wrong.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { DissectArgs } from './command.js'
export type { DissectArgs }
import { MessageBufferPool } from './capture/buffer-pool.js'
import { isCaptureFormatError, openCapture } from './capture/index.js'
import { compileFilter, FilterError, type Predicate } from './trace/filter.js'
import { Dissector } from './trace/dissector.js'
import { formatTextLine } from './trace/format-text.js'
import { formatSummary, SummaryBuilder } from './trace/summary.js'
import { parseKeyFile } from './trace/keys.js'
import { OutputSink, Progress } from './trace/output.js'

const FORMATS: ReadonlySet<string> = new Set(['text', 'jsonl', 'json', 'summary'])
const VALUE_OPTIONS: Record<string, 'format' | 'keys' | 'filter'> = {
  '--format': 'format', '-f': 'format', '--keys': 'keys', '-k': 'keys', '--filter': 'filter', '-Y': 'filter',
}
const FLAG_OPTIONS: Record<string, ['color' | 'progress', boolean]> = {
  '--color': ['color', true], '--no-color': ['color', false], '--progress': ['progress', true], '--no-progress': ['progress', false],
}

/**
 * The arguments of `dissect FILE [options]` (argv after the command name) read without yargs, so the common
 * invocations start faster. Only the unambiguous forms are taken; anything else (help, several passwords or a
 * password followed by a word, a repeated option, a value that looks like an option, an unknown word) gives undefined and
 * the caller lets yargs parse (and explain) it. The result equals what yargs would hand the runner.
 */
export function parseDissectArgv(argv: readonly string[]): DissectArgs | undefined {
  let file: string | undefined
  const out: Partial<DissectArgs> = {}
  const seen = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!
    let value: string | undefined
    const eq = a.startsWith('--') ? a.indexOf('=') : -1
    if (eq > 0) {
      value = a.slice(eq + 1)
      a = a.slice(0, eq)
    }
    const opt = VALUE_OPTIONS[a]
    if (opt !== undefined) {
      if (value === undefined) {
        value = argv[++i]
        if (value === undefined || value.startsWith('-')) return undefined
      }
      if (seen.has(opt) || value === '') return undefined
      seen.add(opt)
      if (opt === 'format') {
        if (!FORMATS.has(value)) return undefined
        out.format = value as DissectArgs['format']
      } else out[opt] = value
      continue
    }
    if (a === '--password' || a === '-p') {
      // yargs reads --password as an array that swallows the words after it, so only a single password with
      // nothing but options (or the end) after it is taken here.
      if (value === undefined) value = argv[++i]
      const after = argv[i + 1]
      if (value === undefined || value === '' || value.startsWith('-') || seen.has('password') || (after !== undefined && !after.startsWith('-'))) return undefined
      seen.add('password')
      out.password = [value]
      continue
    }
    const flag = FLAG_OPTIONS[a]
    if (flag !== undefined && value === undefined) {
      if (seen.has(flag[0])) return undefined
      seen.add(flag[0])
      out[flag[0]] = flag[1]
      continue
    }
    if (value !== undefined || a === '' || a.startsWith('-') || file !== undefined) return undefined
    file = a
  }
  if (file === undefined) return undefined
  return { ...out, file, format: out.format ?? 'text' }
}

export async function runDissect(args: DissectArgs): Promise<number> {
  let filter: Predicate = () => true
  try {
    if (args.filter) filter = compileFilter(args.filter)
  } catch (e) {
    if (e instanceof FilterError) {
      process.stderr.write(`smbscope: bad --filter: ${e.message}\n`)
      return 2
    }
    throw e
  }
  let keys
  try {
    keys = args.keys ? parseKeyFile(readFileSync(args.keys, 'utf8')) : undefined
  } catch (e) {
    process.stderr.write(`smbscope: --keys ${args.keys}: ${(e as Error).message}\n`)
    return 2
  }
  const sink = new OutputSink(process.stdout)
  const progress = new Progress(args.progress ?? process.stderr.isTTY === true)
  const color = args.color ?? process.stdout.isTTY === true
  const dissector = new Dissector({ passwords: args.password, keys })
  const summary = new SummaryBuilder()
  let t0: number | undefined
  let first = true
  if (args.format === 'json') await sink.write('[\n')
  try {
    // Each message's record is written as soon as it is made (not a chunk's worth at a time), so records die
    // young: the garbage collector then copies far less. A written record keeps nothing of its message's bytes,
    // so large message buffers go back to the pool after each message (not for the summary, which keeps records).
    const pool = args.format === 'summary' ? undefined : new MessageBufferPool()
    const capture = openCapture(args.file, { onProgress: (read, total) => progress.update(read, total, dissector.lastFrame), allocate: pool?.allocate })
    for await (const events of capture.batches()) {
      for (const ev of events) {
        for (const d of dissector.feed(ev)) {
          const r = d.record
          t0 ??= r.time
          if (args.format === 'summary') {
            summary.add(r)
            continue
          }
          if (!filter(r)) continue
          let full: boolean
          switch (args.format) {
            case 'text':
              full = sink.push(formatTextLine(r, { color, t0 }))
              break
            case 'jsonl':
              full = sink.pushJson(r)
              break
            default:
              full = sink.pushJson(r, first ? '' : ',')
              first = false
          }
          if (full) await sink.flush()
        }
        if (pool && ev.kind === 'message') pool.release(ev.data)
      }
    }
  } catch (e) {
    progress.done()
    if (isCaptureFormatError(e) || (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      if (args.format === 'json') await sink.write('\n]\n')
      await sink.flush()
      process.stderr.write(`smbscope: ${args.file}: ${(e as Error).message}\n`)
      return 2
    }
    throw e
  }
  progress.done()
  if (args.format === 'json') await sink.write('\n]\n')
  if (args.format === 'summary') await sink.write(formatSummary(summary.build(dissector)))
  await sink.flush()
  for (const w of dissector.warnings.slice(0, 20)) if (args.format !== 'summary') process.stderr.write(`smbscope: warning: ${w}\n`)
  return 0
}
