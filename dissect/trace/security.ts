/**
 * Keys and signatures: learns session keys from the captured exchange (with --password) or from a key list
 * (--keys), follows the preauth integrity hash, decrypts transform messages, decompresses, and checks
 * signatures. All cryptography comes from dissect/crypto and dissect/auth.
 * @module
 */
import type { DecodedMessage } from '../smb2/message.js'
import type { SmbRecord } from './record.js'
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

export class SecurityTracker {
  constructor(readonly opts: SecurityOptions) {}

  decrypt(_conn: string, data: Buffer, _fromClient: boolean): DecryptResult {
    const sessionId = data.length >= 52 ? data.readBigUInt64LE(44) : 0n
    return { ok: false, sessionId, reason: 'encrypted: decryption not available yet' }
  }

  decompress(_data: Buffer): { ok: true; plain: Buffer } | { ok: false; reason: string } {
    return { ok: false, reason: 'compressed: decompression not available yet' }
  }

  onMessage(_connId: string, _conn: unknown, _m: DecodedMessage, _raw: Buffer, _whole: Buffer, _rec: SmbRecord): void {}

  closeConnection(_conn: string): void {}

  sessionRows(): SessionRow[] {
    return []
  }
}
