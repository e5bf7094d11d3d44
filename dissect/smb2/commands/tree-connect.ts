/**
 * MS-SMB2 2.2.9 / 2.2.10 — SMB2 TREE_CONNECT Request and Response, with the 3.1.1 request extension
 * (2.2.9.1) and tree connect contexts (2.2.9.2).
 *
 * PathOffset counts from the SMB2 header in both forms; with SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT it
 * points at PathName inside the extension, which starts at the Buffer (8 bytes into the request) with
 * TreeConnectContextOffset (from the start of the TREE_CONNECT request), TreeConnectContextCount and 10
 * reserved bytes. The two forms share one declaration for the plain fields; the extension is placed by a
 * small custom step because its offset lives in the variable part.
 * @module
 */
import { Reader, bytesN, custom, fixed, lengthOf, offsetOf, reserved, struct, u16, u32, u8, utf16, type Ctx, type Infer, type Writer } from '../../wire/index.js'
import { typedContextList, type TypedContext, type TypedContextDef, type TypedContextInput } from '../negotiate-contexts/typed-context-list.js'
import { TreeConnectFlags } from '../constants/index.js'

/** MS-SMB2 2.2.9.2.1 — SMB2_REMOTED_IDENTITY_TREE_CONNECT: the fixed part (offsets into the context data), TicketInfo raw. */
export const RemotedIdentityTreeConnect = struct('RemotedIdentityTreeConnect', {
  ticketType: u16,
  ticketSize: u16,
  user: u16,
  userName: u16,
  domain: u16,
  groups: u16,
  restrictedGroups: u16,
  privileges: u16,
  primaryGroup: u16,
  owner: u16,
  defaultDacl: u16,
  deviceGroups: u16,
  userClaims: u16,
  deviceClaims: u16,
}, {
  ticketInfo: {
    name: 'ticketInfo',
    read: (r: Reader) => r.rest(),
    write: (w: Writer, v: Buffer) => w.bytes(v),
    empty: () => Buffer.alloc(0),
  },
})
export type RemotedIdentityTreeConnect = Infer<typeof RemotedIdentityTreeConnect>

/** MS-SMB2 2.2.9.2 — ContextType values. */
export const TREE_CONNECT_CONTEXTS: readonly TypedContextDef[] = [
  { type: 0x0000, name: 'SMB2_RESERVED_TREE_CONNECT_CONTEXT_ID', spec: '2.2.9.2' },
  { type: 0x0001, name: 'SMB2_REMOTED_IDENTITY_TREE_CONNECT_CONTEXT_ID', spec: '2.2.9.2.1', codec: RemotedIdentityTreeConnect },
]
/** MS-SMB2 2.2.9.2 — a list of SMB2_TREE_CONNECT_CONTEXT (same header and alignment as negotiate contexts). */
export const TreeConnectContextList = typedContextList('TreeConnectContextList', TREE_CONNECT_CONTEXTS)
export type TreeConnectContext = TypedContext

/** MS-SMB2 2.2.9 — the plain form (also the first 8 bytes and the path of the extended form). */
export const TreeConnectRequestPlain = struct('TreeConnectRequest', {
  structureSize: fixed(u16, 9),
  flags: u16,
  pathOffset: offsetOf('path', u16),
  pathLength: lengthOf('path', u16),
}, { path: utf16 })

/** MS-SMB2 2.2.9.1 — SMB2 TREE_CONNECT Request Extension, minus PathName (which the request's path holds). */
export interface TreeConnectRequestExtension {
  /** From the start of the TREE_CONNECT request (the byte after the SMB2 header). */
  treeConnectContextOffset: number
  treeConnectContextCount: number
  /** 10 bytes, MUST be zero. */
  reserved: Buffer
  treeConnectContexts: TreeConnectContext[]
}
export interface TreeConnectExtensionInput {
  treeConnectContextOffset?: number
  treeConnectContextCount?: number
  reserved?: Buffer
  treeConnectContexts: TypedContextInput[]
}

