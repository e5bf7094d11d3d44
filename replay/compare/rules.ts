/**
 * What a replayed response is judged on. The status always; for the responses that carry results, the fields
 * a client acts on: create action, oplock level, lease state/flags/epoch, durable and persistent response
 * contexts, sizes and attributes, READ data (by hash), query and directory information, break levels. Not
 * compared, because the server chooses them or they depend on the file system rather than on SMB behaviour:
 * timestamps, server-chosen ids (FileId, SessionId, TreeId, AsyncId, index numbers, volume serials, on-disk
 * ids, GUIDs), security blobs, offsets and padding, credits, and allocation sizes (the block size of the file
 * system under the share).
 *
 * Each command's response is first reduced to a comparable view (`responseView`), so both sides go through
 * the same decoding (info classes by the request's class, directory entries keyed by name).
 * @module
 */
import type { ReplayDiff } from '../types.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import { NtStatus, statusName } from '../../dissect/smb2/constants/status.js'
import { decodeDirectory, decodeInfo, decodeNotify } from '../../dissect/smb2/info/index.js'
import type { SmbRecord } from '../../dissect/trace/record.js'
import { isCodecError } from '../../dissect/wire/index.js'
import { diffValues, type DiffRules } from './diff.js'
import { sha256 } from '../plan.js'

/** Keys never compared, wherever they appear (see the module comment for why). */
export const IGNORED_KEYS: ReadonlySet<string> = new Set([
  // server-chosen identifiers
  'fileId', 'indexNumber', 'volumeSerialNumber', 'fileReferenceNumber', 'diskFileId', 'volumeId', 'serverGuid',
  'objectId', 'birthVolumeId', 'birthObjectId', 'domainId', 'fileIndex',
  // layout, not content
  'structureSize', 'nextEntryOffset', 'padding', 'reserved', 'reserved2',
  // file-system dependent
  'allocationSize', 'totalAllocationUnits', 'availableAllocationUnits', 'callerAvailableAllocationUnits',
  'actualAvailableAllocationUnits', 'sectorsPerAllocationUnit', 'bytesPerSector',
  // 8.3 names are generated per server
  'shortName', 'shortNameLength',
])

const TIME_KEY = /time$/i

export interface RuleOptions {
  /** Extra diff paths (regular expressions) not to compare (`--ignore`). */
  ignore?: RegExp[]
  /** Compare allocation sizes too. */
  allocationSize?: boolean
}

export function makeRules(o: RuleOptions = {}): DiffRules {
  return {
    ignore(path, key) {
      if (TIME_KEY.test(key) && !/timeout/i.test(key)) return true
      if (IGNORED_KEYS.has(key) && !(o.allocationSize && key === 'allocationSize')) return true
      if (key.endsWith('Offset') && key !== 'currentByteOffset') return true
      return o.ignore?.some((r) => r.test(path)) ?? false
    },
    unorderedKey(path) {
      if (path.endsWith('entries')) return (v) => String((v as { fileName?: unknown })?.fileName ?? JSON.stringify(v))
      return undefined
    },
  }
}

/** What the comparison needs from the captured request. */
export interface RequestInfo {
  command: number
  body: unknown
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Buffer.isBuffer(v) ? (v as Obj) : {})

function pick(o: Obj, keys: readonly string[]): Obj {
  const out: Obj = {}
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
  return out
}

/** Create contexts of a response, keyed by tag, with client-chosen GUIDs mapped back to the captured ones. */
function contextsView(list: unknown, guidBack: (g: string) => string): Obj {
  const out: Obj = {}
  if (!Array.isArray(list)) return out
  for (const c of list as Obj[]) {
    const tag = String(c['tag'])
    if (c['known'] !== true) {
      out[tag] = { dataLength: c['dataLength'] }
      continue
    }
    const v = { ...obj(c['value']) }
    for (const k of ['leaseKey', 'parentLeaseKey', 'createGuid']) if (typeof v[k] === 'string') v[k] = guidBack(v[k] as string)
    out[tag] = v
  }
  return out
}

function decodeSafely<T>(f: () => T): T | { undecodable: string } {
  try {
    return f()
  } catch (e) {
    if (isCodecError(e)) return { undecodable: (e as Error).message }
    throw e
  }
}

