/**
 * `smbscope inspect FILE [--password PW] [--keys FILE]`: the terminal UI over a capture, and
 * `smbscope inspect --report replay.json`: the same UI over a finished replay report. Problems with the input
 * (missing file, not a capture, not a report, no terminal) are one line on stderr and exit code 2, before any
 * screen is drawn.
 * @module
 */
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import type { InspectArgs } from './command.js'
export type { InspectArgs }
import { parseKeyFile } from '../dissect/trace/keys.js'
import type { KeyEntry } from '../dissect/trace/security.js'
import { primeSource, runCaptureView, runLiveReplayView, runReportView, type PrimedSource, type ViewFactory } from './app.js'
import { installSignalCleanup } from './cleanup.js'
import { parseReport, ReportError, type ReplayReport } from './replay-types.js'
import type { RecordSource } from './source.js'

export interface InspectDeps {
  /** The terminal view (default: blessed on this process's TTY). */
  view?: ViewFactory
  /** Whether stdin/stdout are a terminal (default: process.stdin/stdout.isTTY). */
  isTTY?: boolean
  /** The capture source (default: the dissector over the file). */
  source?: (file: string, o: { passwords?: string[]; keys?: KeyEntry[] }) => RecordSource
  stderr?: (line: string) => void
  /** Directory for the spool (default: the system temporary directory). */
  tmpDir?: string
  /** Install the SIGINT/SIGTERM/SIGHUP cleanup handlers (default true; tests turn it off). */
  signals?: boolean
}

export async function runInspect(args: InspectArgs, deps: InspectDeps = {}): Promise<number> {
  const err = deps.stderr ?? ((l: string) => process.stderr.write(l + '\n'))
  const fail = (msg: string) => {
    err(`smbscope: ${msg}`)
    return 2
  }
  const tty = deps.isTTY ?? (process.stdin.isTTY === true && process.stdout.isTTY === true)
  const terminal = async (): Promise<ViewFactory> => deps.view ?? (await import('./view-blessed.js')).createBlessedView

  if (args.report !== undefined) {
    if (args.file !== undefined) return fail('give either a capture FILE or --report FILE, not both')
    let report: ReplayReport
    try {
      report = parseReport(JSON.parse(readFileSync(args.report, 'utf8')))
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return fail(`${args.report}: no such file`)
      if (e instanceof SyntaxError) return fail(`${args.report}: not JSON (${e.message})`)
      if (e instanceof ReportError) return fail(`${args.report}: ${e.message}`)
      return fail(`${args.report}: ${(e as Error).message}`)
    }
    if (!tty) return fail('inspect needs a terminal (stdin and stdout must be a TTY)')
    if (deps.signals !== false) installSignalCleanup()
    await runReportView(report, { view: await terminal(), name: basename(args.report) })
    return 0
  }

  if (args.file === undefined) return fail('inspect needs a capture FILE (or --report FILE)')
  const file = args.file
  if (args.target !== undefined) {
    const password = args.password?.[0]
    if (args.user === undefined || password === undefined) return fail('a live replay (--target) needs --user and --password')
    if (!tty) return fail('inspect needs a terminal (stdin and stdout must be a TTY)')
    let driver: Awaited<ReturnType<typeof import('../replay/cli.js').createReplayDriver>>
    try {
      const { createReplayDriver } = await import('../replay/cli.js')
      driver = await createReplayDriver(file, { target: args.target, user: args.user, password, 'capture-password': args.password })
    } catch (e) {
      return fail(`${file}: ${(e as Error).message}`)
    }
    if (deps.signals !== false) installSignalCleanup()
    await runLiveReplayView(driver, { view: await terminal(), name: `${basename(file)} → ${args.target}` })
    return 0
  }
  try {
    const st = statSync(file)
    if (st.isDirectory()) return fail(`${file}: is a directory, not a capture`)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return fail(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(e as Error).message}`)
  }
  let keys: KeyEntry[] | undefined
  if (args.keys !== undefined) {
    try {
      keys = parseKeyFile(readFileSync(args.keys, 'utf8'))
    } catch (e) {
      return fail(`--keys ${args.keys}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
    }
  }
  // Loaded here so the rest of the inspector (and its tests) does not depend on the capture reader.
  const makeSource = deps.source ?? (await import('./source-dissect.js')).dissectSource
  const source = makeSource(file, { passwords: args.password, keys })
  let primed: PrimedSource
  try {
    primed = await primeSource(source)
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`)
  }
  if (!tty) {
    await primed.iterator.return?.()
    return fail('inspect needs a terminal (stdin and stdout must be a TTY)')
  }
  if (deps.signals !== false) installSignalCleanup()
  await runCaptureView(primed, { view: await terminal(), tmpDir: deps.tmpDir })
  return 0
}
