/**
 * Leases, durable handles and replay through the in-process server and the test client: NEGOTIATE capabilities,
 * RqLs/DHnQ/DH2Q grants and their response contexts, lease break notifications and acknowledgments, a durable
 * open surviving a dropped connection (FileId, bytes and byte-range locks kept) and reclaimed by DHnC/DH2C, the
 * reconnect checks, the scavenger, a conflicting open purging a disconnected durable open, and create replay.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { Capabilities, Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { startServer, USER, PASSWORD, type Harness } from './test-helpers/harness.js'
import { TestClient, type Reply } from './test-helpers/client.js'

const LEASE = 0xff
const BATCH = 0x09

let h: Harness | undefined
const clients: TestClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) if (!c.closed) c.end()
  await h?.close()
  h = undefined
})

async function login(dialects = [0x0311], clientGuid?: string): Promise<TestClient> {
  const c = await TestClient.connect(h!.port)
  if (clientGuid) c.clientGuid = clientGuid as typeof c.clientGuid
  clients.push(c)
  expect((await c.negotiate(dialects)).status).toBe(0)
  expect((await c.sessionSetup(USER, PASSWORD)).status).toBe(0)
  expect((await c.treeConnect('share')).status).toBe(0)
  return c
}

const rqLsV2 = (key: string, state: number, epoch = 0) => ({
  tag: 'RqLs',
  known: true,
  spec: '2.2.13.2.10',
  value: { leaseKey: key, leaseState: state, flags: 0, leaseDuration: 0n, parentLeaseKey: '00000000-0000-0000-0000-000000000000', epoch },
})
const rqLsV1 = (key: string, state: number) => ({ tag: 'RqLs', known: true, spec: '2.2.13.2.8', value: { leaseKey: key, leaseState: state, leaseFlags: 0, leaseDuration: 0n } })
const dh2q = (createGuid: string, timeout = 0, flags = 0) => ({ tag: 'DH2Q', known: true, spec: '2.2.13.2.11', value: { timeout, flags, createGuid } })
const dh2c = (fileId: { persistent: bigint; volatile: bigint }, createGuid: string) => ({
  tag: 'DH2C',
  known: true,
  spec: '2.2.13.2.12',
  value: { fileId, createGuid, flags: 0 },
})
const dhnq = () => ({ tag: 'DHnQ', known: true, spec: '2.2.13.2.3', value: { durableRequest: Buffer.alloc(16) } })
const dhnc = (fileId: { persistent: bigint; volatile: bigint }) => ({ tag: 'DHnC', known: true, spec: '2.2.13.2.4', value: { data: fileId } })

const ctxOf = (r: Reply, tag: string) => (r.body.createContexts as Array<{ tag: string; value: any }>).find((c) => c.tag === tag)?.value

async function waitFor(pred: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Resolves once the server has detached the dropped connection's opens. */
async function dropped(c: TestClient): Promise<void> {
  c.end()
  await waitFor(() => h!.server.connections.size === clients.filter((x) => !x.closed).length)
  await new Promise((r) => setTimeout(r, 30))
}

describe('NEGOTIATE capabilities (MS-SMB2 3.3.5.4, as Samba)', () => {
  it('2.0.2: DFS only; 3.1.1: DFS|LEASING|LARGE_MTU, MULTI_CHANNEL only when asked', async () => {
    h = await startServer()
    const a = await TestClient.connect(h.port)
    clients.push(a)
    const ra = await a.negotiate([0x0202])
    expect(ra.body.capabilities).toBe(Capabilities.Dfs)
    const b = await TestClient.connect(h.port)
    clients.push(b)
    const rb = await b.send(Smb2Command.Negotiate, {
      securityMode: 1,
      capabilities: 0x7f,
      clientGuid: randomUUID(),
      dialects: [0x0210, 0x0300],
      negotiateContextList: [],
    })
    // 3.0 with a client asking for everything: Samba's 15, plus ENCRYPTION (3.0 announces it as a capability).
    expect(rb.body.capabilities).toBe(Capabilities.Dfs | Capabilities.Leasing | Capabilities.LargeMtu | Capabilities.MultiChannel | Capabilities.Encryption)
  })
})

