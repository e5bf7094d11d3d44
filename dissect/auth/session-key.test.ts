import { describe, expect, it } from 'vitest'
import { EXCHANGES } from './fixtures/captured.js'
import { ntHash } from './ntlm-crypto.js'
import { extractNtlmToken } from './security-blob.js'
import { sessionKeyFromCapture } from './session-key.js'

const hex = (s: string) => Buffer.from(s, 'hex')
const byName = (n: string) => EXCHANGES.find((e) => e.name === n)!
const input = (e: (typeof EXCHANGES)[number]) => ({
  negotiate: hex(e.negotiate.hex),
  challenge: hex(e.challenge.hex),
  authenticate: hex(e.authenticate.hex),
  serverFinal: hex(e.final.hex),
})

/** Session keys published in /work/shared/captures/public/MANIFEST.md (K6), not computed by us. */
const MANIFEST_K6: Record<string, string> = {
  'k6-metasploit': '168f18edb553111ce5704705d5aa914a',
  'k6-impacket': '3044334838484848465a564e56646b7a',
  'k6-crackmapexec-session2': '43564c663035376b744244536b614e70',
}

describe('sessionKeyFromCapture on real captures', () => {
  for (const e of EXCHANGES.filter((x) => x.password)) {
    it(`${e.name} (${e.source}, frames ${e.negotiate.frame}-${e.final.frame}): the password gives a key that the capture proves`, () => {
      const r = sessionKeyFromCapture({ ...input(e), password: e.password })
      if (!r.ok) throw new Error(r.reason)
      expect(r.user).toBe(e.authenticate.tshark['ntlm.auth.username'])
      const expected = MANIFEST_K6[e.name]
      if (expected) expect(r.sessionKey.toString('hex')).toBe(expected)
      const t = e.authenticate.tshark
      // Where the client sent a MIC (and SPNEGO mechListMICs), each verifies with the derived key.
      expect(r.mic).toBe(t['ntlm.authenticate.mic'] ? 'verified' : 'absent')
      expect(r.clientMechListMic).toBe(t['spnego.mechListMIC'] ? 'verified' : 'absent')
      expect(r.serverMechListMic).toBe(e.final.tshark['spnego.mechListMIC'] ? 'verified' : 'absent')
      // The NT hash works as well as the password.
      const byHash = sessionKeyFromCapture({ ...input(e), ntHash: ntHash(e.password!) })
      expect(byHash.ok && byHash.sessionKey).toEqual(r.sessionKey)
      // Another password fails on NTProofStr.
      expect(sessionKeyFromCapture({ ...input(e), password: `${e.password}x` })).toEqual({ ok: false, reason: 'NTProofStr does not match: wrong password (or user/domain)' })
    })
  }

  it('raw NTLMSSP messages work as well as SPNEGO buffers', () => {
    const e = byName('samba-session-reauth1-first')
    const raw = sessionKeyFromCapture({
      negotiate: extractNtlmToken(hex(e.negotiate.hex)),
      challenge: extractNtlmToken(hex(e.challenge.hex))!,
      authenticate: extractNtlmToken(hex(e.authenticate.hex))!,
      password: 'labpass',
    })
    const wrapped = sessionKeyFromCapture({ ...input(e), password: 'labpass' })
    expect(raw.ok && wrapped.ok).toBe(true)
    if (raw.ok && wrapped.ok) {
      expect(raw.sessionKey).toEqual(wrapped.sessionKey)
      expect([raw.mic, raw.clientMechListMic]).toEqual(['verified', 'absent'])
    }
  })

  it('without the NEGOTIATE the MIC cannot be checked', () => {
    const e = byName('samba-smbclient-encrypted-smb311')
    const r = sessionKeyFromCapture({ challenge: hex(e.challenge.hex), authenticate: hex(e.authenticate.hex), password: 'labpass' })
    expect(r).toMatchObject({ ok: true, mic: 'unchecked', clientMechListMic: 'unchecked' })
  })

  it('detects a NEGOTIATE from another exchange through the MIC', () => {
    const a = byName('samba-session-reauth1-first')
    const b = byName('samba-smbclient-encrypted-smb311')
    const r = sessionKeyFromCapture({ ...input(a), negotiate: hex(b.negotiate.hex), password: 'labpass' })
    expect(r).toEqual({ ok: false, reason: "the MIC does not match the derived session key (or the NEGOTIATE given is not this exchange's)" })
  })

  it('anonymous logons: a key from a zero base key, proven by Windows\' MIC and mechListMICs', () => {
    const w = sessionKeyFromCapture(input(byName('windows-anonymous-witness')))
    expect(w).toMatchObject({ ok: true, anonymous: true, user: '', mic: 'verified', clientMechListMic: 'verified', serverMechListMic: 'verified' })
    const c = sessionKeyFromCapture(input(byName('k6-crackmapexec-anonymous')))
    expect(c).toMatchObject({ ok: true, anonymous: true, mic: 'absent' })
  })

  it('explains what it cannot do', () => {
    const e = byName('raw-ntlmssp-wireshark-test')
    expect(sessionKeyFromCapture({ challenge: hex(e.challenge.hex), authenticate: hex(e.authenticate.hex) })).toEqual({ ok: false, reason: 'no password or NT hash given' })
    expect(sessionKeyFromCapture({ challenge: hex(e.authenticate.hex), authenticate: hex(e.authenticate.hex), password: 'x' })).toEqual({
      ok: false,
      reason: 'cannot decode: messageType @0x8: messageType must be 2, got 3',
    })
    expect(sessionKeyFromCapture({ challenge: Buffer.from('a1073005a0030a0100', 'hex'), authenticate: hex(e.authenticate.hex), password: 'x' })).toEqual({
      ok: false,
      reason: 'cannot decode: challenge @0x0: the challenge buffer carries no NTLMSSP message',
    })
  })
})
