import { describe, expect, it } from 'vitest'
import { decodeChain } from '../dissect/smb2/message.js'
import { patchFileId, patchGuid, patchHeader, patchU64, readFileId, readGuid, readHeader, readU64 } from './patch.js'
import { buildPlan } from './plan.js'
import { haveSambaCaptures, LAB_PASSWORD, samba } from './test-helpers/captures.js'

describe.skipIf(!haveSambaCaptures)('patching captured bytes', () => {
  it('re-encodes the header in place byte for byte, and changes only the fields asked for', async () => {
    const p = await buildPlan(samba('durable-v2-open.reopen2-lease-v2.pcap'), { passwords: [LAB_PASSWORD] })
    for (const s of p.steps) {
      const copy = Buffer.from(s.raw)
      patchHeader(copy, 0, (h) => h)
      expect(copy.equals(s.raw)).toBe(true)
    }
    const st = p.steps.find((s) => s.frame === 50)!
    const raw = Buffer.from(st.raw)
    const h = patchHeader(raw, 0, (x) => ({ ...x, messageId: 0x1122n, sessionId: 0x3344n, treeId: 0x55 }))
    expect(readHeader(raw)).toEqual(h)
    const diff = [...raw].flatMap((b, i) => (b !== st.raw[i] ? [i] : []))
    // MessageId (24..31), TreeId (36..39) and SessionId (40..47) only
    expect(diff.every((i) => (i >= 24 && i < 32) || (i >= 36 && i < 48))).toBe(true)
  })

  it('patches the DH2C FileId, the PreviousSessionId and a lease key at their spans; the message still decodes', async () => {
    const p = await buildPlan(samba('durable-v2-open.reopen2-lease-v2.pcap'), { passwords: [LAB_PASSWORD] })
    const st = p.steps.find((s) => s.frame === 50)!
    const raw = Buffer.from(st.raw)
    const fid = st.patches.find((x) => x.kind === 'reconnectFileId')!
    const key = st.patches.find((x) => x.kind === 'leaseKey')!
    patchFileId(raw, fid.span, { persistent: 0xaaaan, volatile: 0xbbbbn })
    patchGuid(raw, key.span, '01234567-89ab-cdef-0123-456789abcdef')
    expect(readFileId(raw, fid.span)).toEqual({ persistent: 0xaaaan, volatile: 0xbbbbn })
    expect(readGuid(raw, key.span)).toBe('01234567-89ab-cdef-0123-456789abcdef')
    const m = decodeChain(raw, { dialect: 0x0311 }).messages[0]!
    const ctx = (m.body as { createContexts: Array<{ tag: string; value: Record<string, unknown> }> }).createContexts
    expect(ctx.find((c) => c.tag === 'DH2C')!.value['fileId']).toEqual({ persistent: 0xaaaan, volatile: 0xbbbbn })
    expect(ctx.find((c) => c.tag === 'RqLs')!.value['leaseKey']).toBe('01234567-89ab-cdef-0123-456789abcdef')

    const r = await buildPlan(samba('session.reconnect1.pcap'), { passwords: [LAB_PASSWORD] })
    const ss = r.steps.find((s) => s.patches.some((x) => x.kind === 'previousSessionId' && readU64(s.raw, x.span) !== 0n))!
    const prev = ss.patches.find((x) => x.kind === 'previousSessionId')!
    const b = Buffer.from(ss.raw)
    patchU64(b, prev.span, 0x77n)
    expect((decodeChain(b).messages[0]!.body as { previousSessionId: bigint }).previousSessionId).toBe(0x77n)
  })

  it('refuses a value of the wrong width', () => {
    expect(() => patchU64(Buffer.alloc(8), { start: 0, end: 4 }, 1n)).toThrow(/8 bytes for a 4-byte field/)
  })
})
