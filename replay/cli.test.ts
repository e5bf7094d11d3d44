import { createServer } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { parseInject, parseShareMap, parseTarget, parseUserMap, runReplay, type ReplayArgs } from './cli.js'
import { replayCommand } from './command.js'
import { haveSambaCaptures, samba } from './test-helpers/captures.js'

const dir = mkdtempSync(join(tmpdir(), 'smbscope-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) })
  return { stream, text: () => Buffer.concat(chunks).toString() }
}

const args = (file: string, extra: Partial<ReplayArgs> = {}): ReplayArgs => ({
  file, target: '127.0.0.1:1', user: 'labuser', password: 'labpass', report: 'text', pace: 'fast', timeout: 2000, 'break-timeout': 1000, ...extra,
})

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('replay CLI arguments', () => {
  it('parses targets, share maps, user maps and injected outages', () => {
    expect(parseTarget('127.0.0.1:4452')).toEqual({ host: '127.0.0.1', port: 4452 })
    expect(parseTarget('fileserver')).toEqual({ host: 'fileserver', port: 445 })
    expect(parseTarget('[::1]:445')).toEqual({ host: '::1', port: 445 })
    expect(() => parseTarget('host:99999')).toThrow(/bad port/)
    expect(parseShareMap(['Share=scratch', 'IPC$=IPC$'])).toEqual(new Map([['share', 'scratch'], ['ipc$', 'IPC$']]))
    expect(() => parseShareMap(['share'])).toThrow(/FROM=TO/)
    expect(parseUserMap(['WORKGROUP\\labuser=LAB\\bob:pw:with:colons'])).toEqual(new Map([['workgroup\\labuser', { user: 'bob', domain: 'LAB', password: 'pw:with:colons' }]]))
    expect(parseInject(['after:20', '34', 'durable-close'])).toEqual([{ kind: 'after-frame', frame: 20 }, { kind: 'after-frame', frame: 34 }, { kind: 'before-durable-close' }])
    expect(() => parseInject(['sometimes'])).toThrow(/after:FRAME/)
    expect(parseInject(['after:20+1500', 'durable-close+2s'])).toEqual([
      { kind: 'after-frame', frame: 20, delayMs: 1500 },
      { kind: 'before-durable-close', delayMs: 2000 },
    ])
    expect(() => parseInject(['after:x+5'])).toThrow(/after:FRAME/)
  })

  it('registers `replay <file>` with the documented options', async () => {
    const y = replayCommand(yargs([]).scriptName('smbscope').exitProcess(false))
    let help = ''
    await y.parseAsync(['replay', '--help'], {}, (_err, _argv, output) => {
      help = output
    })
    for (const o of ['--target', '--user', '--password', '--share-map', '--report', '--out', '--record', '--pace', '--inject-disconnect', '--regenerate-ids', '--user-map']) {
      expect(help).toContain(o)
    }
  })
})

describe('replay CLI exit code 2: the replay could not run', () => {
  it('a missing capture', async () => {
    const err = sink()
    expect(await runReplay(args(join(dir, 'nope.pcap')), { stderr: err.stream })).toBe(2)
    expect(err.text()).toMatch(/nope\.pcap/)
  })

  it('a file that is not a capture', async () => {
    const f = join(dir, 'junk.pcap')
    writeFileSync(f, 'not a capture at all')
    const err = sink()
    expect(await runReplay(args(f), { stderr: err.stream })).toBe(2)
    expect(err.text()).toMatch(/smbscope replay: /)
  })

  it('a bad --target', async () => {
    const err = sink()
    expect(await runReplay(args('x.pcap', { target: 'a:b:c' }), { stderr: err.stream })).toBe(2)
    expect(err.text()).toContain('--target a:b:c')
  })

  it.skipIf(!haveSambaCaptures)('an encrypted capture the password does not decrypt', async () => {
    const err = sink()
    expect(await runReplay(args(samba('smbclient-encrypted-smb311.pcap'), { password: 'wrong' }), { stderr: err.stream })).toBe(2)
    expect(err.text()).toMatch(/encrypted and not decrypted.*--password/)
  })

  it.skipIf(!haveSambaCaptures)('the target is down', async () => {
    const port = await deadPort()
    const err = sink()
    const out = sink()
    expect(await runReplay(args(samba('durable-open.reopen1.pcap'), { target: `127.0.0.1:${port}` }), { stderr: err.stream, stdout: out.stream })).toBe(2)
    expect(err.text()).toMatch(new RegExp(`target 127\\.0\\.0\\.1:${port} is not reachable: .*ECONNREFUSED`))
    expect(out.text()).toBe('')
  })
})
