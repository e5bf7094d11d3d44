/**
 * Change notification (MS-FSA 2.1.5.11 "Server Requests Change Notifications for a Directory", MS-SMB2 3.3.5.19).
 *
 * The hub is an in-process event bus fed by this layer's own operations: creates, deletes, renames (old and new
 * name), writes, size, attribute and time changes, and security changes reported by the SMB layer. It is NOT fed
 * by changes other processes make on the disk: external changes are not reported at all (no fs.watch), which is
 * stated here so nobody relies on it.
 *
 * Each directory open that asks for notifications gets a watch. As in NT, the first request on an open fixes the
 * completion filter, WATCH_TREE and the size of the buffer that keeps changes between requests; later requests
 * only queue up. A change that matches a watch completes the oldest pending request with every change collected in
 * the same turn of the event loop (so a rename's old and new names arrive together). Changes that arrive while no request is pending are kept,
 * up to the OutputBufferLength of the first request; more than that, or more than `maxBufferedChanges`, turns the
 * buffer into an overflow that the next request receives as STATUS_NOTIFY_ENUM_DIR with no entries
 * (MS-SMB2 3.3.5.19: "the client should enumerate the directory"). Consecutive identical MODIFIED entries are
 * coalesced. Closing the open completes its pending requests with STATUS_NOTIFY_CLEANUP.
 *
 * Names are relative to the watched directory, with backslashes for WATCH_TREE results, in the on-disk case.
 * @module
 */

import path from 'node:path'
import { NotifyAction, NotifyFilter, NOTIFY_FILTER_VALID } from './constants.js'
import { VfsError, VfsStatus } from './status.js'

/** One FILE_NOTIFY_INFORMATION entry (MS-FSCC 2.4.42) before encoding. */
export interface NotifyChange {
  action: number
  /** Relative to the watched directory, backslash separated. */
  fileName: string
}

/** How a change-notify request completed. */
export interface NotifyResult {
  /** STATUS_SUCCESS (with changes), STATUS_NOTIFY_ENUM_DIR, STATUS_NOTIFY_CLEANUP, STATUS_CANCELLED, ... */
  status: number
  changes: NotifyChange[]
}

/** A pending (or already completed) change-notify request. `promise` never rejects. */
export interface NotifyRequest {
  readonly promise: Promise<NotifyResult>
  readonly settled: boolean
  /** Completes a pending request with `status` (default STATUS_CANCELLED) and no changes; false when settled. */
  cancel(status?: number): boolean
}

export interface WatchParams {
  /** MS-SMB2 2.2.35 CompletionFilter (first request of the open wins). */
  completionFilter: number
  /** SMB2_WATCH_TREE (first request of the open wins). */
  watchTree: boolean
  /** OutputBufferLength of this request: entries beyond it overflow to STATUS_NOTIFY_ENUM_DIR. */
  outputBufferLength: number
}

interface Pending {
  settle(r: NotifyResult): void
  outputBufferLength: number
}

interface Watch {
  owner: number
  dir: () => string
  filter: number
  watchTree: boolean
  bufferLimit: number
  buffered: NotifyChange[]
  overflow: boolean
  pending: Pending[]
  /** Changes collected for the next completion in this turn. */
  batch: NotifyChange[]
  scheduled: boolean
}

/** Size of the encoded FILE_NOTIFY_INFORMATION entries (12-byte header + UTF-16 name, 4-byte aligned). */
export function encodedSize(changes: readonly NotifyChange[]): number {
  let total = 0
  for (const c of changes) total += (12 + 2 * c.fileName.length + 3) & ~3
  return total
}

export interface NotifyHubOptions {
  /** Cap on buffered changes per watch, whatever the buffer size. Default 4096. */
  maxBufferedChanges?: number
}

/** The change-notify bus; one per server (shared by all shares so overlapping shares see each other's changes). */
export class NotifyHub {
  private readonly watches = new Map<number, Watch>()
  private readonly maxBuffered: number

  constructor(opts: NotifyHubOptions = {}) {
    this.maxBuffered = opts.maxBufferedChanges ?? 4096
  }

  /**
   * Queues a change-notify request for the directory open `owner`. `dir` returns the directory's current real
   * path (it follows renames). Completes immediately when changes (or an overflow) are already buffered.
   * Throws STATUS_INVALID_PARAMETER for an empty or invalid completion filter.
   */
  request(owner: number, dir: () => string, params: WatchParams): NotifyRequest {
    // Bits beyond the defined ones are ignored, as Windows does (smbtorture smb2.notify.mask tries all 32).
    let w = this.watches.get(owner)
    // The first request fixes the watch; a later one on the same open may pass 0 (smbtorture smb2.notify.rec).
    if (!w && params.completionFilter === 0) {
      throw new VfsError(VfsStatus.InvalidParameter, 'empty completion filter')
    }
    if (!w) {
      w = {
        owner,
        dir,
        filter: params.completionFilter & NOTIFY_FILTER_VALID,
        watchTree: params.watchTree,
        bufferLimit: params.outputBufferLength,
        buffered: [],
        overflow: false,
        pending: [],
        batch: [],
        scheduled: false,
      }
      this.watches.set(owner, w)
    }
    if (w.overflow || w.buffered.length) {
      const result: NotifyResult = w.overflow || encodedSize(w.buffered) > params.outputBufferLength
        ? { status: VfsStatus.NotifyEnumDir, changes: [] }
        : { status: VfsStatus.Success, changes: w.buffered }
      w.buffered = []
      w.overflow = false
      return settledRequest(result)
    }
    let settled = false
    let resolveFn!: (r: NotifyResult) => void
    const promise = new Promise<NotifyResult>((resolve) => {
      resolveFn = resolve
    })
    const pending: Pending = {
      outputBufferLength: params.outputBufferLength,
      settle: (r) => {
        if (settled) return
        settled = true
        resolveFn(r)
      },
    }
    w.pending.push(pending)
    const watch = w
    return {
      promise,
      get settled() {
        return settled
      },
      cancel(status: number = VfsStatus.Cancelled): boolean {
        if (settled) return false
        const i = watch.pending.indexOf(pending)
        if (i >= 0) watch.pending.splice(i, 1)
        pending.settle({ status, changes: [] })
        return true
      },
    }
  }

