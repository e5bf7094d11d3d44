/**
 * Real captures as the oracle: for every fixture (fixtures/*.json, extracted by fixtures/extract.py) this
 * follows the connection the way the dissector will — preauth chains, key derivation when the session
 * setup succeeds, decryption of transform messages, signature checks — and compares with tshark 4.0.17
 * (its "Decrypted SMB3" bytes) and with the keys published beside the captures.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CipherId, SigningAlgorithm, isCipherId, nonceLength } from './constants.js'
import { decryptMessage, encryptMessage, readTransformHeader } from './encryption.js'
import { CryptoError } from './errors.js'
import { deriveSessionKeys, type SessionKeys } from './kdf.js'
import { PreauthIntegrityHash, PreauthTracker, preauthRole } from './preauth.js'
import { SIGNATURE_OFFSET, chainParts, sign, signInPlace, verify, verifyChain } from './signing.js'

interface Frame {
  frame: number
  dir: 'request' | 'response'
  messages: string[]
  tsharkDecrypted?: string[]
}
interface Fixture {
  capture: string
  keys: string
  dialect: number
  cipherId?: number
  signingAlgorithm?: number
  sessionKey: string
  sessionId?: string
  serverInKey?: string
  serverOutKey?: string
  preauthHashes?: string[]
  frames: Frame[]
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f, fx: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture }))

const hex = (s: string) => Buffer.from(s, 'hex')

interface Walk {
  keys: Map<bigint, SessionKeys>
  decrypted: number
  reencrypted: number
  signedChecked: number
  signedGood: number
  /** Signed messages that arrived inside a transform (reported separately: peers differ). */
  signedInsideTransform: { frame: number; good: boolean }[]
  compoundSignedChecked: number
  preauthValues: Buffer[]
  failures: string[]
}

/** Follows one fixture's connection in capture order. */
function walk(fx: Fixture): Walk {
  const w: Walk = { keys: new Map(), decrypted: 0, reencrypted: 0, signedChecked: 0, signedGood: 0, signedInsideTransform: [], compoundSignedChecked: 0, preauthValues: [], failures: [] }
  const tracker = new PreauthTracker()
  // An independent, explicit chain for the wiki's published intermediate values.
  const manual = new PreauthIntegrityHash()
  let manualSession: PreauthIntegrityHash | undefined
  const cipherId = fx.cipherId ?? CipherId.Aes128Ccm
  for (const f of fx.frames) {
    f.messages.forEach((m, i) => {
      let buf: Buffer = hex(m)
      let fromTransform = false
      if (buf.readUInt32LE(0) === 0x424d53fd) {
        const th = readTransformHeader(buf)
        const keys = w.keys.get(th.sessionId)
        if (!keys) {
          w.failures.push(`frame ${f.frame}: no keys for session 0x${th.sessionId.toString(16)}`)
          return
        }
        const key = f.dir === 'request' ? keys.serverInKey! : keys.serverOutKey!
        const cid = fx.dialect === 0x0311 ? cipherId : CipherId.Aes128Ccm
        const plain = decryptMessage(buf, key, cid)
        w.decrypted++
        const expected = f.tsharkDecrypted?.[i]
        if (expected === undefined) w.failures.push(`frame ${f.frame}: tshark shows no decrypted bytes`)
        else if (plain.toString('hex') !== expected) w.failures.push(`frame ${f.frame}: decrypted bytes differ from tshark`)
        if (!isCipherId(cid)) throw new Error('bad cipher')
        // Known-answer test: the captured nonce and plaintext give back the captured bytes exactly.
        const again = encryptMessage(plain, { key, cipherId: cid, sessionId: th.sessionId, nonce: th.nonce.subarray(0, nonceLength(cid)), flags: th.flags })
        if (again.equals(buf)) w.reencrypted++
        else w.failures.push(`frame ${f.frame}: re-encryption differs`)
        buf = plain
        fromTransform = true
      }
      if (buf.readUInt32LE(0) !== 0x424d53fe) return
      const parts = chainParts(buf)
      let chainSession = 0n
      for (const p of parts) {
        const msg = buf.subarray(p.start, p.end)
        tracker.observe(msg)
        const role = preauthRole(msg)
        if (role === 'connection') {
          if ((msg.readUInt32LE(16) & 1) === 0) manual.reset()
          manual.update(msg)
          w.preauthValues.push(manual.value)
          manualSession = undefined
        } else if (role === 'session') {
          manualSession ??= manual.fork()
          manualSession.update(msg)
          w.preauthValues.push(manualSession.value)
        }
        const command = msg.readUInt16LE(12)
        const flags = msg.readUInt32LE(16)
        // A related compound message says 0xFFFFFFFFFFFFFFFF: the session of the message before it (MS-SMB2 3.2.4.1.4).
        const wireSession = msg.readBigUInt64LE(40)
        const sessionId = flags & 4 && wireSession === 0xffff_ffff_ffff_ffffn ? chainSession : wireSession
        chainSession = sessionId
        if (command === 1 && flags & 1 && msg.readUInt32LE(8) === 0) {
          w.keys.set(sessionId, deriveSessionKeys({
            dialect: fx.dialect,
            sessionKey: hex(fx.sessionKey),
            preauthHash: fx.dialect === 0x0311 ? tracker.sessionContext(sessionId) : undefined,
            cipherId: fx.cipherId,
            signingAlgorithmId: fx.signingAlgorithm,
          }))
        }
        if (flags & 8) {
          const keys = w.keys.get(sessionId)
          if (!keys) {
            w.failures.push(`frame ${f.frame}: signed message for unknown session 0x${sessionId.toString(16)}`)
            continue
          }
          const good = verify(msg, keys.signingKey, keys.signingAlgorithm)
          if (fromTransform) {
            w.signedInsideTransform.push({ frame: f.frame, good })
            continue
          }
          w.signedChecked++
          if (good) w.signedGood++
          else w.failures.push(`frame ${f.frame}: bad signature (command ${command}, ${flags & 1 ? 'response' : 'request'})`)
          if (parts.length > 1) w.compoundSignedChecked++
          // signInPlace on a copy with the signature wiped gives back the captured bytes.
          const copy = Buffer.from(msg)
          copy.fill(0xee, SIGNATURE_OFFSET, SIGNATURE_OFFSET + 16)
          if (!signInPlace(copy, keys.signingKey, keys.signingAlgorithm).equals(msg)) w.failures.push(`frame ${f.frame}: signInPlace differs`)
        }
      }
      if (parts.length > 1 && (buf.readUInt32LE(16) & 8) !== 0 && !fromTransform) {
        const keys = w.keys.get(buf.readBigUInt64LE(40))
        if (!keys) throw new Error(`frame ${f.frame}: no keys for the chain`)
        if (!verifyChain(buf, keys.signingKey, keys.signingAlgorithm).every(Boolean)) w.failures.push(`frame ${f.frame}: verifyChain failed`)
      }
    })
  }
  return w
}

