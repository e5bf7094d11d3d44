/**
 * `smbscope dissect FILE`: decode a capture into a trace (text lines, JSON lines, one JSON document, or a
 * summary). Exit codes: 0 done, 2 the input could not be read as a capture or the arguments are wrong.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { Argv } from 'yargs'
import { isCaptureFormatError } from './capture/index.js'
import { compileFilter, FilterError, type Predicate } from './trace/filter.js'
import { Dissector } from './trace/dissector.js'
import { dissectFile } from './trace/dissect-file.js'
import { formatTextLine } from './trace/format-text.js'
import { recordToJsonLine } from './trace/json.js'
import { formatSummary, SummaryBuilder } from './trace/summary.js'
import { parseKeyFile } from './trace/keys.js'
import { OutputSink, Progress } from './trace/output.js'

export interface DissectArgs {
  file: string
  format: 'text' | 'jsonl' | 'json' | 'summary'
  password?: string[]
  keys?: string
  filter?: string
  color?: boolean
  progress?: boolean
}

export function dissectCommand(y: Argv): Argv {
  return y.command<DissectArgs>(
    'dissect <file>',
    'decode a pcap/pcapng capture into SMB2/3 trace records',
    (a) =>
      a
        .positional('file', { type: 'string', demandOption: true, describe: 'capture file (pcap, pcapng, optionally gzipped)' })
        .option('format', { alias: 'f', choices: ['text', 'jsonl', 'json', 'summary'] as const, default: 'text' as const, describe: 'output format' })
        .option('password', { alias: 'p', type: 'string', array: true, describe: 'NTLM password(s) to derive session keys from the captured exchange' })
        .option('keys', { alias: 'k', type: 'string', describe: 'file of "SessionId SessionKey [S2CKey C2SKey]" lines (Wireshark smb2_seskey_list meaning)' })
        .option('filter', { alias: 'Y', type: 'string', describe: 'keep records matching EXPR, e.g. "CREATE && path~docx", "durable", "status!=SUCCESS"' })
        .option('color', { type: 'boolean', describe: 'colour the text output (default: when stdout is a TTY)' })
        .option('progress', { type: 'boolean', describe: 'progress on stderr (default: when stderr is a TTY)' })
        .example('$0 dissect captures/durable-v2-reopen2.pcap', 'one line per SMB2 message')
        .example('$0 dissect cap.pcap -f jsonl -p labpass | jq .cmd', 'decrypt and stream JSON lines')
        .example('$0 dissect cap.pcap -f summary', 'sessions, SRT, errors, durable-handle lifecycle'),
    async (args) => {
      process.exitCode = await runDissect(args)
    },
  )
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
  if (args.format === 'json') sink.write('[\n')
  try {
    const it = dissectFile(args.file, { onProgress: (read, total) => progress.update(read, total, dissector.lastFrame) }, dissector)
    for await (const d of it) {
      const r = d.record
      t0 ??= r.time
      if (args.format === 'summary') {
        summary.add(r)
        continue
      }
      if (!filter(r)) continue
      switch (args.format) {
        case 'text':
          await sink.line(formatTextLine(r, { color, t0 }))
          break
        case 'jsonl':
          await sink.line(recordToJsonLine(r))
          break
        case 'json':
          await sink.write((first ? '' : ',\n') + recordToJsonLine(r))
          first = false
          break
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
