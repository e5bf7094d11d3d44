import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../wire/errors.js'
import { EXCHANGES, TOKENS, type CapturedBlob } from './fixtures/captured.js'
import { mechName, Oid } from './oids.js'
import {
  clientAuthenticateResp, clientNegTokenInit, contextFlagNames, decodeSpnego, encodeMechTypeList, encodeNegTokenInit,
  encodeNegTokenResp, encodeSpnego, gssMechOid, isGssSpnego, NEG_HINT_PLEASE_IGNORE, serverAcceptCompleted,
  serverChallengeResp, serverNegTokenInit2, serverReject, unwrapGss, wrapGss,
} from './spnego.js'

const hex = (s: string) => Buffer.from(s, 'hex')
const isSpnego = (b: Buffer) => b.length > 0 && (b[0] === 0x60 ? gssMechOid(b) === Oid.Spnego : b[0] === 0xa0 || b[0] === 0xa1)

const blobs: Array<{ label: string; blob: CapturedBlob }> = [
  ...EXCHANGES.flatMap((e) => (['negotiate', 'challenge', 'authenticate', 'final'] as const).map((s) => ({ label: `${e.name} ${s} (frame ${e[s].frame})`, blob: e[s] }))),
  ...TOKENS.map((t) => ({ label: `${t.name} (frame ${t.blob.frame})`, blob: t.blob })),
].filter((x) => isSpnego(hex(x.blob.hex)))

describe('captured SPNEGO tokens', () => {
  it('has the variety the dissector meets', () => {
    const kinds = new Set(blobs.map((b) => decodeSpnego(hex(b.blob.hex)).kind))
    expect([...kinds].sort()).toEqual(['negTokenInit', 'negTokenInit2', 'negTokenResp'])
    expect(blobs.length).toBeGreaterThan(40)
  })

  for (const { label, blob } of blobs) {
    it(`${label}: matches tshark and re-encodes byte for byte`, () => {
      const buf = hex(blob.hex)
      const t = decodeSpnego(buf)
      expect(encodeSpnego(t).equals(buf)).toBe(true)
      const ts = blob.tshark
      if (t.kind === 'negTokenResp') {
        expect(t.wrapped).toBe(false)
        expect(t.negState === undefined ? undefined : String(t.negState)).toBe(ts['spnego.negResult'])
        expect(t.supportedMech).toBe(ts['spnego.supportedMech'])
      } else {
        expect(t.wrapped).toBe(true)
        expect(t.mechTypes.join(';')).toBe(ts['spnego.MechType'])
        expect(t.negHints?.hintName).toBe(ts['spnego.hintName'])
      }
      expect(t.mechListMIC?.toString('hex')).toBe(ts['spnego.mechListMIC'])
    })
  }
})