describe('real captures', () => {
  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(17)
  })

  for (const { name, fx } of fixtures) {
    describe(`${name} (${fx.capture})`, () => {
      const w = walk(fx)
      const sessionKeys = [...w.keys.values()]

      it('follows the connection without a failure', () => {
        expect(w.failures).toEqual([])
        expect(sessionKeys.length).toBeGreaterThan(0)
      })

      if (fx.serverInKey && fx.serverOutKey) {
        it('derives the published ServerIn / ServerOut keys', () => {
          expect(sessionKeys[0]!.serverInKey!.toString('hex')).toBe(fx.serverInKey)
          expect(sessionKeys[0]!.serverOutKey!.toString('hex')).toBe(fx.serverOutKey)
        })
      }

      if (fx.preauthHashes) {
        it('computes each published preauth integrity hash value', () => {
          expect(w.preauthValues.map((v) => v.toString('hex')).slice(0, fx.preauthHashes!.length)).toEqual(fx.preauthHashes)
        })
      }

      const transforms = fx.frames.filter((f) => f.messages.some((m) => m.startsWith('fd534d42'))).length
      if (transforms > 0) {
        it(`decrypts all ${transforms} transform messages to tshark's bytes and re-encrypts them exactly`, () => {
          expect(w.decrypted).toBe(transforms)
          expect(w.reencrypted).toBe(transforms)
        })
      }

      const signedPlain = fx.frames.filter((f) => f.messages.some((m) => m.startsWith('fe534d42') && (hex(m).readUInt32LE(16) & 8) !== 0)).length
      if (signedPlain > 0) {
        it(`verifies all ${signedPlain} signed messages`, () => {
          expect(w.signedChecked).toBeGreaterThanOrEqual(signedPlain)
          expect(w.signedGood).toBe(w.signedChecked)
        })
      }
    })
  }
})