/** The comparable view of a response body (success or the command's own body with a warning status). */
export function responseView(command: number, status: number, body: unknown, req: RequestInfo | undefined, guidBack: (g: string) => string): Obj {
  const b = obj(body)
  const rq = obj(req?.body)
  switch (command) {
    case Smb2Command.Negotiate: {
      const v = pick(b, ['dialectRevision', 'securityMode', 'capabilities'])
      for (const c of (Array.isArray(b['negotiateContextList']) ? b['negotiateContextList'] : []) as Obj[]) {
        const value = obj(c['value'])
        if (c['contextType'] === 2) v['cipher'] = (value['ciphers'] as unknown[] | undefined)?.[0]
        if (c['contextType'] === 8) v['signingAlgorithm'] = (value['signingAlgorithms'] as unknown[] | undefined)?.[0]
      }
      return v
    }
    case Smb2Command.SessionSetup:
      return pick(b, ['sessionFlags'])
    case Smb2Command.TreeConnect:
      return pick(b, ['shareType', 'shareFlags', 'capabilities', 'maximalAccess'])
    case Smb2Command.Create:
      return { ...pick(b, ['oplockLevel', 'flags', 'createAction', 'endOfFile', 'allocationSize', 'fileAttributes']), createContexts: contextsView(b['createContexts'], guidBack) }
    case Smb2Command.Close:
      return pick(b, ['flags', 'endOfFile', 'allocationSize', 'fileAttributes'])
    case Smb2Command.Read: {
      const data = b['data']
      return { ...pick(b, ['dataLength', 'dataRemaining']), data: Buffer.isBuffer(data) ? `sha256:${sha256(data)}` : undefined }
    }
    case Smb2Command.Write:
      return pick(b, ['count', 'remaining'])
    case Smb2Command.QueryInfo: {
      const out = b['outputBuffer']
      if (!Buffer.isBuffer(out) || typeof rq['infoType'] !== 'number' || typeof rq['fileInfoClass'] !== 'number') return {}
      const info = decodeSafely(() => decodeInfo(rq['infoType'] as number, rq['fileInfoClass'] as number, out, 'response', { op: 'query' }))
      if ('undecodable' in info) return { info }
      return { info: info.value ?? { bytes: info.raw!.length } }
    }
    case Smb2Command.QueryDirectory: {
      const out = b['outputBuffer']
      if (!Buffer.isBuffer(out) || typeof rq['fileInformationClass'] !== 'number') return {}
      const d = decodeSafely(() => decodeDirectory(rq['fileInformationClass'] as number, out))
      if ('undecodable' in d) return { entries: d }
      return { entries: d.entries ?? { bytes: d.raw!.length } }
    }
    case Smb2Command.ChangeNotify: {
      const out = b['outputBuffer']
      if (!Buffer.isBuffer(out) || status !== NtStatus.Success) return {}
      // Which changes land in which CHANGE_NOTIFY response is timing (a server batches what happened since the
      // last one; a change may fall just before or after), so the comparison keeps the names a response
      // reports, not the exact batch of actions.
      const n = decodeSafely(() => decodeNotify(out))
      if (!Array.isArray(n)) return { changes: n }
      return { changedNames: [...new Set(n.map((e) => e.fileName))].sort() }
    }
    case Smb2Command.OplockBreak: {
      const v = { ...b }
      if (typeof v['leaseKey'] === 'string') v['leaseKey'] = guidBack(v['leaseKey'] as string)
      return v
    }
    case Smb2Command.Ioctl:
      return pick(b, ['ctlCode', 'flags'])
    default:
      return {}
  }
}

/** What a response is compared on: a trace record has it, and so has the cheap view of a live message. */
export type Comparable = Pick<SmbRecord, 'cmdCode' | 'statusCode' | 'status' | 'encrypted' | 'signed' | 'body'>

/** The body of an error response carries nothing compared (MS-SMB2 2.2.2). */
function hasOwnBody(rec: Comparable): boolean {
  const b = rec.body as Obj | undefined
  return !!b && !(b['errorContextCount'] !== undefined && b['byteCount'] !== undefined)
}

export interface CompareInput {
  expected: Comparable
  actual: Comparable
  request?: RequestInfo
  /** Maps a live client-chosen GUID back to the captured one (identity unless regenerating). */
  guidBack?: (g: string) => string
}

/** The differences between a captured response and its live counterpart. */
export function compareResponses(x: CompareInput, rules: DiffRules): ReplayDiff[] {
  const out: ReplayDiff[] = []
  const { expected, actual } = x
  if (expected.statusCode !== actual.statusCode) {
    out.push({ path: 'status', expected: expected.status ?? null, actual: actual.status ?? null })
    return out
  }
  if (expected.encrypted !== actual.encrypted) out.push({ path: 'encrypted', expected: expected.encrypted, actual: actual.encrypted })
  if (expected.signed !== actual.signed && !expected.encrypted && !actual.encrypted) out.push({ path: 'signed', expected: expected.signed, actual: actual.signed })
  const status = Number.parseInt(expected.statusCode ?? '0', 16) >>> 0
  if (!hasOwnBody(expected) || !hasOwnBody(actual)) return out
  const guidBack = x.guidBack ?? ((g: string) => g)
  const e = responseView(expected.cmdCode, status, expected.body, x.request, (g) => g)
  const a = responseView(actual.cmdCode, status, actual.body, x.request, guidBack)
  diffValues(e, a, 'body', rules, out)
  return out
}

export { statusName }
