/**
 * Keys and signatures: learns session keys from the captured exchange (with --password) or from a key list
 * (--keys), follows the preauth integrity hash, decrypts transform messages, decompresses, and checks
 * signatures. Also decodes SESSION_SETUP and NEGOTIATE security buffers (SPNEGO, NTLMSSP, Kerberos) into the
 * record and keeps one row per session for the summary. All cryptography comes from dissect/crypto and
 * dissect/auth.
 * @module
 */
import { parseSecurityBlob, sessionKeyFromCapture, type SecurityBlobInfo } from '../auth/index.js'
import { decompressMessage } from '../compress/index.js'
import {
  CipherId, decryptMessage, deriveSessionKeys, PreauthTracker, readTransformHeader, verify, type SessionKeys,
} from '../crypto/index.js'
import { Smb2Command } from '../smb2/constants/command.js'
import { dialectName } from '../smb2/constants/dialect.js'
import { Smb2Flags, SessionFlags } from '../smb2/constants/flags.js'
import { NtStatus } from '../smb2/constants/status.js'
import type { DecodedMessage } from '../smb2/message.js'
import { isCodecError } from '../wire/index.js'
import { hex64, type SmbRecord } from './record.js'
import type { SessionRow } from './summary.js'

export interface KeyEntry {
  sessionId: bigint
  sessionKey?: Buffer
  /** Server-to-client and client-to-server decryption keys, when given directly. */
  serverToClient?: Buffer
  clientToServer?: Buffer
}

export interface SecurityOptions {
  passwords?: string[]
  keys?: KeyEntry[]
}

export type DecryptResult = { ok: true; plain: Buffer; sessionId: bigint } | { ok: false; sessionId: bigint; reason: string }

const CIPHER_NAMES: Record<number, string> = { 1: 'AES-128-CCM', 2: 'AES-128-GCM', 3: 'AES-256-CCM', 4: 'AES-256-GCM' }
const ALL_CIPHERS = [CipherId.Aes128Ccm, CipherId.Aes128Gcm, CipherId.Aes256Ccm, CipherId.Aes256Gcm]

interface ConnSecurity {
  preauth: PreauthTracker
  dialect?: number
  cipherId?: number
  signingAlgorithmId?: number
  /** NTLM NEGOTIATE blobs of exchanges whose SessionId the response has not yet named, by MessageId. */
  pendingNegotiate: Map<bigint, Buffer>
}

interface SessionInfo {
  sessionId: bigint
  conn: string
  dialect?: number
  cipherId?: number
  signingAlgorithmId?: number
  user?: string
  domain?: string
  workstation?: string
  auth?: string
  negotiate?: Buffer
  challenge?: Buffer
  authenticate?: Buffer
  sessionFlags?: number
  status?: string
  keys?: SessionKeys
  /** Direct decryption keys from --keys. */
  c2s?: Buffer
  s2c?: Buffer
  sessionKey?: Buffer
  keySource?: string
  keyError?: string
  signed: number
  badSignatures: number
  encrypted: number
  signingRequired?: boolean
}

export class SecurityTracker {
  private readonly conns = new Map<string, ConnSecurity>()
  private readonly sessions = new Map<bigint, SessionInfo>()
  private readonly keyEntries = new Map<bigint, KeyEntry>()

  constructor(readonly opts: SecurityOptions) {
    for (const k of opts.keys ?? []) this.keyEntries.set(k.sessionId, k)
  }

  private conn(id: string): ConnSecurity {
    let c = this.conns.get(id)
    if (!c) {
      c = { preauth: new PreauthTracker(), pendingNegotiate: new Map() }
      this.conns.set(id, c)
    }
    return c
  }

  private session(id: bigint, conn: string): SessionInfo {
    let s = this.sessions.get(id)
    if (!s) {
      s = { sessionId: id, conn, signed: 0, badSignatures: 0, encrypted: 0 }
      const c = this.conns.get(conn)
      if (c) {
        s.dialect = c.dialect
        s.cipherId = c.cipherId
        s.signingAlgorithmId = c.signingAlgorithmId
      }
      this.sessions.set(id, s)
      const entry = this.keyEntries.get(id)
      if (entry) this.applyKeyEntry(s, entry)
    }
    return s
  }

  private applyKeyEntry(s: SessionInfo, e: KeyEntry): void {
    s.keySource = '--keys'
    if (e.serverToClient) s.s2c = e.serverToClient
    if (e.clientToServer) s.c2s = e.clientToServer
    if (e.sessionKey) s.sessionKey = e.sessionKey
  }