describe('leases', () => {
  it('grants RWH (v2, epoch + 1) and RH on a second key with a break of the first (ack required)', async () => {
    h = await startServer()
    const a = await login()
    const b = await login()
    const k1 = randomUUID()
    const k2 = randomUUID()
    const r1 = await a.create('f.txt', { oplock: LEASE, contexts: [rqLsV2(k1, 7, 5)] })
    expect(r1.status).toBe(0)
    expect(r1.body.oplockLevel).toBe(LEASE)
    expect(ctxOf(r1, 'RqLs')).toMatchObject({ leaseKey: k1, leaseState: 7, epoch: 6 })
    a.onBreak((n) => {
      void a.send(Smb2Command.OplockBreak, { flags: 0, leaseKey: n.body.leaseKey, leaseState: n.body.newLeaseState, leaseDuration: 0n }).catch(() => undefined)
    })
    const r2 = await b.create('f.txt', { oplock: LEASE, contexts: [rqLsV2(k2, 7)] })
    expect(r2.status).toBe(0)
    expect(ctxOf(r2, 'RqLs')).toMatchObject({ leaseKey: k2, leaseState: 3 })
    expect(a.unsolicited).toHaveLength(1)
    expect(a.unsolicited[0]!.body).toMatchObject({ leaseKey: k1, currentLeaseState: 7, newLeaseState: 3, flags: 1, newEpoch: 7 })
  })

  it('deleting through another key breaks Handle caching first: the close of a DELETE_ON_CLOSE open and a delete disposition (smbtorture lease.unlink)', async () => {
    h = await startServer()
    const a = await login()
    const b = await login()
    const k1 = randomUUID()
    const k2 = randomUUID()
    a.onBreak((n) => void a.send(Smb2Command.OplockBreak, { flags: 0, leaseKey: n.body.leaseKey, leaseState: n.body.newLeaseState, leaseDuration: 0n }).catch(() => undefined))
    const RH = 3
    const r1 = await a.create('unlink.dat', { oplock: LEASE, contexts: [rqLsV2(k1, RH)] })
    expect(ctxOf(r1, 'RqLs')).toMatchObject({ leaseState: RH })
    // An unlink as smbclient does it: DELETE access, share RWD, FILE_DELETE_ON_CLOSE, then CLOSE.
    const DELETE = 0x0001_0000
    const u = await b.create('unlink.dat', { access: DELETE, share: 7, disposition: 1, options: 0x1000 | 0x40 })
    expect(u.statusName).toBe('STATUS_SUCCESS')
    expect(a.unsolicited).toHaveLength(0) // the open alone asks for no Handle break (no sharing violation)
    expect((await b.close(u.body.fileId)).statusName).toBe('STATUS_SUCCESS')
    expect(a.unsolicited).toHaveLength(1) // the close waited for the break and its ack
    expect(a.unsolicited[0]!.body).toMatchObject({ leaseKey: k1, currentLeaseState: RH, newLeaseState: 1, flags: 1 })
    expect((await a.close(r1.body.fileId)).statusName).toBe('STATUS_SUCCESS')

    // A delete disposition set through SET_INFO by another key breaks the holder's Handle caching too; the setter's
    // own lease is left alone.
    const r2 = await a.create('unlink2.dat', { oplock: LEASE, contexts: [rqLsV2(k1, RH)] })
    const r3 = await b.create('unlink2.dat', { oplock: LEASE, access: 0x001f01ff, contexts: [rqLsV2(k2, RH)] })
    expect(ctxOf(r3, 'RqLs')).toMatchObject({ leaseState: RH })
    b.onBreak(() => expect.unreachable('the setter\'s own lease must not break'))
    expect((await b.setInfo(r3.body.fileId, 1, 13, Buffer.from([1]))).statusName).toBe('STATUS_SUCCESS')
    expect(a.unsolicited).toHaveLength(2)
    expect(a.unsolicited[1]!.body).toMatchObject({ leaseKey: k1, newLeaseState: 1 })
    expect(b.unsolicited).toHaveLength(0)
    await b.close(r3.body.fileId)
    await a.close(r2.body.fileId)
  })

  it('--directory-leases: RH on a directory, broken by a change inside it unless the changer names it as parent (smbtorture lease.v2_request)', async () => {
    h = await startServer({ directoryLeases: true })
    const a = await login()
    expect(a.serverCapabilities! & Capabilities.DirectoryLeasing).toBe(Capabilities.DirectoryLeasing)
    a.onBreak((n) => void a.send(Smb2Command.OplockBreak, { flags: 0, leaseKey: n.body.leaseKey, leaseState: n.body.newLeaseState, leaseDuration: 0n }).catch(() => undefined))
    const dirKey = randomUUID()
    const d = await a.create('leased.dir', { oplock: LEASE, disposition: 2, options: 1, contexts: [rqLsV2(dirKey, 7, 0x22)] })
    expect(d.statusName).toBe('STATUS_SUCCESS')
    expect(d.body.oplockLevel).toBe(LEASE)
    expect(ctxOf(d, 'RqLs')).toMatchObject({ leaseKey: dirKey, leaseState: 3, epoch: 0x23 }) // W is never granted on a directory

    // A file created with the directory's lease key as its parent: no break.
    const withParent = { ...rqLsV2(randomUUID(), 7), value: { ...rqLsV2(randomUUID(), 7).value, flags: 4, parentLeaseKey: dirKey } }
    const f1 = await a.create('leased.dir\\a.dat', { oplock: LEASE, disposition: 2, contexts: [withParent] })
    expect(ctxOf(f1, 'RqLs')).toMatchObject({ flags: 4, parentLeaseKey: dirKey })
    await new Promise((r) => setTimeout(r, 100))
    expect(a.unsolicited).toHaveLength(0)

    // One without: the directory lease breaks RH -> none (ack required).
    const f2 = await a.create('leased.dir\\b.dat', { oplock: LEASE, disposition: 2, contexts: [rqLsV2(randomUUID(), 7)] })
    expect(f2.statusName).toBe('STATUS_SUCCESS')
    await waitFor(() => a.unsolicited.length === 1)
    expect(a.unsolicited[0]!.body).toMatchObject({ leaseKey: dirKey, currentLeaseState: 3, newLeaseState: 0, flags: 1 })

    // Re-arm (RH again on the same key), write through the second file: nothing until its close.
    const d2 = await a.create('leased.dir', { oplock: LEASE, disposition: 1, contexts: [rqLsV2(dirKey, 7, 0x22)] })
    expect(ctxOf(d2, 'RqLs')).toMatchObject({ leaseState: 3 })
    await a.close(d2.body.fileId)
    expect((await a.write(f2.body.fileId, 0n, Buffer.alloc(100, 1))).statusName).toBe('STATUS_SUCCESS')
    await new Promise((r) => setTimeout(r, 100))
    expect(a.unsolicited).toHaveLength(1)
    await a.close(f2.body.fileId)
    await waitFor(() => a.unsolicited.length === 2)
    expect(a.unsolicited[1]!.body).toMatchObject({ leaseKey: dirKey, newLeaseState: 0 })
    await a.close(f1.body.fileId)
    await a.close(d.body.fileId)
  })

  it('without --directory-leases the capability is not offered and a directory gets no lease', async () => {
    h = await startServer()
    const a = await login()
    expect(a.serverCapabilities! & Capabilities.DirectoryLeasing).toBe(0)
    const d = await a.create('plain.dir', { oplock: LEASE, disposition: 2, options: 1, contexts: [rqLsV2(randomUUID(), 7)] })
    expect(d.body.oplockLevel).toBe(0)
    expect(ctxOf(d, 'RqLs')).toBeUndefined()
  })

  it('a persistent open\'s record follows its lease down, also on a break that needs no acknowledgment', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    h = await startServer({ shareOptions: ',ca', stateDir: mkdtempSync(join(tmpdir(), 'smbscope-state-')) })
    // A client that asks for persistent handles (SMB 3.0.2, SMB2_GLOBAL_CAP_PERSISTENT_HANDLES).
    const a = await TestClient.connect(h.port)
    clients.push(a)
    const n = await a.send(Smb2Command.Negotiate, { securityMode: 1, capabilities: Capabilities.Leasing | Capabilities.PersistentHandles, clientGuid: a.clientGuid, dialects: [0x0302], negotiateContextList: [] })
    a.dialect = n.body.dialectRevision
    expect((await a.sessionSetup(USER, PASSWORD)).status).toBe(0)
    expect((await a.treeConnect('share')).status).toBe(0)
    const b = await login()
    const key = randomUUID()
    const r = await a.create('p.dat', { oplock: LEASE, contexts: [rqLsV2(key, 1), dh2q(randomUUID(), 60_000, 2)] })
    expect(ctxOf(r, 'DH2Q')).toMatchObject({ flags: 2 })
    const id = r.body.fileId.persistent as bigint
    expect(h.server.tables.opens.get(id)!.lease).toMatchObject({ state: 1 })
    // Another client's write breaks Read caching: R -> none, no acknowledgment needed.
    const other = await b.open('p.dat')
    expect((await b.write(other, 0n, Buffer.from('x'))).statusName).toBe('STATUS_SUCCESS')
    await waitFor(() => a.unsolicited.length === 1)
    expect(a.unsolicited[0]!.body).toMatchObject({ leaseKey: key, currentLeaseState: 1, newLeaseState: 0, flags: 0 })
    expect(h.server.tables.opens.get(id)!.lease).toMatchObject({ state: 0 })
  })

  it('v1 lease on SMB 2.1; a directory gets no lease (no directory leasing capability)', async () => {
    h = await startServer()
    const a = await login([0x0210])
    const r = await a.create('g.txt', { oplock: LEASE, contexts: [rqLsV1(randomUUID(), 7)] })
    expect(r.body.oplockLevel).toBe(LEASE)
    expect(ctxOf(r, 'RqLs')).toMatchObject({ leaseState: 7 })
    const d = await a.create('dir', { oplock: LEASE, options: 1, disposition: 2, access: 0x1f01ff, contexts: [rqLsV1(randomUUID(), 7)] })
    expect(d.status).toBe(0)
    expect(d.body.oplockLevel).toBe(0)
    expect(ctxOf(d, 'RqLs')).toBeUndefined()
  })

  it('a lease break acknowledgment with no break pending fails; an oplock ack after a break succeeds', async () => {
    h = await startServer()
    const a = await login()
    const k = randomUUID()
    await a.create('h.txt', { oplock: LEASE, contexts: [rqLsV2(k, 7)] })
    const bad = await a.send(Smb2Command.OplockBreak, { flags: 0, leaseKey: k, leaseState: 3, leaseDuration: 0n })
    expect(bad.statusName).toBe('STATUS_UNSUCCESSFUL')
    const fid = (await a.create('o.txt', { oplock: BATCH })).body.fileId
    const b = await login()
    const pending = b.create('o.txt', { oplock: BATCH })
    await waitFor(() => a.unsolicited.length > 0)
    const ack = await a.send(Smb2Command.OplockBreak, { oplockLevel: 1, fileId: fid })
    expect(ack.statusName).toBe('STATUS_SUCCESS')
    expect(ack.body.oplockLevel).toBe(1)
    expect((await pending).status).toBe(0)
  })
})

