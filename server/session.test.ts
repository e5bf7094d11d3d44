/**
 * Session life cycle against the in-process server (MS-SMB2 3.3.5.5): reauthentication keeping opens (and its
 * refusals), PreviousSessionId tearing the old session down while durable opens stay disconnected, multichannel
 * binding with per-channel signing keys and the checks Windows answers, and session expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SpnegoNtlmClient } from '../dissect/auth/spnego-ntlm.js'
import { SigningAlgorithm } from '../dissect/crypto/constants.js'
import { deriveSessionKeys } from '../dissect/crypto/kdf.js'
import { verify } from '../dissect/crypto/signing.js'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { SecurityMode, Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { LockFlags } from '../dissect/smb2/constants/lock.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import type { FileId } from '../dissect/smb2/commands/file-id.js'
import { DEFAULT_LIMITS } from './config.js'
import { DurableKind } from './state/global-tables.js'
import { TestClient, type Reply } from './test-helpers/client.js'
import { PASSWORD, USER, startServer, type Harness } from './test-helpers/harness.js'

const BOB = 'bob'
const BOB_PASSWORD = 'Other-2'
const FilePositionInformation = 14

interface SetupOptions {
  user?: string
  password?: string
  anonymous?: boolean
  sessionId?: bigint
  flags?: number
  previousSessionId?: bigint
  sign?: boolean
}

/** A whole SPNEGO/NTLM SESSION_SETUP exchange with the given flags; the final reply and the NTLM session key. */
async function setup(c: TestClient, o: SetupOptions = {}): Promise<{ r: Reply; sessionKey: Buffer | undefined }> {
  const auth = new SpnegoNtlmClient(o.anonymous ? { user: '', anonymous: true } : { user: o.user ?? USER, password: o.password ?? PASSWORD })
  const body = (securityBuffer: Buffer) => ({
    flags: o.flags ?? 0,
    securityMode: SecurityMode.SigningEnabled,
    capabilities: 0,
    channel: 0,
    previousSessionId: o.previousSessionId ?? 0n,
    securityBuffer,
  })
  let r = await c.send(Smb2Command.SessionSetup, body(auth.initial()), { sessionId: o.sessionId ?? c.sessionId, sign: o.sign ?? false })
  if (r.status !== NtStatus.MoreProcessingRequired) return { r, sessionKey: undefined }
  r = await c.send(Smb2Command.SessionSetup, body(auth.respond(r.body.securityBuffer)), { sessionId: r.header.sessionId, sign: o.sign ?? false })
  return { r, sessionKey: auth.sessionKey }
}

const position = (c: TestClient, f: FileId, o: { sign?: boolean } = {}) =>
  c.send(Smb2Command.QueryInfo, { infoType: 1, fileInfoClass: FilePositionInformation, outputBufferLength: 8, additionalInformation: 0, flags: 0, fileId: f, inputBuffer: Buffer.alloc(0) }, o)

let h: Harness
beforeAll(async () => {
  h = await startServer({ user: [`${USER}:${PASSWORD}`, `${BOB}:${BOB_PASSWORD}`] })
})
afterAll(async () => h.close())

describe('reauthentication (MS-SMB2 3.3.5.5.3, SMB 2.1+)', () => {
  it('keeps the session\'s opens; the final response is signed with the session key', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('reauth1.dat')
    const { r } = await setup(c, { sign: true })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.header.sessionId).toBe(c.sessionId)
    expect(r.header.flags & Smb2Flags.Signed).toBe(Smb2Flags.Signed)
    expect(verify(r.raw, c.signing!.key, c.signing!.algorithm)).toBe(true)
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('encrypted: accepted without a signature, answered encrypted', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { dialects: [0x0311], encrypt: true, signing: 'required' })
    const f = await c.open('reauth-enc.dat')
    const { r } = await setup(c)
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('as anonymous lowers the session (opens kept), and back as the user again', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('reauth2.dat')
    expect((await setup(c, { anonymous: true, sign: true })).r.statusName).toBe('STATUS_SUCCESS')
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    const session = [...h.server.connections].flatMap((x) => [...x.sessions.values()]).find((s) => s.id === c.sessionId)!
    expect(session.identity?.anonymous).toBe(true)
    expect(session.principal?.user).toBe(USER)
    expect((await setup(c, { sign: true })).r.statusName).toBe('STATUS_SUCCESS')
    expect(session.identity?.anonymous).toBe(false)
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('as another user is refused with ACCESS_DENIED; the session stays as it was', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('reauth3.dat')
    expect((await setup(c, { user: BOB, password: BOB_PASSWORD, sign: true })).r.statusName).toBe('STATUS_ACCESS_DENIED')
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('with a bad signature is refused (ACCESS_DENIED) before any authentication', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('reauth4.dat')
    const keys = c.keys!
    c.keys = { ...keys, signingKey: Buffer.alloc(16, 7) }
    expect((await setup(c, { sign: true })).r.statusName).toBe('STATUS_ACCESS_DENIED')
    c.keys = keys
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })

  it('with a wrong password ends the session: LOGON_FAILURE, then USER_SESSION_DELETED (signed, as the client signs)', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('reauth5.dat')
    expect((await setup(c, { password: 'wrong', sign: true })).r.statusName).toBe('STATUS_LOGON_FAILURE')
    const r = await position(c, f)
    expect(r.statusName).toBe('STATUS_USER_SESSION_DELETED')
    expect(r.header.flags & Smb2Flags.Signed).toBe(Smb2Flags.Signed)
    c.end()
  })
})

