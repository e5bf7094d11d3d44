/**
 * The server's front door (MS-SMB2 3.3.5.2; Samba's smbd_smb2_request_dispatch): a declarative per-command POLICY
 * table and the pipeline every request goes through:
 *
 *   transport message → SMB1 negotiate | decrypt (3.3.5.2.1.1) → decompress (3.3.5.2.1.2) → split the chain
 *   → per message: negotiate state → sequence window and credit charge (3.3.5.2.3, 3.3.5.2.5) → body decode
 *   → session (3.3.5.2.9) → encryption and signature (3.3.5.2.4) → tree connect (3.3.5.2.11) → open (FileId,
 *   related compounds 3.3.5.2.7.2) → handler → response (credits, signing, async interim/final).
 *
 * Errors map by layer (style.md §3.4): framing, header and window violations disconnect; a body that does not decode
 * answers STATUS_INVALID_PARAMETER; handlers throw `SmbError`; anything else is STATUS_INTERNAL_ERROR, logged.
 * @module
 */
import { CryptoError } from '../dissect/crypto/errors.js'
import { decryptMessage, readTransformHeader, TRANSFORM_FLAG_ENCRYPTED } from '../dissect/crypto/encryption.js'
import { verify } from '../dissect/crypto/signing.js'
import { decompressMessage } from '../dissect/compress/transform.js'
import { Smb2Command, commandName } from '../dissect/smb2/constants/command.js'
import { CtlCode } from '../dissect/smb2/ioctl/ctl-codes.js'
import { Smb2Flags } from '../dissect/smb2/constants/flags.js'
import { NtStatus, statusName } from '../dissect/smb2/constants/status.js'
import { isRelatedFileId, type FileId } from '../dissect/smb2/commands/file-id.js'
import { ErrorResponse } from '../dissect/smb2/commands/error.js'
import { makeHeader, messageKind, type Smb2Header } from '../dissect/smb2/header.js'
import { decodeChain } from '../dissect/smb2/message.js'
import { COMMANDS } from '../dissect/smb2/registry.js'
import { isCodecError } from '../dissect/wire/errors.js'
import type { Codec } from '../dissect/wire/index.js'
import type { Connection, OutgoingMessage } from './connection.js'
import { requiredCharge } from './credits.js'
import { handleSmb1Negotiate } from './handlers/negotiate.js'
import { HANDLERS } from './handlers/index.js'
import type { ServerOpen } from './open.js'
import { RequestContext, type Handler, type IncomingRequest } from './request.js'
import type { SmbServer } from './server.js'
import { allowedWhenExpired, type Session } from './session.js'
import { endedSessionKeys, findSession, signingForUnknownSession } from './session-binding.js'
import { DisconnectError, mapError, SmbError } from './smb-error.js'

export interface CommandPolicy {
  /** A valid (or, for SESSION_SETUP, any) session must be named by SessionId. */
  needSession: boolean
  /** A tree connect of that session must be named by TreeId. */
  needTree: boolean
  /**
   * Where the FileId is: 'required' looks the open up (STATUS_FILE_CLOSED when unknown); 'optional' also accepts
   * the all-ones FileId of a non-related request as "no open" (IOCTLs such as VALIDATE_NEGOTIATE_INFO).
   */
  fileId?: 'required' | 'optional'
  /** Requests whose FileId is not looked up at all (IOCTLs addressed to the server, whatever FileId they carry). */
  ignoreFileId?: (body: any) => boolean
  /** The largest payload the request carries or asks for (MS-SMB2 3.3.5.2.5), for the credit charge check. */
  payload?: (body: any) => number
  handler: Handler
}

const S = Smb2Command

/**
 * FSCTLs the server itself answers: the FileId they carry (normally all ones) is not an open, whatever its value
 * (as Windows and Samba treat it).
 */
