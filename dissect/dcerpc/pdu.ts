/**
 * DCE/RPC connection-oriented PDUs (C706 chapter 12, MS-RPCE 2.2.2) as named pipes over SMB2 carry them: the
 * 16-byte common header and the bodies of BIND, BIND_ACK, BIND_NAK, ALTER_CONTEXT(_RESP), REQUEST, RESPONSE and
 * FAULT. Little-endian data representation only (what every SMB client sends); a PDU announcing another one is a
 * DecodeError. The stub data stays raw here; the interface modules (srvsvc.ts) decode it with NDR (ndr.ts).
 * @module
 */
import {
  DecodeError, Reader, Writer, arrayOf, bytes, bytesN, countOf, custom, guid, reserved, struct, u16, u32, u8,
  type Codec, type Infer, type Input,
} from '../wire/index.js'

/** C706 12.6.3.1 — PTYPE values. */
export const PduType = {
  Request: 0,
  Response: 2,
  Fault: 3,
  Bind: 11,
  BindAck: 12,
  BindNak: 13,
  AlterContext: 14,
  AlterContextResp: 15,
  Shutdown: 17,
  CoCancel: 18,
  Orphaned: 19,
} as const

/** C706 12.6.3.1 — pfc_flags. */
export const PfcFlags = {
  FirstFrag: 0x01,
  LastFrag: 0x02,
  PendingCancel: 0x04,
  ConcMpx: 0x10,
  DidNotExecute: 0x20,
  Maybe: 0x40,
  ObjectUuid: 0x80,
} as const

/** NDR, little-endian integers, ASCII characters, IEEE floats (C706 14.1). */
export const DREP_LITTLE_ENDIAN = Buffer.from([0x10, 0x00, 0x00, 0x00])
export const COMMON_HEADER_SIZE = 16

/** C706 12.6.3.1 — the common header of every connection-oriented PDU. */
export const CommonHeader = struct('DcerpcCommonHeader', {
  rpcVers: u8,
  rpcVersMinor: u8,
  ptype: u8,
  pfcFlags: u8,
  packedDrep: bytesN(4),
  fragLength: u16,
  authLength: u16,
  callId: u32,
})
export type CommonHeader = Infer<typeof CommonHeader>

/** C706 12.6.3.1 / 2.2.2.2 p_syntax_id_t: interface UUID and version (major in the low 16 bits). */
export const SyntaxId = struct('SyntaxId', {
  uuid: guid,
  versionMajor: u16,
  versionMinor: u16,
})
export type SyntaxId = Infer<typeof SyntaxId>

/** NDR 2.0 transfer syntax (C706 appendix I). */
export const NDR_SYNTAX: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 }
/** NDR64 (MS-RPCE 2.2.5.2.1.1); servers that only speak NDR refuse it. */
export const NDR64_SYNTAX: SyntaxId = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', versionMajor: 1, versionMinor: 0 }

/** C706 12.6.3.1 p_cont_elem_t: one presentation context offered in a BIND / ALTER_CONTEXT. */
export const ContextElement = struct('ContextElement', {
  pContId: u16,
  nTransferSyn: countOf('transferSyntaxes', u8),
  reserved: reserved(u8),
  abstractSyntax: SyntaxId,
}, { transferSyntaxes: arrayOf(SyntaxId) })
export type ContextElement = Infer<typeof ContextElement>

/** C706 12.6.4.3 — BIND (and ALTER_CONTEXT, 12.6.4.1, same body). */
export const BindBody = struct('BindBody', {
  maxXmitFrag: u16,
  maxRecvFrag: u16,
  assocGroupId: u32,
  nContextElem: countOf('contextElements', u8),
  reserved: reserved(u8),
  reserved2: reserved(u16),
}, { contextElements: arrayOf(ContextElement) })
export type BindBody = Infer<typeof BindBody>

/** C706 12.6.3.1 p_result_t: the answer to one presentation context. */
export const ContextResult = struct('ContextResult', {
  /** 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate ack (bind time features). */
  result: u16,
  /** Provider reason (0 not specified, 1 abstract syntax not supported, 2 transfer syntaxes not supported). */
  reason: u16,
  transferSyntax: SyntaxId,
})
export type ContextResult = Infer<typeof ContextResult>

export const ContextResultCode = { Acceptance: 0, UserRejection: 1, ProviderRejection: 2, NegotiateAck: 3 } as const
export const ProviderReason = { NotSpecified: 0, AbstractSyntaxNotSupported: 1, ProposedTransferSyntaxesNotSupported: 2 } as const

export interface BindAckBody {
  maxXmitFrag: number
  maxRecvFrag: number
  assocGroupId: number
  /** port_spec without its terminating NUL (e.g. `\PIPE\srvsvc`); '' when absent. */
  secondaryAddress: string
  results: ContextResult[]
}

/**
 * C706 12.6.4.4 — BIND_ACK (and ALTER_CONTEXT_RESP, 12.6.4.2): the secondary address (a u16 length counting its
 * NUL, then the string) is followed by padding to a 4-byte boundary of the PDU, then the result list. The body
 * starts 16 bytes into the PDU, so the padding is computed from the body start plus 16.
 */
