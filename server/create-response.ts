/**
 * The CREATE response body (MS-SMB2 2.2.14) of an open: built the same way for a new open (handlers/create.ts),
 * a durable reconnect and a replayed create (durable-handles.ts).
 * @module
 */
import type { CreateContextInput } from '../dissect/smb2/create-contexts/index.js'
import type { FileInfo } from './vfs/attributes.js'

export type FileTimesAndSizes = Pick<FileInfo, 'creationTime' | 'lastAccessTime' | 'lastWriteTime' | 'changeTime' | 'allocationSize' | 'endOfFile' | 'fileAttributes'>

/** The times, sizes and attributes a CREATE response and a CLOSE response with POSTQUERY_ATTRIB carry, in wire order. */
export function timesAndSizes(info: FileTimesAndSizes): FileTimesAndSizes {
  return {
    creationTime: info.creationTime,
    lastAccessTime: info.lastAccessTime,
    lastWriteTime: info.lastWriteTime,
    changeTime: info.changeTime,
    allocationSize: info.allocationSize,
    endOfFile: info.endOfFile,
    fileAttributes: info.fileAttributes,
  }
}

export function createResponse(
  open: { persistentId: bigint; volatileId: bigint },
  info: FileTimesAndSizes,
  answer: { oplockLevel: number; createAction: number; createContexts: CreateContextInput[] },
) {
  return {
    oplockLevel: answer.oplockLevel,
    flags: 0,
    createAction: answer.createAction,
    ...timesAndSizes(info),
    fileId: { persistent: open.persistentId, volatile: open.volatileId },
    createContexts: answer.createContexts,
  }
}
