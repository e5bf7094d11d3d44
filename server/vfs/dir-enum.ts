/**
 * Directory enumeration (MS-FSA 2.1.5.6 "Server Requests Querying a Directory", MS-SMB2 3.3.5.18).
 *
 * Each directory open has a cursor. The first query (or one with RESTART_SCANS / REOPEN) takes a snapshot of the
 * directory's names: `.` and `..` first (as Windows returns them, for every directory including the share root),
 * then the names sorted by their upcased form, so the order is stable across queries and restarts. Entries are
 * described lazily when they are reached; entries that vanished meanwhile, that cannot be named over SMB, or that
 * the share hides (special files, symlinks leading outside) are skipped. Names created after the snapshot appear
 * after the next restart.
 *
 * The SMB layer passes an `accept` predicate ("does this entry still fit in the output buffer?"): entries are
 * taken until it says no, and the cursor stays on the refused entry for the next query.
 *
 * Search pattern (MS-SMB2 2.2.33): the first query fixes it (an empty pattern means `*`), later queries keep it;
 * RESTART_SCANS rewinds, with the pattern given or the old one when none is given (NTFS takes a new pattern on a
 * restart; Samba keeps the old one); REOPEN starts afresh with the pattern given. Result status:
 * STATUS_NO_SUCH_FILE when the first query of the open (or the first after REOPEN) matches nothing at all,
 * STATUS_NO_MORE_FILES for any later query that finds nothing more (restarts included, as in Samba), and
 * STATUS_BUFFER_OVERFLOW when entries remain but not even the first fits (nothing is consumed; the SMB layer may
 * report that as it sees fit).
 * @module
 */

import type { FileInfo } from './attributes.js'
import { VfsStatus } from './status.js'
import { compareNames, matchesExpression } from './wildcard.js'

/** One enumerated entry: the file's metadata plus its position in the snapshot. */
export interface DirEntry extends FileInfo {
  /** Position in the enumeration snapshot (reported as FileIndex; SMB2_INDEX_SPECIFIED resumes after it). */
  fileIndex: number
  /** 8.3 short name: always empty (no short names are generated). */
  shortName: string
}

/** Where a cursor gets names and entry metadata from. */
export interface EnumSource {
  /** The directory's names as on disk (without `.` and `..`). */
  list(): Promise<string[]>
  /** Metadata of one name (also called for `.` and `..`), or undefined to skip it. */
  describe(name: string): Promise<FileInfo | undefined>
}

/** The parameters of one QUERY_DIRECTORY request. */
export interface QueryDirectoryParams {
  /** FileName of the request; empty or undefined keeps the current pattern (or means `*` on the first query). */
  pattern?: string
  /** SMB2_RESTART_SCANS. */
  restartScan?: boolean
  /** SMB2_REOPEN. */
  reopen?: boolean
  /** SMB2_RETURN_SINGLE_ENTRY. */
  returnSingleEntry?: boolean
  /** SMB2_INDEX_SPECIFIED: resume after the entry with this FileIndex. */
  fileIndex?: number
}

export interface QueryDirectoryResult {
  /** STATUS_SUCCESS, STATUS_NO_SUCH_FILE, STATUS_NO_MORE_FILES or STATUS_BUFFER_OVERFLOW. */
  status: number
  entries: DirEntry[]
}

/** The enumeration state of one directory open. */
export class DirectoryCursor {
  pattern: string | undefined
  names: string[] | undefined
  index = 0
  /** Whether any entry was returned since the last (re)start. */
  returnedAny = false

  /** Forgets the snapshot and position (next query starts over). */
  reset(): void {
    this.names = undefined
    this.index = 0
    this.returnedAny = false
  }
}

/**
 * Runs one query on `cursor` (see the module comment). `accept` is asked for each matching entry in order and
 * returns false when the entry does not fit; at most one entry is returned with `returnSingleEntry`.
 */
export async function queryDirectory(
  cursor: DirectoryCursor,
  source: EnumSource,
  params: QueryDirectoryParams,
  accept: (entry: DirEntry) => boolean = () => true,
): Promise<QueryDirectoryResult> {
  const given = params.pattern !== undefined && params.pattern.length > 0 ? params.pattern : undefined
  if (params.reopen) {
    cursor.pattern = given ?? '*'
    cursor.reset()
  } else if (params.restartScan) {
    // A restart rewinds but is not a first query: no match is STATUS_NO_MORE_FILES (Samba; NTFS behaves so too).
    const started = cursor.returnedAny
    cursor.pattern = given ?? cursor.pattern ?? '*'
    cursor.reset()
    cursor.returnedAny = started
  } else if (cursor.pattern === undefined) {
    cursor.pattern = given ?? '*'
    cursor.reset()
  }
  if (!cursor.names) {
    const names = await source.list()
    names.sort(compareNames)
    cursor.names = ['.', '..', ...names]
    cursor.index = 0
  }
  if (params.fileIndex !== undefined && !params.restartScan && !params.reopen) {
    cursor.index = Math.min(Math.max(params.fileIndex + 1, 0), cursor.names.length)
  }
  const pattern = cursor.pattern
  const entries: DirEntry[] = []
  const names = cursor.names
  while (cursor.index < names.length) {
    const name = names[cursor.index]!
    if (!matchesExpression(pattern, name)) {
      cursor.index++
      continue
    }
    const info = await source.describe(name)
    if (!info) {
      cursor.index++
      continue
    }
    const entry: DirEntry = { ...info, fileName: name, fileIndex: cursor.index, shortName: '' }
    if (!accept(entry)) {
      if (entries.length === 0) return { status: VfsStatus.BufferOverflow, entries }
      break
    }
    entries.push(entry)
    cursor.index++
    if (params.returnSingleEntry) break
  }
  if (entries.length === 0) {
    const status = cursor.returnedAny ? VfsStatus.NoMoreFiles : VfsStatus.NoSuchFile
    cursor.returnedAny = true
    return { status, entries }
  }
  cursor.returnedAny = true
  return { status: VfsStatus.Success, entries }
}