const SERVER_IOCTLS = new Set<number>([
  CtlCode.FSCTL_VALIDATE_NEGOTIATE_INFO,
  CtlCode.FSCTL_QUERY_NETWORK_INTERFACE_INFO,
  CtlCode.FSCTL_DFS_GET_REFERRALS,
  CtlCode.FSCTL_DFS_GET_REFERRALS_EX,
  CtlCode.FSCTL_PIPE_WAIT,
])
/** Every command is listed: a missing one fails to compile. */
export const POLICY: Record<Smb2Command, CommandPolicy> = {
  [S.Negotiate]: { needSession: false, needTree: false, handler: HANDLERS.negotiate },
  [S.SessionSetup]: { needSession: false, needTree: false, handler: HANDLERS.sessionSetup },
  [S.Logoff]: { needSession: true, needTree: false, handler: HANDLERS.logoff },
  [S.TreeConnect]: { needSession: true, needTree: false, handler: HANDLERS.treeConnect },
  [S.TreeDisconnect]: { needSession: true, needTree: true, handler: HANDLERS.treeDisconnect },
  [S.Create]: { needSession: true, needTree: true, handler: HANDLERS.create },
  [S.Close]: { needSession: true, needTree: true, fileId: 'required', handler: HANDLERS.close },
  [S.Flush]: { needSession: true, needTree: true, fileId: 'required', handler: HANDLERS.flush },
  [S.Read]: { needSession: true, needTree: true, fileId: 'required', payload: (b) => b.length, handler: HANDLERS.read },
  [S.Write]: { needSession: true, needTree: true, fileId: 'required', payload: (b) => b.data.length, handler: HANDLERS.write },
  [S.Lock]: { needSession: true, needTree: true, fileId: 'required', handler: HANDLERS.lock },
  [S.Ioctl]: {
    needSession: true,
    needTree: true,
    fileId: 'optional',
    ignoreFileId: (b) => SERVER_IOCTLS.has(b.ctlCode >>> 0),
    payload: (b) => Math.max(b.input.length + b.output.length, b.maxInputResponse + b.maxOutputResponse),
    handler: HANDLERS.ioctl,
  },
  [S.Cancel]: { needSession: false, needTree: false, handler: () => undefined },
  [S.Echo]: { needSession: false, needTree: false, handler: HANDLERS.echo },
  [S.QueryDirectory]: { needSession: true, needTree: true, fileId: 'required', payload: (b) => b.outputBufferLength, handler: HANDLERS.queryDirectory },
  [S.ChangeNotify]: { needSession: true, needTree: true, fileId: 'required', payload: (b) => b.outputBufferLength, handler: HANDLERS.changeNotify },
  [S.QueryInfo]: {
    needSession: true,
    needTree: true,
    fileId: 'required',
    payload: (b) => Math.max(b.inputBuffer.length, b.outputBufferLength),
    handler: HANDLERS.queryInfo,
  },
  [S.SetInfo]: { needSession: true, needTree: true, fileId: 'required', payload: (b) => b.buffer.length, handler: HANDLERS.setInfo },
  [S.OplockBreak]: { needSession: true, needTree: true, fileId: 'optional', handler: HANDLERS.oplockBreak },
}

/** Related-compound state carried from one request of a chain to the next (MS-SMB2 3.3.5.2.7.2). */
interface ChainState {
  sessionId: bigint
  treeId: number
  /** The open the previous request used or created (Samba's compat_chain_fsp); reset by unrelated requests. */
  fileId: FileId | undefined
  /** A CREATE of the chain failed: related requests naming the previous open fail with its status. */
  createError: number | undefined
  /**
   * A request failed before reaching its handler (related first, session or tree lookup): the related requests
   * after it fail with STATUS_INVALID_PARAMETER (Samba's next_status; smbtorture smb2.compound.invalid1/2).
   */
  nextStatus: number | undefined
}

interface Outcome {
  msg: OutgoingMessage
  /** Encrypt the chain with this session. */
  encryptFor?: Session
  /** READ data appended without a copy (single message only). */
  tail?: Buffer
  /** A request that went asynchronous: resolves when its final response has been sent. */
  later?: Promise<void>
  disconnect?: boolean
}

const ALL_ONES_32 = 0xffff_ffff
const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn

