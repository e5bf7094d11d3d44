/**
 * Recognising an SMB transport message by its first bytes: MS-SMB2 2.1 (Direct TCP transport: a zero byte and a
 * 24-bit big-endian length, then the message), 2.2.1 (0xFE 'SMB' header, StructureSize 64), 2.2.41 (0xFD transform
 * header, 52 bytes), 2.2.42 (0xFC compression transform header, 8 or 16 bytes) and MS-SMB 2.2.3.1 (0xFF SMB1 header,
 * 32 bytes plus WordCount and ByteCount). Used to resynchronise a stream after lost bytes and to recognise SMB on
 * ports other than 445/139.
 * @module
 */
import { Smb2Flags } from '../smb2/constants/flags.js'

/** The first byte of each SMB protocol identifier ('SMB' follows it). */
export const SmbProtocol = {
  Smb2: 0xfe,
  Transform: 0xfd,
  Compression: 0xfc,
  Smb1: 0xff,
} as const

/** The smallest message each protocol identifier can start (the fixed header). */
const MIN_MESSAGE_SIZE: Record<number, number> = { 0xfe: 64, 0xfd: 52, 0xfc: 8, 0xff: 35 }

/** How many bytes from the start of a transport frame `plausibleTransportHeader` looks at. */
export const TRANSPORT_PROBE_SIZE = 10

/**
 * The protocol byte (0xFE, 0xFD, 0xFC or 0xFF) when `buf[off..off+4)` is an SMB protocol identifier, else -1.
 * The caller guarantees four bytes are there.
 */
export function smbProtocolAt(buf: Buffer, off: number): number {
  const p = buf[off]!
  if (p < 0xfc || buf[off + 1] !== 0x53 || buf[off + 2] !== 0x4d || buf[off + 3] !== 0x42) return -1
  return p
}

/**
 * Whether `buf[p..p+10)` looks like the start of a Direct TCP frame carrying an SMB message: type 0x00, a length
 * that fits the protocol's fixed header and `maxLength`, the protocol identifier, and for 0xFE a StructureSize
 * of 64. The caller guarantees `TRANSPORT_PROBE_SIZE` bytes are there.
 */
export function plausibleTransportHeader(buf: Buffer, p: number, maxLength: number): boolean {
  if (buf[p] !== 0) return false
  const len = (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!
  const proto = smbProtocolAt(buf, p + 4)
  if (proto < 0 || len > maxLength || len < MIN_MESSAGE_SIZE[proto]!) return false
  if (proto === SmbProtocol.Smb2) return buf[p + 8] === 64 && buf[p + 9] === 0
  return true
}

/**
 * Who sent a message, judged by its header: 'request' or 'response' for an SMB2 header (SMB2_FLAGS_SERVER_TO_REDIR,
 * MS-SMB2 2.2.1.1) or an SMB1 header (SMB_FLAGS_REPLY, MS-SMB 2.2.3.1), undefined when the header does not tell
 * (transform and compression headers hide it).
 */
export function messageDirection(msg: Buffer): 'request' | 'response' | undefined {
  if (msg.length < 20) return undefined
  const proto = smbProtocolAt(msg, 0)
  if (proto === SmbProtocol.Smb2) return msg.readUInt32LE(16) & Smb2Flags.ServerToRedir ? 'response' : 'request'
  if (proto === SmbProtocol.Smb1) return msg[9]! & 0x80 ? 'response' : 'request'
  return undefined
}
