/**
 * The few body fields the trace layer follows (FileIds, names, contexts, dialect, ...), read from decoded
 * bodies in one place, so the tracker does not depend on each codec's shape.
 * @module
 */
import { Smb2Command } from '../smb2/constants/command.js'

export interface FileIdValue {
  persistent: bigint
  volatile: bigint
}

export interface CreateContextView {
  tag: string
  fileId?: FileIdValue
  createGuid?: string
  persistent?: boolean
  timeoutMs?: number
  leaseKey?: string
  leaseState?: number
}

export interface BodyView {
  fileId?: FileIdValue
  createName?: string
  contexts?: CreateContextView[]
  treePath?: string
  dialect?: number
  previousSessionId?: bigint
  infoType?: number
  infoClass?: number
  renameTo?: string
}

type Obj = Record<string, unknown>

const isFileId = (v: unknown): v is FileIdValue =>
  typeof v === 'object' && v !== null && typeof (v as Obj)['persistent'] === 'bigint' && typeof (v as Obj)['volatile'] === 'bigint'

/** MS-SMB2 2.2.13.2.11 / 2.2.14.2.12: DH2Q flags bit 0x2 = SMB2_DHANDLE_FLAG_PERSISTENT. */
const DHANDLE_FLAG_PERSISTENT = 0x2

export function contextView(c: Obj): CreateContextView {
  const tag = String(c['tag'])
  const v: CreateContextView = { tag }
  const value = (c['value'] ?? {}) as Obj
  // DH2C names it fileId (MS-SMB2 2.2.13.2.12); DHnC's only field is Data (2.2.13.2.4), also a FileId.
  if (isFileId(value['fileId'])) v.fileId = value['fileId']
  else if (tag === 'DHnC' && isFileId(value['data'])) v.fileId = value['data']
  if (typeof value['createGuid'] === 'string') v.createGuid = value['createGuid']
  if (typeof value['flags'] === 'number' && (tag === 'DH2Q' || tag === 'DH2C')) v.persistent = (value['flags'] & DHANDLE_FLAG_PERSISTENT) !== 0
  if (typeof value['timeout'] === 'number') v.timeoutMs = value['timeout']
  if (typeof value['leaseKey'] === 'string') v.leaseKey = value['leaseKey']
  if (typeof value['leaseState'] === 'number') v.leaseState = value['leaseState']
  return v
}

export function bodyAccess(command: number, response: boolean, body: unknown): BodyView {
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return {}
  const b = body as Obj
  const out: BodyView = {}
  if (isFileId(b['fileId'])) out.fileId = b['fileId']
  switch (command) {
    case Smb2Command.Negotiate:
      if (response && typeof b['dialectRevision'] === 'number') out.dialect = b['dialectRevision']
      break
    case Smb2Command.SessionSetup:
      if (!response && typeof b['previousSessionId'] === 'bigint' && b['previousSessionId'] !== 0n) out.previousSessionId = b['previousSessionId']
      break
    case Smb2Command.TreeConnect:
      if (!response && typeof b['path'] === 'string') out.treePath = b['path']
      break
    case Smb2Command.Create:
      if (!response && typeof b['name'] === 'string') out.createName = b['name']
      if (Array.isArray(b['createContexts'])) out.contexts = (b['createContexts'] as Obj[]).map(contextView)
      break
    case Smb2Command.QueryInfo:
    case Smb2Command.SetInfo:
      if (typeof b['infoType'] === 'number') out.infoType = b['infoType']
      if (typeof b['fileInfoClass'] === 'number') out.infoClass = b['fileInfoClass']
      break
    default:
      break
  }
  return out
}