/** Entry point for one transport message (server.dispatch). */
export async function dispatchTransport(server: SmbServer, conn: Connection, buf: Buffer): Promise<void> {
  const kind = messageKind(buf)
  switch (kind) {
    case 'smb1':
      return handleSmb1Negotiate(server, conn, buf)
    case 'transform':
      return dispatchEncrypted(server, conn, buf)
    case 'compression': {
      if (!conn.compressionAlgorithms.length) throw new DisconnectError('compressed message without negotiated compression')
      return dispatchChain(server, conn, decompress(conn, buf), { encrypted: false })
    }
    case 'smb2':
      return dispatchChain(server, conn, buf, { encrypted: false })
    default:
      // MS-SMB2 3.3.5.2: not an SMB2 message.
      conn.log.info('not an SMB2 message, disconnecting')
      conn.close('bad protocol id')
  }
}

function decompress(conn: Connection, buf: Buffer): Buffer {
  try {
    return decompressMessage(buf, { maxOutputSize: conn.server.config.limits.maxMessageSize })
  } catch (e) {
    throw new DisconnectError(`bad compression transform: ${(e as Error).message}`)
  }
}

/** MS-SMB2 3.3.5.2.1.1 — decrypting a message; any failure disconnects. */
async function dispatchEncrypted(server: SmbServer, conn: Connection, buf: Buffer): Promise<void> {
  if (conn.dialect < 0x0300 || conn.dialect === 0x02ff) throw new DisconnectError('encrypted message before SMB 3.x')
  let plain: Buffer
  let sessionId: bigint
  try {
    const th = readTransformHeader(buf)
    sessionId = th.sessionId
    if (th.flags !== TRANSFORM_FLAG_ENCRYPTED) throw new DisconnectError('transform header Flags is not Encrypted')
    // A session of another connection decrypts too (Samba's global lookup): the request then fails as not bound here.
    const session = conn.sessions.get(sessionId) ?? findSession(server, sessionId)
    const keys = session?.keys ?? endedSessionKeys(server, sessionId)
    if (!keys?.serverInKey || keys.cipherId === undefined) throw new DisconnectError(`encrypted message for unknown session 0x${sessionId.toString(16)}`)
    plain = decryptMessage(buf, keys.serverInKey, keys.cipherId)
  } catch (e) {
    if (e instanceof CryptoError || e instanceof DisconnectError) throw new DisconnectError(`cannot decrypt: ${e.message}`)
    throw e
  }
  if (messageKind(plain) === 'compression') plain = decompress(conn, plain)
  if (messageKind(plain) !== 'smb2') throw new DisconnectError('decrypted message is not SMB2')
  return dispatchChain(server, conn, plain, { encrypted: true, transformSessionId: sessionId })
}

async function dispatchChain(server: SmbServer, conn: Connection, buf: Buffer, opts: { encrypted: boolean; transformSessionId?: bigint }): Promise<void> {
  const chain = decodeChain(buf, { dialect: conn.dialect })
  if (chain.error || chain.messages.length === 0) {
    // A bad header or NextCommand: MS-SMB2 3.3.5.2 / 3.3.5.2.7 — the server disconnects (as Samba does).
    throw new DisconnectError(`bad SMB2 header or compound: ${chain.error?.message ?? 'empty'}`)
  }
  if (!conn.negotiated && chain.messages.length > 1) throw new DisconnectError('compound before NEGOTIATE')
  const requests: Array<{ req: IncomingRequest; bodyBad: boolean }> = chain.messages.map((m, i) => ({
    req: {
      header: m.header,
      body: m.error ? undefined : m.body,
      raw: buf.subarray(m.start, m.end),
      encrypted: opts.encrypted,
      transformSessionId: opts.transformSessionId,
      index: i,
      related: (m.header.flags & Smb2Flags.RelatedOperations) !== 0,
    },
    bodyBad: m.error !== undefined,
  }))
  const state: ChainState = { sessionId: 0n, treeId: 0, fileId: undefined, createError: undefined, nextStatus: undefined }
  await runChain(server, conn, requests, 0, state)
}

/**
 * Processes requests[from..] of a chain and sends their responses as one compound. A request in the middle of the
 * chain that goes asynchronous (only CREATE may: MS-SMB2 3.3.5.2.7 note, Samba) ends this batch with its interim
 * response; the rest of the chain continues once it completes, in a compound of its own.
 */
