/**
 * MS-NLMP 2.2.1 — NEGOTIATE_MESSAGE, CHALLENGE_MESSAGE and AUTHENTICATE_MESSAGE.
 *
 * The three messages share one layout idea that the struct DSL cannot express: payload fields are
 * (Len u16, MaxLen u16, BufferOffset u32) triples counted from the message start, and the tail of the
 * header (Version, MIC, in old messages even the target info fields) is there only when the payload starts
 * after it. So each message is declared as a table of header elements plus payload items, and one engine
 * (`ntlmCodec`) reads and writes every message from its table. A field kind of its own, `fields`, is the
 * triple; decoded values keep the wire numbers (offset, length, maxLength) and an optional header element
 * absent on the wire decodes as `undefined`, so re-encoding a captured message is byte-exact. On encode an
 * absent triple is computed (payloads packed after the header in table order, MaxLen = Len).
 *
 * Header presence rule (how Windows, Samba and older peers are read): the header extends up to the first
 * non-empty payload (or the end of the message when every payload is empty); an optional element is present
 * when it fits before that point.
 * @module
 */
import { DecodeError, EncodeError } from '../../wire/errors.js'
import { Reader } from '../../wire/reader.js'
import { Writer } from '../../wire/writer.js'
import type { Codec, Ctx } from '../../wire/struct.js'
import { NegotiateFlags, NtlmMessageType, NTLMSSP_SIGNATURE } from './constants.js'
import { AvPair, type AvPairInput, NtlmVersion, type NtlmVersionInput } from './structures.js'

/** MS-NLMP 2.2.1 — a payload field triple (DomainNameFields, UserNameFields, ...). */
export interface PayloadFields {
  length: number
  maxLength: number
  bufferOffset: number
}

/** MS-NLMP 2.2.1.1 — NEGOTIATE_MESSAGE. DomainName and Workstation are OEM strings. */
export interface NegotiateMessage {
  messageType: 1
  negotiateFlags: number
  domainNameFields: PayloadFields | undefined
  workstationFields: PayloadFields | undefined
  version: NtlmVersion | undefined
  domainName: string
  workstation: string
  /** Bytes after the last payload, when there are any. */
  trailingBytes?: Buffer
}
export interface NegotiateMessageInput {
  messageType?: 1
  negotiateFlags: number
  domainNameFields?: PayloadFields
  workstationFields?: PayloadFields
  version?: NtlmVersionInput
  domainName?: string
  workstation?: string
  trailingBytes?: Buffer
}

/** MS-NLMP 2.2.1.2 — CHALLENGE_MESSAGE. TargetName is UTF-16 or OEM per NTLMSSP_NEGOTIATE_UNICODE. */
export interface ChallengeMessage {
  messageType: 2
  targetNameFields: PayloadFields
  negotiateFlags: number
  serverChallenge: Buffer
  reserved: Buffer | undefined
  targetInfoFields: PayloadFields | undefined
  version: NtlmVersion | undefined
  targetName: string
  targetInfo: AvPair[]
  trailingBytes?: Buffer
}
export interface ChallengeMessageInput {
  messageType?: 2
  targetNameFields?: PayloadFields
  negotiateFlags: number
  serverChallenge: Buffer
  reserved?: Buffer
  targetInfoFields?: PayloadFields
  version?: NtlmVersionInput
  targetName?: string
  targetInfo?: AvPairInput[]
  trailingBytes?: Buffer
}

/**
 * MS-NLMP 2.2.1.3 — AUTHENTICATE_MESSAGE. DomainName, UserName and Workstation are UTF-16 or OEM per
 * NTLMSSP_NEGOTIATE_UNICODE in this message's flags.
 */