  /** True when any open watches a directory (writers skip size bookkeeping otherwise). */
  get active(): boolean {
    return this.watches.size > 0
  }

  /** True when the open has a watch (it asked for notifications at least once). */
  isWatching(owner: number): boolean {
    return this.watches.has(owner)
  }

  /** Ends the watch of a closed open: pending requests complete with STATUS_NOTIFY_CLEANUP. */
  close(owner: number, status: number = VfsStatus.NotifyCleanup): void {
    const w = this.watches.get(owner)
    if (!w) return
    this.watches.delete(owner)
    for (const p of w.pending.splice(0)) p.settle({ status, changes: [] })
  }

  /** Reports a change of the entry at `absPath` (created, removed or modified). */
  changed(absPath: string, action: number, filter: number): void {
    for (const w of this.watches.values()) {
      if ((w.filter & filter) === 0) continue
      const name = relativeName(w, absPath)
      if (name !== undefined) this.deliver(w, { action, fileName: name })
    }
  }

  /**
   * Reports a rename. Within one directory a watch gets RENAMED_OLD_NAME then RENAMED_NEW_NAME; a move between
   * directories is REMOVED (old name) and ADDED (new name), each reported to the watches that see that name.
   */
  renamed(oldAbs: string, newAbs: string, isDirectory: boolean): void {
    const filter = isDirectory ? NotifyFilter.DirName : NotifyFilter.FileName
    for (const w of this.watches.values()) {
      if ((w.filter & filter) === 0) continue
      const oldName = relativeName(w, oldAbs)
      const newName = relativeName(w, newAbs)
      // A move to another directory is a removal and an addition even when one watch sees both (Windows;
      // smbtorture smb2.notify.rec).
      if (oldName !== undefined && newName !== undefined && path.dirname(oldAbs) === path.dirname(newAbs)) {
        this.deliver(w, { action: NotifyAction.RenamedOldName, fileName: oldName })
        this.deliver(w, { action: NotifyAction.RenamedNewName, fileName: newName })
      } else {
        if (oldName !== undefined) this.deliver(w, { action: NotifyAction.Removed, fileName: oldName })
        if (newName !== undefined) this.deliver(w, { action: NotifyAction.Added, fileName: newName })
      }
    }
  }

  private deliver(w: Watch, change: NotifyChange): void {
    const last = w.batch[w.batch.length - 1] ?? (w.batch.length === 0 ? w.buffered[w.buffered.length - 1] : undefined)
    if (last && change.action === NotifyAction.Modified && last.action === NotifyAction.Modified && last.fileName === change.fileName) {
      return
    }
    w.batch.push(change)
    if (!w.scheduled) {
      w.scheduled = true
      setImmediate(() => this.flush(w))
    }
  }

  private flush(w: Watch): void {
    w.scheduled = false
    const batch = w.batch
    w.batch = []
    if (!batch.length || this.watches.get(w.owner) !== w) return
    const p = w.pending.shift()
    if (p) {
      const all = w.buffered.length ? [...w.buffered, ...batch] : batch
      w.buffered = []
      if (w.overflow || encodedSize(all) > p.outputBufferLength) {
        w.overflow = false
        p.settle({ status: VfsStatus.NotifyEnumDir, changes: [] })
      } else {
        p.settle({ status: VfsStatus.Success, changes: all })
      }
      return
    }
    if (w.overflow) return
    w.buffered.push(...batch)
    if (w.buffered.length > this.maxBuffered || encodedSize(w.buffered) > w.bufferLimit) {
      w.buffered = []
      w.overflow = true
    }
  }
}

function settledRequest(result: NotifyResult): NotifyRequest {
  return {
    promise: Promise.resolve(result),
    settled: true,
    cancel: () => false,
  }
}

/** The name of `abs` relative to the watched directory, or undefined when the watch does not cover it. */
function relativeName(w: Watch, abs: string): string | undefined {
  const dir = w.dir()
  if (abs === dir) return undefined
  const parent = path.dirname(abs)
  if (parent === dir) return path.basename(abs)
  if (!w.watchTree) return undefined
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep
  if (!abs.startsWith(prefix)) return undefined
  return abs.slice(prefix.length).split(path.sep).join('\\')
}