async function runChain(server: SmbServer, conn: Connection, requests: Array<{ req: IncomingRequest; bodyBad: boolean }>, from: number, state: ChainState): Promise<void> {
  const out: Outcome[] = []
  let resumeAt = -1
  for (let i = from; i < requests.length; i++) {
    const { req, bodyBad } = requests[i]!
    const last = i === requests.length - 1
    const o = await processOne(server, conn, req, state, bodyBad, requests.length, last)
    if (!o) continue
    out.push(o)
    if (o.disconnect) break
    if (o.later && !last) {
      resumeAt = i + 1
      break
    }
  }
  if (out.length > 0) {
    // The chain is encrypted when any request of it came encrypted or a session/share asks for it.
    const encryptFor = out.find((o) => o.encryptFor)?.encryptFor
    conn.sendChain(out.map((o) => o.msg), encryptFor, out.length === 1 ? out[0]!.tail : undefined)
    if (out.some((o) => o.disconnect)) conn.close('protocol violation')
  }
  if (resumeAt >= 0) {
    const pending = out[out.length - 1]!.later!
    void pending
      .then(() => runChain(server, conn, requests, resumeAt, state))
      .catch((e) => conn.log.error('compound continuation failed', { error: String(e) }))
  }
}

/** Runs one request of a chain; undefined when no response is sent (CANCEL). */
async function processOne(
  server: SmbServer,
  conn: Connection,
  req: IncomingRequest,
  state: ChainState,
  bodyBad: boolean,
  chainLength: number,
  last: boolean,
): Promise<Outcome | undefined> {
  const h = req.header
  if (h.flags & Smb2Flags.ServerToRedir) throw new DisconnectError('a response sent to the server')
  // MS-SMB2 3.3.5.2: before NEGOTIATE only NEGOTIATE; a second NEGOTIATE disconnects (3.3.5.3).
  if (!conn.negotiated && h.command !== Smb2Command.Negotiate) throw new DisconnectError(`${commandName(h.command)} before NEGOTIATE`)
  if (conn.negotiated && h.command === Smb2Command.Negotiate) throw new DisconnectError('second NEGOTIATE')

  // MS-SMB2 3.3.5.16: CANCEL uses no credits and gets no response.
  if (h.command === Smb2Command.Cancel) {
    handleCancel(conn, req)
    return undefined
  }
  // MS-SMB2 3.3.5.2.3: the MessageId(s) must lie in the CommandSequenceWindow, else the connection is dropped.
  const charge = conn.supportsMultiCredit ? Math.max(1, h.creditCharge) : 1
  const check = conn.credits.consume(h.messageId, charge)
  if (!check.ok) throw new DisconnectError(`sequence window violation: ${check.reason}`)

  const ctx = new RequestContext(server, conn, req, conn.log)
  // Only the last request of a chain, or a CREATE waiting for an oplock break, may go asynchronous.
  ctx.asyncAllowed = last || h.command === Smb2Command.Create
  const policy = POLICY[h.command as Smb2Command] as CommandPolicy | undefined
  const grant = () => conn.credits.grant(h.credits, charge)

  const respond = (status: number, body: unknown, codec: Codec<any, any> | undefined): Outcome => {
    const signing = pickSigning(ctx, req, status)
    const header = responseHeader(h, ctx, status, grant(), req.related)
    return {
      msg: { header, body, codec, sign: signing, onEncoded: ctx.extras.onEncoded },
      encryptFor: encryptionFor(ctx, req),
      disconnect: ctx.extras.disconnectAfter,
    }
  }
  const errorOutcome = (status: number, errorData?: unknown): Outcome =>
    respond(status, { errorContextCount: 0, errorData: errorData ?? { kind: 'raw', data: Buffer.alloc(0) } }, ErrorResponse)
  /** A failure before the handler: later related requests fail with INVALID_PARAMETER. */
  const dispatchError = (status: number, errorData?: unknown): Outcome => {
    state.nextStatus = NtStatus.InvalidParameter
    state.fileId = undefined
    return errorOutcome(status, errorData)
  }

  if (req.related) {
    // MS-SMB2 3.3.5.2.7.2: the first request of a chain cannot be related.
    if (req.index === 0) return dispatchError(NtStatus.InvalidParameter)
    if (state.nextStatus !== undefined) return errorOutcome(state.nextStatus)
  } else {
    state.fileId = undefined
    state.createError = undefined
    state.nextStatus = undefined
  }
  if (!policy) return dispatchError(NtStatus.InvalidParameter)
  if (bodyBad) return dispatchError(NtStatus.InvalidParameter)
  // MS-SMB2 3.3.5.2.5: a multi-credit request must pay for its payload.
  if (conn.supportsMultiCredit && policy.payload) {
    const need = requiredCharge(policy.payload(req.body))
    if (need > charge) return dispatchError(NtStatus.InvalidParameter)
  }

  try {
    resolve(server, conn, ctx, policy, state)
    // MS-SMB2 3.3.5.2.10: ChannelSequence of a request naming an open (server/durable-handles.ts).
    server.durableHandles.channelSequenceBegin(ctx, h.command)
  } catch (e) {
    if (e instanceof DisconnectError) throw e
    const m = mapError(e)
    if (e instanceof SmbError && e.related) {
      // The previous open of a related chain was never created, or is gone: not a dispatch failure.
      return errorOutcome(m.status, m.errorData)
    }
    return dispatchError(m.status, m.errorData)
  }

  conn.inFlight.set(h.messageId, ctx)
  const run = runHandler(policy, ctx)
  const first = await Promise.race([run, ctx.asyncSignal])
  const isCreate = h.command === Smb2Command.Create
  if (first === 'async') {
    // MS-SMB2 3.3.4.2: interim response now (it grants the credits), the final one later with none.
    const interimHeader = responseHeader(h, ctx, NtStatus.Pending, grant(), req.related)
    const signing = pickSigning(ctx, req, NtStatus.Pending)
    const encryptFor = encryptionFor(ctx, req)
    const asyncId = ctx.asyncId!
    const later = run.then((r) => {
      conn.inFlight.delete(h.messageId)
      conn.unregisterAsync(asyncId)
      const status = r.ok ? ctx.status : r.status
      if (isCreate) {
        if (r.ok && ctx.createdOpen) state.fileId = { persistent: ctx.createdOpen.persistentId, volatile: ctx.createdOpen.volatileId }
        else state.createError = status
      }
      const header = responseHeader(h, ctx, status, 0, false)
      const body = r.ok ? r.body : { errorContextCount: 0, errorData: r.errorData ?? { kind: 'raw', data: Buffer.alloc(0) } }
      const codec = r.ok ? ctx.extras.codec : ErrorResponse
      const sign = pickSigning(ctx, req, status)
      conn.sendChain([{ header, body, codec, sign }], encryptionFor(ctx, req), r.ok ? r.tail : undefined)
    })
    later.catch((e) => conn.log.error('async completion failed', { error: String(e) }))
    return {
      msg: { header: interimHeader, body: { errorContextCount: 0, errorData: { kind: 'raw', data: Buffer.alloc(0) } }, codec: ErrorResponse, sign: signing },
      encryptFor,
      later,
    }
  }
  conn.inFlight.delete(h.messageId)
  const r = first
  if (ctx.asyncRefused) {
    // A request in the middle of a chain that would have to wait: Windows and Samba fail it (smbtorture
    // smb2.compound.interim2 expects STATUS_INTERNAL_ERROR).
    return errorOutcome(NtStatus.InternalError)
  }
  if (!r.ok) {
    if (r.disconnect) throw new DisconnectError(r.reason ?? 'handler asked to disconnect')
    if (isCreate) {
      state.createError = r.status
      state.fileId = undefined
    }
    return errorOutcome(r.status, r.errorData)
  }
  if (isCreate) state.createError = undefined
  if (ctx.createdOpen) state.fileId = { persistent: ctx.createdOpen.persistentId, volatile: ctx.createdOpen.volatileId }
  const o = respond(ctx.status, r.body, ctx.extras.codec)
  if (r.tail) {
    if (chainLength === 1) o.tail = r.tail
    else (o.msg.body as { data: Buffer }).data = r.tail
  }
  return o
}

