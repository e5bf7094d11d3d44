import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { NtStatus } from '../smb2/constants/status.js'
import { EXCHANGES } from './fixtures/captured.js'
import { NtlmClient } from './ntlm-client.js'
import { computeMic, exportedSessionKey, ntHash, verifyNtlmv2Response } from './ntlm-crypto.js'
import { NtlmServer, type NtlmServerOptions } from './ntlm-server.js'
import { AvId, MsvAvFlags, NegotiateFlags } from './ntlmssp/constants.js'
import { decodeAuthenticate, decodeChallenge, encodeAuthenticate, MIC_OFFSET } from './ntlmssp/messages.js'
import { describeAvPairs, Ntlmv2Response } from './ntlmssp/structures.js'
import { Oid } from './oids.js'
import { extractNtlmToken } from './security-blob.js'
import { sessionKeyFromCapture } from './session-key.js'
import { computeMechListMic, SpnegoNtlmClient, SpnegoNtlmServer } from './spnego-ntlm.js'
import { decodeSpnego, encodeNegTokenInit, encodeNegTokenResp } from './spnego.js'

/** Deterministic randomness so that failures reproduce. */
function seeded(seed: string): (n: number) => Buffer {
  let counter = 0
  return (n) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, n)
}

const USERS: Record<string, string> = { labuser: 'labpass', alice: 'Wonderland!' }
const serverOptions = (extra: Partial<NtlmServerOptions> = {}): NtlmServerOptions => ({
  nbComputerName: 'SMBSCOPE',
  nbDomainName: 'LAB',
  lookup: (user) => {
    const pw = USERS[user.toLowerCase()]
    return pw === undefined ? undefined : ntHash(pw)
  },
  random: seeded('server'),
  now: () => 133_500_000_000_000_000n,
  ...extra,
})

function exchange(client: NtlmClient, server = new NtlmServer(serverOptions())) {
  const c = server.challenge(client.negotiate())
  if (!c.ok) throw new Error(c.reason)
  const auth = client.authenticate(c.challenge)
  return { server, challenge: c.challenge, auth, result: server.authenticate(auth) }
}

