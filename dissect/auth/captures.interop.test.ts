/**
 * Sweep over every real capture in ../shared/captures (the committed fixtures hold a selection): each
 * security buffer of every NEGOTIATE response and SESSION_SETUP is extracted with tshark and decoded,
 * re-encoded, compared with tshark's own view, and each NTLM exchange with a known password is verified
 * (NTProofStr, MIC, both mechListMICs; K6 keys against MANIFEST.md). Needs tshark and the captures: skips
 * loudly without them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNtlmMessage, encodeNtlmMessage } from './ntlmssp/messages.js'
import { describeAvPairs } from './ntlmssp/structures.js'
import { extractNtlmToken, parseSecurityBlob } from './security-blob.js'
import { sessionKeyFromCapture } from './session-key.js'
import { decodeSpnego, encodeSpnego } from './spnego.js'

/** The shared captures: $SMBSCOPE_CAPTURES, ../shared/captures (from the checkout), or /work/shared/captures. */
const ROOT = [process.env['SMBSCOPE_CAPTURES'], resolve(process.cwd(), '../shared/captures'), '/work/shared/captures']
  .filter((p): p is string => !!p)
  .find((p) => existsSync(join(p, 'public'))) ?? '/work/shared/captures'
const hasTshark = spawnSync('tshark', ['-v']).status === 0
const hasCaptures = existsSync(join(ROOT, 'public')) && existsSync(join(ROOT, 'samba'))
const skipReason = !hasTshark ? 'tshark is not installed' : !hasCaptures ? `no captures under ${ROOT}` : ''
if (skipReason) console.warn(`SKIPPED captures.interop.test.ts: ${skipReason}`)

const FIELDS = [
  'frame.number', 'tcp.stream', 'smb2.cmd', 'smb2.flags.response', 'smb2.security_blob',
  'ntlmssp.messagetype', 'ntlmssp.negotiateflags', 'ntlmssp.auth.username', 'ntlmssp.auth.domain', 'ntlmssp.auth.hostname',
  'ntlmssp.ntlmserverchallenge', 'ntlmssp.challenge.target_info.nb_computer_name', 'ntlmssp.auth.sesskey',
  'ntlmssp.ntlmv2_response.ntproofstr', 'spnego.MechType', 'spnego.negResult', 'spnego.supportedMech',
  'kerberos.msg_type', 'kerberos.realm', 'kerberos.SNameString',
] as const
type Row = Record<(typeof FIELDS)[number], string>