describe('LOGOFF with requests pending (MS-SMB2 3.3.5.6)', () => {
  it('a pending CHANGE_NOTIFY completes with NOTIFY_CLEANUP, a blocked lock with RANGE_NOT_LOCKED; later requests get USER_SESSION_DELETED', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const dir = await c.open('', { access: 0x0012_0089, options: 1, disposition: 1 })
    const f1 = await c.open('logoff.dat')
    const f2 = await c.open('logoff.dat')
    await c.lock(f1, [{ offset: 0n, length: 1n, flags: LockFlags.ExclusiveLock }])
    const notify = c.start(Smb2Command.ChangeNotify, { flags: 0, outputBufferLength: 4096, fileId: dir, completionFilter: 0x1 })
    expect((await c.interimOf(notify.messageId))?.statusName).toBe('STATUS_PENDING')
    const lock = c.start(Smb2Command.Lock, { lockSequence: { lockSequenceNumber: 0, lockSequenceIndex: 0 }, fileId: f2, locks: [{ offset: 0n, length: 1n, flags: LockFlags.ExclusiveLock }] })
    expect((await c.interimOf(lock.messageId))?.statusName).toBe('STATUS_PENDING')
    expect((await c.logoff()).statusName).toBe('STATUS_SUCCESS')
    expect((await notify.reply).statusName).toBe('STATUS_NOTIFY_CLEANUP')
    expect((await lock.reply).statusName).toBe('STATUS_RANGE_NOT_LOCKED')
    expect((await position(c, f1)).statusName).toBe('STATUS_USER_SESSION_DELETED')
    expect((await c.logoff()).statusName).toBe('STATUS_USER_SESSION_DELETED')
    // The id is not reused: a SESSION_SETUP naming it finds nothing, a new one gets another id.
    const old = c.sessionId
    expect((await setup(c)).r.statusName).toBe('STATUS_USER_SESSION_DELETED')
    const { r } = await setup(c, { sessionId: 0n })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.header.sessionId).not.toBe(old)
    c.end()
  })
})

describe('PreviousSessionId (MS-SMB2 3.3.5.5.3)', () => {
  it('tears the old session down: its plain opens close, its durable opens stay disconnected for a reconnect', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const plain = await a.open('prev-plain.dat')
    const durable = await a.open('prev-durable.dat')
    // What CREATE records for a granted DH2Q (the durable helper's CREATE will do this itself).
    h.server.tables.updateOpen(durable.persistent, { durable: DurableKind.V2, durableTimeoutMs: 60_000 })
    const b = await TestClient.connect(h.port)
    await b.negotiate()
    const { r } = await setup(b, { previousSessionId: a.sessionId })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.header.sessionId).not.toBe(a.sessionId)
    // The old session is gone from its connection.
    expect((await position(a, plain)).statusName).toBe('STATUS_USER_SESSION_DELETED')
    expect(h.server.tables.sessions.has(a.sessionId)).toBe(false)
    // The plain open closed everywhere.
    expect(h.server.tables.opens.has(plain.persistent)).toBe(false)
    expect(h.server.opens.has(plain.persistent)).toBe(false)
    // The durable one is disconnected, its local open (VFS handle) kept, out of any session.
    const g = h.server.tables.opens.get(durable.persistent)!
    expect(g.disconnectedAt).not.toBeNull()
    expect(g.sessionId).toBeNull()
    expect(h.server.durableHandles.isDisconnected(durable.persistent)).toBe(true)
    a.end()
    b.end()
  })

  it('a request still encrypted for the old session is answered USER_SESSION_DELETED, not with a disconnect', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, { dialects: [0x0311], encrypt: true })
    const f = await a.open('prev-enc.dat')
    const b = await TestClient.connect(h.port, '127.0.0.1', { dialects: [0x0311] })
    await b.negotiate()
    expect((await setup(b, { previousSessionId: a.sessionId })).r.statusName).toBe('STATUS_SUCCESS')
    expect((await position(a, f)).statusName).toBe('STATUS_USER_SESSION_DELETED')
    expect(a.closed).toBe(false)
    a.end()
    b.end()
  })

  it('naming another user\'s session leaves it alone', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const f = await a.open('prev-other.dat')
    const b = await TestClient.connect(h.port)
    await b.negotiate()
    expect((await setup(b, { user: BOB, password: BOB_PASSWORD, previousSessionId: a.sessionId })).r.statusName).toBe('STATUS_SUCCESS')
    expect((await position(a, f)).statusName).toBe('STATUS_SUCCESS')
    a.end()
    b.end()
  })
})

