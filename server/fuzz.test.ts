/**
 * Fuzz: real requests taken from the Samba captures (../shared/captures/samba, through the capture reader), with
 * their FileIds replaced by live ones, mutated (bytes, 16/32-bit lengths and offsets set to edge values, truncated,
 * extended) and fired at an in-process server after a normal session setup. Afterwards: no exception escaped a
 * handler (no "internal error" / "unexpected failure" in the log, nothing uncaught), the server still answers a
 * normal client correctly, and nothing outside the share changed on disk. Bounded to about 20 s; deterministic
 * (xorshift seeds) so a failure can be replayed from its seed.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCapture } from '../dissect/capture/index.js'
import { signInPlace } from '../dissect/crypto/signing.js'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { buildConfig } from './config.js'
import { Logger } from './log.js'
import { SmbServer } from './server.js'
import { TestClient } from './test-helpers/client.js'
import { rng } from '../dissect/test-helpers/random.js'

const CAPTURES = [process.env['SMBSCOPE_CAPTURES'] && join(process.env['SMBSCOPE_CAPTURES'], 'samba'), resolve(import.meta.dirname, '../../shared/captures/samba'), '/work/shared/captures/samba']
  .filter((d): d is string => !!d)
  .find((d) => existsSync(d))
const BUDGET_MS = Number(process.env['SMBSCOPE_FUZZ_MS'] ?? 20_000)
const USER = 'fuzz'
const PASSWORD = 'Fuzz-pass-1'

if (!CAPTURES) console.warn('\n*** server fuzz test SKIPPED: no Samba captures (../shared/captures/samba; set SMBSCOPE_CAPTURES) ***\n')

const isSmb2 = (b: Buffer) => b.length >= 64 && b[0] === 0xfe && b[1] === 0x53 && b[2] === 0x4d && b[3] === 0x42

/** Client requests (plain SMB2, any chain) and the FileIds the server handed out, from every Samba capture. */
async function harvest(dir: string): Promise<{ requests: Buffer[]; fileIds: Buffer[] }> {
  const requests: Buffer[] = []
  const ids = new Map<string, Buffer>()
  for (const f of readdirSync(dir).filter((x) => /\.pcap(ng)?$/.test(x)).sort()) {
    for await (const ev of openCapture(join(dir, f))) {
      if (ev.kind !== 'message' || !isSmb2(ev.data)) continue
      const b = ev.data
      const cmd = b.readUInt16LE(12)
      if (ev.fromClient) {
        // Leave out what ends the fuzzing session itself; NEGOTIATE and SESSION_SETUP go in (re-negotiation and
        // re-authentication with garbage are worth trying).
        if (cmd !== Smb2Command.Logoff && cmd !== Smb2Command.TreeDisconnect) requests.push(b)
      } else if (cmd === Smb2Command.Create && b.readUInt32LE(8) === 0 && b.length >= 144) {
        const id = b.subarray(128, 144)
        ids.set(id.toString('hex'), Buffer.from(id))
      }
    }
  }
  return { requests, fileIds: [...ids.values()] }
}

/** Replaces every captured FileId in `msg` by `live` (16 bytes). */
function swapFileIds(msg: Buffer, captured: Buffer[], live: Buffer): Buffer {
  const out = Buffer.from(msg)
  for (const id of captured) {
    for (let i = out.indexOf(id, 64); i >= 0; i = out.indexOf(id, i + 16)) live.copy(out, i)
  }
  return out
}

/** Where the FileId sits in each request body that has one (MS-SMB2 2.2.15-2.2.39). */
const FILE_ID_AT: Record<number, number> = { 6: 8, 7: 8, 8: 16, 9: 16, 10: 8, 11: 8, 14: 8, 15: 8, 16: 24, 17: 16, 18: 8 }

const EDGE16 = [0, 1, 0x40, 0x78, 0x7fff, 0x8000, 0xffff]
const EDGE32 = [0, 1, 0x40, 0x78, 0x1000, 0x10000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]