  /** Derives the session's keys once its dialect (and for 3.1.1 its preauth hash) is known. */
  private derive(s: SessionInfo, c: ConnSecurity | undefined): void {
    if (!s.sessionKey || s.keys) return
    const dialect = s.dialect ?? c?.dialect
    if (dialect === undefined) return
    try {
      s.keys = deriveSessionKeys({
        dialect,
        sessionKey: s.sessionKey,
        preauthHash: dialect === 0x0311 ? c?.preauth.sessionContext(s.sessionId) : undefined,
        cipherId: s.cipherId ?? c?.cipherId,
        signingAlgorithmId: s.signingAlgorithmId ?? c?.signingAlgorithmId,
      })
    } catch (e) {
      s.keyError = (e as Error).message
    }
  }

  decrypt(connId: string, data: Buffer, fromClient: boolean): DecryptResult {
    let sessionId = 0n
    try {
      sessionId = readTransformHeader(data).sessionId
    } catch (e) {
      return { ok: false, sessionId, reason: `bad transform header: ${(e as Error).message}` }
    }
    const s = this.sessions.get(sessionId) ?? (this.keyEntries.has(sessionId) ? this.session(sessionId, connId) : undefined)
    if (!s) return { ok: false, sessionId, reason: `encrypted for session ${hex64(sessionId)}, whose setup is not in the capture (give --keys)` }
    this.derive(s, this.conns.get(connId))
    const key = fromClient ? s.keys?.serverInKey ?? s.c2s : s.keys?.serverOutKey ?? s.s2c
    if (!key) {
      const why = s.keyError ?? (s.auth === 'Kerberos' ? 'Kerberos session: give its key with --keys' : this.opts.passwords?.length ? 'the password does not match this session' : 'no key: give --password or --keys')
      return { ok: false, sessionId, reason: `encrypted (session ${hex64(sessionId)}): ${why}` }
    }
    const dialect = s.dialect ?? this.conns.get(connId)?.dialect
    const known = s.keys?.cipherId ?? s.cipherId ?? (dialect !== undefined && dialect < 0x0311 ? CipherId.Aes128Ccm : undefined)
    const ciphers = known !== undefined ? [known] : ALL_CIPHERS.filter((c) => (c >= 3) === (key.length === 32))
    let last = ''
    for (const cipher of ciphers) {
      try {
        const plain = decryptMessage(data, key, cipher)
        if (known === undefined) s.cipherId = cipher
        s.encrypted++
        return { ok: true, plain, sessionId }
      } catch (e) {
        last = (e as Error).message
      }
    }
    return { ok: false, sessionId, reason: `decryption failed (session ${hex64(sessionId)}): ${last}` }
  }

  decompress(data: Buffer): { ok: true; plain: Buffer } | { ok: false; reason: string } {
    try {
      return { ok: true, plain: decompressMessage(data) }
    } catch (e) {
      if (isCodecError(e) || e instanceof Error) return { ok: false, reason: `compressed message: ${(e as Error).message}` }
      throw e
    }
  }

  /** Called for every decoded SMB2 message, before the trace tracker looks at it. */
  onMessage(connId: string, _conn: unknown, m: DecodedMessage, raw: Buffer, _whole: Buffer, rec: SmbRecord): void {
    const c = this.conn(connId)
    const h = m.header
    c.preauth.observe(raw)
    const response = (h.flags & Smb2Flags.ServerToRedir) !== 0
    const body = m.error ? undefined : (m.body as Record<string, unknown>)
    if (h.command === Smb2Command.Negotiate && body) this.negotiate(c, response, body, rec)
    else if (h.command === Smb2Command.SessionSetup && body) this.sessionSetup(connId, c, m, response, body, rec)
    if (h.sessionId !== 0n && (h.flags & Smb2Flags.Signed) !== 0) this.checkSignature(connId, h.sessionId, raw, rec)
    else if (rec.encrypted) {
      const s = this.sessions.get(h.sessionId)
      if (s) rec.signature = undefined
    }
  }

  private negotiate(c: ConnSecurity, response: boolean, body: Record<string, unknown>, rec: SmbRecord): void {
    const blob = body['securityBuffer']
    if (Buffer.isBuffer(blob) && blob.length) this.attachBlob(rec, body, blob)
    if (!response) return
    if (typeof body['dialectRevision'] === 'number' && body['dialectRevision'] !== 0x02ff) c.dialect = body['dialectRevision']
    // The codec gives the list as an array (older shapes wrapped it as { list }).
    const contexts = body['negotiateContextList'] as Array<Record<string, unknown>> | { list?: Array<Record<string, unknown>> } | undefined
    const list = Array.isArray(contexts) ? contexts : (contexts?.list ?? [])
    for (const ctx of list) {
      const v = ctx['value'] as Record<string, unknown> | undefined
      if (!v) continue
      if (ctx['contextType'] === 2 && Array.isArray(v['ciphers']) && v['ciphers'].length) c.cipherId = v['ciphers'][0] as number
      if (ctx['contextType'] === 8 && Array.isArray(v['signingAlgorithms']) && v['signingAlgorithms'].length) c.signingAlgorithmId = v['signingAlgorithms'][0] as number
    }
  }

