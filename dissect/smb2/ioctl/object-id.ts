/**
 * MS-FSCC 2.1.3 — FILE_OBJECTID_BUFFER (FSCTL_GET_OBJECT_ID / FSCTL_CREATE_OR_GET_OBJECT_ID output,
 * FSCTL_SET_OBJECT_ID input): the object ID and the 48-byte extended information, here in its usual
 * form of three GUIDs (BirthVolumeId, BirthObjectId, DomainId).
 * @module
 */
import { bytesN, guid, struct, type Infer } from '../../wire/index.js'

export const FileObjectIdBuffer = struct('FileObjectIdBuffer', {
  objectId: guid,
  birthVolumeId: guid,
  birthObjectId: guid,
  domainId: guid,
})
export type FileObjectIdBuffer = Infer<typeof FileObjectIdBuffer>

/** FSCTL_SET_OBJECT_ID_EXTENDED input: the 48 bytes of extended information alone. */
export const FileObjectIdExtendedInfo = struct('FileObjectIdExtendedInfo', { extendedInfo: bytesN(48) })
export type FileObjectIdExtendedInfo = Infer<typeof FileObjectIdExtendedInfo>
