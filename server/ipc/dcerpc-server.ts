/**
 * A connection-oriented DCE/RPC server for one interface on one pipe (C706 chapter 12, MS-RPCE 3.3): BIND /
 * ALTER_CONTEXT negotiate presentation contexts (NDR only; NDR64 is refused, bind-time feature negotiation is
 * acknowledged with no features), REQUEST fragments are reassembled by call id, the interface answers with stub
 * data or a fault status, and replies larger than the client's max_recv_frag are fragmented.
 * @module
 */
import { randomBytes } from 'node:crypto'
import {
  COMMON_HEADER_SIZE, ContextResultCode, FaultStatus, NDR_SYNTAX, PduType, PfcFlags, ProviderReason, decodePdu, encodePdu, peekFragLength,
  type BindBody, type ContextResult, type Pdu, type RequestBody, type SyntaxId,
} from '../../dissect/dcerpc/pdu.js'
import { isCodecError } from '../../dissect/wire/errors.js'
import type { PipeService } from './pipe.js'

/** One interface: its syntax and a handler per opnum (returns the response stub, or a fault status number). */
export interface RpcInterface {
  syntax: SyntaxId
  call(opnum: number, stub: Buffer): Buffer | { fault: number }
}

/** Bind-time feature negotiation pseudo transfer syntax (MS-RPCE 3.3.1.5.3): 6cb71c2c-9812-4540-xxxx. */
const BTFN_PREFIX = '6cb71c2c-9812-4540-'
const MAX_FRAG = 4280
/** Requests reassembled from fragments are capped (a client cannot make the server buffer without bound). */
const MAX_REQUEST = 1 << 20
const RESPONSE_HEADER = COMMON_HEADER_SIZE + 8

const sameSyntax = (a: SyntaxId, b: SyntaxId) => a.uuid === b.uuid && a.versionMajor === b.versionMajor && a.versionMinor === b.versionMinor

export class DcerpcPipeServer implements PipeService {
  private inbox: Buffer = Buffer.alloc(0)
  private maxRecvFrag = MAX_FRAG
  private readonly contexts = new Set<number>()
  private assocGroupId = 0
  private partial: { callId: number; opnum: number; pContId: number; chunks: Buffer[]; size: number } | undefined

  constructor(
    readonly name: string,
    private readonly iface: RpcInterface,
  ) {}

  receive(data: Buffer): Buffer[] {
    this.inbox = this.inbox.length ? Buffer.concat([this.inbox, data]) : data
    const out: Buffer[] = []
    for (;;) {
      const len = peekFragLength(this.inbox)
      if (len === undefined || this.inbox.length < len) break
      if (len < COMMON_HEADER_SIZE) {
        this.inbox = Buffer.alloc(0)
        break
      }
      const pdu = this.inbox.subarray(0, len)
      this.inbox = this.inbox.subarray(len)
      out.push(...this.handle(pdu))
    }
    return out
  }

  private handle(raw: Buffer): Buffer[] {
    let p: Pdu
    try {
      p = decodePdu(raw)
    } catch (e) {
      if (!isCodecError(e)) throw e
      const callId = raw.length >= 16 ? raw.readUInt32LE(12) : 0
      return [this.fault(callId, 0, FaultStatus.ProtoError)]
    }
    switch (p.ptype) {
      case PduType.Bind:
      case PduType.AlterContext:
        return [this.bind(p.header.callId, p.body as BindBody, p.ptype === PduType.Bind)]
      case PduType.Request:
        return this.request(p.header.callId, p.header.pfcFlags, p.body as RequestBody)
      default:
        return [this.fault(p.header.callId, 0, FaultStatus.ProtoError)]
    }
  }