function mutate(msg: Buffer, r: () => number): Buffer {
  let b = Buffer.from(msg)
  const n = 1 + Math.floor(r() * 4)
  for (let k = 0; k < n; k++) {
    const bodyAt = () => 64 + Math.floor(r() * Math.max(1, b.length - 64))
    switch (Math.floor(r() * 16)) {
      case 0:
      case 1:
      case 8:
      case 9:
      case 10: {
        const at = bodyAt()
        if (at < b.length) b[at] = Math.floor(r() * 256)
        break
      }
      case 2:
      case 11:
      case 12: {
        const at = bodyAt()
        if (at + 2 <= b.length) b.writeUInt16LE(EDGE16[Math.floor(r() * EDGE16.length)]!, at & ~1)
        break
      }
      case 3:
      case 13:
      case 14: {
        const at = bodyAt()
        if (at + 4 <= b.length) b.writeUInt32LE(EDGE32[Math.floor(r() * EDGE32.length)]! >>> 0, at & ~3)
        break
      }
      case 4: // truncate
        b = b.subarray(0, 64 + Math.floor(r() * Math.max(1, b.length - 63)))
        break
      case 5: // extend
        b = Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)))])
        break
      case 6: {
        // a header field other than the ids the session needs: charge, status, command, flags, NextCommand
        // (the protocol id and the response flag are left alone: they only end the connection)
        const at = [6, 8, 12, 17, 20][Math.floor(r() * 5)]!
        if (at === 20) b.writeUInt32LE(r() < 0.5 ? 0 : (Math.floor(r() * b.length) + 7) & ~7, 20)
        else if (at === 12) b.writeUInt16LE(Math.floor(r() * 20), 12)
        else b[at] = Math.floor(r() * 256)
        break
      }
      default: {
        // the StructureSize
        if (b.length >= 66) b.writeUInt16LE(EDGE16[Math.floor(r() * EDGE16.length)]!, 64)
      }
    }
  }
  return b
}