type Plain = Infer<typeof TreeConnectRequestPlain>
export type TreeConnectRequest = Plain & { extension?: TreeConnectRequestExtension }
export type TreeConnectRequestInput = {
  structureSize?: number
  flags: number
  pathOffset?: number
  pathLength?: number
  path?: string
  extension?: TreeConnectExtensionInput
}

const EXTENSION_HEADER = 16
const reserved10 = bytesN(10)

function readRequest(r: Reader, ctx: Ctx): TreeConnectRequest {
  const bodyStart = r.pos
  const plain = TreeConnectRequestPlain.read(r, ctx)
  if (!(plain.flags & TreeConnectFlags.ExtensionPresent)) return plain
  const limit = ctx.pduEnd !== undefined ? Math.min(ctx.pduEnd, r.end) : r.end
  const er = new Reader(r.buf, bodyStart + 8, limit, r.spans)
  er.path.push(...r.path, 'extension')
  const treeConnectContextOffset = er.field('treeConnectContextOffset', () => er.u32())
  const treeConnectContextCount = er.field('treeConnectContextCount', () => er.u16())
  const reservedBytes = er.field('reserved', () => reserved10.read(er, ctx))
  let end = er.pos
  let treeConnectContexts: TreeConnectContext[] = []
  if (treeConnectContextCount > 0) {
    const at = bodyStart + treeConnectContextOffset
    if (at < er.pos || at > limit) er.fail(`treeConnectContextOffset ${treeConnectContextOffset} points outside the message`, bodyStart + 8)
    const cr = new Reader(r.buf, at, limit, r.spans)
    cr.path.push(...er.path, 'treeConnectContexts')
    treeConnectContexts = TreeConnectContextList.read(cr, ctx, { count: treeConnectContextCount })
    end = cr.pos
  }
  if (end > r.pos) r.pos = end
  return { ...plain, extension: { treeConnectContextOffset, treeConnectContextCount, reserved: reservedBytes, treeConnectContexts } }
}

function writeRequest(w: Writer, v: TreeConnectRequestInput, ctx: Ctx): void {
  const ext = v.extension
  if (!ext) {
    TreeConnectRequestPlain.write(w, v, ctx)
    return
  }
  const bodyStart = w.pos
  // The path goes after the extension header unless the value says where it was.
  const pathOffset = v.pathOffset ?? bodyStart + 8 + EXTENSION_HEADER - ctx.pduStart
  TreeConnectRequestPlain.write(w, { ...v, pathOffset }, ctx)
  if (w.pos < bodyStart + 8 + EXTENSION_HEADER) w.moveTo(bodyStart + 8 + EXTENSION_HEADER)
  const list = ext.treeConnectContexts
  let offset = ext.treeConnectContextOffset
  if (list.length > 0) {
    if (offset !== undefined) w.moveTo(bodyStart + offset)
    else {
      w.align(8, ctx.pduStart)
      offset = w.pos - bodyStart
    }
    w.path.push('extension', 'treeConnectContexts')
    TreeConnectContextList.write(w, list, ctx)
    w.path.pop()
    w.path.pop()
  }
  const end = w.pos
  w.patch(bodyStart + 8, (pw) => {
    pw.u32(offset ?? 0)
    pw.u16(ext.treeConnectContextCount ?? list.length)
    reserved10.write(pw, ext.reserved ?? Buffer.alloc(10), ctx)
  })
  w.pos = end
}

/** MS-SMB2 2.2.9 — SMB2 TREE_CONNECT Request, plain or with the 3.1.1 extension (2.2.9.1). */
export const TreeConnectRequest = custom<TreeConnectRequest, TreeConnectRequestInput>('TreeConnectRequest', readRequest, writeRequest)

/** MS-SMB2 2.2.10 — SMB2 TREE_CONNECT Response. */
export const TreeConnectResponse = struct('TreeConnectResponse', {
  structureSize: fixed(u16, 16),
  shareType: u8,
  reserved: reserved(u8),
  shareFlags: u32,
  capabilities: u32,
  maximalAccess: u32,
})
export type TreeConnectResponse = Infer<typeof TreeConnectResponse>