describe('session binding (multichannel, MS-SMB2 3.3.5.5.2)', () => {
  const cmac = { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac], signing: 'on' as const }

  /** A second connection of the same client, negotiated with `o`, ready to bind `a`'s session. */
  async function second(a: TestClient, o: { dialects: number[]; signingAlgorithms?: number[] }) {
    const b = await TestClient.connect(h.port, '127.0.0.1', { signing: 'on', ...o })
    b.clientGuid = a.clientGuid
    await b.negotiate(o.dialects)
    b.sessionId = a.sessionId
    b.keys = a.keys
    b.treeId = a.treeId
    return b
  }

  it('binds a second connection: the final response is signed with the new Channel.SigningKey, requests on it use that key, and the session survives the first connection', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, cmac)
    expect(a.serverCapabilities & 0x08).toBe(0x08) // SMB2_GLOBAL_CAP_MULTI_CHANNEL
    const f = await a.open('bind1.dat')
    const b = await second(a, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] })
    const { r, sessionKey } = await setup(b, { flags: 1, sign: true })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const channel = deriveSessionKeys({ dialect: 0x0311, sessionKey: sessionKey!, preauthHash: b.preauth.sessionContext(a.sessionId), cipherId: b.cipherId, signingAlgorithmId: b.signingAlgorithmId })
    expect(channel.signingKey.equals(a.keys!.signingKey)).toBe(false)
    expect(verify(r.raw, channel.signingKey, channel.signingAlgorithm)).toBe(true)
    // The channel signs with its own key; the session key is refused there.
    expect((await position(b, f, { sign: true })).statusName).toBe('STATUS_ACCESS_DENIED')
    b.keys = { ...a.keys!, signingKey: channel.signingKey }
    const q = await position(b, f, { sign: true })
    expect(q.statusName).toBe('STATUS_SUCCESS')
    expect(verify(q.raw, channel.signingKey, channel.signingAlgorithm)).toBe(true)
    // Binding again on a bound connection: its request is checked with the channel key.
    expect((await setup(b, { flags: 1, sign: true })).r.statusName).toBe('STATUS_REQUEST_NOT_ACCEPTED')
    a.end()
    await a.waitClosed()
    await new Promise((res) => setTimeout(res, 100))
    expect((await position(b, f, { sign: true })).statusName).toBe('STATUS_SUCCESS')
    expect((await b.send(Smb2Command.Logoff, {}, { sign: true })).statusName).toBe('STATUS_SUCCESS')
    b.end()
  })

  it('when the first channel goes, oplock breaks go out on the one left', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, cmac)
    const r0 = await a.create('bind-break.dat', { oplock: 0x09 })
    expect(r0.body.oplockLevel).toBe(0x09)
    const f: FileId = r0.body.fileId
    const b = await second(a, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] })
    const { sessionKey } = await setup(b, { flags: 1, sign: true })
    const channel = deriveSessionKeys({ dialect: 0x0311, sessionKey: sessionKey!, preauthHash: b.preauth.sessionContext(a.sessionId), cipherId: b.cipherId, signingAlgorithmId: b.signingAlgorithmId })
    b.keys = { ...a.keys!, signingKey: channel.signingKey }
    a.end()
    await a.waitClosed()
    await new Promise((res) => setTimeout(res, 100))
    const breaks: Reply[] = []
    b.onBreak((r) => {
      breaks.push(r)
      void b.send(Smb2Command.OplockBreak, { oplockLevel: 0, fileId: f }, { sign: true })
    })
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const r = await c.create('bind-break.dat')
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(breaks.length).toBe(1)
    expect(breaks[0]!.body.fileId.persistent).toBe(f.persistent)
    c.end()
    b.end()
  })

  it('binds on SMB 3.0.2 too (no preauth hash; encryption by capability)', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, { dialects: [0x0302], signing: 'on' })
    const f = await a.open('bind302.dat')
    const b = await second(a, { dialects: [0x0302] })
    const { r, sessionKey } = await setup(b, { flags: 1, sign: true })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    const channel = deriveSessionKeys({ dialect: 0x0302, sessionKey: sessionKey! })
    expect(verify(r.raw, channel.signingKey, channel.signingAlgorithm)).toBe(true)
    b.keys = { ...a.keys!, signingKey: channel.signingKey }
    expect((await position(b, f, { sign: true })).statusName).toBe('STATUS_SUCCESS')
    b.end()
    a.end()
  })

  it('refuses in Windows\' order: SMB 2.x, unsigned, another dialect, another cipher, AES-GMAC mismatches, no session', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, cmac)
    const cases: Array<[string, { dialects: number[]; signingAlgorithms?: number[] }, boolean, string]> = [
      ['2.1', { dialects: [0x0210] }, true, 'STATUS_REQUEST_NOT_ACCEPTED'],
      ['unsigned', { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] }, false, 'STATUS_INVALID_PARAMETER'],
      ['3.0.2', { dialects: [0x0302] }, true, 'STATUS_INVALID_PARAMETER'],
      ['GMAC', { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesGmac] }, true, 'STATUS_NOT_SUPPORTED'],
    ]
    for (const [name, o, sign, want] of cases) {
      const b = await second(a, o)
      const { r } = await setup(b, { flags: 1, sign })
      expect(r.statusName, name).toBe(want)
      // Not a channel: the session is unknown here without the binding flag.
      expect((await setup(b, { sign })).r.statusName, name).toBe('STATUS_USER_SESSION_DELETED')
      b.end()
    }
    const b = await second(a, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] })
    expect((await setup(b, { flags: 1, sign: true, sessionId: 0n })).r.statusName).toBe('STATUS_INVALID_PARAMETER')
    expect((await setup(b, { flags: 1, sign: true, sessionId: 0x1234n })).r.statusName).toBe('STATUS_USER_SESSION_DELETED')
    b.end()
    // A GMAC session cannot take a channel of another algorithm.
    const g = await TestClient.login(h.port, 'share', USER, PASSWORD, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesGmac], signing: 'on' })
    const c = await second(g, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] })
    expect((await setup(c, { flags: 1, sign: true })).r.statusName).toBe('STATUS_REQUEST_OUT_OF_SEQUENCE')
    c.end()
    g.end()
    a.end()
  })

  it('binding as another user is ACCESS_DENIED and leaves the session alone', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD, cmac)
    const f = await a.open('bind3.dat')
    const b = await second(a, { dialects: [0x0311], signingAlgorithms: [SigningAlgorithm.AesCmac] })
    expect((await setup(b, { flags: 1, sign: true, user: BOB, password: BOB_PASSWORD })).r.statusName).toBe('STATUS_ACCESS_DENIED')
    expect((await setup(b, { flags: 1, sign: true, password: 'wrong' })).r.statusName).toBe('STATUS_LOGON_FAILURE')
    expect((await position(a, f)).statusName).toBe('STATUS_SUCCESS')
    b.end()
    a.end()
  })
})

