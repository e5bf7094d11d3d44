/**
 * Starts an in-process server on a free loopback port with a fresh temporary share, for integration tests.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig, type CliConfigInput, type ServerConfig } from '../config.js'
import { Logger } from '../log.js'
import { SmbServer } from '../server.js'

export const USER = 'alice'
export const PASSWORD = 'Secret-1'

export interface Harness {
  server: SmbServer
  port: number
  /** The share's directory. */
  dir: string
  config: ServerConfig
  close(): Promise<void>
}

export async function startServer(o: Partial<CliConfigInput> & { configPatch?: Partial<ServerConfig>; shareOptions?: string } = {}): Promise<Harness> {
  const base = mkdtempSync(join(tmpdir(), 'smbscope-srv-'))
  const dir = join(base, 'share')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(dir)
  const config = {
    ...buildConfig({ listen: '127.0.0.1:0', share: [`share=${dir}${o.shareOptions ?? ''}`], user: [`${USER}:${PASSWORD}`], log: 'error', ...o }),
    ...o.configPatch,
  }
  const log = new Logger(process.env['SMBSCOPE_TEST_LOG'] ? 'debug' : 'error')
  const server = await SmbServer.create(config, { log })
  const addr = await server.listen('127.0.0.1', 0)
  return {
    server,
    port: addr.port,
    dir,
    config,
    async close() {
      await server.close()
      rmSync(base, { recursive: true, force: true })
    },
  }
}
