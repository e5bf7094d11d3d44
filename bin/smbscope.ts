#!/usr/bin/env node
/** The `smbscope` command: one CLI, each subcommand beside its module (design.md). @module */
import yargs from 'yargs'
import { hideBin } from 'yargs/helpers'
import { dissectCommand } from '../dissect/command.js'
import { inspectCommand } from '../inspect/command.js'
import { replayCommand } from '../replay/command.js'
import { serveCommand } from '../server/command.js'

const cli = yargs(hideBin(process.argv))
  .scriptName('smbscope')
  .usage('$0 <command> [options]\n\nSMB2/SMB3 captures: dissect, replay against live servers, serve, inspect.')
  .strict()
  .demandCommand(1, 'name a command: dissect, serve, replay, inspect')
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(120, process.stdout.columns || 100))
  .fail((msg, err, y) => {
    if (err) throw err
    y.showHelp((s: string) => process.stderr.write(`${s}\n`))
    process.stderr.write(`\nsmbscope: ${msg}\n`)
    process.exit(2)
  })

dissectCommand(cli)
serveCommand(cli)
inspectCommand(cli)
replayCommand(cli)

await cli.parseAsync()