export interface AuthenticateMessage {
  messageType: 3
  lmChallengeResponseFields: PayloadFields
  ntChallengeResponseFields: PayloadFields
  domainNameFields: PayloadFields
  userNameFields: PayloadFields
  workstationFields: PayloadFields
  encryptedRandomSessionKeyFields: PayloadFields
  negotiateFlags: number
  version: NtlmVersion | undefined
  mic: Buffer | undefined
  lmChallengeResponse: Buffer
  ntChallengeResponse: Buffer
  domainName: string
  userName: string
  workstation: string
  encryptedRandomSessionKey: Buffer
  trailingBytes?: Buffer
}
export interface AuthenticateMessageInput {
  messageType?: 3
  lmChallengeResponseFields?: PayloadFields
  ntChallengeResponseFields?: PayloadFields
  domainNameFields?: PayloadFields
  userNameFields?: PayloadFields
  workstationFields?: PayloadFields
  encryptedRandomSessionKeyFields?: PayloadFields
  negotiateFlags: number
  version?: NtlmVersionInput
  mic?: Buffer
  lmChallengeResponse?: Buffer
  ntChallengeResponse?: Buffer
  domainName?: string
  userName?: string
  workstation?: string
  encryptedRandomSessionKey?: Buffer
  trailingBytes?: Buffer
}

export type NtlmMessage = NegotiateMessage | ChallengeMessage | AuthenticateMessage
export type NtlmMessageInput = NegotiateMessageInput | ChallengeMessageInput | AuthenticateMessageInput

/** Offset of the MIC field in an AUTHENTICATE_MESSAGE that has one (MS-NLMP 2.2.1.3). */
export const MIC_OFFSET = 72

// ---------------------------------------------------------------------------------------------------------
// The layout tables

type HeaderElement =
  | { key: string; kind: 'u32' }
  | { key: string; kind: 'bytes'; size: number }
  | { key: string; kind: 'version' }
  | { key: string; kind: 'fields'; item: string }

type ItemKind = 'oem' | 'text' | 'bytes' | 'avPairs'

interface MessageLayout {
  name: string
  messageType: number
  /** Header elements after Signature and MessageType, in wire order. */
  header: Array<HeaderElement & { optional?: boolean }>
  /** Payload items in canonical encoding order. */
  items: Array<{ key: string; kind: ItemKind }>
}

const fieldsOf = (item: string, optional = false) => ({ key: `${item}Fields`, kind: 'fields' as const, item, optional })

const NEGOTIATE: MessageLayout = {
  name: 'NegotiateMessage',
  messageType: NtlmMessageType.Negotiate,
  header: [
    { key: 'negotiateFlags', kind: 'u32' },
    fieldsOf('domainName', true),
    fieldsOf('workstation', true),
    { key: 'version', kind: 'version', optional: true },
  ],
  items: [{ key: 'domainName', kind: 'oem' }, { key: 'workstation', kind: 'oem' }],
}

const CHALLENGE: MessageLayout = {
  name: 'ChallengeMessage',
  messageType: NtlmMessageType.Challenge,
  header: [
    fieldsOf('targetName'),
    { key: 'negotiateFlags', kind: 'u32' },
    { key: 'serverChallenge', kind: 'bytes', size: 8 },
    { key: 'reserved', kind: 'bytes', size: 8, optional: true },
    fieldsOf('targetInfo', true),
    { key: 'version', kind: 'version', optional: true },
  ],
  items: [{ key: 'targetName', kind: 'text' }, { key: 'targetInfo', kind: 'avPairs' }],
}

const AUTHENTICATE: MessageLayout = {
  name: 'AuthenticateMessage',
  messageType: NtlmMessageType.Authenticate,
  header: [
    fieldsOf('lmChallengeResponse'),
    fieldsOf('ntChallengeResponse'),
    fieldsOf('domainName'),
    fieldsOf('userName'),
    fieldsOf('workstation'),
    fieldsOf('encryptedRandomSessionKey'),
    { key: 'negotiateFlags', kind: 'u32' },
    { key: 'version', kind: 'version', optional: true },
    { key: 'mic', kind: 'bytes', size: 16, optional: true },
  ],
  items: [
    { key: 'lmChallengeResponse', kind: 'bytes' },
    { key: 'ntChallengeResponse', kind: 'bytes' },
    { key: 'domainName', kind: 'text' },
    { key: 'userName', kind: 'text' },
    { key: 'workstation', kind: 'text' },
    { key: 'encryptedRandomSessionKey', kind: 'bytes' },
  ],
}

