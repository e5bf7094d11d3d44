/**
 * Kerberos tokens in SMB2 security buffers, recognised but not decrypted: the GSS-API framing of RFC 4121
 * 4.1 (OID, TOK_ID, message), user-to-user TGT-REQ/TGT-REP (draft-ietf-cat-user2user), IAKERB proxying
 * (draft-ietf-kitten-iakerb: TOK_ID 05 01 and an IAKERB-HEADER before a KDC message), and the RFC 4120
 * messages themselves. What travels in clear is shown: realm and server principal of an AP-REQ's ticket,
 * encryption types and key versions, AP options, KRB-ERROR codes, KDC request names.
 * @module
 */
import { DecodeError } from '../wire/errors.js'
import { DerReader, DerTag, applicationTag, type DerNode } from './der.js'
import { isKerberosOid, mechName } from './oids.js'

/** RFC 4121 4.1, draft-ietf-cat-user2user, draft-ietf-kitten-iakerb — TOK_ID values of context tokens. */
export const KrbTokId = {
  ApReq: 0x0100,
  ApRep: 0x0200,
  Error: 0x0300,
  TgtReq: 0x0400,
  TgtRep: 0x0401,
  IakerbProxy: 0x0501,
} as const

/** RFC 4120 5.10 — APPLICATION tag numbers of the messages (they equal msg-type). */
const APPLICATION_TYPES: Record<number, KerberosTokenType> = {
  1: 'TICKET',
  10: 'AS_REQ',
  11: 'AS_REP',
  12: 'TGS_REQ',
  13: 'TGS_REP',
  14: 'AP_REQ',
  15: 'AP_REP',
  20: 'KRB_SAFE',
  21: 'KRB_PRIV',
  22: 'KRB_CRED',
  30: 'KRB_ERROR',
}

export type KerberosTokenType =
  | 'AP_REQ' | 'AP_REP' | 'KRB_ERROR' | 'AS_REQ' | 'AS_REP' | 'TGS_REQ' | 'TGS_REP' | 'TGT_REQ' | 'TGT_REP'
  | 'KRB_SAFE' | 'KRB_PRIV' | 'KRB_CRED' | 'TICKET'

/** RFC 4120 7.5.9 — error codes seen around SMB. */
const ERROR_NAMES: Record<number, string> = {
  6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
  7: 'KDC_ERR_S_PRINCIPAL_UNKNOWN',
  12: 'KDC_ERR_POLICY',
  13: 'KDC_ERR_BADOPTION',
  14: 'KDC_ERR_ETYPE_NOSUPP',
  18: 'KDC_ERR_CLIENT_REVOKED',
  23: 'KDC_ERR_KEY_EXPIRED',
  24: 'KDC_ERR_PREAUTH_FAILED',
  25: 'KDC_ERR_PREAUTH_REQUIRED',
  27: 'KDC_ERR_MUST_USE_USER2USER',
  31: 'KRB_AP_ERR_BAD_INTEGRITY',
  32: 'KRB_AP_ERR_TKT_EXPIRED',
  33: 'KRB_AP_ERR_TKT_NYV',
  34: 'KRB_AP_ERR_REPEAT',
  35: 'KRB_AP_ERR_NOT_US',
  36: 'KRB_AP_ERR_BADMATCH',
  37: 'KRB_AP_ERR_SKEW',
  38: 'KRB_AP_ERR_BADADDR',
  39: 'KRB_AP_ERR_BADVERSION',
  40: 'KRB_AP_ERR_MSG_TYPE',
  41: 'KRB_AP_ERR_MODIFIED',
  42: 'KRB_AP_ERR_BADORDER',
  44: 'KRB_AP_ERR_BADKEYVER',
  45: 'KRB_AP_ERR_NOKEY',
  46: 'KRB_AP_ERR_MUT_FAIL',
  47: 'KRB_AP_ERR_BADDIRECTION',
  48: 'KRB_AP_ERR_METHOD',
  49: 'KRB_AP_ERR_BADSEQ',
  50: 'KRB_AP_ERR_INAPP_CKSUM',
  52: 'KRB_ERR_RESPONSE_TOO_BIG',
  60: 'KRB_ERR_GENERIC',
  68: 'KDC_ERR_WRONG_REALM',
}

/** RFC 3961 8, RFC 3962, RFC 4757, RFC 8009 — encryption type names. */
const ETYPE_NAMES: Record<number, string> = {
  1: 'des-cbc-crc',
  3: 'des-cbc-md5',
  16: 'des3-cbc-sha1-kd',
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'rc4-hmac',
  24: 'rc4-hmac-exp',
}

export const krbErrorName = (code: number): string | undefined => ERROR_NAMES[code]
export const etypeName = (etype: number): string | undefined => ETYPE_NAMES[etype]