type HandlerResult =
  | { ok: true; body: unknown; tail?: Buffer }
  | { ok: false; status: number; errorData?: any; disconnect?: boolean; reason?: string }

async function runHandler(policy: CommandPolicy, ctx: RequestContext): Promise<HandlerResult> {
  try {
    return await runHandlerInner(policy, ctx)
  } finally {
    ctx.server.durableHandles.channelSequenceEnd(ctx)
  }
}

async function runHandlerInner(policy: CommandPolicy, ctx: RequestContext): Promise<HandlerResult> {
  try {
    const body = await policy.handler(ctx.req.body, ctx)
    if (ctx.header.command === Smb2Command.Read && (body as { data?: Buffer } | undefined)?.data?.length) {
      // READ data travels as a tail so the socket can send it without another copy.
      const b = body as { data: Buffer }
      const tail = b.data
      return { ok: true, body: { ...b, data: Buffer.alloc(0), dataLength: tail.length, dataOffset: 0x50 }, tail }
    }
    return { ok: true, body }
  } catch (e) {
    if (e instanceof DisconnectError) return { ok: false, status: 0, disconnect: true, reason: e.message }
    const m = mapError(e)
    if (m.internal) {
      ctx.log.error('internal error', {
        command: commandName(ctx.header.command),
        messageId: ctx.header.messageId,
        error: (e as Error)?.stack ?? String(e),
      })
    } else if (ctx.log.enabled('debug')) {
      ctx.log.debug('request failed', { command: commandName(ctx.header.command), messageId: ctx.header.messageId, status: statusName(m.status), why: (e as Error).message })
    }
    return { ok: false, status: m.status, errorData: m.errorData }
  }
}

