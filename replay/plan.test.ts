import { describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { readFileId, readU64, readGuid } from './patch.js'
import { buildPlan, PlanError, type Plan } from './plan.js'
import { haveSambaCaptures, LAB_PASSWORD, samba } from './test-helpers/captures.js'

const plan = (name: string, passwords = [LAB_PASSWORD]): Promise<Plan> => buildPlan(samba(name), { passwords })

describe.skipIf(!haveSambaCaptures)('buildPlan on the Samba captures', () => {
  it('one step per request, events in capture order, responses attached', async () => {
    const p = await plan('durable-open.reopen2.pcap')
    expect(p.steps.length).toBe(24) // 4 NEGOTIATE, 8 SESSION_SETUP, 4 TREE_CONNECT, 6 CREATE, 2 CLOSE
    const cmds = p.steps.map((s) => s.cmd)
    expect(cmds.filter((c) => c === 'NEGOTIATE').length).toBe(4)
    expect(cmds.filter((c) => c === 'SESSION_SETUP').length).toBe(8)
    expect(p.steps.every((s) => s.response !== undefined)).toBe(true)
    expect(p.connections.size).toBe(4)
    // open, then sends, then close, for each of the four connections in turn
    const kinds = p.events.map((e) => e.kind)
    expect(kinds[0]).toBe('open')
    expect(kinds.filter((k) => k === 'open').length).toBe(4)
    expect(kinds.filter((k) => k === 'close').length).toBe(4)
    const frames = p.events.map((e) => e.frame)
    expect([...frames].sort((a, b) => a - b)).toEqual(frames)
  })

  it('a request waits for the responses captured before it, not for later ones', async () => {
    const p = await plan('durable-open.reopen1.pcap')
    for (const ev of p.events) {
      if (ev.kind !== 'send') continue
      const before = p.expectations.filter((e) => e.frame < ev.frame).length
      expect(ev.after).toBe(before)
    }
  })

  it('groups a compound chain into one send and keeps the related CLOSE all-ones', async () => {
    const p = await plan('compound.related1.pcap')
    const chain = p.events.find((e) => e.kind === 'send' && e.steps.length > 1)
    expect(chain).toBeDefined()
    if (chain?.kind !== 'send') return
    const [create, close] = chain.steps.map((i) => p.steps[i]!)
    expect(create!.cmd).toBe('CREATE')
    expect(close!.cmd).toBe('CLOSE')
    expect(close!.compound).toEqual({ index: 1, count: 2, related: true })
    const fid = close!.patches.find((x) => x.kind === 'fileId')!
    expect(readFileId(close!.raw, fid.span)).toEqual({ persistent: 0xffff_ffff_ffff_ffffn, volatile: 0xffff_ffff_ffff_ffffn })
    expect(close!.header.sessionId).toBe(0xffff_ffff_ffff_ffffn)
  })

  it('links lease breaks to the acknowledgments that answer them; the ack waits for the break, the held CREATE does not', async () => {
    const p = await plan('lease.break.pcap')
    const breaks = p.expectations.filter((e) => e.kind === 'break')
    expect(breaks.length).toBe(8)
    expect(breaks.every((b) => b.ackStep !== undefined)).toBe(true)
    // frame 162 CREATE is answered at 166, after the break (163) and the ack (164)
    const create = p.steps.find((s) => s.frame === 162)!
    const ack = p.steps.find((s) => s.frame === 164)!
    expect(ack.cmd).toBe('OPLOCK_BREAK')
    expect(ack.acks?.frame).toBe(163)
    expect(create.response?.frame).toBe(166)
    const ackSend = p.events.find((e) => e.kind === 'send' && e.steps.includes(ack.index))!
    expect(ackSend.after).toBeGreaterThan(ack.acks!.seq) // waits for the break
    expect(ackSend.after).toBeLessThanOrEqual(create.response!.seq) // not for the held CREATE
    expect(ack.acks!.leaseKey).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('marks authentication legs: new sessions, re-authentications, PreviousSessionId', async () => {
    const reauth = await plan('session.reauth1.pcap')
    const legs = reauth.steps.filter((s) => s.auth).map((s) => [s.frame, s.auth!.exchange, s.auth!.leg, s.auth!.reauth, s.auth!.legs])
    expect(legs).toEqual([
      [8, 0, 0, false, 2], [10, 0, 1, false, 2],
      [18, 1, 0, true, 2], [20, 1, 1, true, 2],
      [24, 2, 0, true, 2], [26, 2, 1, true, 2],
    ])
    expect(reauth.steps.find((s) => s.frame === 10)!.auth!.user).toBe('WORKGROUP\\labuser')
    const reconnect = await plan('session.reconnect1.pcap')
    const withPrev = reconnect.steps.filter((s) => s.patches.some((x) => x.kind === 'previousSessionId' && readU64(s.raw, x.span) !== 0n))
    expect(withPrev.length).toBeGreaterThan(0)
    const first = withPrev[0]!
    expect(readU64(first.raw, first.patches.find((x) => x.kind === 'previousSessionId')!.span)).toBe(0xeae76f05n)
  })

  it('finds the FileId inside DH2C and DHnC, and the CreateGuid and lease key', async () => {
    const p = await plan('durable-v2-open.reopen2-lease-v2.pcap')
    const dh2c = p.steps.find((s) => s.frame === 50)!
    expect(dh2c.cmd).toBe('CREATE')
    const kinds = dh2c.patches.map((x) => x.kind).sort()
    expect(kinds).toEqual(['createGuid', 'leaseKey', 'leaseKey', 'reconnectFileId'])
    const granted = p.steps.find((s) => s.frame === 22)!.response!.record.body as { fileId: { persistent: bigint } }
    const fid = readFileId(dh2c.raw, dh2c.patches.find((x) => x.kind === 'reconnectFileId')!.span)
    expect(fid.persistent).toBe(granted.fileId.persistent)
    const dhnc = (await plan('durable-open.reopen4.pcap')).steps.find((s) => s.frame === 26)!
    expect(dhnc.patches.map((x) => x.kind)).toContain('reconnectFileId')
    const g = dh2c.patches.find((x) => x.kind === 'createGuid')!
    expect(readGuid(dh2c.raw, g.span)).toMatch(/^[0-9a-f]{8}-/)
  })

  it('decrypts an encrypted capture with its password and keeps the multi-credit charges', async () => {
    const p = await plan('smbclient-encrypted-smb311.pcap')
    expect(p.steps.filter((s) => s.encrypted).length).toBe(25)
    const qd = p.steps.filter((s) => s.command === Smb2Command.QueryDirectory)
    expect(qd.map((s) => s.header.creditCharge)).toEqual([128, 128, 128, 128])
    const read = p.steps.find((s) => s.command === Smb2Command.Read)!
    expect(read.response?.dataHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses an encrypted capture without its password', async () => {
    await expect(plan('smbclient-encrypted-smb311.pcap', ['wrong'])).rejects.toThrow(PlanError)
    await expect(plan('smbclient-encrypted-smb311.pcap', ['wrong'])).rejects.toThrow(/--password/)
  })

  it('carries the capture\'s durable lifecycle', async () => {
    const p = await plan('durable-open.lock-lease.pcap')
    expect(p.durable.length).toBe(1)
    expect(p.durable[0]!.granted).toBe(true)
    expect(p.durable[0]!.reconnects.map((r) => r.status)).toEqual(['STATUS_SUCCESS'])
  })
})

const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname

describe('buildPlan on the replay fixtures (async, CANCEL, oplock breaks)', () => {
  it('a CANCEL names the request it cancels (by AsyncId), whose interim STATUS_PENDING is an expectation of its own', async () => {
    const p = await buildPlan(fixture('smb2.lock.cancel.pcap'), { passwords: [LAB_PASSWORD] })
    const cancels = p.steps.filter((s) => s.command === Smb2Command.Cancel)
    expect(cancels.length).toBeGreaterThan(0)
    for (const c of cancels) {
      const target = p.steps[c.cancels!]!
      expect(target.cmd).toBe('LOCK')
      expect(target.interim?.kind).toBe('interim')
      expect(target.response?.record.status).toBe('STATUS_CANCELLED')
      expect(c.response).toBeUndefined()
      // the CANCEL goes out after the interim answer, before the final one
      const send = p.events.find((e) => e.kind === 'send' && e.steps.includes(c.index))!
      expect(send.after).toBeGreaterThan(target.interim!.seq)
      expect(send.after).toBeLessThanOrEqual(target.response!.seq)
    }
  })

  it('a compound whose second request goes async, then is cancelled', async () => {
    const p = await buildPlan(fixture('smb2.compound.interim1.pcap'), { passwords: [LAB_PASSWORD] })
    const chain = p.events.find((e) => e.kind === 'send' && e.steps.length === 2)
    expect(chain?.kind === 'send' && chain.steps.map((i) => p.steps[i]!.cmd)).toEqual(['CREATE', 'CHANGE_NOTIFY'])
    const cancel = p.steps.find((s) => s.command === Smb2Command.Cancel)!
    expect(p.steps[cancel.cancels!]!.cmd).toBe('CHANGE_NOTIFY')
  })

  it('an oplock break is tied to its acknowledgment by FileId; the CREATE that caused it is held on the other connection', async () => {
    const p = await buildPlan(fixture('smb2.oplock.batch1.pcap'), { passwords: [LAB_PASSWORD] })
    const brk = p.expectations.find((e) => e.kind === 'break' && e.ackStep !== undefined)!
    expect(brk.fileId).toMatch(/^[0-9a-f]{16}:[0-9a-f]{16}$/)
    const ack = p.steps[brk.ackStep!]!
    expect(ack.cmd).toBe('OPLOCK_BREAK')
    expect(ack.conn).toBe(brk.conn)
    const held = p.steps.find((s) => s.interim && s.cmd === 'CREATE')!
    expect(held.conn).not.toBe(brk.conn)
    expect(held.response!.frame).toBeGreaterThan(ack.frame)
    expect(p.connections.size).toBe(2)
  })
})