/** RFC 4120 5.5.1 — APOptions bits (bit 0 is the most significant bit). */
const AP_OPTION_NAMES = ['reserved', 'use-session-key', 'mutual-required']

export interface EncryptedDataInfo {
  etype: number
  etypeName?: string
  kvno?: number
  cipherLength: number
}

/** What a Kerberos token shows in clear. */
export interface KerberosInfo {
  tokenType: KerberosTokenType
  /** GSS mechanism OID of the framing, when the token had one. */
  mechOid?: string
  mech?: string
  /** RFC 4121 TOK_ID, when the token had GSS framing. */
  tokId?: number
  pvno?: number
  msgType?: number
  /** Realm of the ticket (AP-REQ, TGT-REP), of the request (AS/TGS-REQ) or of the server (KRB-ERROR). */
  realm?: string
  /** Server principal name-string (e.g. ['cifs', 'host.example.com']). */
  sname?: string[]
  snameType?: number
  cname?: string[]
  cnameType?: number
  crealm?: string
  apOptions?: string[]
  ticket?: EncryptedDataInfo
  authenticator?: EncryptedDataInfo
  encPart?: EncryptedDataInfo
  errorCode?: number
  errorName?: string
  eText?: string
  stime?: string
  /** KDC-REQ: requested encryption types. */
  etypes?: number[]
  /** IAKERB: the header before the proxied message. */
  iakerb?: { targetRealm: string; cookie?: Buffer }
}

/**
 * Recognises a Kerberos token: GSS-framed (`0x60 ... OID TOK_ID message`) or a bare RFC 4120 message.
 * Throws only DecodeError.
 */
export function parseKerberosToken(buf: Buffer): KerberosInfo {
  const r = new DerReader(buf, 0, buf.length, ['kerberos'])
  if (r.peekTag() !== applicationTag(0)) return parseKerberosMessage(r)
  const node = r.expect(applicationTag(0), 'initialContextToken')
  if (!r.done) r.fail(`${r.remaining} bytes after the InitialContextToken`)
  const s = r.into(node, 'initialContextToken')
  const oid = s.oid('thisMech')
  if (!isKerberosOid(oid)) s.fail(`GSS token for ${mechName(oid) ?? oid}, not Kerberos`)
  if (s.remaining < 2) s.fail('missing TOK_ID')
  const tokId = s.buf.readUInt16BE(s.pos)
  s.pos += 2
  const base = { mechOid: oid, mech: mechName(oid) ?? oid, tokId }
  if (tokId === KrbTokId.IakerbProxy) {
    const iakerb = s.sequence('IAKERB-HEADER', (h) => {
      const fields = contextFields(h)
      const realmNode = fields.get(1)
      if (!realmNode) return h.fail('IAKERB-HEADER without target-realm')
      const out: { targetRealm: string; cookie?: Buffer } = { targetRealm: stringIn(h, realmNode, 'target-realm') }
      const cookie = fields.get(2)
      if (cookie) out.cookie = h.into(cookie, 'cookie').octetString('cookie')
      return out
    })
    return { ...parseKerberosMessage(s), ...base, iakerb }
  }
  if (tokId === KrbTokId.TgtReq || tokId === KrbTokId.TgtRep) {
    return { ...parseTgtMessage(s, tokId === KrbTokId.TgtReq), ...base }
  }
  const info = parseKerberosMessage(s)
  return { ...info, ...base }
}

/** Elements of a SEQUENCE by context tag number (each `[n]` once; unknown tags kept, order not enforced). */
function contextFields(r: DerReader): Map<number, DerNode> {
  const out = new Map<number, DerNode>()
  while (!r.done) {
    const node = r.read()
    if (node.tagClass !== 2 || !node.constructed) r.fail(`expected a context tag, found 0x${node.tag.toString(16)}`, node.start)
    if (out.has(node.tagNumber)) r.fail(`[${node.tagNumber}] given twice`, node.start)
    out.set(node.tagNumber, node)
  }
  return out
}

function inner(r: DerReader, node: DerNode | undefined, name: string): DerReader | undefined {
  return node ? r.into(node, name) : undefined
}

function intIn(r: DerReader, node: DerNode | undefined, name: string): number | undefined {
  return inner(r, node, name)?.integer(name)
}

/** KerberosString is GeneralString (RFC 4120 5.2.1); IAKERB uses UTF8String. */
function stringIn(r: DerReader, node: DerNode, name: string): string {
  const s = r.into(node, name)
  const tag = s.peekTag()
  if (tag === DerTag.Utf8String) return s.utf8String(name)
  return s.generalString(name)
}

