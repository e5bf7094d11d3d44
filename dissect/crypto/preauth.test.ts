import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeMessage, makeHeader } from '../smb2/index.js'
import { PreauthIntegrityHash, PreauthTracker, preauthRole } from './preauth.js'

/** A minimal SMB2 message: header + a body whose first bytes we choose. */
function msg(command: number, opts: { response?: boolean; status?: number; messageId?: bigint; sessionId?: bigint; body?: Buffer } = {}): Buffer {
  return encodeMessage({
    header: makeHeader({ command, flags: opts.response ? 1 : 0, status: opts.status ?? 0, messageId: opts.messageId ?? 0n, sessionId: opts.sessionId ?? 0n }),
    body: opts.body ?? Buffer.alloc(8),
  })
}
const negResp = (dialect: number) => {
  const body = Buffer.alloc(65)
  body.writeUInt16LE(65, 0)
  body.writeUInt16LE(dialect, 4)
  return msg(0, { response: true, body })
}
const ssReq = (messageId: bigint, sessionId: bigint, flags = 0) => {
  const body = Buffer.alloc(25)
  body.writeUInt16LE(25, 0)
  body[2] = flags
  return msg(1, { messageId, sessionId, body })
}
const ssResp = (messageId: bigint, sessionId: bigint, status: number) => msg(1, { response: true, messageId, sessionId, status, body: Buffer.alloc(9) })
const sha = (...parts: Buffer[]) => parts.reduce((h, p) => createHash('sha512').update(h).update(p).digest(), Buffer.alloc(64))

describe('preauth integrity hash (MS-SMB2 3.2.5.2, 3.3.5.4)', () => {
  it('chains SHA-512 from 64 zero bytes; fork starts a session from the connection value', () => {
    const a = Buffer.from('negotiate request'), b = Buffer.from('negotiate response'), c = Buffer.from('session setup')
    const conn = new PreauthIntegrityHash().update(a).update(b)
    expect(conn.value.equals(sha(a, b))).toBe(true)
    const session = conn.fork().update(c)
    expect(session.value.equals(sha(a, b, c))).toBe(true)
    expect(conn.value.equals(sha(a, b))).toBe(true)
    expect(() => new PreauthIntegrityHash(Buffer.alloc(3))).toThrow()
  })

  it('preauthRole: NEGOTIATE both ways, SESSION_SETUP requests and MORE_PROCESSING responses only', () => {
    expect(preauthRole(msg(0))).toBe('connection')
    expect(preauthRole(negResp(0x0311))).toBe('connection')
    expect(preauthRole(negResp(0x02ff))).toBeUndefined()
    expect(preauthRole(ssReq(1n, 0n))).toBe('session')
    expect(preauthRole(ssResp(1n, 5n, 0xc0000016))).toBe('session')
    expect(preauthRole(ssResp(1n, 5n, 0))).toBeUndefined()
    expect(preauthRole(ssResp(1n, 5n, 0xc000006d))).toBeUndefined()
    expect(preauthRole(msg(3))).toBeUndefined()
    expect(preauthRole(Buffer.alloc(10))).toBeUndefined()
  })

  it('PreauthTracker: skips the 0x02ff answer, pairs the first SESSION_SETUP by MessageId, keeps the value after the last request', () => {
    const t = new PreauthTracker()
    const smb2NegReq = msg(0, { messageId: 1n })
    const n1 = negResp(0x02ff), n2 = negResp(0x0311)
    const r1 = ssReq(2n, 0n), p1 = ssResp(2n, 77n, 0xc0000016), r2 = ssReq(3n, 77n), p2 = ssResp(3n, 77n, 0)
    for (const m of [msg(0), n1, smb2NegReq, n2, r1, p1, r2, p2]) t.observe(m)
    expect(t.dialect).toBe(0x0311)
    expect(t.connection.value.equals(sha(smb2NegReq, n2))).toBe(true)
    expect(t.sessionContext(77n)!.equals(sha(smb2NegReq, n2, r1, p1, r2))).toBe(true)
    // Re-authentication of the established session leaves the context alone.
    t.observe(ssReq(9n, 77n))
    t.observe(ssResp(9n, 77n, 0))
    expect(t.sessionContext(77n)!.equals(sha(smb2NegReq, n2, r1, p1, r2))).toBe(true)
    // Binding (flag 0x01) restarts the chain from the connection value.
    const b = ssReq(10n, 77n, 1)
    t.observe(b)
    expect(t.sessionContext(77n)!.equals(sha(smb2NegReq, n2, b))).toBe(true)
    // Its later legs (which carry the flag too) continue that chain.
    const bp = ssResp(10n, 77n, 0xc0000016), b2 = ssReq(11n, 77n, 1)
    t.observe(bp)
    t.observe(b2)
    expect(t.sessionContext(77n)!.equals(sha(smb2NegReq, n2, b, bp, b2))).toBe(true)
    // A failed exchange ends its chain: the next binding starts afresh.
    t.observe(ssResp(11n, 77n, 0xc000006d))
    expect(t.sessionContext(77n)).toBeUndefined()
    const b3 = ssReq(12n, 77n, 1)
    t.observe(b3)
    expect(t.sessionContext(77n)!.equals(sha(smb2NegReq, n2, b3))).toBe(true)
  })

  it('PreauthTracker ignores session setups below 3.1.1', () => {
    const t = new PreauthTracker()
    for (const m of [msg(0), negResp(0x0302), ssReq(1n, 0n), ssResp(1n, 5n, 0)]) t.observe(m)
    expect(t.sessionContext(5n)).toBeUndefined()
  })
})