/** Paths, sizes and mtimes of everything under `dir` except the share (what must not change). */
function snapshot(dir: string, skip: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e)
      if (p === skip) continue
      const st = lstatSync(p)
      out.push(`${p} ${st.isDirectory() ? 'd' : st.size} ${st.mtimeMs}`)
      if (st.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

describe.skipIf(!CAPTURES)('fuzzing the server with mutated real requests', () => {
  let base: string
  let share: string
  let server: SmbServer
  let port: number
  const logLines: string[] = []
  const uncaught: unknown[] = []
  const onUncaught = (e: unknown) => uncaught.push(e)

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'smbscope-fuzz-'))
    share = join(base, 'share')
    mkdirSync(share)
    // Things outside the share that a path escape could touch.
    mkdirSync(join(base, 'outside'))
    writeFileSync(join(base, 'outside', 'secret.txt'), 'do not touch')
    writeFileSync(join(base, 'sibling.dat'), 'x'.repeat(1000))
    const config = buildConfig({ listen: '127.0.0.1:0', share: [`share=${share}`], user: [`${USER}:${PASSWORD}`], log: 'error' })
    server = await SmbServer.create(config, { log: new Logger('error', { write: (l: string) => logLines.push(l) }) })
    port = (await server.listen('127.0.0.1', 0)).port
    process.on('uncaughtException', onUncaught)
    process.on('unhandledRejection', onUncaught)
  })
  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    process.off('unhandledRejection', onUncaught)
    await server?.close()
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('survives mutated requests: no escaped exception, still serves a normal client, nothing outside the share changes', async () => {
    const { requests, fileIds } = await harvest(CAPTURES!)
    expect(requests.length).toBeGreaterThan(100)
    expect(fileIds.length).toBeGreaterThan(0)
    const auth = requests.filter((m) => m.readUInt16LE(12) <= Smb2Command.SessionSetup)
    // The captures are mostly CREATE and CLOSE: pick the command first, so every handler gets its share.
    const byCommand = new Map<number, Buffer[]>()
    for (const m of requests) {
      const cmd = m.readUInt16LE(12)
      if (cmd <= Smb2Command.SessionSetup) continue
      let list = byCommand.get(cmd)
      if (!list) byCommand.set(cmd, (list = []))
      list.push(m)
    }
    const commands = [...byCommand.values()]
    const before = snapshot(base, share)

    let client: TestClient | undefined
    let live: Buffer[] = []
    const fresh = async () => {
      client?.end()
      const c = await TestClient.login(port, 'share', USER, PASSWORD, { dialects: [0x0202, 0x0210, 0x0300, 0x0302], timeoutMs: 5000 })
      const f = await c.create('fuzz-target.dat', { disposition: 5 })
      await c.write(f.body.fileId, 0n, Buffer.alloc(5000, 0x61))
      const d = await c.create('fuzzdir', { disposition: 3, options: 1, access: 0x001f01ff })
      live = [f, d]
        .filter((r) => r.status === 0)
        .map((r) => {
          const id = Buffer.alloc(16)
          id.writeBigUInt64LE(r.body.fileId.persistent, 0)
          id.writeBigUInt64LE(r.body.fileId.volatile, 8)
          return id
        })
      client = c
    }
    await fresh()

    const end = Date.now() + BUDGET_MS
    let sent = 0
    let reconnects = 0
    for (let seed = 1; Date.now() < end; seed++) {
      const r = rng(seed * 2654435761)
      const c = client!
      // NEGOTIATE and SESSION_SETUP end the connection or the session when they fail: only now and then.
      const pool = r() < 0.03 ? auth : commands[Math.floor(r() * commands.length)]!
      const pick = pool[Math.floor(r() * pool.length)]!
      let msg = swapFileIds(pick, fileIds, live[Math.floor(r() * live.length)] ?? Buffer.alloc(16))
      // Live ids for every message of the chain; related ones keep their all-ones ids.
      for (let at = 0; at + 64 <= msg.length; ) {
        const charge = Math.max(1, msg.readUInt16LE(at + 6))
        const mid = c.skipMessageId()
        for (let i = 1; i < charge; i++) c.skipMessageId()
        msg.writeBigUInt64LE(mid, at + 24)
        msg.writeUInt16LE(8, at + 14) // ask for a few credits back
        const flags = msg.readUInt32LE(at + 16) & ~0x0a // not signed, not async
        msg.writeUInt32LE(flags, at + 16)
        if (!(flags & 0x04)) {
          msg.writeUInt32LE(c.treeId, at + 36)
          msg.writeBigUInt64LE(c.sessionId, at + 40)
          // A live FileId where the command carries one (a related request keeps "the previous open").
          const fid = FILE_ID_AT[msg.readUInt16LE(at + 12)]
          const id = live[Math.floor(r() * live.length)]
          if (fid !== undefined && id && at + 64 + fid + 16 <= msg.length) id.copy(msg, at + 64 + fid)
        }
        const next = msg.readUInt32LE(at + 20)
        if (next === 0 || next % 8 !== 0) break
        at += next
      }
      msg = r() < 0.15 ? msg : mutate(msg, r)
      // Signed after mutating, so that the mutated request is authentic and gets past the front door to the
      // handlers (an unsigned request on a signed session only meets the signature check).
      const signing = c.signing
      if (signing) {
        for (let at = 0; at + 64 <= msg.length && msg.readUInt32LE(at) === 0x424d53fe; ) {
          const next = msg.readUInt32LE(at + 20)
          const end = next >= 64 && next % 8 === 0 && at + next < msg.length ? at + next : msg.length
          msg.writeUInt32LE(msg.readUInt32LE(at + 16) | 0x08, at + 16)
          signInPlace(msg.subarray(at, end), signing.key, signing.algorithm)
          if (end === msg.length) break
          at = end
        }
      }
      c.sendRawMessage(msg)
      sent++
      if (sent % 8 === 0 || c.closed) {
        // Pace with an ECHO; reconnect when the server dropped us or the session is gone.
        const ok = await c.send(Smb2Command.Echo, {}).then((x) => x.status === 0, () => false)
        if (!ok || c.closed) {
          reconnects++
          await fresh()
        }
      }
    }

    // A normal client still gets correct answers.
    const n = await TestClient.login(port, 'share', USER, PASSWORD)
    const data = Buffer.from('after the storm')
    const f = await n.open('after.txt', { disposition: 5 })
    expect((await n.write(f, 0n, data)).status).toBe(0)
    const rd = await n.read(f, 0n, 100)
    expect(rd.status).toBe(0)
    expect(Buffer.from(rd.body.data).toString()).toBe('after the storm')
    expect((await n.close(f)).status).toBe(0)
    expect(readFileSync(join(share, 'after.txt'), 'utf8')).toBe('after the storm')
    n.end()
    client?.end()

    console.log(`fuzz: ${sent} mutated requests from ${requests.length} captured ones, ${reconnects} reconnects`)
    const bugs = logLines.filter((l) => /internal error|unexpected failure/.test(l))
    expect(bugs.slice(0, 5)).toEqual([])
    expect(uncaught).toEqual([])
    expect(snapshot(base, share)).toEqual(before)
    expect(sent).toBeGreaterThan(200)
  }, BUDGET_MS + 60_000)
})
