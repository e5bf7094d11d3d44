/**
 * The `inspect` subcommand's definition; the runner (cli.ts) and the TUI load only when it runs.
 * @module
 */
import type { Argv } from 'yargs'

export interface InspectArgs {
  file?: string
  password?: string[]
  keys?: string
  report?: string
  target?: string
  user?: string
}

export function inspectCommand(y: Argv): Argv {
  return y.command<InspectArgs>(
    'inspect [file]',
    'browse a capture (or a replay report) in a terminal UI',
    (a) =>
      a
        .positional('file', { type: 'string', describe: 'capture file (pcap, pcapng, optionally gzipped)' })
        .option('password', { alias: 'p', type: 'string', array: true, describe: 'NTLM password(s) to derive session keys from the captured exchange' })
        .option('keys', { alias: 'k', type: 'string', describe: 'file of "SessionId SessionKey [S2CKey C2SKey]" lines' })
        .option('target', { alias: 't', type: 'string', describe: 'step a live replay of FILE against HOST:PORT (with --user and --password)' })
        .option('user', { alias: 'u', type: 'string', describe: 'user for the live replay (--password is its password and the capture\'s)' })
        .option('report', { alias: 'r', type: 'string', describe: 'browse a replay report written by `replay --report json --out FILE`' })
        .example('$0 inspect captures/durable-v2-reopen2.pcap', 'browse messages; ? lists the keys')
        .example('$0 inspect cap.pcap -p labpass', 'decrypt with the session password')
        .example('$0 inspect --report replay.json', 'step through a replay: expected vs actual')
        .example('$0 inspect cap.pcap -t 127.0.0.1:445 -u labuser -p labpass', 'replay live, one request at a time'),
    async (args) => {
      const { runInspect } = await import('./cli.js')
      process.exitCode = await runInspect(args)
    },
  )
}

