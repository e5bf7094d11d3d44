/**
 * SPNEGO (RFC 4178) as MS-SPNG uses it in SMB2: the GSS-API InitialContextToken wrapper (RFC 2743 3.1:
 * `[APPLICATION 0] { thisMech OID 1.3.6.1.5.5.2, innerContextToken }`), NegTokenInit, NegTokenInit2 (the
 * form servers put in the NEGOTIATE response, MS-SPNG 2.2.1, with negHints) and NegTokenResp.
 *
 * Decoding keeps enough to re-encode the same DER: which NegTokenInit form it was, whether the GSS wrapper
 * was there, and every optional field (absent fields are absent keys). Builders give what our server and
 * client send.
 * @module
 */
import { DecodeError } from '../wire/errors.js'
import { der, DerReader, DerTag, contextTag, applicationTag, type DerBitString } from './der.js'
import { mechName, Oid } from './oids.js'

/** RFC 4178 4.2.2 — negState. */
export const NegState = {
  AcceptCompleted: 0,
  AcceptIncomplete: 1,
  Reject: 2,
  RequestMic: 3,
} as const

export const NEG_STATE_NAMES: Record<number, string> = {
  0: 'accept-completed',
  1: 'accept-incomplete',
  2: 'reject',
  3: 'request-mic',
}

/** RFC 4178 4.2.1 — ContextFlags bits (bit 0 is the most significant bit of the first octet). */
export const CONTEXT_FLAG_NAMES = ['delegFlag', 'mutualFlag', 'replayFlag', 'sequenceFlag', 'anonFlag', 'confFlag', 'integFlag'] as const

/** MS-SPNG 2.2.1 — the hint Windows and Samba put in NegTokenInit2 (RFC 4178 has no such field). */
export const NEG_HINT_PLEASE_IGNORE = 'not_defined_in_RFC4178@please_ignore'

/** MS-SPNG 2.2.1 — NegHints. */
export interface NegHints {
  hintName?: string
  hintAddress?: Buffer
}

/**
 * RFC 4178 4.2.1 NegTokenInit, or MS-SPNG 2.2.1 NegTokenInit2 (`kind: 'negTokenInit2'`: negHints at [3] and
 * mechListMIC at [4]).
 */
export interface NegTokenInit {
  kind: 'negTokenInit' | 'negTokenInit2'
  /** True when the token came inside the GSS-API InitialContextToken wrapper (0x60 ... OID SPNEGO). */
  wrapped: boolean
  mechTypes: string[]
  reqFlags?: DerBitString
  mechToken?: Buffer
  negHints?: NegHints
  mechListMIC?: Buffer
}

/** RFC 4178 4.2.2 — NegTokenResp. */
export interface NegTokenResp {
  kind: 'negTokenResp'
  wrapped: boolean
  negState?: number
  supportedMech?: string
  responseToken?: Buffer
  mechListMIC?: Buffer
}

export type SpnegoToken = NegTokenInit | NegTokenResp

/** True when the buffer starts like a GSS-API InitialContextToken for SPNEGO. */
export function isGssSpnego(buf: Buffer): boolean {
  try {
    return gssMechOid(buf) === Oid.Spnego
  } catch {
    return false
  }
}

/**
 * RFC 2743 3.1 — the mechanism OID of a GSS-API InitialContextToken (`0x60 len 06 len oid ...`).
 * Throws DecodeError when the buffer is not one.
 */
export function gssMechOid(buf: Buffer): string {
  const r = new DerReader(buf, 0, buf.length, ['gss'])
  const node = r.expect(applicationTag(0), 'initialContextToken')
  return r.into(node, 'initialContextToken').oid('thisMech')
}

/**
 * Splits a GSS-API InitialContextToken into its mechanism OID and the inner token (the bytes after the OID).
 */
export function unwrapGss(buf: Buffer): { oid: string; inner: Buffer; innerOffset: number } {
  const r = new DerReader(buf, 0, buf.length, ['gss'])
  const node = r.expect(applicationTag(0), 'initialContextToken')
  const sub = r.into(node, 'initialContextToken')
  const oid = sub.oid('thisMech')
  if (!r.done) r.fail(`${r.remaining} bytes after the InitialContextToken`)
  return { oid, inner: buf.subarray(sub.pos, node.end), innerOffset: sub.pos }
}

/** Wraps an inner token in a GSS-API InitialContextToken for `oid`. */
export function wrapGss(oid: string, inner: Buffer): Buffer {
  return der.application(0, der.oid(oid), inner)
}

/**
 * Decodes a SPNEGO token: a wrapped InitialContextToken (NegTokenInit or NegTokenInit2) or a bare
 * NegotiationToken (`[0]` NegTokenInit or `[1]` NegTokenResp). Throws only DecodeError.
 */
