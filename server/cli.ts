/**
 * `smbscope serve`: runs the bundled SMB2/3 server until SIGINT/SIGTERM, then shuts down cleanly (listeners
 * closed, clients disconnected, opens closed, stores flushed) and exits 0. Prints `listening on HOST:PORT` on
 * stdout once it accepts connections. A configuration error is one line on stderr and exit code 2.
 * @module
 */
import { buildConfig, ConfigError } from './config.js'
import type { ServeArgs } from './command.js'
import { Logger } from './log.js'
import { SmbServer } from './server.js'

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
