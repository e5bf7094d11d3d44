/**
 * Persistent handles survive a crash of `smbscope serve` (MS-SMB2 3.3.5.9.10 / 3.3.5.9.12; design.md "Durable
 * state"): a client opens a file on a continuously available share (`--share NAME=PATH,ca`) with DH2Q
 * SMB2_DHANDLE_FLAG_PERSISTENT, writes and locks through it; the server is killed with SIGKILL and started again on
 * the same --state-dir; a new connection reclaims the open with DH2C (same FileId.Persistent) and finds the data and
 * the byte-range lock.
 *
 * The server runs as a real child process, so the test compiles the sources once into a temporary directory (no
 * dependence on a possibly stale dist/). No external peer is needed.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Capabilities, SecurityMode } from '../dissect/smb2/constants/flags.js'
import { TestClient } from './test-helpers/client.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const USER = 'alice'
const PASSWORD = 'Secret-1'
const PERSISTENT = 0x0000_0002

let base = ''
let outDir = ''
let server: ChildProcess | undefined
const clients: TestClient[] = []

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** Starts `serve` and resolves once it listens. */
async function startServe(port: number, share: string, stateDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(outDir, 'bin/smbscope.js'), 'serve', '-l', `127.0.0.1:${port}`, '-s', `share=${share},ca`, '-u', `${USER}:${PASSWORD}`, '--state-dir', stateDir, '--log', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      if (out.includes('listening on')) {
        clearTimeout(t)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(t)
      reject(new Error(`serve exited with ${code}: ${out}`))
    })
  })
  child.stdout!.resume()
  child.stderr!.resume()
  return child
}

/** NEGOTIATE 3.0.2 asking for persistent handles, then session setup and tree connect. */
async function login(port: number, clientGuid: string): Promise<TestClient> {
  const c = await TestClient.connect(port, '127.0.0.1', { timeoutMs: 15_000 })
  clients.push(c)
  c.clientGuid = clientGuid as typeof c.clientGuid
  const n = await c.send(Smb2Command.Negotiate, {
    securityMode: SecurityMode.SigningEnabled,
    capabilities: Capabilities.LargeMtu | Capabilities.Leasing | Capabilities.PersistentHandles,
    clientGuid,
    dialects: [0x0302],
    negotiateContextList: [],
  })
  expect(n.statusName).toBe('STATUS_SUCCESS')
  expect(n.body.capabilities & Capabilities.PersistentHandles).toBe(Capabilities.PersistentHandles)
  c.dialect = n.body.dialectRevision
  expect((await c.sessionSetup(USER, PASSWORD)).statusName).toBe('STATUS_SUCCESS')
  const t = await c.treeConnect('share')
  expect(t.statusName).toBe('STATUS_SUCCESS')
  expect(t.body.capabilities & 0x10).toBe(0x10) // SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY
  return c
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'smbscope-persistent-'))
  outDir = join(base, 'dist')
  // The compiled tree resolves its packages and module type as the project's own dist/ does.
  symlinkSync(join(ROOT, 'node_modules'), join(base, 'node_modules'))
  writeFileSync(join(base, 'package.json'), JSON.stringify({ type: 'module' }))
  // Compile the current sources (the server must be a separate process to be killed).
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir, '--sourceMap', 'false'], {
    cwd: ROOT,
  })
}, 180_000)

afterAll(() => {
  for (const c of clients) if (!c.closed) c.end()
  if (server && server.exitCode === null) server.kill('SIGKILL')
  if (base) rmSync(base, { recursive: true, force: true })
})

describe('persistent handle after SIGKILL and restart (same --state-dir)', () => {
  it('DH2C reclaims the open with its data, byte-range lock and position', async () => {
    const share = join(base, 'share')
    const stateDir = join(base, 'state')
    mkdirSync(share)
    mkdirSync(stateDir)
    const port = await freePort()
    const clientGuid = randomUUID()
    const createGuid = randomUUID()

    server = await startServe(port, share, stateDir)
    const a = await login(port, clientGuid)
    const r = await a.create('persist.dat', {
      contexts: [{ tag: 'DH2Q', known: true, spec: '2.2.13.2.11', value: { timeout: 120_000, flags: PERSISTENT, createGuid } }],
    })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const dh2q = (r.body.createContexts as Array<{ tag: string; value: any }>).find((c) => c.tag === 'DH2Q')?.value
    expect(dh2q).toMatchObject({ flags: PERSISTENT, timeout: 120_000 })
    const fid = r.body.fileId
    const data = Buffer.from('survives a SIGKILL of the server')
    expect((await a.write(fid, 0n, data)).statusName).toBe('STATUS_SUCCESS')
    // Exclusive, fail-immediately lock on bytes 0..3.
    expect((await a.lock(fid, [{ offset: 0n, length: 4n, flags: 0x02 | 0x10 }])).statusName).toBe('STATUS_SUCCESS')
    // FilePositionInformation (class 14) set to 7.
    const pos = Buffer.alloc(8)
    pos.writeBigUInt64LE(7n)
    expect((await a.setInfo(fid, 1, 14, pos)).statusName).toBe('STATUS_SUCCESS')

    // Crash: no clean shutdown, nothing flushed on exit.
    server.kill('SIGKILL')
    await new Promise((r2) => server!.once('exit', r2))
    a.end()

    server = await startServe(port, share, stateDir)
    const b = await login(port, clientGuid)
    const rc = await b.create('persist.dat', {
      contexts: [{ tag: 'DH2C', known: true, spec: '2.2.13.2.12', value: { fileId: fid, createGuid, flags: PERSISTENT } }],
    })
    expect(rc.statusName).toBe('STATUS_SUCCESS')
    expect(rc.body.fileId.persistent).toBe(fid.persistent)
    // The position set before the crash came back (queried before the READ below moves it).
    const qp = await b.queryInfo(rc.body.fileId, 1, 14)
    expect(qp.statusName).toBe('STATUS_SUCCESS')
    expect(Buffer.from(qp.body.outputBuffer).readBigUInt64LE(0)).toBe(7n)
    const rd = await b.read(rc.body.fileId, 0n, data.length)
    expect(rd.statusName).toBe('STATUS_SUCCESS')
    expect(Buffer.from(rd.body.data).toString()).toBe(data.toString())

    // The lock came back with the open: another open cannot take the range, the reclaimed one can release it.
    const c = await login(port, randomUUID())
    const other = await c.open('persist.dat')
    expect((await c.lock(other, [{ offset: 0n, length: 1n, flags: 0x02 | 0x10 }])).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
    expect((await b.lock(rc.body.fileId, [{ offset: 0n, length: 4n, flags: 0x04 }])).statusName).toBe('STATUS_SUCCESS')
    expect((await c.lock(other, [{ offset: 0n, length: 1n, flags: 0x02 | 0x10 }])).statusName).toBe('STATUS_SUCCESS')

    server.kill('SIGTERM')
    await new Promise((r2) => server!.once('exit', r2))
  }, 90_000)
})