export function decodeSpnego(buf: Buffer): SpnegoToken {
  let start = 0
  let wrapped = false
  if (buf[0] === applicationTag(0)) {
    const { oid, innerOffset } = unwrapGss(buf)
    if (oid !== Oid.Spnego) {
      throw new DecodeError(`GSS token for ${mechName(oid) ?? oid}, not SPNEGO`, 0, ['gss', 'thisMech'])
    }
    start = innerOffset
    wrapped = true
  }
  const r = new DerReader(buf, start, buf.length, ['spnego'])
  const tag = r.peekTag()
  let token: SpnegoToken
  if (tag === contextTag(0)) token = r.explicit(0, 'negTokenInit', (s) => readNegTokenInit(s, wrapped))
  else if (tag === contextTag(1)) token = r.explicit(1, 'negTokenResp', (s) => readNegTokenResp(s, wrapped))
  else return r.fail(`expected a NegotiationToken ([0] or [1]), found ${tag === undefined ? 'nothing' : `0x${tag.toString(16)}`}`)
  if (!r.done) r.fail(`${r.remaining} bytes after the NegotiationToken`)
  return token
}

function readNegTokenInit(r: DerReader, wrapped: boolean): NegTokenInit {
  return r.sequence('NegTokenInit', (s) => {
    const out: NegTokenInit = {
      kind: 'negTokenInit',
      wrapped,
      mechTypes: s.explicit(0, 'mechTypes', (m) => readMechTypeList(m)),
    }
    const reqFlags = s.optionalExplicit(1, 'reqFlags', (x) => x.bitString('ContextFlags'))
    if (reqFlags) out.reqFlags = reqFlags
    const mechToken = s.optionalExplicit(2, 'mechToken', (x) => x.octetString('OCTET STRING'))
    if (mechToken) out.mechToken = mechToken
    if (s.peekTag() === contextTag(3)) {
      // [3] is mechListMIC (OCTET STRING) in RFC 4178 and negHints (SEQUENCE) in MS-SPNG NegTokenInit2.
      const probe = new DerReader(s.buf, s.pos, s.end, s.path).read()
      const isHints = probe.content[0] === DerTag.Sequence
      if (isHints) {
        out.kind = 'negTokenInit2'
        out.negHints = s.explicit(3, 'negHints', readNegHints)
      } else {
        out.mechListMIC = s.explicit(3, 'mechListMIC', (x) => x.octetString('OCTET STRING'))
      }
    }
    if (s.peekTag() === contextTag(4)) {
      if (out.mechListMIC) s.fail('mechListMIC given twice')
      out.kind = 'negTokenInit2'
      out.mechListMIC = s.explicit(4, 'mechListMIC', (x) => x.octetString('OCTET STRING'))
    }
    if (!s.done) s.fail(`unexpected element 0x${s.peekTag()!.toString(16)} in NegTokenInit`)
    return out
  })
}

function readMechTypeList(r: DerReader): string[] {
  return r.sequence('MechTypeList', (s) => {
    const out: string[] = []
    for (let i = 0; !s.done; i++) out.push(s.oid(String(i)))
    return out
  })
}

function readNegHints(r: DerReader): NegHints {
  return r.sequence('NegHints', (s) => {
    const out: NegHints = {}
    const hintName = s.optionalExplicit(0, 'hintName', (x) => x.generalString('GeneralString'))
    if (hintName !== undefined) out.hintName = hintName
    const hintAddress = s.optionalExplicit(1, 'hintAddress', (x) => x.octetString('OCTET STRING'))
    if (hintAddress) out.hintAddress = hintAddress
    return out
  })
}