const elementSize = (e: HeaderElement): number =>
  e.kind === 'u32' ? 4 : e.kind === 'bytes' ? e.size : 8

// ---------------------------------------------------------------------------------------------------------
// The engine

function isUnicode(v: Record<string, unknown>): boolean {
  const flags = v['negotiateFlags']
  return typeof flags === 'number' && (flags & NegotiateFlags.Unicode) !== 0
}

function readItem(r: Reader, kind: ItemKind, unicode: boolean, ctx: Ctx): unknown {
  switch (kind) {
    case 'bytes':
      return r.rest()
    case 'oem':
      // OEM code page text: kept as latin1 so any byte re-encodes as itself.
      return r.rest().toString('latin1')
    case 'text':
      return unicode ? r.utf16(r.remaining) : r.rest().toString('latin1')
    case 'avPairs': {
      const out: AvPair[] = []
      for (let i = 0; r.remaining > 0; i++) out.push(r.field(String(i), () => AvPair.read(r, ctx)))
      return out
    }
  }
}

function emptyItem(kind: ItemKind): unknown {
  return kind === 'bytes' ? Buffer.alloc(0) : kind === 'avPairs' ? [] : ''
}

function itemBytes(w: Writer, kind: ItemKind, value: unknown, unicode: boolean, ctx: Ctx): Buffer {
  if (value === undefined) return Buffer.alloc(0)
  switch (kind) {
    case 'bytes':
      if (!Buffer.isBuffer(value)) w.fail('expected a Buffer')
      return value
    case 'oem':
      if (typeof value !== 'string') w.fail('expected a string')
      return Buffer.from(value, 'latin1')
    case 'text':
      if (typeof value !== 'string') w.fail('expected a string')
      return Buffer.from(value, unicode ? 'utf16le' : 'latin1')
    case 'avPairs': {
      if (!Array.isArray(value)) w.fail('expected a list of AV_PAIRs')
      const sub = new Writer()
      sub.path.push(...w.path)
      value.forEach((p: AvPairInput, i) => {
        sub.path.push(String(i))
        AvPair.write(sub, p, ctx)
        sub.path.pop()
      })
      return sub.finish()
    }
  }
}

function isPresentItem(value: unknown): boolean {
  if (value === undefined) return false
  if (typeof value === 'string' || Buffer.isBuffer(value) || Array.isArray(value)) return value.length > 0
  return true
}

