import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterEach, describe, expect, it } from 'vitest'
import {
  MemoryDurableStore,
  RecordFormatError,
  SqliteDurableStore,
  decodeRecord,
  encodeRecord,
  migrateOpen,
} from './durable-store.js'
import type { DurableStore, OpenGlobalV1 } from './durable-store.js'
import type { OpenGlobal, SessionGlobal, TreeConnectGlobal } from './global-tables.js'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'smbscope-state-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

function sampleOpen(persistentId: bigint, over: Partial<OpenGlobal> = {}): OpenGlobal {
  return {
    version: 2,
    persistentId,
    volatileId: 0xdead_beef_0000_0001n,
    sessionId: 0xffff_ffff_ffff_fffen,
    treeId: 7,
    owner: 'S-1-5-21-1-2-3-1001',
    clientGuid: '11111111-2222-3333-4444-555555555555',
    createGuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    appInstanceId: null,
    lease: { key: '01020304-0506-0708-090a-0b0c0d0e0f10', version: 2, state: 7, epoch: 3, parentLeaseKey: null },
    oplockLevel: 0xff,
    durable: 'persistent',
    durableTimeoutMs: 60_000,
    disconnectedAt: null,
    shareName: 'share',
    path: 'dir\\file.txt',
    fileId: 0x8000_0000_0000_0001n,
    desiredAccess: 0x0012_019f,
    shareAccess: 7,
    createOptions: 0x40,
    byteRangeLocks: [{ offset: 0xffff_ffff_ffff_0000n, length: 0x1_0000n, exclusive: true }],
    position: 12345678901234567890n,
    channelSequence: 3,
    outstandingRequestCount: 0,
    outstandingPreRequestCount: 0,
    replayEligible: true,
    lockSequences: { 1: 5, 64: 9 },
    revision: 4,
    createdAt: 1_700_000_000_000,
    ...over,
  }
}

const sampleSession = (sessionId: bigint): SessionGlobal => ({
  version: 1,
  sessionId,
  owner: { user: 'alice', domain: 'WG', sid: 'S-1-5-21-1-2-3-1001' },
  clientGuid: '11111111-2222-3333-4444-555555555555',
  dialect: 0x0311,
  signingRequired: true,
  encryptData: false,
  sessionKeyRef: 'key:1',
  channels: [1, 2],
  state: 'valid',
  createdAt: 1,
  expiresAt: null,
  disconnectedAt: null,
})

const sampleTree = (treeId: number): TreeConnectGlobal => ({
  version: 1,
  treeId,
  sessionId: 0x1234n,
  shareName: 'share',
  maximalAccess: 0x001f01ff,
  encryptData: false,
  continuousAvailability: true,
  createdAt: 2,
})

describe('record encoding', () => {
  it('keeps 64-bit values exactly (decimal strings, never JSON numbers)', () => {
    const o = sampleOpen(0xffff_ffff_ffff_fffen)
    const text = encodeRecord(o)
    expect(text).toContain('{"$bigint":"18446744073709551614"}')
    expect(text).not.toMatch(/:18446744073709551614/)
    expect(decodeRecord(text)).toEqual(o)
  })
})

describe('migration', () => {
  it('reads a format-1 open record as format 2 (code sees only the latest format)', () => {
    const v1: OpenGlobalV1 = {
      version: 1,
      persistentId: 99n,
      createGuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      clientGuid: '11111111-2222-3333-4444-555555555555',
      leaseKey: '01020304-0506-0708-090a-0b0c0d0e0f10',
      owner: 'S-1-5-21-1',
      path: 'a.txt',
      durableTimeoutMs: 30_000,
      disconnectedAt: 5,
    }
    const o = migrateOpen(decodeRecord(encodeRecord(v1)))
    expect(o.version).toBe(2)
    expect(o.persistentId).toBe(99n)
    expect(o.lease).toEqual({ key: v1.leaseKey, version: 1, state: 0, epoch: 0, parentLeaseKey: null })
    expect(o.oplockLevel).toBe(0xff)
    expect(o.durable).toBe('persistent')
    expect(o.disconnectedAt).toBe(5)
    expect(o.byteRangeLocks).toEqual([])
  })

  it('rejects unknown versions with RecordFormatError', () => {
    expect(() => migrateOpen({ version: 3 })).toThrow(RecordFormatError)
    expect(() => migrateOpen(null)).toThrow(RecordFormatError)
  })

  it('SQLite: old rows are rewritten in the latest format when the store opens', () => {
    const dir = tmp()
    const s1 = SqliteDurableStore.open(dir)
    s1.putRaw('open', 99n, {
      version: 1,
      persistentId: 99n,
      createGuid: null,
      clientGuid: '11111111-2222-3333-4444-555555555555',
      leaseKey: null,
      owner: 'S-1',
      path: 'x',
      durableTimeoutMs: 1000,
      disconnectedAt: 10,
    } satisfies OpenGlobalV1)
    s1.close()
    const s2 = SqliteDurableStore.open(dir)
    expect(s2.migrateAll()).toBe(0) // already migrated by the constructor
    const o = s2.getOpen(99n)!
    expect(o.version).toBe(2)
    expect(o.oplockLevel).toBe(0x09)
    s2.close()
  })
})

