/**
 * MS-SMB2 3.2.5.2 / 3.3.5.4 (and 3.2.5.3.1 / 3.3.5.5) — the SMB 3.1.1 preauth integrity hash: a SHA-512 chain
 * H(n) = SHA-512(H(n-1) || message), starting from 64 zero bytes.
 *
 * - Connection.PreauthIntegrityHashValue takes the NEGOTIATE request, then the NEGOTIATE response.
 * - Session.PreauthIntegrityHashValue starts as a copy of the connection's value after NEGOTIATE
 *   (`fork()`), then takes every SESSION_SETUP request and every SESSION_SETUP response except the final
 *   one that succeeds (STATUS_SUCCESS). Its value after the last request is the KDF context.
 *
 * Messages are the whole SMB2 message (header and body, no transport header), decrypted if they came
 * encrypted.
 * @module
 */
import { createHash } from 'node:crypto'
import { Smb2Command } from '../smb2/constants/command.js'
import { Smb2Flags } from '../smb2/constants/flags.js'
import { NtStatus } from '../smb2/constants/status.js'
import { SMB2_MAGIC } from '../smb2/header.js'

export const PREAUTH_HASH_SIZE = 64
const WILDCARD_DIALECT = 0x02ff
const SMB311 = 0x0311
/** MS-SMB2 2.2.5 SESSION_SETUP request Flags: SMB2_SESSION_FLAG_BINDING. */
const SESSION_FLAG_BINDING = 0x01
/** MS-SMB2 2.2.3.1.1 HashAlgorithm id of SHA-512, the only one defined. */
export const PREAUTH_SHA512 = 0x0001

export class PreauthIntegrityHash {
  private h: Buffer

  constructor(initial?: Buffer) {
    if (initial && initial.length !== PREAUTH_HASH_SIZE) throw new RangeError(`preauth hash must be ${PREAUTH_HASH_SIZE} bytes, got ${initial.length}`)
    this.h = initial ? Buffer.from(initial) : Buffer.alloc(PREAUTH_HASH_SIZE)
  }

  /** The current value (a copy). */
  get value(): Buffer {
    return Buffer.from(this.h)
  }

  /** H = SHA-512(H || message). */
  update(message: Buffer): this {
    this.h = createHash('sha512').update(this.h).update(message).digest()
    return this
  }

  /** Back to 64 zero bytes. */
  reset(): this {
    this.h = Buffer.alloc(PREAUTH_HASH_SIZE)
    return this
  }

  /** A new chain starting from this value: the session's hash starts from the connection's after NEGOTIATE. */
  fork(): PreauthIntegrityHash {
    return new PreauthIntegrityHash(this.h)
  }
}

/**
 * Where a message goes in the preauth chains, judged from its header (MS-SMB2 3.2.5.2, 3.3.5.4, 3.3.5.5):
 * 'connection' for NEGOTIATE requests and responses, 'session' for SESSION_SETUP requests and for
 * SESSION_SETUP responses other than a final success, undefined for everything else (including a
 * SESSION_SETUP response with an error status, which ends the exchange, and the successful final one).
 * A STATUS_MORE_PROCESSING_REQUIRED response is hashed.
 */
export function preauthRole(message: Buffer): 'connection' | 'session' | undefined {
  if (message.length < 64 || message.readUInt32LE(0) !== SMB2_MAGIC) return undefined
  const command = message.readUInt16LE(12)
  const response = (message.readUInt32LE(16) & Smb2Flags.ServerToRedir) !== 0
  if (command === Smb2Command.Negotiate) {
    // A 0x02ff answer to an SMB1 multi-protocol negotiate is not part of the chain (MS-SMB2 3.3.5.3.1).
    if (response && message.length >= 70 && message.readUInt16LE(68) === WILDCARD_DIALECT) return undefined
    return 'connection'
  }
  if (command !== Smb2Command.SessionSetup) return undefined
  if (!response) return 'session'
  return message.readUInt32LE(8) === NtStatus.MoreProcessingRequired ? 'session' : undefined
}

