/**
 * The `serve` subcommand's definition; the server loads only when it runs (cli.ts).
 * @module
 */
import type { Argv } from 'yargs'
import type { CliConfigInput } from './config.js'

export interface ServeArgs extends CliConfigInput {
  listen?: string
}

/** Registers `serve`; the server itself loads only when the command runs. */
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
        .option('session-expiry', { type: 'number', describe: 'seconds after which a session must reauthenticate (STATUS_NETWORK_SESSION_EXPIRED; default never)' })
        .option('directory-leases', { type: 'boolean', describe: 'offer directory leases on SMB 3.x (default off, as Samba 4.17)' })
        .option('min-dialect', { type: 'string', describe: 'lowest dialect offered (2.0.2, 2.1, 3.0, 3.0.2, 3.1.1)' })
        .option('max-dialect', { type: 'string', describe: 'highest dialect offered' })
        .option('log', { choices: ['error', 'warn', 'info', 'debug'] as const, describe: 'log level on stderr (default info)' })
        .example('$0 serve --listen 127.0.0.1:4450 --share share=/srv/share --user alice:secret', 'serve one share to one user')
        .example('$0 serve -l 0.0.0.0:445 -s data=/data,encrypt -u bob:pw --signing required', 'encrypted share, signing required'),
    async (args) => {
      const { runServe } = await import('./cli.js')
      process.exitCode = await runServe(args)
    },
  )
}

