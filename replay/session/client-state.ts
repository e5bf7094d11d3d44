/**
 * What the client knows about one live connection: the negotiated dialect, security mode, capabilities and
 * sizes (MS-SMB2 3.2.5.2), the cipher and signing algorithm of 3.1.1 negotiate contexts, the preauth
 * integrity chain (3.2.5.2 / 3.2.5.3.1), and per session the keys and whether its messages must be signed
 * or encrypted (3.2.5.3, 3.2.5.5).
 * @module
 */
import { CipherId, deriveSessionKeys, PreauthTracker, type SessionKeys } from '../../dissect/crypto/index.js'
import { Capabilities, SecurityMode, SessionFlags } from '../../dissect/smb2/constants/flags.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { ShareFlags } from '../../dissect/smb2/constants/tree-connect.js'

export interface LiveSession {
  id: bigint
  keys?: SessionKeys
  established: boolean
  /** SessionFlags of the final SESSION_SETUP response. */
  flags: number
  /** SMB2_SESSION_FLAG_ENCRYPT_DATA: every message of the session is encrypted (MS-SMB2 3.2.5.3.1). */
  encryptData: boolean
  /** The client asked for signing to be required (SESSION_SETUP SecurityMode), so the server checks every message. */
  signingRequired?: boolean
}

export interface NegotiateInfo {
  dialectRevision?: number
  securityMode?: number
  capabilities?: number
  maxTransactSize?: number
  maxReadSize?: number
  maxWriteSize?: number
  negotiateContextList?: Array<{ contextType?: number; value?: Record<string, unknown> }>
}

export class ClientState {
  dialect: number | undefined
  securityMode = 0
  capabilities = 0
  maxReadSize = 65536
  maxWriteSize = 65536
  maxTransactSize = 65536
  cipherId: number | undefined
  signingAlgorithmId: number | undefined
  readonly preauth = new PreauthTracker()
  readonly sessions = new Map<bigint, LiveSession>()
  /** Live TreeIds whose share asks for encryption (SMB2_SHAREFLAG_ENCRYPT_DATA). */
  readonly encryptedTrees = new Set<number>()

  /** MS-SMB2 3.2.5.2: what the NEGOTIATE response tells the client. */
  negotiated(body: NegotiateInfo): void {
    if (body.dialectRevision === undefined || body.dialectRevision === Dialect.Wildcard) return
    this.dialect = body.dialectRevision
    this.securityMode = body.securityMode ?? 0
    this.capabilities = body.capabilities ?? 0
    if (body.maxReadSize) this.maxReadSize = body.maxReadSize
    if (body.maxWriteSize) this.maxWriteSize = body.maxWriteSize
    if (body.maxTransactSize) this.maxTransactSize = body.maxTransactSize
    for (const c of body.negotiateContextList ?? []) {
      const v = c.value
      if (!v) continue
      // MS-SMB2 2.2.4.1.2 / 2.2.4.1.7: the response names exactly one cipher and one signing algorithm.
      if (c.contextType === 2 && Array.isArray(v['ciphers']) && v['ciphers'].length) this.cipherId = v['ciphers'][0] as number
      if (c.contextType === 8 && Array.isArray(v['signingAlgorithms']) && v['signingAlgorithms'].length) this.signingAlgorithmId = v['signingAlgorithms'][0] as number
    }
    if (this.dialect !== Dialect.Smb311 && this.dialect >= Dialect.Smb300) this.cipherId ??= CipherId.Aes128Ccm
  }

  /** Whether the server requires signing (SMB2_NEGOTIATE_SIGNING_REQUIRED). */
  get signingRequired(): boolean {
    return (this.securityMode & SecurityMode.SigningRequired) !== 0
  }

  /** Multi-credit requests are allowed (SMB 2.1+ with SMB2_GLOBAL_CAP_LARGE_MTU). */
  get multiCredit(): boolean {
    return this.dialect !== undefined && this.dialect >= Dialect.Smb210 && (this.capabilities & Capabilities.LargeMtu) !== 0
  }

  /** Encryption is possible on this connection (SMB 3.x and, before 3.1.1, SMB2_GLOBAL_CAP_ENCRYPTION). */
  get canEncrypt(): boolean {
    if (this.dialect === undefined || this.dialect < Dialect.Smb300) return false
    if (this.dialect === Dialect.Smb311) return this.cipherId !== undefined
    return (this.capabilities & Capabilities.Encryption) !== 0
  }

  session(id: bigint): LiveSession {
    let s = this.sessions.get(id)
    if (!s) {
      s = { id, established: false, flags: 0, encryptData: false }
      this.sessions.set(id, s)
    }
    return s
  }

  /**
   * A SESSION_SETUP exchange succeeded: derive the session's keys (MS-SMB2 3.2.5.3.1) from the GSS key and,
   * for 3.1.1, the session's preauth hash. A re-authentication keeps the keys it had.
   */
  established(id: bigint, gssKey: Buffer | undefined, sessionFlags: number): LiveSession {
    const s = this.session(id)
    const reauth = s.established
    s.established = true
    s.flags = sessionFlags
    s.encryptData = (sessionFlags & SessionFlags.EncryptData) !== 0
    const anonymous = (sessionFlags & (SessionFlags.IsGuest | SessionFlags.IsNull)) !== 0
    if (!reauth && gssKey && !anonymous && this.dialect !== undefined) {
      s.keys = deriveSessionKeys({
        dialect: this.dialect,
        sessionKey: gssKey,
        preauthHash: this.dialect === Dialect.Smb311 ? this.preauth.sessionContext(id) : undefined,
        cipherId: this.cipherId,
        signingAlgorithmId: this.signingAlgorithmId,
      })
    }
    return s
  }

  treeConnected(treeId: number, shareFlags: number): void {
    if (shareFlags & ShareFlags.EncryptData) this.encryptedTrees.add(treeId)
    else this.encryptedTrees.delete(treeId)
  }
}