export const BindAckBody: Codec<BindAckBody> = custom<BindAckBody>(
  'BindAckBody',
  (r: Reader) => {
    const start = r.pos - COMMON_HEADER_SIZE
    const maxXmitFrag = r.field('maxXmitFrag', () => r.u16())
    const maxRecvFrag = r.field('maxRecvFrag', () => r.u16())
    const assocGroupId = r.field('assocGroupId', () => r.u32())
    const len = r.field('secondaryAddressLength', () => r.u16())
    const raw = r.field('secondaryAddress', () => r.bytes(len))
    const secondaryAddress = raw.subarray(0, raw.indexOf(0) < 0 ? raw.length : raw.indexOf(0)).toString('latin1')
    const pad = (4 - ((r.pos - start) & 3)) & 3
    r.skip(pad)
    const n = r.field('nResults', () => r.u8())
    r.skip(3)
    const results: ContextResult[] = []
    for (let i = 0; i < n; i++) results.push(r.field(`results.${i}`, () => ContextResult.read(r, { pduStart: 0 })))
    return { maxXmitFrag, maxRecvFrag, assocGroupId, secondaryAddress, results }
  },
  (w: Writer, v) => {
    const start = w.pos - COMMON_HEADER_SIZE
    w.u16(v.maxXmitFrag)
    w.u16(v.maxRecvFrag)
    w.u32(v.assocGroupId)
    const addr = v.secondaryAddress ? Buffer.from(`${v.secondaryAddress}\0`, 'latin1') : Buffer.alloc(0)
    w.u16(addr.length)
    w.bytes(addr)
    w.zeros((4 - ((w.pos - start) & 3)) & 3)
    w.u8(v.results.length)
    w.zeros(3)
    for (const res of v.results) ContextResult.write(w, res, { pduStart: 0 })
  },
)

/** C706 12.6.4.5 — BIND_NAK: the reject reason and the protocol versions supported. */
export const BindNakBody = struct('BindNakBody', {
  providerRejectReason: u16,
  nProtocols: countOf('versions', u8),
}, { versions: arrayOf(struct('ProtocolVersion', { major: u8, minor: u8 })) })
export type BindNakBody = Infer<typeof BindNakBody>

/** C706 12.6.4.9 — REQUEST (without an object UUID; PFC_OBJECT_UUID requests keep it in `stub`'s head, see decodePdu). */
export const RequestBody = struct('RequestBody', {
  allocHint: u32,
  pContId: u16,
  opnum: u16,
}, { stub: bytes })
export type RequestBody = Infer<typeof RequestBody>

/** C706 12.6.4.10 — RESPONSE. */
export const ResponseBody = struct('ResponseBody', {
  allocHint: u32,
  pContId: u16,
  cancelCount: u8,
  reserved: reserved(u8),
}, { stub: bytes })
export type ResponseBody = Infer<typeof ResponseBody>

/** C706 12.6.4.7 — FAULT. */
export const FaultBody = struct('FaultBody', {
  allocHint: u32,
  pContId: u16,
  cancelCount: u8,
  reserved: reserved(u8),
  status: u32,
  reserved2: reserved(u32),
})
export type FaultBody = Infer<typeof FaultBody>

/** MS-RPCE 2.2.2.11 — sec_trailer (the auth verifier's 8-byte header), when auth_length is not zero. */
export const SecTrailer = struct('SecTrailer', {
  authType: u8,
  authLevel: u8,
  authPadLength: u8,
  authReserved: reserved(u8),
  authContextId: u32,
})
export type SecTrailer = Infer<typeof SecTrailer>

/** MS-RPCE 2.2.2.x / C706 appendix E — fault status codes a server answers with. */
export const FaultStatus = {
  OpRngError: 0x1c01_0002,
  UnknownIf: 0x1c01_0003,
  ProtoError: 0x1c01_000b,
  AccessDenied: 0x0000_0005,
  /** nca_s_fault_ndr: the stub data did not decode. */
  NdrError: 0x0000_06f7,
  Unspecific: 0x1c00_0007,
} as const

export type PduBody =
  | { ptype: typeof PduType.Bind | typeof PduType.AlterContext; body: BindBody }
  | { ptype: typeof PduType.BindAck | typeof PduType.AlterContextResp; body: BindAckBody }
  | { ptype: typeof PduType.BindNak; body: BindNakBody }
  | { ptype: typeof PduType.Request; body: RequestBody; objectUuid?: string }
  | { ptype: typeof PduType.Response; body: ResponseBody }
  | { ptype: typeof PduType.Fault; body: FaultBody }
  | { ptype: number; body: Buffer }

export type Pdu = { header: CommonHeader; authVerifier?: { trailer: SecTrailer; credentials: Buffer } } & PduBody