describe('what the captures cover', () => {
  const byName = Object.fromEntries(fixtures.map(({ name, fx }) => [name, { fx, w: walk(fx) }]))
  const get = (n: string) => {
    const v = byName[n]
    if (!v) throw new Error(`missing fixture ${n}`)
    return v
  }

  it('HMAC-SHA256 (2.1), AES-CMAC (3.0, 3.1.1) and AES-GMAC (3.1.1) signatures verify on real traffic', () => {
    expect(get('lab-smb210-hmac-sign.json').w.signedGood).toBeGreaterThanOrEqual(20)
    expect(get('lab-smb210-hmac-sign.json').fx.dialect).toBe(0x0210)
    expect(get('lab-smb300-cmac-sign.json').w.signedGood).toBeGreaterThanOrEqual(20)
    expect(get('lab-smb311-cmac-sign.json').w.signedGood).toBeGreaterThanOrEqual(20)
    expect(get('lab-smb311-gmac-cancel.json').w.signedGood).toBeGreaterThanOrEqual(20)
    // Final SESSION_SETUP responses signed by Windows (3.0, 3.1.1) and Samba.
    for (const n of ['wireshark-smb300-aes128ccm.json', 'wireshark-smb311-aes128ccm.json', 'wireshark-smb311-aes128gcm.json', 'wiki-smb311-aes128ccm.json', 'samr-smb311-aes256gcm.json']) {
      expect(get(n).w.signedGood, n).toBeGreaterThanOrEqual(1)
    }
  })

  it('a signed CANCEL request verifies with the GMAC nonce bit for CANCEL', () => {
    const { fx, w } = get('lab-smb311-gmac-cancel.json')
    expect(w.failures).toEqual([])
    const cancel = fx.frames.flatMap((f) => f.messages.map(hex)).find((m) => m.readUInt16LE(12) === 0x0c && (m.readUInt32LE(16) & 8) !== 0)
    expect(cancel).toBeDefined()
    const keys = [...w.keys.values()][0]!
    expect(keys.signingAlgorithm).toBe(SigningAlgorithm.AesGmac)
    expect(verify(cancel!, keys.signingKey, SigningAlgorithm.AesGmac)).toBe(true)
    // Without the CANCEL bit (as if it were another request) the nonce differs and so does the MAC.
    const asEcho = Buffer.from(cancel!)
    asEcho.writeUInt16LE(0x0d, 12)
    expect(sign(asEcho, keys.signingKey, SigningAlgorithm.AesGmac).equals(cancel!.subarray(48, 64))).toBe(false)
  })

  it('impacket (3.0) and Metasploit (3.1.1, AES-256-GCM) sign requests inside the transform too; those verify', () => {
    const inside = (n: string) => get(n).w.signedInsideTransform
    expect(inside('samr-smb300-aes128ccm.json').length).toBeGreaterThanOrEqual(4)
    expect(inside('samr-smb311-aes256gcm.json').length).toBeGreaterThanOrEqual(3)
    for (const n of ['samr-smb300-aes128ccm.json', 'samr-smb311-aes256gcm.json']) expect(inside(n).every((x) => x.good), n).toBe(true)
  })

  it('compound chains are signed message by message (GMAC and CMAC)', () => {
    expect(get('lab-smb311-gmac-compound.json').w.compoundSignedChecked).toBeGreaterThanOrEqual(4)
    expect(get('lab-smb311-cmac-compound.json').w.compoundSignedChecked).toBeGreaterThanOrEqual(4)
  })

  it('AES-128-CCM, AES-128-GCM, AES-256-CCM and AES-256-GCM decrypt real traffic', () => {
    expect(get('wireshark-smb300-aes128ccm.json').w.decrypted).toBe(2)
    expect(get('wireshark-smb311-aes128gcm.json').w.decrypted).toBe(2)
    expect(get('lab-smb311-aes256ccm.json').w.decrypted).toBeGreaterThanOrEqual(8)
    expect(get('lab-smb311-aes256gcm.json').w.decrypted).toBeGreaterThanOrEqual(8)
    expect(get('samr-smb311-aes256gcm.json').w.decrypted).toBeGreaterThanOrEqual(6)
  })

  it('AES-256 session keys are 32 bytes, signing keys stay 16', () => {
    const keys = [...get('lab-smb311-aes256gcm.json').w.keys.values()][0]!
    expect(keys.serverInKey!.length).toBe(32)
    expect(keys.serverOutKey!.length).toBe(32)
    expect(keys.signingKey.length).toBe(16)
    // The final SESSION_SETUP response in that capture is signed with the 16-byte key (GMAC, Samba).
    expect(get('lab-smb311-aes256gcm.json').w.signedGood).toBe(1)
  })

  it('a wrong key or a flipped byte fails with a BAD_TAG CryptoError', () => {
    const { fx } = get('wireshark-smb311-aes128gcm.json')
    const msg = hex(fx.frames.find((f) => f.frame === 8)!.messages[0]!)
    const key = hex(fx.serverOutKey!)
    expect(decryptMessage(msg, key, CipherId.Aes128Gcm).readUInt32LE(0)).toBe(0x424d53fe)
    const wrong = Buffer.from(key)
    wrong[0] = wrong[0]! ^ 1
    expect(() => decryptMessage(msg, wrong, CipherId.Aes128Gcm)).toThrowError(CryptoError)
    for (const at of [4, 20, 40, 50, 60, msg.length - 1]) {
      const bad = Buffer.from(msg)
      bad[at] = bad[at]! ^ 0x80
      try {
        decryptMessage(bad, key, CipherId.Aes128Gcm)
        expect.unreachable(`byte ${at} flipped still decrypted`)
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoError)
        expect((e as CryptoError).code).toBe(at >= 36 && at < 40 ? 'BAD_TRANSFORM' : 'BAD_TAG')
      }
    }
  })
})
