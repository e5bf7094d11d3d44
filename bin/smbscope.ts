#!/usr/bin/env node
/**
 * The `smbscope` command: one CLI, each subcommand beside its module (design.md). A plain `dissect FILE`
 * invocation skips yargs (and the other commands' modules), which is a large part of a short run's startup;
 * everything else, help and errors included, goes through yargs.
 * @module
 */
const argv = process.argv.slice(2)
const BUNDLE = '../dissect-cli.bundle.js'

async function fastDissect(): Promise<boolean> {
  if (argv[0] !== 'dissect') return false
  // The build bundles dissect/cli.js into one file (scripts/postbuild.mjs): a third of the load time.
  const { parseDissectArgv, runDissect } = (await import(BUNDLE).catch(() => undefined) as typeof import('../dissect/cli.js') | undefined)
    ?? (await import('../dissect/cli.js'))
  const args = parseDissectArgv(argv.slice(1))
  if (!args) return false
  process.exitCode = await runDissect(args)
  return true
}

async function withYargs(): Promise<void> {
  const [{ default: yargs }, { hideBin }, { dissectCommand }, { inspectCommand }, { replayCommand }, { serveCommand }] = await Promise.all([
    import('yargs'),
    import('yargs/helpers'),
    import('../dissect/command.js'),
    import('../inspect/command.js'),
    import('../replay/command.js'),
    import('../server/command.js'),
  ])
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
}

if (!(await fastDissect())) await withYargs()