function contract(name: string, make: () => DurableStore) {
  describe(`${name}: DurableStore contract`, () => {
    it('puts, gets, lists and deletes all three kinds', () => {
      const s = make()
      const o = sampleOpen(0xffff_ffff_ffff_fffen)
      s.putOpen(o)
      s.putSession(sampleSession(0x8000_0000_0000_0000n))
      s.putTree(sampleTree(0xfffffffe))
      expect(s.getOpen(o.persistentId)).toEqual(o)
      expect(s.getSession(0x8000_0000_0000_0000n)).toEqual(sampleSession(0x8000_0000_0000_0000n))
      expect(s.getTree(0xfffffffe)).toEqual(sampleTree(0xfffffffe))
      expect(s.listOpens()).toHaveLength(1)
      s.deleteOpen(o.persistentId)
      s.deleteSession(0x8000_0000_0000_0000n)
      s.deleteTree(0xfffffffe)
      expect(s.getOpen(o.persistentId)).toBeUndefined()
      expect(s.listSessions()).toEqual([])
      expect(s.listTrees()).toEqual([])
      s.close()
    })

    it('returns copies: mutating what was stored or read does not change the store', () => {
      const s = make()
      const o = sampleOpen(5n)
      s.putOpen(o)
      o.path = 'changed'
      s.getOpen(5n)!.path = 'changed too'
      expect(s.getOpen(5n)!.path).toBe('dir\\file.txt')
      s.close()
    })

    it('a transaction that throws leaves nothing behind', () => {
      const s = make()
      expect(() =>
        s.transaction(() => {
          s.putOpen(sampleOpen(1n))
          throw new Error('boom')
        }),
      ).toThrow('boom')
      expect(s.getOpen(1n)).toBeUndefined()
      s.close()
    })
  })
}

contract('MemoryDurableStore', () => new MemoryDurableStore())
contract('SqliteDurableStore', () => SqliteDurableStore.open(tmp()))

describe('SqliteDurableStore', () => {
  it('runs in WAL mode with synchronous=FULL and survives close/reopen', () => {
    const dir = tmp()
    const s = SqliteDurableStore.open(dir)
    expect(s.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 })
    s.putOpen(sampleOpen(77n))
    s.close()
    const again = SqliteDurableStore.open(dir)
    expect(again.getOpen(77n)).toEqual(sampleOpen(77n))
    again.close()
  })

  it('refuses a database written by a newer schema', () => {
    const dir = tmp()
    const s = SqliteDurableStore.open(dir)
    s.close()
    // Bump the schema marker behind the store's back.
    const raw = new (require_('better-sqlite3'))(join(dir, 'state.sqlite'))
    raw.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema'`).run()
    raw.close()
    expect(() => SqliteDurableStore.open(dir)).toThrow(RecordFormatError)
  })

  it('crash safety: records a child process reported as written survive SIGKILL', async () => {
    const work = tmp()
    const stateDir = join(work, 'state')
    // Transpile the store to CommonJS so a plain `node` child can run the very code under test.
    const src = readFileSync(join(here, 'durable-store.ts'), 'utf8')
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText
    mkdirSync(join(work, 'lib'), { recursive: true })
    writeFileSync(join(work, 'package.json'), '{"type":"commonjs"}')
    writeFileSync(join(work, 'lib', 'durable-store.js'), js)
    writeFileSync(
      join(work, 'child.js'),
      `
      const { SqliteDurableStore } = require('./lib/durable-store.js')
      const store = SqliteDurableStore.open(process.argv[2])
      const template = JSON.parse(process.argv[3], (k, v) => (v && v.$bigint ? BigInt(v.$bigint) : v))
      let i = 0n
      function one() {
        const id = 0xffff_0000_0000_0000n + i
        store.putOpen({ ...template, persistentId: id, position: id * 3n, revision: Number(i) })
        process.stdout.write('wrote ' + id.toString() + '\\n')
        i++
        if (i === 40n) process.stdout.write('burst\\n')
        setImmediate(one)
      }
      one()
      `,
    )
    const child = spawn(process.execPath, [join(work, 'child.js'), stateDir, encodeRecord(sampleOpen(0n))], {
      cwd: work,
      env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    await new Promise<void>((resolveBurst, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not write in time: ${err}`)), 20_000)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('burst\n')) {
          clearTimeout(timer)
          resolveBurst()
        }
      })
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)))
    })
    child.removeAllListeners('exit')
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)))
    child.kill('SIGKILL') // mid-stream: the child is writing as fast as it can
    expect(await exited).toBe('SIGKILL')
    const reported = [...out.matchAll(/^wrote (\d+)$/gm)].map((m) => BigInt(m[1]!))
    expect(reported.length).toBeGreaterThanOrEqual(40)

    const store = SqliteDurableStore.open(stateDir)
    const found = new Map(store.listOpens().map((o) => [o.persistentId, o]))
    for (const id of reported) {
      const o = found.get(id)
      expect(o, `record ${id} reported written but missing`).toBeDefined()
      expect(o!.position).toBe(id * 3n)
      expect(o!.byteRangeLocks[0]!.offset).toBe(0xffff_ffff_ffff_0000n)
    }
    store.close()
  }, 30_000)
})

// better-sqlite3 through createRequire (the test file is ESM).
import { createRequire } from 'node:module'
const require_ = createRequire(import.meta.url)