function ntlmCodec<T, In>(layout: MessageLayout): Codec<T, In> {
  const itemKind = new Map(layout.items.map((i) => [i.key, i.kind]))

  function read(r: Reader, ctx: Ctx): T {
    const start = r.pos
    const out: Record<string, unknown> = {}
    r.field('signature', () => {
      const sig = r.bytes(8)
      if (!sig.equals(NTLMSSP_SIGNATURE)) r.fail(`signature must be "NTLMSSP\\0", got ${sig.toString('hex')}`, start)
    })
    const type = r.field('messageType', () => r.u32())
    if (type !== layout.messageType) {
      throw new DecodeError(`messageType must be ${layout.messageType}, got ${type}`, start + 8, [...r.path, 'messageType'])
    }
    out['messageType'] = type
    // The header ends where the first non-empty payload begins (or at the end of the message).
    let headerEnd = r.end - start
    let pos = 12
    let tailEnded = false
    for (const e of layout.header) {
      const size = elementSize(e)
      if (e.optional && (tailEnded || pos + size > headerEnd)) {
        // Absent on the wire: this element and every one after it lie in the payload.
        tailEnded = true
        out[e.key] = undefined
        continue
      }
      const v = r.field(e.key, () => {
        switch (e.kind) {
          case 'u32':
            return r.u32()
          case 'bytes':
            return r.bytes(size)
          case 'version':
            return NtlmVersion.read(r, ctx)
          case 'fields':
            return { length: r.u16(), maxLength: r.u16(), bufferOffset: r.u32() }
        }
      })
      pos += size
      out[e.key] = v
      if (e.kind === 'fields') {
        const f = v as PayloadFields
        if (f.length > 0) {
          if (f.bufferOffset < pos) {
            throw new DecodeError(`${e.item} at offset ${f.bufferOffset} overlaps the header (${pos} bytes so far)`, start + pos - 8, [...r.path, e.key])
          }
          headerEnd = Math.min(headerEnd, f.bufferOffset)
        }
      }
    }
    if (pos > headerEnd) {
      throw new DecodeError(`a payload starts at offset ${headerEnd}, inside the ${pos}-byte header`, start + headerEnd, r.path)
    }
    let end = start + pos
    const unicode = isUnicode(out)
    for (const e of layout.header) {
      if (e.kind !== 'fields') continue
      const kind = itemKind.get(e.item)!
      const f = out[e.key] as PayloadFields | undefined
      if (!f || f.length === 0) {
        out[e.item] = emptyItem(kind)
        continue
      }
      const s = start + f.bufferOffset
      if (s + f.length > r.end) {
        throw new DecodeError(
          `${e.item} [${f.bufferOffset}, +${f.length}) runs past the end of the message (${r.end - start})`,
          s,
          [...r.path, e.key],
        )
      }
      const sub = new Reader(r.buf, s, s + f.length, r.spans)
      sub.path.push(...r.path, e.item)
      out[e.item] = readItem(sub, kind, unicode, ctx)
      if (r.spans) r.spans.push({ path: sub.path.join('.'), start: s, end: s + f.length })
      end = Math.max(end, s + f.length)
    }
    if (end < r.end) {
      // Bytes after the last payload (Metasploit ends its NEGOTIATE with a NUL): kept so they re-encode.
      out['trailingBytes'] = r.field('trailingBytes', () => {
        r.seek(end)
        return r.rest()
      })
    }
    r.pos = r.end
    return out as T
  }

  function write(w: Writer, value: In, ctx: Ctx): void {
    const v = value as Record<string, unknown>
    const start = w.pos
    const given = v['messageType']
    if (given !== undefined && given !== layout.messageType) w.fail(`messageType must be ${layout.messageType}`)
    w.bytes(NTLMSSP_SIGNATURE)
    w.u32(layout.messageType)
    // Optional elements are written up to the last one the value has (earlier absent ones as zeros).
    let last = -1
    layout.header.forEach((e, i) => {
      const present = e.kind === 'fields' ? v[e.key] !== undefined || isPresentItem(v[e.item]) : v[e.key] !== undefined
      if (!e.optional || present) last = i
    })
    const unicode = isUnicode(v)
    const fieldsAt = new Map<string, number>()
    layout.header.slice(0, last + 1).forEach((e) => {
      w.path.push(e.key)
      const x = v[e.key]
      switch (e.kind) {
        case 'u32':
          if (typeof x !== 'number') w.fail(`missing field ${e.key}`)
          w.u32(x)
          break
        case 'bytes':
          if (x === undefined) w.zeros(e.size)
          else if (!Buffer.isBuffer(x) || x.length !== e.size) w.fail(`expected ${e.size} bytes`)
          else w.bytes(x)
          break
        case 'version':
          if (x === undefined) w.zeros(8)
          else NtlmVersion.write(w, x as NtlmVersionInput, ctx)
          break
        case 'fields':
          fieldsAt.set(e.item, w.pos)
          w.zeros(8) // written below, once the payload is placed
          break
      }
      w.path.pop()
    })
    const headerEnd = w.pos
    let cursor = headerEnd
    for (const item of layout.items) {
      const at = fieldsAt.get(item.key)
      if (at === undefined) continue
      w.path.push(item.key)
      const data = itemBytes(w, item.kind, v[item.key], unicode, ctx)
      const f = v[`${item.key}Fields`] as PayloadFields | undefined
      const offset = f?.bufferOffset ?? cursor - start
      const length = f?.length ?? data.length
      const maxLength = f?.maxLength ?? data.length
      if (data.length > 0) {
        w.moveTo(start + offset)
        w.bytes(data)
        if (f?.bufferOffset === undefined) cursor = w.pos
      }
      w.patch(at, (pw) => {
        pw.u16(length)
        pw.u16(maxLength)
        pw.u32(offset)
      })
      w.path.pop()
    }
    w.moveTo(Math.max(w.length, headerEnd))
    const trailing = v['trailingBytes']
    if (trailing !== undefined) {
      if (!Buffer.isBuffer(trailing)) w.fail('trailingBytes must be a Buffer')
      w.bytes(trailing)
    }
  }

  return { name: layout.name, read, write }
}

