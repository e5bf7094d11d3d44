/**
 * MS-NEGOEX 2.2 — NEGOEX messages, recognised for the dissector (Windows offers NEGOEX first in its
 * NegTokenInit2 and sends NEGOEX tokens as the optimistic mechToken). A token is a sequence of messages,
 * each with a MESSAGE_HEADER; the auth scheme GUIDs of NEGO and exchange messages are shown.
 * @module
 */
import { Reader } from '../wire/reader.js'
import { fixed, guid, struct, u32, u64, type Infer } from '../wire/struct.js'

/** "NEGOEXTS" read as a little-endian ULONG64 (MS-NEGOEX 2.2.6.2). */
export const NEGOEX_SIGNATURE = 0x535458454f47454en

/** MS-NEGOEX 2.2.6.1 — MESSAGE_TYPE. */
export const NEGOEX_MESSAGE_TYPE_NAMES: Record<number, string> = {
  0: 'INITIATOR_NEGO',
  1: 'ACCEPTOR_NEGO',
  2: 'INITIATOR_META_DATA',
  3: 'ACCEPTOR_META_DATA',
  4: 'CHALLENGE',
  5: 'AP_REQUEST',
  6: 'VERIFY',
  7: 'ALERT',
}

/** MS-NEGOEX 2.2.6.2 — MESSAGE_HEADER. */
export const NegoexMessageHeader = struct('NegoexMessageHeader', {
  signature: fixed(u64, NEGOEX_SIGNATURE),
  messageType: u32,
  sequenceNum: u32,
  cbHeaderLength: u32,
  cbMessageLength: u32,
  conversationId: guid,
})
export type NegoexMessageHeader = Infer<typeof NegoexMessageHeader>

export interface NegoexMessageInfo {
  messageType: number
  messageTypeName: string
  sequenceNum: number
  conversationId: string
  /** NEGO_MESSAGE: the offered auth schemes (GUIDs). */
  authSchemes?: string[]
  /** EXCHANGE_MESSAGE / VERIFY_MESSAGE / ALERT_MESSAGE: the auth scheme. */
  authScheme?: string
  /** EXCHANGE_MESSAGE: size of the exchange bytes. */
  exchangeLength?: number
}

export function isNegoex(buf: Buffer): boolean {
  return buf.length >= 8 && buf.readBigUInt64LE(0) === NEGOEX_SIGNATURE
}

/** Reads every message of a NEGOEX token. Throws only DecodeError. */
export function parseNegoex(buf: Buffer): NegoexMessageInfo[] {
  const out: NegoexMessageInfo[] = []
  const r = new Reader(buf)
  r.path.push('negoex')
  for (let i = 0; r.remaining > 0; i++) {
    const start = r.pos
    r.path.push(String(i))
    const h = NegoexMessageHeader.read(r, { pduStart: start })
    if (h.cbMessageLength < 40 || h.cbHeaderLength < 40 || h.cbHeaderLength > h.cbMessageLength) {
      r.fail(`message of ${h.cbMessageLength} bytes with a ${h.cbHeaderLength}-byte header`, start)
    }
    const m = r.window(start, h.cbMessageLength)
    const info: NegoexMessageInfo = {
      messageType: h.messageType,
      messageTypeName: NEGOEX_MESSAGE_TYPE_NAMES[h.messageType] ?? `0x${h.messageType.toString(16)}`,
      sequenceNum: h.sequenceNum,
      conversationId: h.conversationId,
    }
    m.seek(start + 40)
    if (h.messageType <= 1) {
      // NEGO_MESSAGE: Random[32], ProtocolVersion (8), AuthSchemes {offset u32, count u16, pad u16}, ...
      m.skip(40)
      const offset = m.field('authSchemeArrayOffset', () => m.u32())
      const count = m.field('authSchemeCount', () => m.u16())
      m.field('pad', () => m.u16())
      const list = m.window(start + offset, count * 16)
      info.authSchemes = Array.from({ length: count }, () => list.guid())
    } else if (h.messageType <= 7) {
      info.authScheme = m.field('authScheme', () => m.guid())
      if (h.messageType <= 5) {
        m.field('exchangeOffset', () => m.u32())
        info.exchangeLength = m.field('exchangeLength', () => m.u32())
      }
    }
    r.seek(start + h.cbMessageLength)
    r.path.pop()
    out.push(info)
  }
  return out
}