/** RFC 4120 5.2.2 — PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }. */
function principalName(r: DerReader, node: DerNode, name: string): { type: number; names: string[] } {
  return r.into(node, name).sequence('PrincipalName', (s) => {
    const f = contextFields(s)
    const type = intIn(s, f.get(0), 'name-type') ?? 0
    const list = f.get(1)
    const names: string[] = []
    if (list) {
      s.into(list, 'name-string').sequence('name-string', (l) => {
        for (let i = 0; !l.done; i++) names.push(l.generalString(String(i)))
      })
    }
    return { type, names }
  })
}

/** RFC 4120 5.2.9 — EncryptedData ::= SEQUENCE { etype [0], kvno [1] OPTIONAL, cipher [2] OCTET STRING }. */
function encryptedData(r: DerReader, node: DerNode, name: string): EncryptedDataInfo {
  return r.into(node, name).sequence('EncryptedData', (s) => {
    const f = contextFields(s)
    const etype = intIn(s, f.get(0), 'etype')
    if (etype === undefined) return s.fail('EncryptedData without etype')
    const out: EncryptedDataInfo = { etype, cipherLength: 0 }
    const n = etypeName(etype)
    if (n) out.etypeName = n
    const kvno = intIn(s, f.get(1), 'kvno')
    if (kvno !== undefined) out.kvno = kvno
    const cipher = f.get(2)
    if (cipher) out.cipherLength = s.into(cipher, 'cipher').octetString('cipher').length
    return out
  })
}

/** RFC 4120 5.3 — Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }. */
type TicketView = { realm?: string; sname?: { type: number; names: string[] }; encPart?: EncryptedDataInfo }

function ticket(r: DerReader, node: DerNode, name: string): TicketView {
  return ticketAt(r.into(node, name))
}

/** Reads the `[APPLICATION 1]` Ticket at the reader's position. */
function ticketAt(t: DerReader): TicketView {
  return t.nested(applicationTag(1), 'Ticket', (a) =>
    a.sequence('Ticket', (s) => {
      const f = contextFields(s)
      const out: TicketView = {}
      const realm = f.get(1)
      if (realm) out.realm = stringIn(s, realm, 'realm')
      const sname = f.get(2)
      if (sname) out.sname = principalName(s, sname, 'sname')
      const enc = f.get(3)
      if (enc) out.encPart = encryptedData(s, enc, 'enc-part')
      return out
    }),
  )
}

function bitNames(bytes: Buffer, names: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < bytes.length * 8; i++) {
    if (bytes[i >> 3]! & (0x80 >> (i & 7))) out.push(names[i] ?? `bit${i}`)
  }
  return out
}

