import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../wire/errors.js'
import { der } from './der.js'
import { EXCHANGES, TOKENS } from './fixtures/captured.js'
import { KrbTokId, parseKerberosToken } from './kerberos.js'
import { parseNegoex } from './negoex.js'
import { Oid } from './oids.js'
import { extractNtlmToken, parseSecurityBlob } from './security-blob.js'
import { decodeSpnego, encodeNegTokenResp, wrapGss } from './spnego.js'

const hex = (s: string) => Buffer.from(s, 'hex')
const token = (name: string) => hex(TOKENS.find((t) => t.name === name)!.blob.hex)

describe('Kerberos tokens (recognised, not decrypted)', () => {
  for (const t of TOKENS.filter((x) => x.blob.tshark['kerberos.msg_type'])) {
    it(`${t.name}: shows what tshark shows`, () => {
      const info = parseSecurityBlob(hex(t.blob.hex))
      expect(info.error).toBeUndefined()
      const k = info.kerberos!
      const ts = t.blob.tshark
      expect(String(k.msgType)).toBe(ts['kerberos.msg_type'])
      if (ts['kerberos.realm']) expect(k.realm).toBe(ts['kerberos.realm'])
      if (ts['kerberos.SNameString']) expect(k.sname!.join(';')).toBe(ts['kerberos.SNameString'])
      expect(k.tokenType).toBe(k.msgType === 14 ? 'AP_REQ' : 'AP_REP')
    })
  }

  it('an AP-REQ in the NegTokenInit of a Windows client', () => {
    const info = parseSecurityBlob(token('krb5-ap-req-ws-credssp'))
    expect(info).toMatchObject({ format: 'spnego', mech: 'MS Kerberos 5', mechOid: Oid.MsKerberos5 })
    expect(info.spnego?.mechTypeNames).toEqual(['MS Kerberos 5', 'Kerberos 5', 'NEGOEX', 'NTLMSSP'])
    expect(info.kerberos).toMatchObject({
      tokenType: 'AP_REQ',
      tokId: KrbTokId.ApReq,
      mechOid: Oid.Kerberos5,
      pvno: 5,
      realm: 'ACME.COM',
      sname: ['cifs', 'ADC'],
      apOptions: ['mutual-required'],
    })
    expect(info.kerberos!.ticket!.etypeName).toBeDefined()
    expect(info.kerberos!.authenticator!.cipherLength).toBeGreaterThan(0)
  })

  it('IAKERB: proxied AS-REQ and KRB-ERROR with their header', () => {
    const asReq = parseSecurityBlob(token('iakerb-as-req'))
    expect(asReq).toMatchObject({ mech: 'IAKERB', kerberos: { tokenType: 'AS_REQ', tokId: KrbTokId.IakerbProxy, iakerb: { targetRealm: 'WELLKNOWN:COM.APPLE.LKDC' }, cname: ['toto'], realm: 'WELLKNOWN:COM.APPLE.LKDC', sname: ['krbtgt', 'WELLKNOWN:COM.APPLE.LKDC'], etypes: [18, 17, 16, 23] } })
    const err = parseSecurityBlob(token('iakerb-krb-error'))
    expect(err.kerberos).toMatchObject({ tokenType: 'KRB_ERROR', errorCode: 68, errorName: 'KDC_ERR_WRONG_REALM', crealm: 'LKDC:SHA1.EE7C7BEB5178985C880BF8C24587E67DB363FC66', eText: 'LKDC referral to the real LKDC realm name' })
    expect(parseSecurityBlob(token('iakerb-ap-req')).kerberos).toMatchObject({ tokenType: 'AP_REQ', mechOid: Oid.Iakerb })
  })

  it('a bare KRB-ERROR and a user-to-user TGT-REQ (built per RFC 4120 / the user2user draft)', () => {
    const krbError = der.application(30, der.sequence(
      der.explicit(0, der.integer(5)), der.explicit(1, der.integer(30)),
      der.explicit(4, der.tlv(0x18, Buffer.from('20240101000000Z'))), der.explicit(5, der.integer(0)),
      der.explicit(6, der.integer(37)), der.explicit(9, der.generalString('EXAMPLE.COM')),
      der.explicit(10, der.sequence(der.explicit(0, der.integer(2)), der.explicit(1, der.sequence(der.generalString('cifs'), der.generalString('srv'))))),
    ))
    expect(parseSecurityBlob(krbError)).toMatchObject({ format: 'kerberos', kerberos: { tokenType: 'KRB_ERROR', errorCode: 37, errorName: 'KRB_AP_ERR_SKEW', realm: 'EXAMPLE.COM', sname: ['cifs', 'srv'], stime: '20240101000000Z' } })
    const tgtReq = wrapGss(Oid.Kerberos5UserToUser, Buffer.concat([Buffer.from([4, 0]), der.sequence(der.explicit(0, der.integer(5)), der.explicit(1, der.integer(16)), der.explicit(3, der.generalString('R')))]))
    expect(parseKerberosToken(tgtReq)).toMatchObject({ tokenType: 'TGT_REQ', tokId: KrbTokId.TgtReq, msgType: 16, realm: 'R', mech: 'Kerberos 5 user-to-user' })
  })

  it('garbage inside a Kerberos token is a DecodeError with a path', () => {
    const bad = wrapGss(Oid.Kerberos5, Buffer.from('01006e0330010a', 'hex'))
    expect(() => parseKerberosToken(bad)).toThrow(DecodeError)
    const info = parseSecurityBlob(bad)
    expect(info.format).toBe('kerberos')
    expect(info.error).toMatch(/^kerberos/)
  })
})