export type PduInput = {
  header: Omit<Input<typeof CommonHeader>, 'fragLength' | 'authLength' | 'rpcVers' | 'rpcVersMinor' | 'packedDrep' | 'ptype'> &
    Partial<Pick<Input<typeof CommonHeader>, 'rpcVers' | 'rpcVersMinor' | 'packedDrep'>>
} & (
  | { ptype: typeof PduType.Bind | typeof PduType.AlterContext; body: Input<typeof BindBody> }
  | { ptype: typeof PduType.BindAck | typeof PduType.AlterContextResp; body: BindAckBody }
  | { ptype: typeof PduType.BindNak; body: Input<typeof BindNakBody> }
  | { ptype: typeof PduType.Request; body: Input<typeof RequestBody> }
  | { ptype: typeof PduType.Response; body: Input<typeof ResponseBody> }
  | { ptype: typeof PduType.Fault; body: Input<typeof FaultBody> }
)

function bodyCodec(ptype: number): Codec<any, any> | undefined {
  switch (ptype) {
    case PduType.Bind:
    case PduType.AlterContext:
      return BindBody
    case PduType.BindAck:
    case PduType.AlterContextResp:
      return BindAckBody
    case PduType.BindNak:
      return BindNakBody
    case PduType.Request:
      return RequestBody
    case PduType.Response:
      return ResponseBody
    case PduType.Fault:
      return FaultBody
    default:
      return undefined
  }
}

/** The FragLength of the PDU at the start of `buf`, or undefined when fewer than 16 bytes are there. */
export function peekFragLength(buf: Buffer): number | undefined {
  if (buf.length < COMMON_HEADER_SIZE) return undefined
  return CommonHeader.decode(buf.subarray(0, COMMON_HEADER_SIZE)).fragLength
}

/** Decodes one PDU (exactly FragLength bytes of `buf`; extra bytes are a DecodeError). */
export function decodePdu(buf: Buffer): Pdu {
  const r = new Reader(buf)
  r.path.push('dcerpc')
  const header = CommonHeader.read(r, { pduStart: 0 })
  if (header.rpcVers !== 5) throw new DecodeError(`rpc_vers ${header.rpcVers} is not 5`, 0, ['dcerpc', 'rpcVers'])
  if (header.packedDrep[0] !== 0x10) throw new DecodeError('only little-endian NDR data representation is supported', 4, ['dcerpc', 'packedDrep'])
  if (header.fragLength !== buf.length) throw new DecodeError(`frag_length ${header.fragLength} but the PDU has ${buf.length} bytes`, 8, ['dcerpc', 'fragLength'])
  let end = buf.length
  let authVerifier: Pdu['authVerifier']
  if (header.authLength > 0) {
    const at = buf.length - header.authLength - 8
    if (at < COMMON_HEADER_SIZE) throw new DecodeError(`auth_length ${header.authLength} does not fit the PDU`, 10, ['dcerpc', 'authLength'])
    const tr = new Reader(buf, at, buf.length)
    tr.path.push('dcerpc', 'authVerifier')
    const trailer = SecTrailer.read(tr, { pduStart: 0 })
    authVerifier = { trailer, credentials: tr.rest() }
    end = at - trailer.authPadLength
    if (end < COMMON_HEADER_SIZE) throw new DecodeError('auth padding runs into the header', at, ['dcerpc', 'authVerifier'])
  }
  const codec = bodyCodec(header.ptype)
  const br = new Reader(buf, COMMON_HEADER_SIZE, end)
  br.path.push('dcerpc', 'body')
  if (!codec) return { header, ptype: header.ptype, body: br.rest(), ...(authVerifier ? { authVerifier } : {}) }
  if (header.ptype === PduType.Request && header.pfcFlags & PfcFlags.ObjectUuid) {
    const allocHint = br.u32()
    const pContId = br.u16()
    const opnum = br.u16()
    const objectUuid = br.guid()
    return { header, ptype: PduType.Request, body: { allocHint, pContId, opnum, stub: br.rest() }, objectUuid, ...(authVerifier ? { authVerifier } : {}) }
  }
  const body = codec.read(br, { pduStart: COMMON_HEADER_SIZE })
  if (br.remaining !== 0 && header.ptype !== PduType.Request && header.ptype !== PduType.Response) {
    // Bind bodies may carry padding after the last element; keep tolerating it as Samba does.
    br.skip(br.remaining)
  }
  return { header, ptype: header.ptype, body, ...(authVerifier ? { authVerifier } : {}) } as Pdu
}

/** Encodes one PDU with FragLength computed (no auth verifier: the pipes served here are unauthenticated). */
export function encodePdu(p: PduInput): Buffer {
  const codec = bodyCodec(p.ptype)!
  const w = new Writer(128)
  CommonHeader.write(w, {
    rpcVers: p.header.rpcVers ?? 5,
    rpcVersMinor: p.header.rpcVersMinor ?? 0,
    ptype: p.ptype,
    pfcFlags: p.header.pfcFlags,
    packedDrep: p.header.packedDrep ?? DREP_LITTLE_ENDIAN,
    fragLength: 0,
    authLength: 0,
    callId: p.header.callId,
  }, { pduStart: 0 })
  w.path.push('body')
  codec.write(w, p.body, { pduStart: COMMON_HEADER_SIZE })
  const len = w.length
  w.patch(8, (pw) => pw.u16(len))
  return w.finish()
}
