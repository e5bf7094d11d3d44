/**
 * CREATE (MS-SMB2 3.3.5.9): parameter checks, create contexts (MxAc, QFid, AlSi; durable and lease contexts are
 * recognised and, for now, not granted), named pipes on IPC$, and files through the caching manager and the VFS:
 *
 *   prepareOpen (break other opens' oplocks; go asynchronous while the breaks are acknowledged)
 *   → VFS create (MS-FSA 2.1.5.1; a sharing violation breaks handle caching and retries)
 *   → grantOpen (the oplock level) → global open record → local open.
 * @module
 */
import { findCreateContext, pickVariant, type CreateContext, type CreateContextInput } from '../../dissect/smb2/create-contexts/index.js'
import type { CreateRequest } from '../../dissect/smb2/commands/create.js'
import { CreateAction } from '../../dissect/smb2/constants/create.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { mapGenericAccess, CreateOptions, Disposition, FileAttribute } from '../vfs/constants.js'
import { isVfsError } from '../vfs/status.js'
import type { CreateResult } from '../vfs/local-fs.js'
import { PipeEndpoint } from '../ipc/pipe.js'
import { ServerOpen } from '../open.js'
import type { RequestContext } from '../request.js'
import { SmbError } from '../smb-error.js'
import { DurableKind, type OpenGlobal } from '../state/global-tables.js'
import { OplockLevel } from '../state/oplock.js'
import { anyFileOpen, breaksBeforeCreate, isAttributeOnly, isOplockStatOpen } from './create-breaks.js'

const FILE_CREATE_TREE_CONNECTION = 0x0000_0080
const QUOTA_FAKE_FILE = '$extend\\$quota:$q:$index_allocation'
const VALID_OPLOCK_LEVELS = new Set<number>([OplockLevel.None, OplockLevel.II, OplockLevel.Exclusive, OplockLevel.Batch, OplockLevel.Lease])
/** Impersonation levels 0..3 (MS-SMB2 2.2.13); above is STATUS_BAD_IMPERSONATION_LEVEL (3.3.5.9). */
const MAX_IMPERSONATION = 3

/** MS-SMB2 3.3.5.9: a known request context whose data does not fit its declared layout is invalid. */
function checkContexts(list: CreateContext[]): void {
  const seen = new Set<string>()
  for (const c of list) {
    // MS-SMB2 2.2.13.2: a context name is at least 4 bytes (Samba's smb2_create_blob_parse refuses shorter ones).
    if (c.nameLength < 4) throw new SmbError(NtStatus.InvalidParameter, undefined, 'create context name shorter than 4 bytes')
    const def = pickVariant(c.tag, 'request', c.dataLength)
    const knownTag = ['ExtA', 'SecD', 'DHnQ', 'DHnC', 'MxAc', 'AlSi', 'TWrp', 'RqLs', 'QFid', 'DH2Q', 'DH2C'].includes(c.tag)
    if (knownTag && (!def || !c.known)) throw new SmbError(NtStatus.InvalidParameter, undefined, `malformed ${c.tag} create context`)
    if (knownTag && seen.has(c.tag)) throw new SmbError(NtStatus.InvalidParameter, undefined, `${c.tag} create context twice`)
    seen.add(c.tag)
  }
}