describe('session expiry (MS-SMB2 3.3.5.2.9, limits.sessionExpiryMs)', () => {
  let e: Harness
  beforeAll(async () => {
    e = await startServer({ configPatch: { limits: { ...DEFAULT_LIMITS, sessionExpiryMs: 300 } } })
  })
  afterAll(async () => e.close())

  it('an expired session answers NETWORK_SESSION_EXPIRED except to ECHO, unlock, CLOSE; reauthentication revives it with its opens', async () => {
    const c = await TestClient.login(e.port, 'share', USER, PASSWORD, { signing: 'on' })
    const f = await c.open('expire.dat')
    const g = await c.open('expire2.dat')
    await c.write(f, 0n, Buffer.alloc(10))
    expect((await c.lock(f, [{ offset: 0n, length: 1n, flags: LockFlags.ExclusiveLock | LockFlags.FailImmediately }])).statusName).toBe('STATUS_SUCCESS')
    await new Promise((res) => setTimeout(res, 400))
    expect((await position(c, f)).statusName).toBe('STATUS_NETWORK_SESSION_EXPIRED')
    expect((await c.create('expire3.dat')).statusName).toBe('STATUS_NETWORK_SESSION_EXPIRED')
    expect((await c.lock(f, [{ offset: 2n, length: 1n, flags: LockFlags.ExclusiveLock | LockFlags.FailImmediately }])).statusName).toBe('STATUS_NETWORK_SESSION_EXPIRED')
    expect((await c.lock(f, [{ offset: 0n, length: 1n, flags: LockFlags.Unlock }])).statusName).toBe('STATUS_SUCCESS')
    expect((await c.send(Smb2Command.Echo, {})).statusName).toBe('STATUS_SUCCESS')
    expect((await c.close(g)).statusName).toBe('STATUS_SUCCESS')
    expect((await setup(c, { sign: true })).r.statusName).toBe('STATUS_SUCCESS')
    expect((await position(c, f)).statusName).toBe('STATUS_SUCCESS')
    c.end()
  })
})