/** Reads one RFC 4120 message ([APPLICATION n]) and what it shows in clear. */
function parseKerberosMessage(r: DerReader): KerberosInfo {
  const tag = r.peekTag()
  if (tag === undefined) r.fail('empty Kerberos token')
  if ((tag & 0xe0) !== 0x60) r.fail(`expected a Kerberos message ([APPLICATION n]), found 0x${tag.toString(16)}`)
  const appNode = r.read()
  const type = APPLICATION_TYPES[appNode.tagNumber]
  if (!type) throw new DecodeError(`unknown Kerberos message [APPLICATION ${appNode.tagNumber}]`, appNode.start, r.path)
  const info: KerberosInfo = { tokenType: type }
  if (type === 'TICKET') {
    const t = ticketAt(new DerReader(r.buf, appNode.start, appNode.end, r.path))
    if (!r.done) r.fail(`${r.remaining} bytes after the Ticket`)
    return { ...info, ...ticketInfo(t) }
  }
  r.into(appNode, type).sequence(type, (s) => {
    const f = contextFields(s)
    const isKdcReq = type === 'AS_REQ' || type === 'TGS_REQ'
    // KDC-REQ numbers its fields from 1 (pvno [1], msg-type [2]); every other message from 0.
    const pvno = intIn(s, f.get(isKdcReq ? 1 : 0), 'pvno')
    const msgType = intIn(s, f.get(isKdcReq ? 2 : 1), 'msg-type')
    if (pvno !== undefined) info.pvno = pvno
    if (msgType !== undefined) info.msgType = msgType
    switch (type) {
      case 'AP_REQ': {
        const opts = f.get(2)
        if (opts) info.apOptions = bitNames(s.into(opts, 'ap-options').bitString('ap-options').bytes, AP_OPTION_NAMES)
        const t = f.get(3)
        if (t) Object.assign(info, ticketInfo(ticket(s, t, 'ticket')))
        const auth = f.get(4)
        if (auth) info.authenticator = encryptedData(s, auth, 'authenticator')
        break
      }
      case 'AP_REP':
      case 'KRB_PRIV':
      case 'KRB_CRED': {
        const enc = f.get(type === 'KRB_CRED' ? 3 : 2)
        if (enc) info.encPart = encryptedData(s, enc, 'enc-part')
        break
      }
      case 'KRB_ERROR': {
        const code = intIn(s, f.get(6), 'error-code')
        if (code !== undefined) {
          info.errorCode = code
          const n = krbErrorName(code)
          if (n) info.errorName = n
        }
        const stime = f.get(4)
        if (stime) info.stime = s.into(stime, 'stime').generalizedTime('stime')
        const crealm = f.get(7)
        if (crealm) info.crealm = stringIn(s, crealm, 'crealm')
        const cname = f.get(8)
        if (cname) Object.assign(info, named('c', principalName(s, cname, 'cname')))
        const realm = f.get(9)
        if (realm) info.realm = stringIn(s, realm, 'realm')
        const sname = f.get(10)
        if (sname) Object.assign(info, named('s', principalName(s, sname, 'sname')))
        const eText = f.get(11)
        if (eText) info.eText = stringIn(s, eText, 'e-text')
        break
      }
      case 'AS_REQ':
      case 'TGS_REQ': {
        const body = f.get(4)
        if (body) {
          s.into(body, 'req-body').sequence('KDC-REQ-BODY', (b) => {
            const bf = contextFields(b)
            const cname = bf.get(1)
            if (cname) Object.assign(info, named('c', principalName(b, cname, 'cname')))
            const realm = bf.get(2)
            if (realm) info.realm = stringIn(b, realm, 'realm')
            const sname = bf.get(3)
            if (sname) Object.assign(info, named('s', principalName(b, sname, 'sname')))
            const etypes = bf.get(8)
            if (etypes) {
              const list: number[] = []
              b.into(etypes, 'etype').sequence('etype', (l) => {
                for (let i = 0; !l.done; i++) list.push(l.integer(String(i)))
              })
              info.etypes = list
            }
          })
        }
        break
      }
      case 'AS_REP':
      case 'TGS_REP': {
        const crealm = f.get(3)
        if (crealm) info.crealm = stringIn(s, crealm, 'crealm')
        const cname = f.get(4)
        if (cname) Object.assign(info, named('c', principalName(s, cname, 'cname')))
        const t = f.get(5)
        if (t) Object.assign(info, ticketInfo(ticket(s, t, 'ticket')))
        const enc = f.get(6)
        if (enc) info.encPart = encryptedData(s, enc, 'enc-part')
        break
      }
      default:
        break
    }
  })
  if (!r.done) r.fail(`${r.remaining} bytes after the Kerberos message`)
  return info
}

function named(prefix: 'c' | 's', p: { type: number; names: string[] }): Partial<KerberosInfo> {
  return prefix === 'c' ? { cname: p.names, cnameType: p.type } : { sname: p.names, snameType: p.type }
}

function ticketInfo(t: TicketView): Partial<KerberosInfo> {
  const out: Partial<KerberosInfo> = {}
  if (t.realm !== undefined) out.realm = t.realm
  if (t.sname) Object.assign(out, named('s', t.sname))
  if (t.encPart) out.ticket = t.encPart
  return out
}

/**
 * draft-ietf-cat-user2user — KERB-TGT-REQUEST ::= SEQUENCE { pvno [0], msg-type [1], server-name [2]
 * PrincipalName OPTIONAL, realm [3] OPTIONAL }; KERB-TGT-REPLY ::= SEQUENCE { pvno [0], msg-type [1],
 * ticket [2] Ticket }.
 */
function parseTgtMessage(r: DerReader, request: boolean): KerberosInfo {
  const info: KerberosInfo = { tokenType: request ? 'TGT_REQ' : 'TGT_REP' }
  r.sequence(request ? 'KERB-TGT-REQUEST' : 'KERB-TGT-REPLY', (s) => {
    const f = contextFields(s)
    const pvno = intIn(s, f.get(0), 'pvno')
    const msgType = intIn(s, f.get(1), 'msg-type')
    if (pvno !== undefined) info.pvno = pvno
    if (msgType !== undefined) info.msgType = msgType
    if (request) {
      const sname = f.get(2)
      if (sname) Object.assign(info, named('s', principalName(s, sname, 'server-name')))
      const realm = f.get(3)
      if (realm) info.realm = stringIn(s, realm, 'realm')
    } else {
      const t = f.get(2)
      if (t) Object.assign(info, ticketInfo(ticket(s, t, 'ticket')))
    }
  })
  if (!r.done) r.fail(`${r.remaining} bytes after the ${info.tokenType}`)
  return info
}

/** True when the bytes look like a bare RFC 4120 message (an APPLICATION tag of a known message type). */
export function looksLikeKerberosMessage(buf: Buffer): boolean {
  const tag = buf[0]
  return tag !== undefined && (tag & 0xe0) === 0x60 && APPLICATION_TYPES[tag & 0x1f] !== undefined && tag !== applicationTag(0)
}