  private bind(callId: number, b: BindBody, isBind: boolean): Buffer {
    if (isBind) {
      this.maxRecvFrag = Math.max(COMMON_HEADER_SIZE + 16, Math.min(MAX_FRAG, b.maxRecvFrag))
      this.assocGroupId = b.assocGroupId || (randomBytes(4).readUInt32LE(0) & 0xffff) || 0x53f0
    }
    const results: ContextResult[] = b.contextElements.map((c) => {
      const zero: SyntaxId = { uuid: '00000000-0000-0000-0000-000000000000', versionMajor: 0, versionMinor: 0 }
      if (c.transferSyntaxes.some((t) => t.uuid.startsWith(BTFN_PREFIX))) {
        return { result: ContextResultCode.NegotiateAck, reason: 0, transferSyntax: zero }
      }
      if (!sameSyntax(c.abstractSyntax, this.iface.syntax)) {
        return { result: ContextResultCode.ProviderRejection, reason: ProviderReason.AbstractSyntaxNotSupported, transferSyntax: zero }
      }
      if (!c.transferSyntaxes.some((t) => sameSyntax(t, NDR_SYNTAX))) {
        return { result: ContextResultCode.ProviderRejection, reason: ProviderReason.ProposedTransferSyntaxesNotSupported, transferSyntax: zero }
      }
      this.contexts.add(c.pContId)
      return { result: ContextResultCode.Acceptance, reason: 0, transferSyntax: NDR_SYNTAX }
    })
    return encodePdu({
      ptype: isBind ? PduType.BindAck : PduType.AlterContextResp,
      header: { pfcFlags: PfcFlags.FirstFrag | PfcFlags.LastFrag, callId },
      body: {
        maxXmitFrag: this.maxRecvFrag,
        maxRecvFrag: this.maxRecvFrag,
        assocGroupId: this.assocGroupId,
        secondaryAddress: isBind ? `\\PIPE\\${this.name}` : '',
        results,
      },
    })
  }

  private request(callId: number, flags: number, b: RequestBody): Buffer[] {
    if (flags & PfcFlags.FirstFrag) this.partial = { callId, opnum: b.opnum, pContId: b.pContId, chunks: [], size: 0 }
    const part = this.partial
    if (!part || part.callId !== callId) {
      this.partial = undefined
      return [this.fault(callId, b.pContId, FaultStatus.ProtoError)]
    }
    part.chunks.push(b.stub)
    part.size += b.stub.length
    if (part.size > MAX_REQUEST) {
      this.partial = undefined
      return [this.fault(callId, b.pContId, FaultStatus.ProtoError)]
    }
    if (!(flags & PfcFlags.LastFrag)) return []
    this.partial = undefined
    if (!this.contexts.has(part.pContId)) return [this.fault(callId, part.pContId, FaultStatus.UnknownIf)]
    let r: Buffer | { fault: number }
    try {
      r = this.iface.call(part.opnum, Buffer.concat(part.chunks))
    } catch (e) {
      if (!isCodecError(e)) throw e
      r = { fault: FaultStatus.NdrError }
    }
    if (!Buffer.isBuffer(r)) return [this.fault(callId, part.pContId, r.fault)]
    return this.response(callId, part.pContId, r)
  }

  private response(callId: number, pContId: number, stub: Buffer): Buffer[] {
    const room = Math.max(8, (this.maxRecvFrag - RESPONSE_HEADER) & ~7)
    const out: Buffer[] = []
    for (let at = 0; at < stub.length || out.length === 0; at += room) {
      const chunk = stub.subarray(at, at + room)
      let pfcFlags = 0
      if (at === 0) pfcFlags |= PfcFlags.FirstFrag
      if (at + room >= stub.length) pfcFlags |= PfcFlags.LastFrag
      out.push(encodePdu({ ptype: PduType.Response, header: { pfcFlags, callId }, body: { allocHint: stub.length - at, pContId, cancelCount: 0, stub: chunk } }))
    }
    return out
  }

  private fault(callId: number, pContId: number, status: number): Buffer {
    return encodePdu({
      ptype: PduType.Fault,
      header: { pfcFlags: PfcFlags.FirstFrag | PfcFlags.LastFrag | PfcFlags.DidNotExecute, callId },
      body: { allocHint: 0, pContId, cancelCount: 0, status },
    })
  }
}
