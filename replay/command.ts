/**
 * The `replay` subcommand's definition; the engine loads only when it runs (cli.ts).
 * @module
 */
import type { Argv } from 'yargs'
import type { ReportFormat } from './compare/report.js'

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
        .option('inject-disconnect', { type: 'string', array: true, describe: 'add an outage: after:FRAME, or durable-close (before every close of a durable open); +MS stays away MS before reconnecting' })
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
      const { runReplay } = await import('./cli.js')
      process.exitCode = await runReplay(args)
    },
  )
}

