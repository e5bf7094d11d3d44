/**
 * CREATE (MS-SMB2 3.3.5.9): parameter checks, create contexts (MxAc, QFid, AlSi; RqLs leases via server/leasing.ts;
 * DHnQ/DH2Q grants and DHnC/DH2C reconnects via server/durable-handles.ts), named pipes on IPC$, and files through
 * the caching manager and the VFS:
 *
 *   prepareOpen (break other opens' oplocks and leases; go asynchronous while the breaks are acknowledged)
 *   → VFS create (MS-FSA 2.1.5.1; a sharing violation breaks handle caching, or purges disconnected durable
 *     opens, and retries)
 *   → grantOpen (the oplock level or lease) → global open record → durable grant → local open.
 * @module
 */
import { findCreateContext, pickVariant, type CreateContext, type CreateContextInput } from '../../dissect/smb2/create-contexts/index.js'
import type { CreateRequest } from '../../dissect/smb2/commands/create.js'
import { CreateAction } from '../../dissect/smb2/constants/create.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { mapGenericAccess, CreateOptions, Disposition, FileAttribute } from '../vfs/constants.js'
import { isVfsError } from '../vfs/status.js'
import type { CreateResult } from '../vfs/local-fs.js'
import type { VfsOpen } from '../vfs/open-table.js'
import { PipeEndpoint } from '../ipc/pipe.js'
import { ServerOpen } from '../open.js'
import type { RequestContext } from '../request.js'
import { createResponse } from '../create-response.js'
import { SmbError } from '../smb-error.js'
import { DurableKind, type OpenGlobal } from '../state/global-tables.js'
import { OplockLevel } from '../state/oplock.js'
import { leaseRequestOf, leaseResponseContext, reportDirectoryChange, type ParsedLease } from '../leasing.js'
import type { DurablePlan } from '../state/durable.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { anyFileOpen, breaksBeforeCreate, isOplockStatOpen, isStatOpen } from './create-breaks.js'

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
  checkContexts(req.createContexts)
  // Durable contexts (MS-SMB2 3.3.5.9.6/7/10/12); a reconnect ignores the rest of the request (Samba ignores even
  // an invalid RequestedOplockLevel there).
  const durablePlan = tree.share.kind === 'disk' ? server.durableHandles.plan(req, conn.dialect) : ({ kind: 'none' } as const)
  if (durablePlan.kind === 'error') throw new SmbError(durablePlan.status, undefined, durablePlan.rule)
  if (durablePlan.kind === 'reconnect-v1' || durablePlan.kind === 'reconnect-v2') return server.durableHandles.reconnect(req, ctx, durablePlan)
  if (req.impersonationLevel > MAX_IMPERSONATION) throw new SmbError(NtStatus.BadImpersonationLevel)
  if (!VALID_OPLOCK_LEVELS.has(req.requestedOplockLevel)) throw new SmbError(NtStatus.InvalidParameter, undefined, 'bad oplock level')
  // MS-SMB2 3.3.5.9: SMB2_CREATE_... options reserved for the server, and a bad disposition.
  if (req.createDisposition > Disposition.OverwriteIf) throw new SmbError(NtStatus.InvalidParameter, undefined, 'bad disposition')
  // MS-SMB2 3.3.5.9: FILE_CREATE_TREE_CONNECTION (0x80) and FILE_RESERVE_OPFILTER are not supported.
  if (req.createOptions & (FILE_CREATE_TREE_CONNECTION | CreateOptions.ReserveOpfilter)) throw new SmbError(NtStatus.NotSupported)
  // No EFS here: FILE_ATTRIBUTE_ENCRYPTED cannot be honoured (Windows standalone servers answer ACCESS_DENIED).
  if (req.fileAttributes & FileAttribute.Encrypted && tree.share.kind === 'disk') throw new SmbError(NtStatus.AccessDenied, undefined, 'FILE_ATTRIBUTE_ENCRYPTED')

  if (tree.share.kind === 'ipc') return openPipe(req, ctx)
  // MS-SMB2 3.3.5.9.5: TWrp names a snapshot; this server keeps none (FSCTL_SRV_ENUMERATE_SNAPSHOTS lists none).
  if (findCreateContext(req.createContexts, 'TWrp')) throw new SmbError(NtStatus.ObjectNameNotFound, undefined, 'no such snapshot')
  // Leases (SMB 2.1+, MS-SMB2 3.3.5.9.8/3.3.5.9.11): SMB2_OPLOCK_LEVEL_LEASE without a usable RqLs context is an
  // oplock request of level NONE.
  let requested = req.requestedOplockLevel
  const lease = requested === OplockLevel.Lease ? leaseRequestOf(req.createContexts, conn.dialect) : null
  if (requested === OplockLevel.Lease && !lease) requested = OplockLevel.None
  const createGuid = durablePlan.kind === 'request-v2' && conn.dialect >= Dialect.Smb300 ? durablePlan.createGuid : null
  if (createGuid) {
    // MS-SMB2 3.3.5.9.10: the replay cache, keyed by (ClientGuid, CreateGuid).
    const requestId = `${conn.id}:${ctx.header.messageId}`
    const replayed = await server.durableHandles.replayLookup(req, ctx, createGuid, requestId)
    if (replayed) return replayed
    try {
      const r = await createFile(req, ctx, { durablePlan, lease, requested, createGuid })
      server.durableHandles.replayDone(conn.clientGuid, createGuid, requestId, { persistentId: r.fileId.persistent, createAction: r.createAction, contexts: r.createContexts })
      return r
    } catch (e) {
      server.durableHandles.replayDone(conn.clientGuid, createGuid, requestId, null)
      throw e
    }
  }
  return createFile(req, ctx, { durablePlan, lease, requested, createGuid })
}