function rows(file: string): Row[] {
  const args = ['-r', file, '-Y', 'smb2.cmd == 1 || (smb2.cmd == 0 && smb2.flags.response == 1)', '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;']
  for (const f of FIELDS) args.push('-e', f)
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`)
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const parts = line.split('|')
    return Object.fromEntries(FIELDS.map((f, i) => [f, parts[i] ?? ''])) as Row
  })
}

/** Passwords the capture notes give: samba/README.md (labpass) and MANIFEST.md K6 (LabAdm1!). */
function passwordFor(file: string): string | undefined {
  if (file.startsWith('samba/')) return 'labpass'
  if (file.includes('samr-enum-lab')) return 'LabAdm1!'
  return undefined
}

/** MANIFEST.md K6 session keys, by file and SessionId as tshark shows it. */
const K6_KEYS = new Set([
  '168f18edb553111ce5704705d5aa914a', '3044334838484848465a564e56646b7a', '43564c663035376b744244536b614e70', '596d4d7679453156417a466a48635a58',
])

const files = hasCaptures
  ? [
      ...readdirSync(join(ROOT, 'public')).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => `public/${f}`),
      ...readdirSync(join(ROOT, 'samba')).filter((f) => f.endsWith('.pcap')).map((f) => `samba/${f}`),
    ].sort()
  : []

const tsharkString = (s: string) => (s === 'NULL' ? '' : s)

describe.skipIf(!!skipReason)('every security buffer of every capture', () => {
  const verified: string[] = []
  const k6Seen = new Set<string>()
  /** AUTHENTICATE messages seen in captures whose password we know. */
  let withPassword = 0

  for (const file of files) {
    it(file, () => {
      // One SMB2 message per frame (compounds are not used for these commands); '<MISSING>' is an empty buffer.
      const all = rows(join(ROOT, file)).filter((r) => r['smb2.security_blob'] && !r['smb2.security_blob'].includes(';'))
      const exchanges = new Map<string, { negotiate?: Buffer; challenge?: Buffer; authenticate?: Buffer; frame?: string }>()
      for (const r of all) {
        const blob = r['smb2.security_blob'] === '<MISSING>' ? Buffer.alloc(0) : Buffer.from(r['smb2.security_blob'], 'hex')
        const where = `${file} frame ${r['frame.number']}`
        const info = parseSecurityBlob(blob)
        expect(info.error, where).toBeUndefined()
        expect(info.format === 'unknown', where).toBe(false)
        if (info.format === 'spnego') expect(encodeSpnego(decodeSpnego(blob)).equals(blob), where).toBe(true)
        const ntlm = extractNtlmToken(blob)
        if (ntlm) {
          const m = decodeNtlmMessage(ntlm)
          expect(encodeNtlmMessage(m).equals(ntlm), where).toBe(true)
          expect(m.negotiateFlags, where).toBe(Number(r['ntlmssp.negotiateflags']))
          if (m.messageType === 2) {
            expect(m.serverChallenge.toString('hex'), where).toBe(r['ntlmssp.ntlmserverchallenge'])
            expect(describeAvPairs(m.targetInfo).nbComputerName, where).toBe(r['ntlmssp.challenge.target_info.nb_computer_name'] || undefined)
          }
          if (m.messageType === 3) {
            expect([m.userName, m.domainName, m.workstation], where).toEqual(
              [r['ntlmssp.auth.username'], r['ntlmssp.auth.domain'], r['ntlmssp.auth.hostname']].map(tsharkString),
            )
            expect(info.ntlmssp?.ntlmv2Response?.ntProofStr.toString('hex') ?? '', where).toBe(r['ntlmssp.ntlmv2_response.ntproofstr'])
          }
          const key = `${r['tcp.stream']}`
          const x = exchanges.get(key) ?? {}
          if (m.messageType === 1) exchanges.set(key, { negotiate: blob })
          else if (m.messageType === 2) exchanges.set(key, { ...x, challenge: blob })
          else {
            exchanges.set(key, { ...x, authenticate: blob, frame: r['frame.number'] })
            if (passwordFor(file) && info.ntlmssp?.responseKind === 'ntlmv2') withPassword++
          }
        } else if (r['smb2.cmd'] === '1' && r['smb2.flags.response'] === '1') {
          // The final SESSION_SETUP response of an NTLM exchange on this connection.
          const x = exchanges.get(r['tcp.stream'])
          const password = passwordFor(file)
          if (x?.challenge && x.authenticate) {
            exchanges.delete(r['tcp.stream'])
            const res = sessionKeyFromCapture({ negotiate: x.negotiate, challenge: x.challenge, authenticate: x.authenticate, serverFinal: blob, password: password ?? '' })
            if (password || (res.ok && res.anonymous)) {
              if (!res.ok) throw new Error(`${file} frame ${x.frame}: ${res.reason}`)
              if (file.startsWith('samba/')) expect([res.mic, res.clientMechListMic, res.serverMechListMic], where).toEqual(['verified', 'verified', 'verified'])
              if (K6_KEYS.has(res.sessionKey.toString('hex'))) k6Seen.add(res.sessionKey.toString('hex'))
              verified.push(`${file} frame ${x.frame}: ${res.anonymous ? 'anonymous' : `${res.domain}\\${res.user}`} key ${res.sessionKey.toString('hex')} MIC ${res.mic}, mechListMIC ${res.clientMechListMic}/${res.serverMechListMic}`)
              if (!res.anonymous) {
                const wrong = sessionKeyFromCapture({ negotiate: x.negotiate, challenge: x.challenge, authenticate: x.authenticate, password: `${password}-wrong` })
                expect(wrong, where).toEqual({ ok: false, reason: 'NTProofStr does not match: wrong password (or user/domain)' })
              }
            }
          }
        }
        if (info.kerberos && r['kerberos.msg_type']) {
          expect(String(info.kerberos.msgType), where).toBe(r['kerberos.msg_type'].split(';')[0])
          if (r['kerberos.realm']) expect(info.kerberos.realm, where).toBe(r['kerberos.realm'].split(';')[0])
          if (r['kerberos.SNameString']) expect(info.kerberos.sname?.join(';'), where).toBe(r['kerberos.SNameString'])
        }
        if (info.spnego?.kind === 'negTokenResp' && r['spnego.supportedMech']) expect(info.spnego.supportedMech, where).toBe(r['spnego.supportedMech'])
        if (info.spnego && info.spnego.kind !== 'negTokenResp') expect(info.spnego.mechTypes.join(';'), where).toBe(r['spnego.MechType'])
      }
    })
  }

  it('verified sessions (summary)', () => {
    console.log(`${verified.length} NTLM sessions verified:\n${verified.join('\n')}`)
    // Every NTLMv2 logon of a capture with a known password verified (27 in samba/, 5 in SAMR-Enum-Lab).
    expect(verified.filter((v) => !v.includes('anonymous')).length).toBe(withPassword)
    expect(withPassword).toBeGreaterThanOrEqual(32)
    expect([...k6Seen].sort()).toEqual([...K6_KEYS].sort())
  })
})
