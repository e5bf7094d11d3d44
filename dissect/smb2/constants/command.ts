/** MS-SMB2 2.2.1 — the 19 SMB2 command codes, with the names traces use. @module */

export const Smb2Command = {
  Negotiate: 0x00,
  SessionSetup: 0x01,
  Logoff: 0x02,
  TreeConnect: 0x03,
  TreeDisconnect: 0x04,
  Create: 0x05,
  Close: 0x06,
  Flush: 0x07,
  Read: 0x08,
  Write: 0x09,
  Lock: 0x0a,
  Ioctl: 0x0b,
  Cancel: 0x0c,
  Echo: 0x0d,
  QueryDirectory: 0x0e,
  ChangeNotify: 0x0f,
  QueryInfo: 0x10,
  SetInfo: 0x11,
  OplockBreak: 0x12,
} as const
export type Smb2Command = (typeof Smb2Command)[keyof typeof Smb2Command]

/** MS-SMB2 names (`NEGOTIATE`, `SESSION_SETUP`, ...), indexed by command code. */
export const COMMAND_NAMES: readonly string[] = [
  'NEGOTIATE', 'SESSION_SETUP', 'LOGOFF', 'TREE_CONNECT', 'TREE_DISCONNECT', 'CREATE', 'CLOSE', 'FLUSH', 'READ',
  'WRITE', 'LOCK', 'IOCTL', 'CANCEL', 'ECHO', 'QUERY_DIRECTORY', 'CHANGE_NOTIFY', 'QUERY_INFO', 'SET_INFO',
  'OPLOCK_BREAK',
]

export function commandName(code: number): string {
  return COMMAND_NAMES[code] ?? `UNKNOWN_0x${code.toString(16).padStart(4, '0')}`
}

export function commandCode(name: string): number | undefined {
  const i = COMMAND_NAMES.indexOf(name.toUpperCase())
  return i < 0 ? undefined : i
}
