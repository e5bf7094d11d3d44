/**
 * The `dissect` subcommand's definition. Kept apart from its runner (cli.ts) so that starting the CLI loads
 * only what the chosen command needs.
 * @module
 */
import type { Argv } from 'yargs'

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
      const { runDissect } = await import('./cli.js')
      process.exitCode = await runDissect(args)
    },
  )
}

