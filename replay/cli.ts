/**
 * `smbscope replay FILE --target HOST:PORT --user NAME --password PW`: re-runs the client side of a capture
 * against a live server and judges every response. Exit codes: 0 every replayed request (and durable open,
 * and connection event) matched, 1 divergence, 2 the replay could not run (bad arguments, unreadable or
 * undecryptable capture, target down, authentication refused).
 * @module
 */
import { writeFileSync } from 'node:fs'
import type { ReplayArgs } from './command.js'
export type { ReplayArgs }
import { isCaptureFormatError } from '../dissect/capture/index.js'
import { exitCodeOf, formatReport, type ReportFormat } from './compare/report.js'
import { ReplayEngine, ReplayFatalError, type InjectSpec, type ReplayOptions } from './engine.js'
import { PlanError, buildPlan } from './plan.js'
import { PcapRecorder } from './record-pcap.js'
import { credentials, type Credentials } from './session/authenticator.js'

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

/**
 * `after:N` / `frame:N` / `N` (after frame N), or `durable-close` (before every close of a durable open); either
 * may end in `+MS` (or `+Ns`): the client stays away that long before it reconnects.
 */
export function parseInject(list: readonly string[] = []): InjectSpec[] {
  return list.map((s) => {
    const d = /^(.*?)\+(\d+)(ms|s)?$/.exec(s)
    const delayMs = d ? Number(d[2]) * (d[3] === 's' ? 1000 : 1) : undefined
    const what = d ? d[1]! : s
    const delay = delayMs !== undefined ? { delayMs } : {}
    if (what === 'durable-close' || what === 'before-durable-close') return { kind: 'before-durable-close', ...delay } as const
    const m = /^(?:(?:after|frame):)?(\d+)$/.exec(what)
    if (!m) throw new UsageError(`--inject-disconnect ${s}: expected after:FRAME or durable-close, optionally +MS (delay before the reconnect)`)
    return { kind: 'after-frame', frame: Number(m[1]), ...delay } as const
  })
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