/** Session, tree connect and open lookup (MS-SMB2 3.3.5.2.9, 3.3.5.2.11, 3.3.5.2.7.2), with encryption and signature checks. */
function resolve(server: SmbServer, conn: Connection, ctx: RequestContext, policy: CommandPolicy, state: ChainState): void {
  const req = ctx.req
  const h = req.header
  const related = req.related
  // Related requests take the previous request's session, tree and open (3.3.5.2.7.2).
  const sessionId = related && state.sessionId !== 0n ? state.sessionId : h.sessionId
  const treeId = related && state.treeId !== 0 ? state.treeId : h.treeId
  let session: Session | undefined
  if (sessionId !== 0n && sessionId !== ALL_ONES_64) session = conn.sessions.get(sessionId)
  if (policy.needSession || (session && h.command !== Smb2Command.SessionSetup && h.command !== Smb2Command.Negotiate)) {
    if (!session) {
      if (policy.needSession) {
        // A session of another connection (not a channel of this one): signed like the request (server/session-binding.ts).
        if (h.flags & Smb2Flags.Signed) ctx.extras.signWith = signingForUnknownSession(server, sessionId, conn)
        throw new SmbError(NtStatus.UserSessionDeleted)
      }
    } else {
      if (session.phase === 'in-progress' && h.command !== Smb2Command.SessionSetup) throw new SmbError(NtStatus.UserSessionDeleted)
      if (session.phase === 'expired' && !allowedWhenExpired(h.command, req.body)) {
        throw new SmbError(NtStatus.NetworkSessionExpired)
      }
    }
  }
  if (session) {
    ctx.session = session
    state.sessionId = session.id
    // MS-SMB2 3.3.5.2.9: a session that must be encrypted refuses plaintext requests.
    if (session.encryptData && !req.encrypted && server.config.encryption === 'required' && h.command !== Smb2Command.SessionSetup) {
      throw new SmbError(NtStatus.AccessDenied, undefined, 'unencrypted request on an encrypted session')
    }
    if (req.encrypted && req.transformSessionId !== undefined && h.sessionId !== req.transformSessionId && !related) {
      throw new DisconnectError('SessionId differs from the transform header')
    }
    // MS-SMB2 3.3.5.2.4: verify the signature; refuse unsigned requests when signing is required.
    if (!req.encrypted && h.command !== Smb2Command.SessionSetup) {
      const signing = session.signingFor(conn)
      if (h.flags & Smb2Flags.Signed) {
        if (!signing || !verify(req.raw, signing.key, signing.algorithm)) {
          ctx.session = undefined
          throw new SmbError(NtStatus.AccessDenied, undefined, 'bad signature')
        }
      } else if (session.signingRequired && signing) {
        ctx.session = undefined
        throw new SmbError(NtStatus.AccessDenied, undefined, 'unsigned request, signing required')
      }
    }
  }
  if (policy.needTree) {
    const tree = session?.trees.get(treeId)
    if (!tree) throw new SmbError(NtStatus.NetworkNameDeleted)
    ctx.tree = tree
    state.treeId = tree.id
    if (tree.encrypt && !req.encrypted && server.config.rejectUnencrypted) throw new SmbError(NtStatus.AccessDenied, undefined, 'share requires encryption')
  }
  if (policy.fileId && !policy.ignoreFileId?.(req.body)) {
    const fid = (req.body as { fileId?: FileId } | undefined)?.fileId
    if (!fid) return
    let id: FileId = fid
    if (isRelatedFileId(fid)) {
      if (related) {
        // The previous request's open (3.3.5.2.7.2); a failed CREATE before it fails this one the same way.
        if (state.createError !== undefined) throw new SmbError(state.createError, undefined, 'previous CREATE failed').asRelated()
        if (!state.fileId) throw new SmbError(NtStatus.FileClosed, undefined, 'no previous open in the chain').asRelated()
        id = state.fileId
      } else if (policy.fileId === 'optional') return
    }
    const open = session?.opens.lookup(id.persistent, id.volatile) as ServerOpen | undefined
    if (!open || open.closed || open.treeId !== ctx.tree?.id) throw new SmbError(NtStatus.FileClosed).asRelated()
    ctx.open = open
    state.fileId = id
  }
}