/** The file (or directory) part of CREATE, after the parameter checks and the durable/lease plan. */
async function createFile(
  req: CreateRequest,
  ctx: RequestContext,
  p: { durablePlan: DurablePlan; lease: ParsedLease | null; requested: number; createGuid: string | null },
) {
  const { server, conn } = ctx
  const session = ctx.s
  const tree = ctx.t
  const { durablePlan, lease, requested, createGuid } = p
  if (tree.share.kind !== 'disk') throw new SmbError(NtStatus.InvalidParameter)
  const share = tree.share
  const vfs = share.vfs
  // The NTFS quota index ("$Extend\$Quota:$Q:$INDEX_ALLOCATION") that quota tools open: as Samba does, it is
  // a fake directory backed by the share root (queries through it see no quotas).
  const quotaFake = req.name.toLowerCase() === QUOTA_FAKE_FILE
  if (quotaFake) req = { ...req, name: '', createOptions: (req.createOptions & ~CreateOptions.NonDirectoryFile) >>> 0 }
  const cachingLease = lease ? { key: lease.key, state: lease.state, version: lease.version, parentLeaseKey: lease.parentLeaseKey, epoch: lease.epoch } : null

  const desired = mapGenericAccess(req.desiredAccess >>> 0)
  // No file open anywhere (disconnected durable opens keep theirs): nothing to break, no share mode to meet.
  const probeKey = anyFileOpen(ctx) ? await vfs.probe(req.name) : undefined
  const leaseHolders = !!probeKey && server.caching.leases.ofFile(probeKey).length > 0
  const overwrite = req.createDisposition === Disposition.Supersede || req.createDisposition === Disposition.Overwrite || req.createDisposition === Disposition.OverwriteIf
  // An overwriting create is never a stat open: it breaks (smbtorture oplock.exclusive5).
  const statOpen = !overwrite && isStatOpen(desired, leaseHolders)
  const alsi = findCreateContext(req.createContexts, 'AlSi')
  const allocationSize = alsi?.known ? (alsi.value as { allocationSize: bigint }).allocationSize : undefined

  // An earlier open of the same application instance goes first, without a break (MS-SMB2 3.3.5.9.13).
  const appInstanceId = await server.durableHandles.closeAppInstance(req, ctx, durablePlan)
  // 1. Breaks caused by the new open (before the share-mode check, MS-FSA 2.1.5.1.2).
  if (lease) {
    // MS-SMB2 3.3.5.9.8/3.3.5.9.11: a lease key names one file; using it for another fails before anything is
    // created (smbtorture lease.request).
    const held = server.caching.lease(conn.clientGuid, lease.key)
    if (held && held.fileKey !== probeKey) throw new SmbError(NtStatus.InvalidParameter, undefined, 'lease key already used for another file')
  }
  // A create that will meet a sharing violation breaks no lease's Write caching: the violation breaks Handle
  // caching instead (MS-FSA 2.1.5.1.2 checks share modes first; smbtorture lease.break_twice).
  const node = probeKey ? server.openTable.node(probeKey) : undefined
  const shareConflict = !!node && !statOpen && server.openTable.conflictsWith(node, desired, req.shareAccess).length > 0
  // A delete-pending file, or a sharing violation no handle-caching holder could resolve, breaks nothing.
  if (probeKey && (await breaksBeforeCreate(req, ctx, probeKey))) {
    await waitForBreaks(ctx, () => server.caching.prepareOpen({ fileKey: probeKey, clientGuid: conn.clientGuid, lease: cachingLease, statOpen, overwrite, shareConflict }).wait)
  }
  // Disconnected durable opens purged by those breaks close their files first.
  await server.durableHandles.settle()

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
      const conflicts = (e.detail as { conflicts?: VfsOpen[] } | undefined)?.conflicts ?? []
      if (await server.durableHandles.purgeConflicts(conflicts)) continue
      const w = server.caching.breakForSharingViolation({ fileKey: probeKey, clientGuid: conn.clientGuid, lease: cachingLease })
      if (!w) throw e
      let once: Promise<void> | null = w
      await waitForBreaks(ctx, () => {
        const x = once
        once = null
        return x
      })
      await server.durableHandles.settle()
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
      createGuid,
      appInstanceId,
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
  // Directory leases (R or RH) exist on SMB 3.x when SMB2_GLOBAL_CAP_DIRECTORY_LEASING is offered (--directory-leases);
  // otherwise a directory gets neither lease nor oplock (MS-SMB2 3.3.5.9.8; Samba answers SMB2_OPLOCK_LEVEL_NONE
  // without a lease context, lease.request).
  const dirNoLease = vopen.isDirectory && requested === OplockLevel.Lease && !(server.config.directoryLeases && conn.dialect >= Dialect.Smb300)
  const grant = server.caching.grantOpen({
    openId: g.persistentId,
    fileKey,
    clientGuid: conn.clientGuid,
    isDirectory: vopen.isDirectory,
    statOpen: isOplockStatOpen(desired, result.createAction, leaseHolders),
    overwrite,
    requestedOplockLevel: dirNoLease ? OplockLevel.None : requested,
    lease: dirNoLease ? null : cachingLease,
  })
  if (grant.status !== NtStatus.Success) {
    server.tables.removeOpen(g.persistentId)
    await vfs.close(vopen).catch(() => undefined)
    throw new SmbError(grant.status, undefined, grant.rule)
  }
  const open = new ServerOpen(g, session, tree, vopen, undefined, fileKey)
  session.opens.add(open)
  server.opens.set(open.persistentId, open)
  ctx.createdOpen = open

  const contexts: CreateContextInput[] = []
  const durableContext = server.durableHandles.grant(
    ctx,
    open,
    durablePlan,
    {
      requestedOplockLevel: requested,
      requestedLeaseState: lease ? lease.state : null,
      grantedOplockLevel: grant.oplockLevel,
      grantedLeaseState: grant.lease ? grant.lease.state : null,
      isDirectory: vopen.isDirectory,
    },
    grant.lease,
  )
  const mxac = findCreateContext(req.createContexts, 'MxAc')
  if (mxac) contexts.push({ tag: 'MxAc', known: true, spec: '2.2.14.2.5', value: { queryStatus: NtStatus.Success, maximalAccess: result.maximalAccess } })
  if (findCreateContext(req.createContexts, 'QFid')) {
    const vol = await vfs.volumeInfo()
    contexts.push({ tag: 'QFid', known: true, spec: '2.2.14.2.9', value: { diskFileId: result.info.fileId, volumeId: BigInt(vol.serialNumber), reserved: Buffer.alloc(16) } })
  }
  if (durableContext) contexts.push(durableContext)
  if (grant.lease) contexts.push(leaseResponseContext(grant.lease))
  // A new, overwritten or superseded entry changes its directory: leases on it break (but not the one this
  // create names as its parent).
  if (result.createAction !== CreateAction.Opened) reportDirectoryChange(server, vopen.node.absPath, { clientGuid: conn.clientGuid, parentLeaseKey: lease?.parentLeaseKey ?? null })
  const info = quotaFake
    ? { ...result.info, creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n, fileAttributes: FileAttribute.Hidden | FileAttribute.System | FileAttribute.Directory | FileAttribute.Archive }
    : result.info
  return createResponse(open, info, { oplockLevel: grant.oplockLevel, createAction: result.createAction, createContexts: contexts })
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