describe('what our server and client send', () => {
  const samba = EXCHANGES.find((e) => e.name === 'samba-session-reauth1-first')!
  const negotiateResponse = TOKENS.find((t) => t.name === 'negotiate-samba')!

  it('NegTokenInit2 of the NEGOTIATE response is byte for byte Samba\'s', () => {
    expect(serverNegTokenInit2().toString('hex')).toBe(negotiateResponse.blob.hex)
    const d = decodeSpnego(serverNegTokenInit2([Oid.Negoex, Oid.MsKerberos5, Oid.Kerberos5, Oid.Kerberos5UserToUser, Oid.Ntlmssp]))
    expect(d).toMatchObject({ kind: 'negTokenInit2', negHints: { hintName: NEG_HINT_PLEASE_IGNORE } })
    // Windows sends exactly this list and hint (K6 metasploit capture, NEGOTIATE response).
    expect(encodeSpnego(d).toString('hex')).toBe(TOKENS.find((t) => t.name === 'negotiate-windows')!.blob.hex)
  })

  it('the SESSION_SETUP tokens are byte for byte what Samba sends', () => {
    const neg = decodeSpnego(hex(samba.negotiate.hex))
    const chal = decodeSpnego(hex(samba.challenge.hex))
    const auth = decodeSpnego(hex(samba.authenticate.hex))
    const fin = decodeSpnego(hex(samba.final.hex))
    if (neg.kind === 'negTokenResp' || chal.kind !== 'negTokenResp' || auth.kind !== 'negTokenResp' || fin.kind !== 'negTokenResp') throw new Error('unexpected kinds')
    expect(clientNegTokenInit(neg.mechToken!).toString('hex')).toBe(samba.negotiate.hex)
    expect(serverChallengeResp(chal.responseToken!).toString('hex')).toBe(samba.challenge.hex)
    expect(clientAuthenticateResp(auth.responseToken!, auth.mechListMIC).toString('hex')).toBe(samba.authenticate.hex)
    expect(serverAcceptCompleted(fin.mechListMIC).toString('hex')).toBe(samba.final.hex)
    // Windows' final answer without a MIC, and a reject.
    expect(serverAcceptCompleted().toString('hex')).toBe('a1073005a0030a0100')
    expect(decodeSpnego(serverReject())).toEqual({ kind: 'negTokenResp', wrapped: false, negState: 2 })
  })

  it('mechListMIC is computed over the DER MechTypeList', () => {
    expect(encodeMechTypeList([Oid.Ntlmssp]).toString('hex')).toBe('300c060a2b06010401823702020a')
  })

  it('NegTokenInit (RFC 4178) keeps mechListMIC at [3]; NegTokenInit2 at [4]', () => {
    const a = encodeNegTokenInit({ mechTypes: [Oid.Ntlmssp], mechListMIC: Buffer.from('mic') })
    expect(decodeSpnego(a)).toEqual({ kind: 'negTokenInit', wrapped: true, mechTypes: [Oid.Ntlmssp], mechListMIC: Buffer.from('mic') })
    const b = encodeNegTokenInit({ kind: 'negTokenInit2', mechTypes: [Oid.Ntlmssp], mechListMIC: Buffer.from('mic') })
    expect(b).not.toEqual(a)
    expect(decodeSpnego(b)).toEqual({ kind: 'negTokenInit2', wrapped: true, mechTypes: [Oid.Ntlmssp], mechListMIC: Buffer.from('mic') })
    const flags = encodeNegTokenInit({ mechTypes: [Oid.Kerberos5], reqFlags: { unusedBits: 1, bytes: Buffer.from([0x60]) }, wrapped: false })
    const d = decodeSpnego(flags)
    expect(d).toMatchObject({ wrapped: false, reqFlags: { unusedBits: 1 } })
    if (d.kind !== 'negTokenResp') expect(contextFlagNames(d.reqFlags!)).toEqual(['mutualFlag', 'replayFlag'])
  })

  it('GSS wrapper helpers', () => {
    const w = wrapGss(Oid.Kerberos5, Buffer.from('0100', 'hex'))
    expect(unwrapGss(w)).toMatchObject({ oid: Oid.Kerberos5, inner: Buffer.from('0100', 'hex') })
    expect(isGssSpnego(w)).toBe(false)
    expect(isGssSpnego(serverNegTokenInit2())).toBe(true)
    expect(isGssSpnego(Buffer.from('nonsense'))).toBe(false)
    expect(() => decodeSpnego(w)).toThrow('gss.thisMech @0x0: GSS token for Kerberos 5, not SPNEGO')
    expect(mechName(Oid.Negoex)).toBe('NEGOEX')
  })
})

describe('bad SPNEGO input', () => {
  it('pins the errors', () => {
    expect(() => decodeSpnego(Buffer.from('a2023000', 'hex'))).toThrow('spnego @0x0: expected a NegotiationToken ([0] or [1]), found 0xa2')
    expect(() => decodeSpnego(Buffer.from('a1053003a10100', 'hex'))).toThrow('spnego.negTokenResp.NegTokenResp.supportedMech.MechType @0x6: expected OBJECT IDENTIFIER, found tag 0x00')
    expect(() => decodeSpnego(Buffer.concat([encodeNegTokenResp({ negState: 0 }), Buffer.from([0])]))).toThrow('spnego @0x9: 1 bytes after the NegotiationToken')
    expect(() => decodeSpnego(Buffer.from('a10a3008a4060404deadbeef', 'hex'))).toThrow('unexpected element 0xa4 in NegTokenResp')
  })

  it('mutated tokens decode or throw DecodeError (property)', () => {
    const samples = blobs.map((b) => hex(b.blob.hex)).filter((b) => b.length < 600)
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (tok, edits) => {
          const b = Buffer.from(tok)
          for (const [at, v] of edits) b[at % b.length] = v
          try {
            const d = decodeSpnego(b)
            expect(decodeSpnego(encodeSpnego(d))).toEqual(d)
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e
          }
        },
      ),
      { numRuns: 3000 },
    )
  })
})
