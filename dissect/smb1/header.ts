/**
 * MS-CIFS 2.2.3.1 SMB1 header and 2.2.4.52 NEGOTIATE request, enough to show the multi-protocol NEGOTIATE a
 * client opens with before it moves to SMB2 (MS-SMB2 3.3.5.3.1), and to answer it in the server.
 * @module
 */
import { DecodeError, Reader, Writer, bytesN, custom, fixed, reserved, struct, u16, u32, u8, type Infer } from '../wire/index.js'

export const SMB1_NEGOTIATE = 0x72

/** MS-CIFS 2.2.3.1 — the 32-byte SMB1 header. */
export const Smb1Header = struct('Smb1Header', {
  protocol: fixed(u32, 0x424d53ff),
  command: u8,
  status: u32,
  flags: u8,
  flags2: u16,
  pidHigh: u16,
  securityFeatures: bytesN(8),
  reserved: reserved(u16),
  tid: u16,
  pidLow: u16,
  uid: u16,
  mid: u16,
})
export type Smb1Header = Infer<typeof Smb1Header>

export interface Smb1NegotiateRequest {
  wordCount: number
  byteCount: number
  /** Dialect strings without the 0x02 buffer-format byte, in the client's order. */
  dialects: string[]
}

/** MS-CIFS 2.2.4.52.1 — WordCount 0, then the dialect strings (0x02 + OEM string + NUL). */
export const Smb1NegotiateRequest = custom<Smb1NegotiateRequest>(
  'Smb1NegotiateRequest',
  (r: Reader) => {
    const wordCount = r.field('wordCount', () => r.u8())
    r.skip(wordCount * 2)
    const byteCount = r.field('byteCount', () => r.u16())
    const b = r.field('dialects', () => r.bytes(Math.min(byteCount, r.remaining)))
    const dialects: string[] = []
    let i = 0
    while (i < b.length) {
      if (b[i] !== 0x02) throw new DecodeError(`dialect buffer format 0x${b[i]!.toString(16)} is not 0x02`, r.pos - b.length + i, ['dialects'])
      const end = b.indexOf(0, i + 1)
      const stop = end < 0 ? b.length : end
      dialects.push(b.subarray(i + 1, stop).toString('latin1'))
      i = stop + 1
    }
    return { wordCount, byteCount, dialects }
  },
  (w: Writer, v) => {
    w.u8(0)
    const bytes = Buffer.concat(v.dialects.map((d) => Buffer.concat([Buffer.from([2]), Buffer.from(d, 'latin1'), Buffer.from([0])])))
    w.u16(bytes.length)
    w.bytes(bytes)
  },
)

export interface Smb1Message {
  header: Smb1Header
  negotiate?: Smb1NegotiateRequest
  /** Raw parameter/data bytes of anything but a NEGOTIATE request. */
  rest?: Buffer
}

export function decodeSmb1(buf: Buffer): Smb1Message {
  const r = new Reader(buf)
  r.path.push('smb1')
  const header = Smb1Header.read(r, { pduStart: 0 })
  const isResponse = (header.flags & 0x80) !== 0
  if (header.command === SMB1_NEGOTIATE && !isResponse) return { header, negotiate: Smb1NegotiateRequest.read(r, { pduStart: 0 }) }
  return { header, rest: r.rest() }
}