export async function create(req: CreateRequest, ctx: RequestContext) {
  const { server, conn } = ctx
  const session = ctx.s
  const tree = ctx.t
  if (req.impersonationLevel > MAX_IMPERSONATION) throw new SmbError(NtStatus.BadImpersonationLevel)
  if (!VALID_OPLOCK_LEVELS.has(req.requestedOplockLevel)) throw new SmbError(NtStatus.InvalidParameter, undefined, 'bad oplock level')
  // MS-SMB2 3.3.5.9: SMB2_CREATE_... options reserved for the server, and a bad disposition.
  if (req.createDisposition > Disposition.OverwriteIf) throw new SmbError(NtStatus.InvalidParameter, undefined, 'bad disposition')
  // MS-SMB2 3.3.5.9: FILE_CREATE_TREE_CONNECTION (0x80) and FILE_RESERVE_OPFILTER are not supported.
  if (req.createOptions & (FILE_CREATE_TREE_CONNECTION | CreateOptions.ReserveOpfilter)) throw new SmbError(NtStatus.NotSupported)
  checkContexts(req.createContexts)
  // No EFS here: FILE_ATTRIBUTE_ENCRYPTED cannot be honoured (Windows standalone servers answer ACCESS_DENIED).
  if (req.fileAttributes & FileAttribute.Encrypted && tree.share.kind === 'disk') throw new SmbError(NtStatus.AccessDenied, undefined, 'FILE_ATTRIBUTE_ENCRYPTED')

  if (tree.share.kind === 'ipc') return openPipe(req, ctx)
  // MS-SMB2 3.3.5.9.5: TWrp names a snapshot; this server keeps none (FSCTL_SRV_ENUMERATE_SNAPSHOTS lists none).
  if (findCreateContext(req.createContexts, 'TWrp')) throw new SmbError(NtStatus.ObjectNameNotFound, undefined, 'no such snapshot')
  const share = tree.share
  const vfs = share.vfs
  // The NTFS quota index ("$Extend\$Quota:$Q:$INDEX_ALLOCATION") that quota tools open: as Samba does, it is
  // a fake directory backed by the share root (queries through it see no quotas).
  const quotaFake = req.name.toLowerCase() === QUOTA_FAKE_FILE
  if (quotaFake) req = { ...req, name: '', createOptions: (req.createOptions & ~CreateOptions.NonDirectoryFile) >>> 0 }

  // Durable and lease contexts: leases are not offered (no SMB2_GLOBAL_CAP_LEASING); a lease request is an
  // oplock request of level NONE (MS-SMB2 3.3.5.9.8 when the server does not support leasing).
  let requested = req.requestedOplockLevel
  if (requested === OplockLevel.Lease) requested = OplockLevel.None

  const desired = mapGenericAccess(req.desiredAccess >>> 0)
  const overwrite = req.createDisposition === Disposition.Supersede || req.createDisposition === Disposition.Overwrite || req.createDisposition === Disposition.OverwriteIf
  const statOpen = isAttributeOnly(desired) && !overwrite
  const alsi = findCreateContext(req.createContexts, 'AlSi')
  const allocationSize = alsi?.known ? (alsi.value as { allocationSize: bigint }).allocationSize : undefined

  // 1. Breaks caused by the new open (before the share-mode check, MS-FSA 2.1.5.1.2).
  const probeKey = anyFileOpen(ctx) ? await vfs.probe(req.name) : undefined
  if (probeKey && (await breaksBeforeCreate(req, ctx, probeKey))) await waitForBreaks(ctx, () => server.caching.prepareOpen({ fileKey: probeKey, clientGuid: conn.clientGuid, lease: null, statOpen, overwrite }).wait)

  // 2. The VFS create; a sharing violation may be resolved by breaking handle caching (3.3.5.9, MS-FSA).
  let result: CreateResult | undefined
  for (let attempt = 0; !result; attempt++) {
    try {
      result = await vfs.create({
        path: req.name,
        desiredAccess: req.desiredAccess >>> 0,
        shareAccess: req.shareAccess,
        disposition: req.createDisposition,
        createOptions: req.createOptions,
        fileAttributes: req.fileAttributes,
        allocationSize,
        owner: session.owner,
      })
    } catch (e) {
      if (!isVfsError(e, NtStatus.SharingViolation) || attempt >= 2 || !probeKey) throw e
      const w = server.caching.breakForSharingViolation({ fileKey: probeKey, clientGuid: conn.clientGuid, lease: null })
      if (!w) throw e
      await waitForBreaks(ctx, () => w)
    }
    if (ctx.cancelled && result) {
      // Cancelled while waiting: give the open back (MS-SMB2 3.3.5.16).
      await vfs.close(result.open).catch(() => undefined)
      throw new SmbError(NtStatus.Cancelled)
    }
  }
  const vopen = result.open
  const fileKey = vopen.node.key

  // 3. Caching grant and the global record.
  let g: OpenGlobal
  try {
    g = server.tables.createOpen({
      sessionId: session.id,
      treeId: tree.id,
      owner: session.identity?.sid ?? '',
      clientGuid: conn.clientGuid,
      createGuid: null,
      appInstanceId: null,
      lease: null,
      oplockLevel: OplockLevel.None,
      durable: DurableKind.None,
      durableTimeoutMs: 0,
      shareName: share.name,
      path: req.name,
      fileId: result.info.fileId,
      desiredAccess: vopen.grantedAccess,
      shareAccess: req.shareAccess,
      createOptions: req.createOptions,
    })
  } catch (e) {
    await vfs.close(vopen).catch(() => undefined)
    throw e
  }
  const grant = server.caching.grantOpen({
    openId: g.persistentId,
    fileKey,
    clientGuid: conn.clientGuid,
    isDirectory: vopen.isDirectory,
    statOpen: isOplockStatOpen(desired, result.createAction),
    overwrite,
    requestedOplockLevel: requested,
    lease: null,
  })
  if (grant.status !== NtStatus.Success) {
    server.tables.removeOpen(g.persistentId)
    await vfs.close(vopen).catch(() => undefined)
    throw new SmbError(grant.status, undefined, grant.rule)
  }
  if (grant.oplockLevel !== OplockLevel.None) server.tables.updateOpen(g.persistentId, { oplockLevel: grant.oplockLevel })
  const open = new ServerOpen(g, session, tree, vopen, undefined, fileKey)
  session.opens.add(open)
  server.opens.set(open.persistentId, open)
  ctx.createdOpen = open

  const contexts: CreateContextInput[] = []
  const mxac = findCreateContext(req.createContexts, 'MxAc')
  if (mxac) contexts.push({ tag: 'MxAc', known: true, spec: '2.2.14.2.5', value: { queryStatus: NtStatus.Success, maximalAccess: result.maximalAccess } })
  if (findCreateContext(req.createContexts, 'QFid')) {
    const vol = await vfs.volumeInfo()
    contexts.push({ tag: 'QFid', known: true, spec: '2.2.14.2.9', value: { diskFileId: result.info.fileId, volumeId: BigInt(vol.serialNumber), reserved: Buffer.alloc(16) } })
  }
  const info = quotaFake
    ? { ...result.info, creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n, fileAttributes: FileAttribute.Hidden | FileAttribute.System | FileAttribute.Directory | FileAttribute.Archive }
    : result.info
  return {
    oplockLevel: grant.oplockLevel,
    flags: 0,
    createAction: result.createAction,
    creationTime: info.creationTime,
    lastAccessTime: info.lastAccessTime,
    lastWriteTime: info.lastWriteTime,
    changeTime: info.changeTime,
    allocationSize: info.allocationSize,
    endOfFile: info.endOfFile,
    fileAttributes: info.fileAttributes,
    fileId: { persistent: open.persistentId, volatile: open.volatileId },
    createContexts: contexts,
  }
}