describe('durable handles', () => {
  it('DHnQ with a batch oplock survives a dropped connection: DHnC gets the same FileId, data and locks', async () => {
    h = await startServer()
    const a = await login()
    const r = await a.create('d.txt', { oplock: BATCH, contexts: [dhnq()] })
    expect(ctxOf(r, 'DHnQ')).toBeDefined()
    const fid = r.body.fileId
    expect((await a.write(fid, 0n, Buffer.from('durable bytes'))).status).toBe(0)
    expect((await a.lock(fid, [{ offset: 0n, length: 4n, flags: 2 | 0x10 }])).status).toBe(0)
    await dropped(a)
    expect(h.server.durableHandles.size).toBe(1)

    const b = await login()
    const rc = await b.create('d.txt', { contexts: [dhnc(fid)] })
    expect(rc.statusName).toBe('STATUS_SUCCESS')
    expect(rc.body.fileId.persistent).toBe(fid.persistent)
    expect(rc.body.oplockLevel).toBe(BATCH)
    const rd = await b.read(rc.body.fileId, 0n, 13)
    expect(rd.body.data.toString()).toBe('durable bytes')
    // The lock came along: another open cannot take the range (b acknowledges the oplock break it causes).
    b.onBreak((n) => void b.send(Smb2Command.OplockBreak, { oplockLevel: n.body.oplockLevel, fileId: n.body.fileId }).catch(() => undefined))
    const c = await login()
    const other = await c.open('d.txt')
    expect((await c.lock(other, [{ offset: 0n, length: 1n, flags: 2 | 0x10 }])).statusName).toBe('STATUS_LOCK_NOT_GRANTED')
  })

  it('DHnQ without a batch oplock or handle lease is ignored; such an open closes on disconnect', async () => {
    h = await startServer()
    const a = await login()
    const r = await a.create('n.txt', { oplock: 0, contexts: [dhnq()] })
    expect(ctxOf(r, 'DHnQ')).toBeUndefined()
    await dropped(a)
    expect(h.server.durableHandles.size).toBe(0)
    const b = await login()
    expect((await b.create('n.txt', { contexts: [dhnc(r.body.fileId)] })).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })

  it('DH2Q with a lease: timeout granted, DH2C checks CreateGuid and lease key, then reclaims', async () => {
    h = await startServer()
    const guid = randomUUID()
    const a = await login([0x0311], guid)
    const cg = randomUUID()
    const key = randomUUID()
    const r = await a.create('v2.txt', { oplock: LEASE, contexts: [dh2q(cg, 0), rqLsV2(key, 7)] })
    expect(ctxOf(r, 'DH2Q')).toMatchObject({ timeout: 60_000, flags: 0 })
    const fid = r.body.fileId
    await dropped(a)
    const b = await login([0x0311], guid)
    expect((await b.create('v2.txt', { oplock: LEASE, contexts: [dh2c(fid, randomUUID()), rqLsV2(key, 7)] })).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect((await b.create('v2.txt', { contexts: [dh2c(fid, cg)] })).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
    expect((await b.create('other.txt', { oplock: LEASE, contexts: [dh2c(fid, cg), rqLsV2(key, 0)] })).statusName).toBe('STATUS_INVALID_PARAMETER')
    const ok = await b.create('v2.txt', { oplock: LEASE, contexts: [dh2c(fid, cg), rqLsV2(key, 0)] })
    expect(ok.statusName).toBe('STATUS_SUCCESS')
    expect(ok.body.fileId.persistent).toBe(fid.persistent)
    expect(ctxOf(ok, 'RqLs')).toMatchObject({ leaseKey: key, leaseState: 7 })
    expect(ctxOf(ok, 'DH2Q')).toBeUndefined()
  })

  it('the scavenger closes a disconnected open after its timeout', async () => {
    h = await startServer()
    const a = await login()
    const cg = randomUUID()
    const r = await a.create('t.txt', { oplock: BATCH, contexts: [dh2q(cg, 150)] })
    expect(ctxOf(r, 'DH2Q')).toMatchObject({ timeout: 150 })
    await dropped(a)
    expect(h.server.durableHandles.size).toBe(1)
    await new Promise((res) => setTimeout(res, 400))
    expect(h.server.durableHandles.size).toBe(0)
    const b = await login()
    expect((await b.create('t.txt', { contexts: [dh2c(r.body.fileId, cg)] })).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })

  it('another client opening the file breaks (purges) a disconnected durable open; its reconnect fails', async () => {
    h = await startServer()
    const a = await login()
    const r = await a.create('p.txt', { oplock: BATCH, share: 0, contexts: [dhnq()] })
    await dropped(a)
    const b = await login()
    expect((await b.create('p.txt', { share: 0 })).statusName).toBe('STATUS_SUCCESS')
    expect(h.server.durableHandles.size).toBe(0)
    const c = await login()
    expect((await c.create('p.txt', { contexts: [dhnc(r.body.fileId)] })).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND')
  })

  it('LOGOFF keeps a durable open disconnected for a reconnect on a new session', async () => {
    h = await startServer()
    const a = await login()
    const r = await a.create('l.txt', { oplock: BATCH, contexts: [dhnq()] })
    expect((await a.logoff()).status).toBe(0)
    a.sessionId = 0n
    expect((await a.sessionSetup(USER, PASSWORD)).status).toBe(0)
    expect((await a.treeConnect('share')).status).toBe(0)
    expect((await a.create('l.txt', { contexts: [dhnc(r.body.fileId)] })).statusName).toBe('STATUS_SUCCESS')
  })
})

describe('resilient handles (FSCTL_LMR_REQUEST_RESILIENCY, MS-SMB2 3.3.5.15.9)', () => {
  const FSCTL_LMR_REQUEST_RESILIENCY = 0x0014_01d4
  const request = (timeout: number) => {
    const b = Buffer.alloc(8)
    b.writeUInt32LE(timeout, 0)
    return b
  }

  it('an open without any caching survives a lost connection once resilient; DHnC reclaims it', async () => {
    h = await startServer()
    const a = await login([0x0210])
    const fid = await a.open('res.txt')
    expect((await a.ioctl(fid, FSCTL_LMR_REQUEST_RESILIENCY, request(5000), 0)).statusName).toBe('STATUS_SUCCESS')
    expect((await a.ioctl(fid, FSCTL_LMR_REQUEST_RESILIENCY, Buffer.alloc(4), 0)).statusName).toBe('STATUS_INVALID_PARAMETER')
    expect((await a.ioctl(fid, FSCTL_LMR_REQUEST_RESILIENCY, request(0x7fff_ffff), 0)).statusName).toBe('STATUS_INVALID_PARAMETER')
    await dropped(a)
    expect(h.server.durableHandles.size).toBe(1)
    const b = await login([0x0210])
    const r = await b.create('res.txt', { contexts: [dhnc(fid)] })
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.body.fileId.persistent).toBe(fid.persistent)
  })

  it('SMB 2.0.2 has no resiliency', async () => {
    h = await startServer()
    const a = await login([0x0202])
    const fid = await a.open('res2.txt')
    expect((await a.ioctl(fid, FSCTL_LMR_REQUEST_RESILIENCY, request(5000), 0)).statusName).toBe('STATUS_INVALID_DEVICE_REQUEST')
  })
})

describe('create replay (MS-SMB2 3.3.5.9.10)', () => {
  it('a replayed DH2Q create returns the same open; a second create with the CreateGuid is refused', async () => {
    h = await startServer()
    const a = await login()
    const cg = randomUUID()
    const body = a.createBody('r.txt', { oplock: BATCH, contexts: [dh2q(cg)] })
    const first = await a.send(Smb2Command.Create, body)
    expect(first.body.createAction).toBe(2)
    const again = await a.send(Smb2Command.Create, body, { flags: Smb2Flags.ReplayOperation })
    expect(again.statusName).toBe('STATUS_SUCCESS')
    expect(again.body.fileId).toEqual(first.body.fileId)
    expect(again.body.createAction).toBe(2)
    expect(ctxOf(again, 'DH2Q')).toBeDefined()
    const dup = await a.send(Smb2Command.Create, body)
    expect(dup.statusName).toBe('STATUS_DUPLICATE_OBJECTID')
  })

  it('a replay asking for other caching is refused; an oplock replay answers the level it asks for', async () => {
    h = await startServer()
    const a = await login()
    const cg = randomUUID()
    const first = await a.send(Smb2Command.Create, a.createBody('r2.txt', { oplock: BATCH, contexts: [dh2q(cg)] }))
    expect(first.body.oplockLevel).toBe(BATCH)
    const asLease = a.createBody('r2.txt', { oplock: LEASE, contexts: [dh2q(cg), rqLsV2(randomUUID(), 3)] })
    expect((await a.send(Smb2Command.Create, asLease, { flags: Smb2Flags.ReplayOperation })).statusName).toBe('STATUS_ACCESS_DENIED')
    const noOplock = await a.send(Smb2Command.Create, a.createBody('r2.txt', { oplock: 0, contexts: [dh2q(cg)] }), { flags: Smb2Flags.ReplayOperation })
    expect(noOplock.statusName).toBe('STATUS_SUCCESS')
    expect(noOplock.body.fileId).toEqual(first.body.fileId)
    expect(noOplock.body.oplockLevel).toBe(0)
    expect(ctxOf(noOplock, 'DH2Q')).toBeUndefined()
  })
})
