/**
 * One transport message → the SMB2 messages in it (a compound chain splits on NextCommand, MS-SMB2 3.2.4.1.4),
 * each with its header, decoded body and any trailing padding, and back. Body decode failures are kept on
 * the message (`error`) so a dissector can annotate and go on; header failures end the chain.
 * @module
 */
import { DecodeError, Reader, Writer, isCodecError, type Codec, type Span } from '../wire/index.js'
import { HEADER_SIZE, SMB2_MAGIC, Smb2HeaderCodec, readHeaderFast, readHeaderLoose, type Smb2Header } from './header.js'
import { bodyCodec } from './registry.js'
import { Smb2Flags } from './constants/flags.js'

export interface DecodedMessage {
  /** Position of the header in the input, and the end of this message (exclusive): NextCommand or the end. */
  start: number
  end: number
  header: Smb2Header
  /** The decoded body, or the raw body bytes when the command is unknown or the body did not decode. */
  body: unknown
  /** Name of the codec that decoded the body (`CreateRequest`, `ErrorResponse`, ...), or 'raw'. */
  bodyType: string
  /** Bytes after the body up to `end`: compound padding, the odd byte of an odd StructureSize, junk. */
  trailer: Buffer
  /** Why the body could not be decoded (the header is good). */
  error?: DecodeError
  /** Byte spans of header and body fields, relative to the input buffer (when asked for). */
  spans?: Span[]
}

export interface DecodeOptions {
  dialect?: number
  /** Record field byte spans (for the TUI's hex view). */
  spans?: boolean
  /** Extra context for dependent decoding (e.g. info class of the matching request). */
  extra?: (h: Smb2Header) => Record<string, unknown> | undefined
}

export interface DecodedChain {
  messages: DecodedMessage[]
  /** A failure that stopped the chain (bad header, NextCommand out of range); messages before it are kept. */
  error?: DecodeError
}

/** Decodes every SMB2 message in `buf` (one transport payload, after any decryption/decompression). */
export function decodeChain(buf: Buffer, opts: DecodeOptions = {}): DecodedChain {
  const messages: DecodedMessage[] = []
  let start = 0
  for (let index = 0; start < buf.length; index++) {
    const spans: Span[] | undefined = opts.spans ? [] : undefined
    let header: Smb2Header
    let headerError: DecodeError | undefined
    try {
      if (spans) {
        const hr = new Reader(buf, start, buf.length, spans)
        hr.path.push('header')
        header = Smb2HeaderCodec.read(hr, { pduStart: start })
      } else header = readHeaderFast(buf, start) // same result, without the span bookkeeping
    } catch (e) {
      if (!isCodecError(e)) throw e
      // A header whose only fault is its StructureSize still names its command and ids (tshark shows them):
      // keep it, with the error, and take the body as raw bytes.
      const loose = buf.length - start >= HEADER_SIZE && buf.readUInt32LE(start) === SMB2_MAGIC ? readHeaderLoose(buf, start) : undefined
      if (!loose) return { messages, error: e as DecodeError }
      header = loose
      headerError = e as DecodeError
    }
    let end = buf.length
    let chainError: DecodeError | undefined
    if (header.nextCommand !== 0) {
      const next = start + header.nextCommand
      if (header.nextCommand < HEADER_SIZE || next > buf.length) {
        chainError = new DecodeError(`nextCommand ${header.nextCommand} points outside the ${buf.length - start} bytes left`, start + 20, ['header', 'nextCommand'])
      } else end = next
    }
    if (headerError) {
      messages.push({ start, end, header, body: buf.subarray(start + HEADER_SIZE, end), bodyType: 'raw', trailer: Buffer.alloc(0), error: headerError, spans })
      return { messages, error: chainError }
    }
    messages.push(decodeBody(buf, start, end, header, opts, spans))
    if (chainError) return { messages, error: chainError }
    if (header.nextCommand === 0) break
    start = end
  }
  return { messages }
}