function readNegTokenResp(r: DerReader, wrapped: boolean): NegTokenResp {
  return r.sequence('NegTokenResp', (s) => {
    const out: NegTokenResp = { kind: 'negTokenResp', wrapped }
    const negState = s.optionalExplicit(0, 'negState', (x) => x.enumerated('ENUMERATED'))
    if (negState !== undefined) out.negState = negState
    const supportedMech = s.optionalExplicit(1, 'supportedMech', (x) => x.oid('MechType'))
    if (supportedMech !== undefined) out.supportedMech = supportedMech
    const responseToken = s.optionalExplicit(2, 'responseToken', (x) => x.octetString('OCTET STRING'))
    if (responseToken) out.responseToken = responseToken
    const mechListMIC = s.optionalExplicit(3, 'mechListMIC', (x) => x.octetString('OCTET STRING'))
    if (mechListMIC) out.mechListMIC = mechListMIC
    if (!s.done) s.fail(`unexpected element 0x${s.peekTag()!.toString(16)} in NegTokenResp`)
    return out
  })
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

/** DER of a MechTypeList (`SEQUENCE OF MechType`): what mechListMIC is computed over (RFC 4178 5). */
export function encodeMechTypeList(mechTypes: readonly string[]): Buffer {
  return der.sequence(...mechTypes.map((o) => der.oid(o)))
}

type InitInput = Omit<NegTokenInit, 'kind' | 'wrapped'> & { kind?: NegTokenInit['kind']; wrapped?: boolean }
type RespInput = Omit<NegTokenResp, 'kind' | 'wrapped'> & { wrapped?: boolean }

/** Encodes a NegTokenInit or NegTokenInit2 (wrapped in the GSS-API header unless `wrapped: false`). */
export function encodeNegTokenInit(t: InitInput): Buffer {
  const init2 = t.kind === 'negTokenInit2' || t.negHints !== undefined
  const parts: Buffer[] = [der.explicit(0, encodeMechTypeList(t.mechTypes))]
  if (t.reqFlags) parts.push(der.explicit(1, der.bitString(t.reqFlags.bytes, t.reqFlags.unusedBits)))
  if (t.mechToken) parts.push(der.explicit(2, der.octetString(t.mechToken)))
  if (t.negHints) {
    const h: Buffer[] = []
    if (t.negHints.hintName !== undefined) h.push(der.explicit(0, der.generalString(t.negHints.hintName)))
    if (t.negHints.hintAddress) h.push(der.explicit(1, der.octetString(t.negHints.hintAddress)))
    parts.push(der.explicit(3, der.sequence(...h)))
  }
  if (t.mechListMIC) parts.push(der.explicit(init2 ? 4 : 3, der.octetString(t.mechListMIC)))
  const token = der.explicit(0, der.sequence(...parts))
  return t.wrapped === false ? token : wrapGss(Oid.Spnego, token)
}

/** Encodes a NegTokenResp (bare unless `wrapped: true`, which no peer does). */
export function encodeNegTokenResp(t: RespInput): Buffer {
  const parts: Buffer[] = []
  if (t.negState !== undefined) parts.push(der.explicit(0, der.enumerated(t.negState)))
  if (t.supportedMech !== undefined) parts.push(der.explicit(1, der.oid(t.supportedMech)))
  if (t.responseToken) parts.push(der.explicit(2, der.octetString(t.responseToken)))
  if (t.mechListMIC) parts.push(der.explicit(3, der.octetString(t.mechListMIC)))
  const token = der.explicit(1, der.sequence(...parts))
  return t.wrapped ? wrapGss(Oid.Spnego, token) : token
}

/** Encodes a decoded token back (byte-exact for DER input). */
export function encodeSpnego(t: SpnegoToken): Buffer {
  return t.kind === 'negTokenResp' ? encodeNegTokenResp(t) : encodeNegTokenInit(t)
}

// ---------------------------------------------------------------------------------------------------------
// What our server and client send

/**
 * MS-SPNG 3.2.5.2 — the NegTokenInit2 a server puts in its NEGOTIATE response: the mechanisms it offers and
 * the "please ignore" hint (what Samba sends when it offers NTLMSSP only).
 */
export function serverNegTokenInit2(mechTypes: readonly string[] = [Oid.Ntlmssp]): Buffer {
  return encodeNegTokenInit({ kind: 'negTokenInit2', mechTypes: [...mechTypes], negHints: { hintName: NEG_HINT_PLEASE_IGNORE } })
}

/** The client's first token: NegTokenInit offering `mechTypes` with the optimistic token of the first. */
export function clientNegTokenInit(mechToken: Buffer, mechTypes: readonly string[] = [Oid.Ntlmssp]): Buffer {
  return encodeNegTokenInit({ mechTypes: [...mechTypes], mechToken })
}

/** The server's NegTokenResp carrying the NTLM CHALLENGE (accept-incomplete, supportedMech NTLMSSP). */
export function serverChallengeResp(challenge: Buffer, supportedMech: string = Oid.Ntlmssp): Buffer {
  return encodeNegTokenResp({ negState: NegState.AcceptIncomplete, supportedMech, responseToken: challenge })
}

/** The server's final NegTokenResp: accept-completed, with its mechListMIC when there is one. */
export function serverAcceptCompleted(mechListMIC?: Buffer): Buffer {
  return encodeNegTokenResp({ negState: NegState.AcceptCompleted, ...(mechListMIC ? { mechListMIC } : {}) })
}

/** The server's reject NegTokenResp. */
export function serverReject(): Buffer {
  return encodeNegTokenResp({ negState: NegState.Reject })
}

/** The client's second token: the NTLM AUTHENTICATE and its mechListMIC. */
export function clientAuthenticateResp(authenticate: Buffer, mechListMIC?: Buffer): Buffer {
  return encodeNegTokenResp({ responseToken: authenticate, ...(mechListMIC ? { mechListMIC } : {}) })
}

/** Names of the ContextFlags set in a reqFlags BIT STRING. */
export function contextFlagNames(bits: DerBitString): string[] {
  const out: string[] = []
  CONTEXT_FLAG_NAMES.forEach((name, i) => {
    const byte = bits.bytes[i >> 3]
    if (byte !== undefined && byte & (0x80 >> (i & 7))) out.push(name)
  })
  return out
}