describe('parseSecurityBlob', () => {
  it('names the NTLM messages of every captured exchange', () => {
    for (const e of EXCHANGES) {
      const kinds = (['negotiate', 'challenge', 'authenticate'] as const).map((s) => parseSecurityBlob(hex(e[s].hex)))
      for (const k of kinds) {
        expect(k.error, e.name).toBeUndefined()
        expect(k.mech).toBe('NTLMSSP')
      }
      expect(kinds.map((k) => k.ntlmssp?.messageTypeName)).toEqual(['NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'])
      expect(kinds[0]!.format).toBe(e.name.startsWith('raw-') ? 'ntlmssp' : 'spnego')
    }
  })

  it('shows the NTLMv2 response and target info by name', () => {
    const samba = EXCHANGES[0]!
    const chal = parseSecurityBlob(hex(samba.challenge.hex))
    expect(chal.spnego).toMatchObject({ kind: 'negTokenResp', negStateName: 'accept-incomplete', supportedMechName: 'NTLMSSP' })
    expect(chal.ntlmssp?.targetInfoNames).toMatchObject({ nbComputerName: 'LABSRV', nbDomainName: 'LABSRV', dnsComputerName: 'vm', dnsDomainName: '' })
    expect(chal.ntlmssp?.negotiateFlagNames).toContain('NTLMSSP_NEGOTIATE_TARGET_INFO')
    const auth = parseSecurityBlob(hex(samba.authenticate.hex))
    expect(auth.ntlmssp).toMatchObject({ responseKind: 'ntlmv2', userName: 'labuser', domainName: 'WORKGROUP', workstation: 'VM' })
    expect(auth.ntlmssp?.ntlmv2Response?.ntProofStr.toString('hex')).toBe(samba.authenticate.tshark['ntlm.ntlmv2_response.ntproofstr'])
    expect(auth.ntlmssp?.ntlmv2Response?.avInfo).toMatchObject({ flags: 2, targetName: 'cifs/127.0.0.1', channelBindings: Buffer.alloc(16) })
    const anon = parseSecurityBlob(hex(EXCHANGES.find((x) => x.name === 'k6-crackmapexec-anonymous')!.authenticate.hex))
    expect(anon.ntlmssp?.responseKind).toBe('anonymous')
    expect(parseSecurityBlob(hex(samba.final.hex))).toMatchObject({ format: 'spnego', spnego: { negStateName: 'accept-completed' } })
  })

  it('NEGOEX in a Windows 10 NegTokenInit2', () => {
    const info = parseSecurityBlob(token('negotiate-windows10-negoex'))
    expect(info.error).toBeUndefined()
    expect(info).toMatchObject({ format: 'spnego', mech: 'NEGOEX', spnego: { kind: 'negTokenInit', mechTypeNames: ['NEGOEX', 'NTLMSSP'] } })
    const msgs = info.negoex!
    expect(msgs.map((m) => m.messageTypeName)).toEqual(['ACCEPTOR_NEGO', 'ACCEPTOR_META_DATA'])
    expect(msgs[0]!.authSchemes!.length).toBeGreaterThan(0)
    expect(msgs[1]!.authScheme).toBe(msgs[0]!.authSchemes![0])
    expect(new Set(msgs.map((m) => m.conversationId)).size).toBe(1)
    expect(() => parseNegoex(Buffer.from('NEGOEXTS', 'latin1'))).toThrow(DecodeError)
  })

  it('NEGOTIATE-response tokens: hints and mechanism lists', () => {
    expect(parseSecurityBlob(token('negotiate-dac-hint')).spnego).toMatchObject({ kind: 'negTokenInit2', negHints: { hintName: 'bb1file2$@DAC.PRV' } })
    expect(parseSecurityBlob(token('negotiate-vista-prerelease')).spnego).toMatchObject({ kind: 'negTokenInit', mechTypeNames: ['MS Kerberos 5', 'Kerberos 5', 'Kerberos 5 user-to-user', 'NTLMSSP'] })
    const mac = parseSecurityBlob(token('negotiate-macos-server'))
    expect(mac.spnego?.mechTypeNames).toEqual(['MS Kerberos 5', 'Kerberos 5', '1.2.752.43.14.3', 'SCRAM-SHA-1', 'NTLMSSP', '1.3.5.1.5.2.7', 'IAKERB'])
    expect(mac.mech).toBeUndefined()
  })

  it('never throws, whatever the bytes (property)', () => {
    const samples = [...EXCHANGES.flatMap((e) => [e.negotiate.hex, e.challenge.hex, e.authenticate.hex]), ...TOKENS.map((t) => t.blob.hex)].map(hex)
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (blob, edits, cut) => {
          const b = Buffer.from(blob.subarray(0, 1 + (cut % blob.length)))
          for (const [at, v] of edits) b[at % b.length] = v
          const info = parseSecurityBlob(b)
          expect(info.error ?? '').not.toMatch(/^internal error/)
        },
      ),
      { numRuns: 3000 },
    )
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      expect(parseSecurityBlob(Buffer.from(bytes)).error ?? '').not.toMatch(/^internal error/)
    }))
  })

  it('reports what it could not decode', () => {
    expect(parseSecurityBlob(Buffer.alloc(0))).toEqual({ format: 'empty' })
    expect(parseSecurityBlob(Buffer.from('hello'))).toEqual({ format: 'unknown', error: 'unrecognised security buffer starting 68656c6c6f' })
    const truncated = parseSecurityBlob(hex(EXCHANGES[0]!.authenticate.hex).subarray(0, 100))
    expect(truncated.format).toBe('spnego')
    expect(truncated.error).toMatch(/runs past the end/)
    // An SPNEGO token whose NTLM message is broken keeps the SPNEGO part.
    const broken = encodeNegTokenResp({ negState: 1, supportedMech: Oid.Ntlmssp, responseToken: Buffer.from('NTLMSSP\0\x02\0\0\0', 'latin1') })
    const info = parseSecurityBlob(broken)
    expect(info.spnego?.negStateName).toBe('accept-incomplete')
    expect(info.error).toBe("targetNameFields @0xc: need 2 bytes, 0 left")
    expect(extractNtlmToken(broken)).toBeDefined()
    expect(extractNtlmToken(Buffer.from('junk'))).toBeUndefined()
    expect(decodeSpnego(broken).kind).toBe('negTokenResp')
  })
})