function decodeBody(buf: Buffer, start: number, end: number, header: Smb2Header, opts: DecodeOptions, spans: Span[] | undefined): DecodedMessage {
  const bodyStart = start + HEADER_SIZE
  const ss = end - bodyStart >= 2 ? buf.readUInt16LE(bodyStart) : undefined
  const codec = bodyCodec(header, ss)
  const msg: DecodedMessage = { start, end, header, body: undefined, bodyType: 'raw', trailer: Buffer.alloc(0), spans }
  if (!codec) {
    msg.body = buf.subarray(bodyStart, end)
    return msg
  }
  const r = new Reader(buf, bodyStart, end, spans)
  r.path.push('body')
  try {
    msg.body = codec.read(r, {
      pduStart: start,
      pduEnd: end,
      dir: header.flags & Smb2Flags.ServerToRedir ? 'response' : 'request',
      dialect: opts.dialect,
      command: header.command,
      status: header.status,
      ...opts.extra?.(header),
    })
    msg.bodyType = codec.name
    msg.trailer = buf.subarray(r.pos, end)
  } catch (e) {
    if (!isCodecError(e)) {
      // A codec bug must not take the dissector down: report it as a decode error at the body start.
      msg.error = new DecodeError(`internal: ${(e as Error).message}`, bodyStart, ['body'])
    } else msg.error = e as DecodeError
    msg.body = buf.subarray(bodyStart, end)
  }
  return msg
}

export interface EncodableMessage {
  header: Smb2Header
  /** A decoded or hand-built body value, or raw bytes. */
  body: unknown
  /** The codec to encode `body` with; defaults to the registry's choice for the header. */
  codec?: Codec<any, any>
  /** Bytes to append after the body (a decoded message's trailer, for byte-exact re-encoding). */
  trailer?: Buffer
}

/** Encodes one message (header + body [+ trailer]) into `w` at its current position. */
export function writeMessage(w: Writer, m: EncodableMessage, opts: { dialect?: number } = {}): void {
  const start = w.pos
  Smb2HeaderCodec.write(w, m.header, { pduStart: start })
  if (Buffer.isBuffer(m.body)) w.bytes(m.body)
  else {
    // A decoded body keeps its StructureSize, which tells an ERROR body (and the OPLOCK_BREAK variant) apart.
    const ss = (m.body as { structureSize?: unknown } | null | undefined)?.structureSize
    const codec = m.codec ?? bodyCodec(m.header, typeof ss === 'number' ? ss : undefined)
    if (!codec) w.fail(`no codec for command 0x${m.header.command.toString(16)}`)
    codec.write(w, m.body, {
      pduStart: start,
      dir: m.header.flags & Smb2Flags.ServerToRedir ? 'response' : 'request',
      dialect: opts.dialect,
      command: m.header.command,
      status: m.header.status,
      // A decoded message's trailer already holds the odd StructureSize byte if the wire had one.
      oddBytePadding: m.trailer === undefined,
    })
  }
  if (m.trailer) w.bytes(m.trailer)
}

/** Encodes one message to a new buffer. */
export function encodeMessage(m: EncodableMessage, opts: { dialect?: number } = {}): Buffer {
  const w = new Writer(512)
  writeMessage(w, m, opts)
  return w.finish()
}

/**
 * Encodes a compound chain: each message but the last is padded to 8 bytes and its NextCommand set
 * (MS-SMB2 3.2.4.1.4), unless the message carries a trailer, whose bytes are then used as they are.
 */
export function encodeChain(ms: readonly EncodableMessage[], opts: { dialect?: number } = {}): Buffer {
  const w = new Writer(1024)
  ms.forEach((m, i) => {
    const start = w.pos
    const last = i === ms.length - 1
    writeMessage(w, { ...m, header: { ...m.header, nextCommand: 0 } }, opts)
    if (!last) {
      if (!m.trailer) w.align(8, start)
      const next = w.pos - start
      w.patch(start + 20, (pw) => pw.u32(next))
    }
  })
  return w.finish()
}