export const NegotiateMessage = ntlmCodec<NegotiateMessage, NegotiateMessageInput>(NEGOTIATE)
export const ChallengeMessage = ntlmCodec<ChallengeMessage, ChallengeMessageInput>(CHALLENGE)
export const AuthenticateMessage = ntlmCodec<AuthenticateMessage, AuthenticateMessageInput>(AUTHENTICATE)

const BY_TYPE: Record<number, Codec<NtlmMessage, NtlmMessageInput>> = {
  1: NegotiateMessage as Codec<NtlmMessage, NtlmMessageInput>,
  2: ChallengeMessage as Codec<NtlmMessage, NtlmMessageInput>,
  3: AuthenticateMessage as Codec<NtlmMessage, NtlmMessageInput>,
}

/** True when the bytes start with the NTLMSSP signature. */
export function isNtlmssp(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE)
}

/** Decodes any NTLMSSP message (the whole buffer is the message). Throws only DecodeError. */
export function decodeNtlmMessage(buf: Buffer, spans?: Reader['spans']): NtlmMessage {
  const r = new Reader(buf, 0, buf.length, spans)
  if (buf.length < 12) r.fail(`an NTLMSSP message has at least 12 bytes, got ${buf.length}`)
  if (!isNtlmssp(buf)) r.fail(`signature must be "NTLMSSP\\0", got ${buf.subarray(0, 8).toString('hex')}`)
  const type = buf.readUInt32LE(8)
  const codec = BY_TYPE[type]
  if (!codec) throw new DecodeError(`unknown NTLMSSP message type ${type}`, 8, ['messageType'])
  return codec.read(r, { pduStart: 0 })
}

export function decodeNegotiate(buf: Buffer): NegotiateMessage {
  return NegotiateMessage.read(new Reader(buf), { pduStart: 0 })
}
export function decodeChallenge(buf: Buffer): ChallengeMessage {
  return ChallengeMessage.read(new Reader(buf), { pduStart: 0 })
}
export function decodeAuthenticate(buf: Buffer): AuthenticateMessage {
  return AuthenticateMessage.read(new Reader(buf), { pduStart: 0 })
}

function encodeWith<In>(c: Codec<unknown, In>, v: In): Buffer {
  const w = new Writer()
  c.write(w, v, { pduStart: 0 })
  return w.finish()
}

export function encodeNegotiate(v: NegotiateMessageInput): Buffer {
  return encodeWith(NegotiateMessage, v)
}
export function encodeChallenge(v: ChallengeMessageInput): Buffer {
  return encodeWith(ChallengeMessage, v)
}
export function encodeAuthenticate(v: AuthenticateMessageInput): Buffer {
  return encodeWith(AuthenticateMessage, v)
}

/** Encodes a decoded (or built) message of any type. */
export function encodeNtlmMessage(v: NtlmMessage | (NtlmMessageInput & { messageType: 1 | 2 | 3 })): Buffer {
  const codec = BY_TYPE[v.messageType]
  if (!codec) throw new EncodeError(`unknown NTLMSSP message type ${String(v.messageType)}`, ['messageType'])
  return encodeWith(codec, v as NtlmMessageInput)
}
