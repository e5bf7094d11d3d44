/**
 * The CREATE response body (MS-SMB2 2.2.14) of an open: built the same way for a new open (handlers/create.ts),
 * a durable reconnect and a replayed create (durable-handles.ts).
 * @module
 */
import type { CreateContextInput } from '../dissect/smb2/create-contexts/index.js'
import type { FileInfo } from './vfs/attributes.js'

type FileTimesAndSizes = Pick<FileInfo, 'creationTime' | 'lastAccessTime' | 'lastWriteTime' | 'changeTime' | 'allocationSize' | 'endOfFile' | 'fileAttributes'>

export function createResponse(
  open: { persistentId: bigint; volatileId: bigint },
  info: FileTimesAndSizes,
  answer: { oplockLevel: number; createAction: number; createContexts: CreateContextInput[] },
) {
  return {
    oplockLevel: answer.oplockLevel,
    flags: 0,
    createAction: answer.createAction,
    creationTime: info.creationTime,
    lastAccessTime: info.lastAccessTime,
    lastWriteTime: info.lastWriteTime,
    changeTime: info.changeTime,
    allocationSize: info.allocationSize,
    endOfFile: info.endOfFile,
    fileAttributes: info.fileAttributes,
    fileId: { persistent: open.persistentId, volatile: open.volatileId },
    createContexts: answer.createContexts,
  }
}