interface SessionState {
  hash: PreauthIntegrityHash
  /** The value after the last SESSION_SETUP request: the KDF context. */
  context?: Buffer
  established: boolean
}

/**
 * Follows the preauth integrity chains of one connection: feed it every SMB2 message (plaintext, in the
 * order the connection carried them) and ask for a session's KDF context once its SESSION_SETUP exchange
 * has succeeded. It applies MS-SMB2 3.2.5.2 / 3.3.5.4 / 3.3.5.5:
 *
 * - each SMB2 NEGOTIATE request restarts the connection chain; a response that selected 3.1.1 extends it
 *   (other dialects do not use it; the 0x02ff answer to an SMB1 negotiate is skipped);
 * - a SESSION_SETUP request for a new session (SessionId 0) or with SMB2_SESSION_FLAG_BINDING starts a
 *   session chain from the connection's value; later requests and STATUS_MORE_PROCESSING_REQUIRED
 *   responses of that exchange extend it; a request on an established session (re-authentication) does
 *   not touch it. Requests and responses are paired by MessageId to learn the new SessionId.
 */
export class PreauthTracker {
  readonly connection = new PreauthIntegrityHash()
  dialect: number | undefined
  private readonly sessions = new Map<bigint, SessionState>()
  /** Session chains started by a request with SessionId 0, by MessageId, until the response names the session. */
  private readonly pending = new Map<bigint, SessionState>()

  observe(message: Buffer): void {
    if (message.length < 64 || message.readUInt32LE(0) !== SMB2_MAGIC) return
    const command = message.readUInt16LE(12)
    // Only NEGOTIATE and SESSION_SETUP take part; every other message leaves here, before any 64-bit read.
    if (command !== Smb2Command.Negotiate && command !== Smb2Command.SessionSetup) return
    const response = (message.readUInt32LE(16) & Smb2Flags.ServerToRedir) !== 0
    const messageId = message.readBigUInt64LE(24)
    const sessionId = message.readBigUInt64LE(40)
    if (command === Smb2Command.Negotiate) {
      if (!response) {
        this.connection.reset()
        this.connection.update(message)
      } else if (message.length >= 70) {
        const dialect = message.readUInt16LE(68)
        if (dialect === WILDCARD_DIALECT) return
        this.dialect = dialect
        if (dialect === SMB311) this.connection.update(message)
      }
      return
    }
    if (command !== Smb2Command.SessionSetup || this.dialect !== SMB311) return
    if (!response) {
      const binding = message.length > 66 && (message[66]! & SESSION_FLAG_BINDING) !== 0
      let s = sessionId === 0n ? undefined : this.sessions.get(sessionId)
      // Every request of a binding exchange carries the flag: only its first one (no chain in progress) starts one.
      if (!s || s.established) {
        if (s && s.established && !binding) return // re-authentication: the chain is not touched
        s = { hash: this.connection.fork(), established: false }
        if (sessionId === 0n) this.pending.set(messageId, s)
        else this.sessions.set(sessionId, s)
      }
      s.hash.update(message)
      s.context = s.hash.value
      return
    }
    const s = this.pending.get(messageId) ?? this.sessions.get(sessionId)
    if (!s) return
    this.pending.delete(messageId)
    this.sessions.set(sessionId, s)
    const status = message.readUInt32LE(8)
    if (status === NtStatus.MoreProcessingRequired) s.hash.update(message)
    else if (status === NtStatus.Success) s.established = true
    else if (!s.established) this.sessions.delete(sessionId) // a failed exchange ends its chain
  }

  /** The KDF context of a session: its hash value after its last SESSION_SETUP request. */
  sessionContext(sessionId: bigint): Buffer | undefined {
    const c = this.sessions.get(sessionId)?.context
    return c ? Buffer.from(c) : undefined
  }
}
