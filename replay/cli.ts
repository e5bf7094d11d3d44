/**
 * `smbscope replay FILE --target HOST:PORT --user NAME --password PW`: re-runs the client side of a capture
 * against a live server and judges every response. Exit codes: 0 every replayed request (and durable open,
 * and connection event) matched, 1 divergence, 2 the replay could not run (bad arguments, unreadable or
 * undecryptable capture, target down, authentication refused).
 * @module
 */
import { writeFileSync } from 'node:fs'
import type { Argv } from 'yargs'
import { isCaptureFormatError } from '../dissect/capture/index.js'
import { exitCodeOf, formatReport, type ReportFormat } from './compare/report.js'
import { ReplayEngine, ReplayFatalError, type InjectSpec, type ReplayOptions } from './engine.js'
import { PlanError, buildPlan } from './plan.js'
import { PcapRecorder } from './record-pcap.js'
import { credentials, type Credentials } from './session/authenticator.js'

export interface ReplayArgs {
  file: string
  target: string
  user: string
  password: string
  'user-map'?: string[]
  'share-map'?: string[]
  report: ReportFormat
  out?: string
  record?: string
  pace: 'fast' | 'original'
  'inject-disconnect'?: string[]
  'regenerate-ids'?: boolean
  'capture-password'?: string[]
  timeout: number
  'break-timeout': number
  ignore?: string[]
  verbose?: boolean
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** `HOST:PORT`, `[v6]:PORT`, or `HOST` (port 445). */
export function parseTarget(s: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(s)
  if (!m) throw new UsageError(`--target ${s}: expected HOST:PORT`)
  const port = m[2] === undefined ? 445 : Number(m[2])
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--target ${s}: bad port`)
  return { host: m[1]!, port }
}

/** `FROM=TO` pairs, keys lower-cased (share names compare case-insensitively). */
export function parseShareMap(list: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>()
  for (const s of list) {
    const i = s.indexOf('=')
    if (i <= 0 || i === s.length - 1) throw new UsageError(`--share-map ${s}: expected FROM=TO`)
    out.set(s.slice(0, i).toLowerCase(), s.slice(i + 1))
  }
  return out
}

/** `CAPTURED=NAME:PASSWORD` (CAPTURED as `DOMAIN\user` or `user`). */
export function parseUserMap(list: readonly string[] = []): Map<string, Credentials> {
  const out = new Map<string, Credentials>()
  for (const s of list) {
    const i = s.indexOf('=')
    const j = s.indexOf(':', i + 1)
    if (i <= 0 || j <= i + 1) throw new UsageError(`--user-map ${s}: expected CAPTURED=NAME:PASSWORD`)
    out.set(s.slice(0, i).toLowerCase(), credentials(s.slice(i + 1, j), s.slice(j + 1)))
  }
  return out
}

/** `after:N` / `frame:N` / `N` (after frame N), or `durable-close` (before every close of a durable open). */
export function parseInject(list: readonly string[] = []): InjectSpec[] {
  return list.map((s) => {
    if (s === 'durable-close' || s === 'before-durable-close') return { kind: 'before-durable-close' } as const
    const m = /^(?:(?:after|frame):)?(\d+)$/.exec(s)
    if (!m) throw new UsageError(`--inject-disconnect ${s}: expected after:FRAME or durable-close`)
    return { kind: 'after-frame', frame: Number(m[1]) } as const
  })
}

export function replayCommand(y: Argv): Argv {
  return y.command<ReplayArgs>(
    'replay <file>',
    're-run the client side of a capture against a live SMB server and compare every response',
    (a) =>
      a
        .positional('file', { type: 'string', demandOption: true, describe: 'capture file (pcap, pcapng, optionally gzipped)' })
        .option('target', { alias: 't', type: 'string', demandOption: true, describe: 'server to replay against, HOST:PORT' })
        .option('user', { alias: 'u', type: 'string', demandOption: true, describe: 'user to authenticate as (NAME, DOMAIN\\NAME or NAME@DOMAIN)' })
        .option('password', { alias: 'p', type: 'string', demandOption: true, describe: "the user's password (also the capture's, unless --capture-password)" })
        .option('user-map', { type: 'string', array: true, describe: 'per captured user: CAPTURED=NAME:PASSWORD (multi-user captures)' })
        .option('share-map', { type: 'string', array: true, describe: 'replay a captured share on another: FROM=TO' })
        .option('report', { alias: 'r', choices: ['text', 'json', 'junit'] as const, default: 'text' as const, describe: 'report format' })
        .option('out', { alias: 'o', type: 'string', describe: 'write the report to FILE (default: stdout)' })
        .option('record', { type: 'string', describe: 'write the live traffic to OUT.pcap (smbscope dissect reads it with the same password)' })
        .option('pace', { choices: ['fast', 'original'] as const, default: 'fast' as const, describe: 'as fast as possible, or keep the captured gaps' })
        .option('inject-disconnect', { type: 'string', array: true, describe: 'add an outage: after:FRAME, or durable-close (before every close of a durable open)' })
        .option('regenerate-ids', { type: 'boolean', default: false, describe: 'fresh ClientGuid, CreateGuids and lease keys instead of the captured ones' })
        .option('capture-password', { type: 'string', array: true, describe: 'password(s) to decrypt the capture, when not --password' })
        .option('timeout', { type: 'number', default: 30000, describe: 'ms to wait for a response' })
        .option('break-timeout', { type: 'number', default: 5000, describe: 'ms to wait for a captured oplock/lease break' })
        .option('ignore', { type: 'string', array: true, describe: 'do not compare diff paths matching REGEX (e.g. "^encrypted$" against a target that cannot encrypt)' })
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'list every step in the text report' })
        .example('$0 replay cap.pcap --target 127.0.0.1:445 -u labuser -p labpass', 'replay and print a text report')
        .example('$0 replay cap.pcap -t srv:445 -u bob -p pw --share-map share=scratch -r junit -o replay.xml', 'for CI')
        .example('$0 replay cap.pcap -t srv -u bob -p pw --inject-disconnect durable-close', 'drop the connection before each durable close'),
    async (args) => {
      process.exitCode = await runReplay(args)
    },
  )
}

export function optionsFromArgs(args: ReplayArgs, recorder?: PcapRecorder): ReplayOptions {
  const { host, port } = parseTarget(args.target)
  const o: ReplayOptions = {
    host,
    port,
    credentials: credentials(args.user, args.password),
    userMap: parseUserMap(args['user-map']),
    shareMap: parseShareMap(args['share-map']),
    pace: args.pace,
    regenerateIds: args['regenerate-ids'] ?? false,
    inject: parseInject(args['inject-disconnect']),
    responseTimeoutMs: args.timeout,
    breakTimeoutMs: args['break-timeout'],
  }
  if (recorder) o.recorder = recorder
  if (args.ignore?.length) o.rules = { ignore: args.ignore.map((r) => new RegExp(r)) }
  return o
}

/**
 * A replay engine from command-line style arguments, for `smbscope inspect FILE --target ...` (the inspector
 * steps it through its `ReplayDriver` methods). Throws UsageError for bad arguments, PlanError for a capture
 * that cannot be replayed.
 */
export async function createReplayDriver(
  file: string,
  args: Pick<ReplayArgs, 'target' | 'user' | 'password'> & Partial<Omit<ReplayArgs, 'file'>>,
): Promise<ReplayEngine> {
  const full: ReplayArgs = { report: 'text', pace: 'fast', timeout: 30000, 'break-timeout': 5000, ...args, file }
  const recorder = full.record ? new PcapRecorder(full.record) : undefined
  const opts = optionsFromArgs(full, recorder)
  const plan = await buildPlan(file, { passwords: full['capture-password']?.length ? full['capture-password'] : [full.password] })
  return new ReplayEngine(plan, opts)
}

export async function runReplay(args: ReplayArgs, io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout
  const stderr = io.stderr ?? process.stderr
  let opts: ReplayOptions
  try {
    opts = optionsFromArgs(args)
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`smbscope replay: ${e.message}\n`)
      return 2
    }
    throw e
  }
  let engine: ReplayEngine
  try {
    const plan = await buildPlan(args.file, { passwords: args['capture-password']?.length ? args['capture-password'] : [args.password] })
    if (args.record) opts.recorder = new PcapRecorder(args.record)
    engine = new ReplayEngine(plan, opts)
  } catch (e) {
    if (e instanceof PlanError || isCaptureFormatError(e) || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      stderr.write(`smbscope replay: ${(e as Error).message}\n`)
      return 2
    }
    throw e
  }
  let report
  try {
    report = await engine.run()
  } catch (e) {
    await engine.close().catch(() => {})
    if (e instanceof ReplayFatalError) {
      stderr.write(`smbscope replay: ${e.message}\n`)
      return 2
    }
    throw e
  }
  const text = formatReport(report, args.report, { verbose: args.verbose })
  if (args.out) writeFileSync(args.out, text)
  else stdout.write(text)
  return exitCodeOf(report)
}