describe('NtlmClient <-> NtlmServer', () => {
  it('right password: both sides hold the same exported session key, MIC verified', () => {
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'LAB', workstation: 'WS1', targetName: 'cifs/smbscope', random: seeded('c1') })
    const { result, challenge, auth } = exchange(client)
    expect(result).toMatchObject({ ok: true, user: 'labuser', domain: 'LAB', workstation: 'WS1', micVerified: true })
    if (!result.ok) return
    expect(result.sessionKey).toEqual(client.sessionKey)
    expect(client.micSent).toBe(true)
    // What went over the wire is what the spec prescribes: NTLMv2 with the server's timestamp, Z(24) LM,
    // MsvAvFlags "MIC present", target name, channel bindings, KEY_EXCH.
    const chal = decodeChallenge(challenge)
    expect(describeAvPairs(chal.targetInfo)).toMatchObject({ nbComputerName: 'SMBSCOPE', nbDomainName: 'LAB', dnsComputerName: 'smbscope', timestamp: 133_500_000_000_000_000n })
    const a = decodeAuthenticate(auth)
    expect(a.lmChallengeResponse).toEqual(Buffer.alloc(24))
    expect(a.negotiateFlags & NegotiateFlags.KeyExch).toBeTruthy()
    const resp = Ntlmv2Response.decode(a.ntChallengeResponse)
    expect(resp.clientChallenge.timeStamp).toBe(133_500_000_000_000_000n)
    expect(describeAvPairs(resp.clientChallenge.avPairs)).toMatchObject({ flags: MsvAvFlags.MicPresent, targetName: 'cifs/smbscope', channelBindings: Buffer.alloc(16) })
    // And a dissector given the password derives the same key from the three messages.
    const fromCapture = sessionKeyFromCapture({ negotiate: client.messages.negotiate, challenge, authenticate: auth, password: 'labpass' })
    expect(fromCapture).toMatchObject({ ok: true, mic: 'verified' })
    if (fromCapture.ok) expect(fromCapture.sessionKey).toEqual(client.sessionKey)
  })

  it('the NT hash instead of the password, and a user name in another case', () => {
    const client = new NtlmClient({ user: 'ALICE', ntHash: ntHash('Wonderland!'), domain: 'lab', random: seeded('c2') })
    expect(exchange(client).result).toMatchObject({ ok: true, user: 'ALICE', domain: 'lab' })
  })

  it('wrong password is refused with LOGON_FAILURE', () => {
    const client = new NtlmClient({ user: 'labuser', password: 'labpas', domain: 'LAB', random: seeded('c3') })
    expect(exchange(client).result).toEqual({
      ok: false,
      status: 'LOGON_FAILURE',
      statusCode: NtStatus.LogonFailure,
      reason: 'NTProofStr does not match: wrong password (or user/domain)',
    })
  })

  it('unknown user: LOGON_FAILURE, or guest when configured', () => {
    const client = () => new NtlmClient({ user: 'mallory', password: 'x', domain: 'LAB', random: seeded('c4') })
    expect(exchange(client()).result).toMatchObject({ ok: false, status: 'LOGON_FAILURE', reason: 'unknown user "LAB\\\\mallory"' })
    expect(exchange(client(), new NtlmServer(serverOptions({ mapUnknownToGuest: true }))).result).toMatchObject({ ok: true, guest: true, sessionKey: undefined })
  })

  it('an NTLMv2 response whose client challenge does not parse is INVALID_PARAMETER, before any verification (Samba bug 14932)', () => {
    const server = new NtlmServer(serverOptions())
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'LAB', random: seeded('c14932') })
    const c = server.challenge(client.negotiate())
    if (!c.ok) throw new Error(c.reason)
    // The response smbtorture smb2.session.ntlmssp_bug14932 sends (net diag's): an AV pair longer than the buffer.
    const nt = Buffer.from(
      'abababababababababababababababab' + '0101000000000000' + '3f3f3f3f3f3f3f3f' + 'b8823af1b3dd0815' + '00000000' +
        '11a20881503822782b9447fe54947bff17275ab4f418badc2c38fd5bfb0ec1851ecc92bb9bb1c4d55314ff8c7649f5459019a2',
      'hex',
    )
    expect(nt.length).toBe(95)
    const auth = encodeAuthenticate({
      negotiateFlags: NegotiateFlags.Unicode | NegotiateFlags.Ntlm,
      lmChallengeResponse: Buffer.alloc(24),
      ntChallengeResponse: nt,
      domainName: 'LAB',
      userName: 'labuser',
    })
    expect(server.authenticate(auth)).toMatchObject({ ok: false, status: 'INVALID_PARAMETER' })
  })

  it('NTLMv1 and LM-only responses are refused', () => {
    const server = new NtlmServer(serverOptions())
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'LAB', random: seeded('c5') })
    const c = server.challenge(client.negotiate())
    if (!c.ok) throw new Error(c.reason)
    const v1 = encodeAuthenticate({
      negotiateFlags: NegotiateFlags.Unicode | NegotiateFlags.Ntlm,
      lmChallengeResponse: Buffer.alloc(24, 1),
      ntChallengeResponse: Buffer.alloc(24, 2),
      domainName: 'LAB',
      userName: 'labuser',
    })
    expect(server.authenticate(v1)).toMatchObject({ ok: false, status: 'LOGON_FAILURE', reason: 'NTLMv1 response (24 bytes): only NTLMv2 is accepted' })
    const lm = encodeAuthenticate({ negotiateFlags: NegotiateFlags.Oem, lmChallengeResponse: Buffer.alloc(24, 1), userName: 'labuser' })
    expect(server.authenticate(lm)).toMatchObject({ ok: false, status: 'LOGON_FAILURE', reason: 'LM response only (no NT response): only NTLMv2 is accepted' })
  })

  it('a tampered MIC, or tampered messages under it, are refused', () => {
    const run = (tamper: (auth: Buffer) => void, reason: string) => {
      const server = new NtlmServer(serverOptions())
      const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'LAB', random: seeded('c6') })
      const c = server.challenge(client.negotiate())
      if (!c.ok) throw new Error(c.reason)
      const auth = client.authenticate(c.challenge)
      tamper(auth)
      expect(server.authenticate(auth)).toMatchObject({ ok: false, reason })
    }
    run((a) => (a[MIC_OFFSET + 3] ^= 0x40), 'MIC does not match (messages altered in transit)')
    // Clearing NTLMSSP_NEGOTIATE_SIGN in the AUTHENTICATE flags (a downgrade) breaks the MIC, not NTProofStr.
    run((a) => a.writeUInt32LE((a.readUInt32LE(60) & ~NegotiateFlags.Sign) >>> 0, 60), 'MIC does not match (messages altered in transit)')
    // Removing the MIC altogether while MsvAvFlags still announces it.
    run((a) => a.fill(0, MIC_OFFSET, MIC_OFFSET + 16), 'MIC does not match (messages altered in transit)')
    // Clearing "MIC present" in MsvAvFlags changes the NTLMv2 response, so NTProofStr fails.
    run((a) => {
      const d = decodeAuthenticate(a)
      const at = a.indexOf(Buffer.from([AvId.MsvAvFlags, 0, 4, 0, MsvAvFlags.MicPresent, 0, 0, 0]), d.ntChallengeResponseFields.bufferOffset)
      a[at + 4] = 0
    }, 'NTProofStr does not match: wrong password (or user/domain)')
  })

  it('without a server timestamp the client sends LMv2 and no MIC', () => {
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'LAB', random: seeded('c7'), now: () => 1n })
    client.negotiate()
    // A CHALLENGE as older servers send it: target info without MsvAvTimestamp (MS-NLMP 4.2.4.3).
    const chal = Buffer.from('4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c0053006500720076006500720000000000', 'hex')
    const a = decodeAuthenticate(client.authenticate(chal))
    expect(client.micSent).toBe(false)
    expect(a.mic).toBeUndefined()
    expect(a.lmChallengeResponse.length).toBe(24)
    expect(a.lmChallengeResponse.equals(Buffer.alloc(24))).toBe(false)
    const v = verifyNtlmv2Response({ ntHash: ntHash('labpass'), user: 'labuser', domain: 'LAB', serverChallenge: Buffer.from('0123456789abcdef', 'hex'), ntChallengeResponse: a.ntChallengeResponse })
    expect(v.ok).toBe(true)
    if (v.ok) expect(exportedSessionKey(a.negotiateFlags, v.sessionBaseKey, a.encryptedRandomSessionKey)).toEqual(client.sessionKey)
  })

  it('anonymous: refused by default, accepted when allowed, with a MIC that verifies', () => {
    const anon = () => new NtlmClient({ user: '', anonymous: true, random: seeded('c8') })
    expect(exchange(anon()).result).toMatchObject({ ok: false, status: 'LOGON_FAILURE', reason: 'anonymous logon is not allowed' })
    const client = anon()
    const { result, auth } = exchange(client, new NtlmServer(serverOptions({ allowAnonymous: true })))
    expect(result).toMatchObject({ ok: true, anonymous: true, user: '', micVerified: true })
    expect(decodeAuthenticate(auth).lmChallengeResponse).toEqual(Buffer.alloc(1))
    if (result.ok) expect(result.sessionKey).toEqual(client.sessionKey)
  })

  it('malformed or out-of-order messages are INVALID_PARAMETER', () => {
    const server = new NtlmServer(serverOptions())
    expect(server.authenticate(Buffer.alloc(10))).toMatchObject({ ok: false, status: 'INVALID_PARAMETER', reason: 'AUTHENTICATE_MESSAGE before any CHALLENGE_MESSAGE' })
    expect(server.challenge(Buffer.from('NTLMSSP\0\x02\0\0\0', 'latin1'))).toMatchObject({ ok: false, status: 'INVALID_PARAMETER' })
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', random: seeded('c9') })
    const c = server.challenge(client.negotiate())
    if (!c.ok) throw new Error(c.reason)
    expect(server.authenticate(Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'))).toMatchObject({ ok: false, status: 'INVALID_PARAMETER', statusCode: NtStatus.InvalidParameter })
    const auth = client.authenticate(c.challenge)
    const shortKey = decodeAuthenticate(auth)
    const bad = encodeAuthenticate({ ...shortKey, encryptedRandomSessionKeyFields: undefined, encryptedRandomSessionKey: Buffer.alloc(5), mic: shortKey.mic, lmChallengeResponseFields: undefined, ntChallengeResponseFields: undefined, domainNameFields: undefined, userNameFields: undefined, workstationFields: undefined })
    expect(server.authenticate(bad)).toMatchObject({ ok: false, status: 'INVALID_PARAMETER', reason: 'EncryptedRandomSessionKey of 5 bytes with NTLMSSP_NEGOTIATE_KEY_EXCH' })
  })

  it('answers a real client\'s NEGOTIATE with the flags Samba answered it with', () => {
    for (const name of ['samba-session-reauth1-first', 'samba-smbclient-encrypted-smb311', 'k6-rpcclient-signed']) {
      const e = EXCHANGES.find((x) => x.name === name)!
      const c = new NtlmServer(serverOptions()).challenge(extractNtlmToken(Buffer.from(e.negotiate.hex, 'hex'))!)
      if (!c.ok) throw new Error(c.reason)
      // Samba in both captures (the rpcclient one is against a Windows DC, which adds TARGET_TYPE_DOMAIN).
      const theirs = Number(e.challenge.tshark['ntlm.negotiateflags'])
      const ours = decodeChallenge(c.challenge).negotiateFlags
      expect(ours, name).toBe(name.startsWith('samba') ? theirs : ((theirs & ~NegotiateFlags.TargetTypeDomain) | NegotiateFlags.TargetTypeServer) >>> 0)
    }
  })

  it('the client answers a real server CHALLENGE (Samba capture) so that the password verifies', () => {
    const samba = EXCHANGES.find((e) => e.name === 'samba-session-reauth1-first')!
    const challenge = extractNtlmToken(Buffer.from(samba.challenge.hex, 'hex'))!
    const client = new NtlmClient({ user: 'labuser', password: 'labpass', domain: 'WORKGROUP', random: seeded('c10') })
    const negotiate = client.negotiate()
    const auth = client.authenticate(challenge)
    const r = sessionKeyFromCapture({ negotiate, challenge, authenticate: auth, password: 'labpass' })
    expect(r).toMatchObject({ ok: true, mic: 'verified' })
    if (r.ok) expect(r.sessionKey).toEqual(client.sessionKey)
    expect(computeMic(client.sessionKey!, negotiate, challenge, auth)).toEqual(auth.subarray(MIC_OFFSET, MIC_OFFSET + 16))
  })
})

