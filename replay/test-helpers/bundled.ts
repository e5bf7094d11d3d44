/**
 * The bundled server in-process for replay tests: a fresh share in a temp dir, the lab user, a free port.
 * `tune` adjusts the configuration (e.g. short durable timeouts) before the server starts.
 * @module
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig, type ServerConfig } from '../../server/config.js'
import { SmbServer } from '../../server/server.js'
import { LAB_PASSWORD } from './captures.js'

export interface Bundled {
  port: number
  dir: string
  close(): Promise<void>
}

export async function startBundled(tune?: (c: ServerConfig) => void): Promise<Bundled> {
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-bundled-'))
  chmodSync(dir, 0o755)
  const config = buildConfig({ listen: '127.0.0.1:0', share: [`share=${dir}`], user: [`labuser:${LAB_PASSWORD}`], log: 'error' })
  tune?.(config)
  const srv = await SmbServer.create(config)
  const { port } = await srv.listen('127.0.0.1', 0)
  return {
    port,
    dir,
    async close() {
      await srv.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
