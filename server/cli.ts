/**
 * `smbscope serve`: runs the bundled SMB2/3 server until SIGINT/SIGTERM, then shuts down cleanly (listeners
 * closed, clients disconnected, opens closed, stores flushed) and exits 0. Prints `listening on HOST:PORT` on
 * stdout once it accepts connections. A configuration error is one line on stderr and exit code 2.
 * @module
 */
import type { Argv } from 'yargs'
import { buildConfig, ConfigError, type CliConfigInput } from './config.js'
import { Logger } from './log.js'
import { SmbServer } from './server.js'

export interface ServeArgs extends CliConfigInput {
  listen?: string
}

/** Registers `serve` on a yargs instance (the lead adds it to bin/smbscope.ts, as dissect/cli.ts does). */
export function serveCommand(y: Argv): Argv {
  return y.command<ServeArgs>(
    'serve',
    'run the bundled SMB 2.0.2-3.1.1 file server',
    (a) =>
      a
        .option('listen', { alias: 'l', type: 'string', describe: 'HOST:PORT to listen on (port 0 picks a free one)', default: '127.0.0.1:445' })
        .option('share', { alias: 's', type: 'string', array: true, describe: 'NAME=PATH[,ca][,ro][,encrypt][,guest] (repeatable)' })
        .option('user', { alias: 'u', type: 'string', array: true, describe: 'NAME:PASSWORD (repeatable; NTLMv2 only)' })
        .option('state-dir', { type: 'string', describe: 'directory for persistent state (file metadata, durable handles)' })
        .option('config', { alias: 'c', type: 'string', describe: 'JSON config file (shares, users, limits, signing, encryption)' })
        .option('guest', { type: 'boolean', describe: 'accept unknown users as guest and anonymous sessions' })
        .option('signing', { choices: ['enabled', 'required'] as const, describe: 'message signing (default enabled)' })
        .option('encryption', { choices: ['off', 'desired', 'required'] as const, describe: 'SMB 3 encryption (default off: as the client asks)' })
        .option('min-dialect', { type: 'string', describe: 'lowest dialect offered (2.0.2, 2.1, 3.0, 3.0.2, 3.1.1)' })
        .option('max-dialect', { type: 'string', describe: 'highest dialect offered' })
        .option('log', { choices: ['error', 'warn', 'info', 'debug'] as const, describe: 'log level on stderr (default info)' })
        .example('$0 serve --listen 127.0.0.1:4450 --share share=/srv/share --user alice:secret', 'serve one share to one user')
        .example('$0 serve -l 0.0.0.0:445 -s data=/data,encrypt -u bob:pw --signing required', 'encrypted share, signing required'),
    async (args) => {
      process.exitCode = await runServe(args)
    },
  )
}

/** Runs the server; resolves with the exit code once it has shut down. */
export async function runServe(args: ServeArgs, opts: { signals?: NodeJS.Signals[]; out?: NodeJS.WritableStream } = {}): Promise<number> {
  let config
  try {
    config = buildConfig(args)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`smbscope serve: ${e.message}\n`)
      return 2
    }
    throw e
  }
  const log = new Logger(config.log)
  let server: SmbServer
  try {
    server = await SmbServer.create(config, { log })
    const addr = await server.listen()
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
    ;(opts.out ?? process.stdout).write(`listening on ${host}:${addr.port}\n`)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`smbscope serve: cannot listen on ${config.host}:${config.port}: ${err.code}\n`)
      return 2
    }
    if (err instanceof Error && /state directory|not a directory/.test(err.message)) {
      process.stderr.write(`smbscope serve: ${err.message}\n`)
      return 2
    }
    throw e
  }
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM']
  await new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      log.info('shutting down', { signal: sig })
      for (const s of signals) process.off(s, stop)
      resolve()
    }
    for (const s of signals) process.on(s, stop)
  })
  // A hung shutdown must not keep the process: give it a few seconds.
  const deadline = setTimeout(() => {
    log.error('shutdown took too long, exiting')
    process.exit(1)
  }, 5000)
  deadline.unref()
  await server.close()
  clearTimeout(deadline)
  log.info('stopped')
  return 0
}
