/**
 * MS-SMB2 2.2.35 (CHANGE_NOTIFY flags and CompletionFilter) and MS-FSCC 2.7.1 (FILE_NOTIFY_INFORMATION
 * actions).
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

export const ChangeNotifyFlags = {
  WatchTree: 0x0001,
} as const
export const changeNotifyFlagNames = flagNamer(ChangeNotifyFlags, { prefix: 'SMB2_' })

export const CompletionFilter = {
  FileName: 0x0000_0001,
  DirName: 0x0000_0002,
  Attributes: 0x0000_0004,
  Size: 0x0000_0008,
  LastWrite: 0x0000_0010,
  LastAccess: 0x0000_0020,
  Creation: 0x0000_0040,
  Ea: 0x0000_0080,
  Security: 0x0000_0100,
  StreamName: 0x0000_0200,
  StreamSize: 0x0000_0400,
  StreamWrite: 0x0000_0800,
} as const
/** `['FILE_NOTIFY_CHANGE_FILE_NAME', ...]`. */
export const completionFilterNames = flagNamer(CompletionFilter, { prefix: 'FILE_NOTIFY_CHANGE_' })

export const NotifyAction = {
  Added: 0x0000_0001,
  Removed: 0x0000_0002,
  Modified: 0x0000_0003,
  RenamedOldName: 0x0000_0004,
  RenamedNewName: 0x0000_0005,
  AddedStream: 0x0000_0006,
  RemovedStream: 0x0000_0007,
  ModifiedStream: 0x0000_0008,
  RemovedByDelete: 0x0000_0009,
  IdNotTunnelled: 0x0000_000a,
  TunnelledIdCollision: 0x0000_000b,
} as const
/** `FILE_ACTION_ADDED`, ... */
export const notifyActionName = valueNamer(NotifyAction, { prefix: 'FILE_ACTION_' })