function responseHeader(h: Smb2Header, ctx: RequestContext, status: number, credits: number, related: boolean): Smb2Header {
  let flags = Smb2Flags.ServerToRedir
  if (ctx.asyncId !== undefined) flags |= Smb2Flags.AsyncCommand
  if (related) flags |= Smb2Flags.RelatedOperations
  const sessionId = ctx.extras.sessionId ?? ctx.session?.id ?? (h.sessionId === ALL_ONES_64 ? 0n : h.sessionId)
  return makeHeader({
    command: h.command,
    creditCharge: h.creditCharge,
    status: status >>> 0,
    credits,
    flags,
    messageId: h.messageId,
    asyncId: ctx.asyncId ?? 0n,
    processId: ctx.asyncId === undefined ? h.processId : 0,
    treeId: ctx.asyncId === undefined ? (ctx.tree?.id ?? (h.treeId === ALL_ONES_32 ? 0 : h.treeId)) : 0,
    sessionId,
  })
}

/** MS-SMB2 3.3.4.1.1: sign when the request was signed or the session requires it (and the session has a key). */
function pickSigning(ctx: RequestContext, req: IncomingRequest, status: number): OutgoingMessage['sign'] {
  if (ctx.extras.signWith) return ctx.extras.signWith
  const s = ctx.session
  if (!s || req.encrypted || ctx.header.command === Smb2Command.SessionSetup) return undefined
  const signing = s.signingFor(ctx.conn)
  if (!signing) return undefined
  if (req.header.flags & Smb2Flags.Signed || s.signingRequired) return signing
  void status
  return undefined
}

/** MS-SMB2 3.3.4.1.4: encrypt a response to an encrypted request, or on a session/share that encrypts. */
function encryptionFor(ctx: RequestContext, req: IncomingRequest): Session | undefined {
  const s = ctx.session
  if (!s?.keys?.serverOutKey) return undefined
  if (req.encrypted) return s
  if (ctx.header.command === Smb2Command.SessionSetup) return undefined
  if (s.encryptData || ctx.tree?.encrypt) return s
  return undefined
}

/** MS-SMB2 3.3.5.16 — CANCEL: find the request by AsyncId (async) or MessageId and cancel it; no response. */
function handleCancel(conn: Connection, req: IncomingRequest): void {
  const h = req.header
  const target = h.flags & Smb2Flags.AsyncCommand ? conn.asyncs.get(h.asyncId) : conn.inFlight.get(h.messageId)
  if (!target) return
  if (target.session && target.session.id !== h.sessionId && h.sessionId !== 0n) return
  target.cancel()
}

/** The body codec a command answers with on success (the registry's response codec). */
export function responseCodec(command: number): Codec<any, any> | undefined {
  return COMMANDS.get(command)?.response
}