  private attachBlob(rec: SmbRecord, body: Record<string, unknown>, blob: Buffer): SecurityBlobInfo {
    const info = parseSecurityBlob(blob)
    rec.body = { ...body, securityBlob: info }
    return info
  }

  private sessionSetup(connId: string, c: ConnSecurity, m: DecodedMessage, response: boolean, body: Record<string, unknown>, rec: SmbRecord): void {
    const h = m.header
    const blob = Buffer.isBuffer(body['securityBuffer']) ? (body['securityBuffer'] as Buffer) : Buffer.alloc(0)
    const info = blob.length ? this.attachBlob(rec, body, blob) : undefined
    const nt = info?.ntlmssp
    if (!response) {
      if (h.sessionId === 0n) {
        if (nt?.messageType === 1) c.pendingNegotiate.set(h.messageId, blob)
        return
      }
      const s = this.session(h.sessionId, connId)
      if (info?.kerberos || (info?.mech && /kerberos/i.test(info.mech))) s.auth = 'Kerberos'
      if (nt?.messageType === 1) s.negotiate = blob
      if (nt?.messageType === 3) {
        s.authenticate = blob
        s.auth = 'NTLMSSP'
        const a = nt as unknown as Record<string, unknown>
        if (typeof a['userName'] === 'string') s.user = a['userName'] as string
        if (typeof a['domainName'] === 'string') s.domain = a['domainName'] as string
        if (typeof a['workstation'] === 'string') s.workstation = a['workstation'] as string
        if (nt.responseKind === 'anonymous') s.user = s.user || '(anonymous)'
      }
      return
    }
    if (h.sessionId === 0n) return
    const s = this.session(h.sessionId, connId)
    s.dialect ??= c.dialect
    s.cipherId ??= c.cipherId
    s.signingAlgorithmId ??= c.signingAlgorithmId
    const neg = c.pendingNegotiate.get(h.messageId)
    if (neg) {
      s.negotiate = neg
      c.pendingNegotiate.delete(h.messageId)
    }
    if (nt?.messageType === 2) {
      s.challenge = blob
      s.auth ??= 'NTLMSSP'
    }
    if (info?.kerberos) s.auth = 'Kerberos'
    if (typeof body['sessionFlags'] === 'number') s.sessionFlags = body['sessionFlags'] as number
    if (h.status === NtStatus.MoreProcessingRequired) return
    s.status = h.status === NtStatus.Success ? 'established' : `failed 0x${h.status.toString(16)}`
    if (h.status !== NtStatus.Success) return
    if (!s.sessionKey && s.challenge && s.authenticate) {
      const passwords = this.opts.passwords?.length ? this.opts.passwords : ['']
      let reason = ''
      for (const password of passwords) {
        const r = sessionKeyFromCapture({ negotiate: s.negotiate, challenge: s.challenge, authenticate: s.authenticate, serverFinal: blob.length ? blob : undefined, password })
        if (r.ok) {
          s.sessionKey = r.sessionKey
          s.keySource = r.anonymous ? 'anonymous' : '--password'
          reason = ''
          break
        }
        reason = r.reason
      }
      if (reason && this.opts.passwords?.length) s.keyError = reason
    }
    this.derive(s, c)
  }

  private checkSignature(connId: string, sessionId: bigint, raw: Buffer, rec: SmbRecord): void {
    const s = this.sessions.get(sessionId)
    if (!s) {
      rec.signature = 'unchecked'
      return
    }
    s.signed++
    this.derive(s, this.conns.get(connId))
    if (!s.keys) {
      rec.signature = 'unchecked'
      return
    }
    const ok = verify(raw, s.keys.signingKey, s.keys.signingAlgorithm)
    rec.signature = ok ? 'valid' : 'invalid'
    if (!ok) {
      s.badSignatures++
      rec.notes = [...(rec.notes ?? []), { severity: 'warning', group: 'security', message: 'bad signature' }]
    }
  }

  closeConnection(conn: string): void {
    this.conns.delete(conn)
  }

  sessionRows(): SessionRow[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: hex64(s.sessionId),
      conn: s.conn,
      user: s.user,
      domain: s.domain,
      workstation: s.workstation,
      auth: s.auth,
      dialect: s.dialect !== undefined ? dialectName(s.dialect) : undefined,
      signing: s.signed ? `${s.signed} signed${s.keys ? `, ${s.badSignatures} bad` : ''}` : s.sessionFlags !== undefined ? 'off' : undefined,
      encryption: s.encrypted || (s.sessionFlags ?? 0) & SessionFlags.EncryptData ? 'yes' : undefined,
      cipher: s.cipherId !== undefined && (s.encrypted || (s.sessionFlags ?? 0) & SessionFlags.EncryptData) ? CIPHER_NAMES[s.cipherId] : undefined,
      keyKnown: s.keys !== undefined || s.c2s !== undefined || s.s2c !== undefined,
      status: s.status,
    }))
  }
}
