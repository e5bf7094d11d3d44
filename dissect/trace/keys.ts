/**
 * `--keys FILE`: one session per line, in the meaning of Wireshark's SMB2 session-key list:
 *   SESSIONID SESSIONKEY [SERVER_TO_CLIENT_KEY CLIENT_TO_SERVER_KEY]
 * SESSIONID is 16 hex digits in wire (little-endian) order, as Wireshark takes it, or `0x…` as a number
 * (as traces show it). Keys are hex; `-` leaves one out. `#` starts a comment; commas and tabs separate too.
 * @module
 */
import type { KeyEntry } from './security.js'

export function parseSessionId(s: string): bigint {
  if (/^0x[0-9a-f]{1,16}$/i.test(s)) return BigInt(s)
  if (/^[0-9a-f]{16}$/i.test(s)) return Buffer.from(s, 'hex').readBigUInt64LE(0)
  throw new Error(`session id ${JSON.stringify(s)}: want 16 hex digits in wire order or 0x-prefixed`)
}

function key(s: string | undefined, what: string, line: number): Buffer | undefined {
  if (s === undefined || s === '-' || s === '') return undefined
  if (!/^([0-9a-f]{2})+$/i.test(s) || ![16, 32].includes(s.length / 2)) throw new Error(`line ${line}: ${what} must be 16 or 32 bytes of hex`)
  return Buffer.from(s, 'hex')
}

export function parseKeyFile(text: string): KeyEntry[] {
  const out: KeyEntry[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) return
    const [sid, sk, s2c, c2s] = line.split(/[\s,]+/)
    let sessionId: bigint
    try {
      sessionId = parseSessionId(sid!)
    } catch (e) {
      throw new Error(`line ${i + 1}: ${(e as Error).message}`)
    }
    const e: KeyEntry = { sessionId, sessionKey: key(sk, 'session key', i + 1), serverToClient: key(s2c, 'server-to-client key', i + 1), clientToServer: key(c2s, 'client-to-server key', i + 1) }
    if (!e.sessionKey && !e.serverToClient && !e.clientToServer) throw new Error(`line ${i + 1}: no key`)
    out.push(e)
  })
  return out
}