/**
 * Waits for oplock breaks the create caused: the request goes asynchronous (MS-SMB2 3.3.4.2, STATUS_PENDING) and
 * continues when every break is acknowledged or timed out. `next` is asked again after each wait, as another break
 * may have started meanwhile.
 */
async function waitForBreaks(ctx: RequestContext, next: () => Promise<void> | null): Promise<void> {
  for (let w = next(); w; w = next()) {
    if (!ctx.isAsync) ctx.goAsync(() => undefined)
    await w
    if (ctx.cancelled) throw new SmbError(NtStatus.Cancelled)
  }
}

/** MS-SMB2 3.3.5.9 on IPC$: open a named pipe served by a DCE/RPC endpoint. */
async function openPipe(req: CreateRequest, ctx: RequestContext) {
  const { server, conn } = ctx
  const session = ctx.s
  const tree = ctx.t
  const svc = server.pipes(req.name)
  if (!svc) throw new SmbError(NtStatus.ObjectNameNotFound, undefined, `no pipe ${req.name}`)
  if (req.createOptions & CreateOptions.DirectoryFile) throw new SmbError(NtStatus.InvalidParameter)
  const g = server.tables.createOpen({
    sessionId: session.id,
    treeId: tree.id,
    owner: session.identity?.sid ?? '',
    clientGuid: conn.clientGuid,
    createGuid: null,
    appInstanceId: null,
    lease: null,
    oplockLevel: OplockLevel.None,
    durable: DurableKind.None,
    durableTimeoutMs: 0,
    shareName: 'IPC$',
    path: req.name,
    fileId: 0n,
    desiredAccess: req.desiredAccess >>> 0,
    shareAccess: req.shareAccess,
    createOptions: req.createOptions,
  })
  const open = new ServerOpen(g, session, tree, undefined, new PipeEndpoint(svc), '')
  session.opens.add(open)
  server.opens.set(open.persistentId, open)
  ctx.createdOpen = open
  return {
    oplockLevel: OplockLevel.None,
    flags: 0,
    createAction: CreateAction.Opened,
    creationTime: 0n,
    lastAccessTime: 0n,
    lastWriteTime: 0n,
    changeTime: 0n,
    allocationSize: 4096n,
    endOfFile: 0n,
    fileAttributes: FileAttribute.Normal,
    fileId: { persistent: open.persistentId, volatile: open.volatileId },
    createContexts: [],
  }
}