describe('SPNEGO: SpnegoNtlmClient <-> SpnegoNtlmServer', () => {
  const clientOpts = { user: 'labuser', password: 'labpass', domain: 'LAB', random: seeded('s1') }

  it('three legs with mechListMICs both ways; both hold the session key', () => {
    const server = new SpnegoNtlmServer(serverOptions())
    const client = new SpnegoNtlmClient(clientOpts)
    expect(decodeSpnego(SpnegoNtlmServer.negotiateToken())).toMatchObject({ kind: 'negTokenInit2', mechTypes: [Oid.Ntlmssp] })
    const first = server.accept(client.initial())
    expect(first).toMatchObject({ status: 'MORE_PROCESSING_REQUIRED', statusCode: NtStatus.MoreProcessingRequired })
    if (first.status !== 'MORE_PROCESSING_REQUIRED') return
    expect(decodeSpnego(first.blob)).toMatchObject({ kind: 'negTokenResp', negState: 1, supportedMech: Oid.Ntlmssp })
    const second = server.accept(client.respond(first.blob))
    expect(second).toMatchObject({ status: 'SUCCESS', statusCode: 0, mechListMicVerified: true, result: { user: 'labuser' } })
    if (second.status !== 'SUCCESS') return
    expect(second.result.sessionKey).toEqual(client.sessionKey)
    expect(decodeSpnego(second.blob!)).toMatchObject({ kind: 'negTokenResp', negState: 0 })
    expect(client.finish(second.blob)).toEqual({ ok: true })
    expect(server.accept(Buffer.alloc(1))).toMatchObject({ status: 'INVALID_PARAMETER', reason: 'the exchange is already over' })
  })

  it('a tampered mechListMIC is refused by the server, and the server\'s by the client', () => {
    const server = new SpnegoNtlmServer(serverOptions())
    const client = new SpnegoNtlmClient(clientOpts)
    const first = server.accept(client.initial())
    if (first.status !== 'MORE_PROCESSING_REQUIRED') throw new Error('expected a challenge')
    const t = decodeSpnego(client.respond(first.blob))
    if (t.kind !== 'negTokenResp') throw new Error('expected a NegTokenResp')
    t.mechListMIC![6] ^= 1
    expect(server.accept(encodeNegTokenResp(t))).toMatchObject({ status: 'LOGON_FAILURE', reason: 'mechListMIC does not verify (the mechanism list was altered)' })
    const key = client.sessionKey!
    const forged = encodeNegTokenResp({ negState: 0, mechListMIC: computeMechListMic(key, client.ntlm.negotiatedFlags, 'client', [Oid.Ntlmssp]) })
    expect(client.finish(forged)).toEqual({ ok: false, reason: "the server's mechListMIC does not verify" })
  })

  it('wrong password over SPNEGO', () => {
    const server = new SpnegoNtlmServer(serverOptions())
    const client = new SpnegoNtlmClient({ ...clientOpts, password: 'nope' })
    const first = server.accept(client.initial())
    if (first.status !== 'MORE_PROCESSING_REQUIRED') throw new Error('expected a challenge')
    expect(server.accept(client.respond(first.blob))).toMatchObject({ status: 'LOGON_FAILURE', statusCode: NtStatus.LogonFailure, blob: undefined })
  })

  it('raw NTLMSSP clients are answered with raw NTLMSSP', () => {
    const server = new SpnegoNtlmServer(serverOptions())
    const client = new SpnegoNtlmClient(clientOpts, { raw: true })
    const first = server.accept(client.initial())
    if (first.status !== 'MORE_PROCESSING_REQUIRED') throw new Error('expected a challenge')
    expect(first.blob.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0')
    const second = server.accept(client.respond(first.blob))
    expect(second).toMatchObject({ status: 'SUCCESS', blob: undefined })
    if (second.status === 'SUCCESS') expect(second.result.sessionKey).toEqual(client.sessionKey)
  })

  it('NTLM offered second: the server selects it, asks for the NEGOTIATE, then requires the mechListMIC', () => {
    const run = (withMic: boolean) => {
      const server = new SpnegoNtlmServer(serverOptions())
      const ntlm = new SpnegoNtlmClient(clientOpts).ntlm
      const mechTypes = [Oid.Kerberos5, Oid.Ntlmssp]
      const first = server.accept(encodeNegTokenInit({ mechTypes, mechToken: Buffer.from('60020100', 'hex') }))
      expect(first).toMatchObject({ status: 'MORE_PROCESSING_REQUIRED' })
      if (first.status !== 'MORE_PROCESSING_REQUIRED') return undefined
      expect(decodeSpnego(first.blob)).toEqual({ kind: 'negTokenResp', wrapped: false, negState: 3, supportedMech: Oid.Ntlmssp })
      const second = server.accept(encodeNegTokenResp({ responseToken: ntlm.negotiate() }))
      if (second.status !== 'MORE_PROCESSING_REQUIRED') throw new Error('expected a challenge')
      const chal = decodeSpnego(second.blob)
      if (chal.kind !== 'negTokenResp') throw new Error('expected a NegTokenResp')
      const auth = ntlm.authenticate(chal.responseToken!)
      const mic = withMic ? computeMechListMic(ntlm.sessionKey!, ntlm.negotiatedFlags, 'client', mechTypes) : undefined
      return server.accept(encodeNegTokenResp({ responseToken: auth, ...(mic ? { mechListMIC: mic } : {}) }))
    }
    expect(run(true)).toMatchObject({ status: 'SUCCESS', mechListMicVerified: true })
    expect(run(false)).toMatchObject({ status: 'LOGON_FAILURE', reason: 'mechListMIC required (NTLM was not the preferred mechanism) but absent' })
  })

  it('guests: the client\'s mechListMIC cannot be checked and none is sent back', () => {
    const server = new SpnegoNtlmServer(serverOptions({ mapUnknownToGuest: true }))
    const client = new SpnegoNtlmClient({ user: 'visitor', password: 'whatever', random: seeded('g1') })
    const first = server.accept(client.initial())
    if (first.status !== 'MORE_PROCESSING_REQUIRED') throw new Error('expected a challenge')
    const second = server.accept(client.respond(first.blob))
    expect(second).toMatchObject({ status: 'SUCCESS', mechListMicVerified: false, result: { guest: true, sessionKey: undefined } })
    if (second.status === 'SUCCESS') expect(decodeSpnego(second.blob!)).toEqual({ kind: 'negTokenResp', wrapped: false, negState: 0 })
  })

  it('no common mechanism, garbage and wrong order', () => {
    const s1 = new SpnegoNtlmServer(serverOptions())
    expect(s1.accept(encodeNegTokenInit({ mechTypes: [Oid.Kerberos5] }))).toMatchObject({ status: 'NOT_SUPPORTED', statusCode: NtStatus.NotSupported })
    expect(new SpnegoNtlmServer(serverOptions()).accept(Buffer.from('garbage'))).toMatchObject({ status: 'INVALID_PARAMETER', reason: /^bad security buffer: / })
    expect(new SpnegoNtlmServer(serverOptions()).accept(encodeNegTokenResp({ negState: 1 }))).toMatchObject({ status: 'INVALID_PARAMETER', reason: 'expected a NegTokenInit first' })
  })
})
