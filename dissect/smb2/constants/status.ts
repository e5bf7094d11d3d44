/**
 * NTSTATUS values (MS-ERREF 2.3) that SMB2 traffic carries, by name. `statusName` gives the name traces show
 * (`STATUS_SUCCESS`, ...); unknown codes show as hex.
 * @module
 */

export const NtStatus = {
  Success: 0x0000_0000,
  Pending: 0x0000_0103,
  NotifyCleanup: 0x0000_010b,
  NotifyEnumDir: 0x0000_010c,
  BufferOverflow: 0x8000_0005,
  NoMoreFiles: 0x8000_0006,
  StoppedOnSymlink: 0x8000_002d,
  Unsuccessful: 0xc000_0001,
  NotImplemented: 0xc000_0002,
  InvalidInfoClass: 0xc000_0003,
  InfoLengthMismatch: 0xc000_0004,
  InvalidHandle: 0xc000_0008,
  InvalidParameter: 0xc000_000d,
  NoSuchDevice: 0xc000_000e,
  NoSuchFile: 0xc000_000f,
  InvalidDeviceRequest: 0xc000_0010,
  EndOfFile: 0xc000_0011,
  MoreProcessingRequired: 0xc000_0016,
  NoMemory: 0xc000_0017,
  AccessDenied: 0xc000_0022,
  BufferTooSmall: 0xc000_0023,
  ObjectTypeMismatch: 0xc000_0024,
  ObjectNameInvalid: 0xc000_0033,
  ObjectNameNotFound: 0xc000_0034,
  ObjectNameCollision: 0xc000_0035,
  ObjectPathInvalid: 0xc000_0039,
  ObjectPathNotFound: 0xc000_003a,
  ObjectPathSyntaxBad: 0xc000_003b,
  DataError: 0xc000_003e,
  SharingViolation: 0xc000_0043,
  EaTooLarge: 0xc000_0050,
  NonexistentEaEntry: 0xc000_0051,
  NoEasOnFile: 0xc000_0052,
  DeletePending: 0xc000_0056,
  PrivilegeNotHeld: 0xc000_0061,
  LogonFailure: 0xc000_006d,
  AccountRestriction: 0xc000_006e,
  PasswordExpired: 0xc000_0071,
  AccountDisabled: 0xc000_0072,
  NoneMapped: 0xc000_0073,
  RangeNotLocked: 0xc000_007e,
  DiskFull: 0xc000_007f,
  InsufficientResources: 0xc000_009a,
  FileIsADirectory: 0xc000_00ba,
  NotSupported: 0xc000_00bb,
  NetworkNameDeleted: 0xc000_00c9,
  BadNetworkName: 0xc000_00cc,
  RequestNotAccepted: 0xc000_00d0,
  NotSameDevice: 0xc000_00d4,
  FileRenamed: 0xc000_00d5,
  PipeNotAvailable: 0xc000_00ac,
  InvalidPipeState: 0xc000_00ad,
  PipeBusy: 0xc000_00ae,
  PipeDisconnected: 0xc000_00b0,
  PipeClosing: 0xc000_00b1,
  PipeEmpty: 0xc000_00d9,
  IoTimeout: 0xc000_00b5,
  FileForcedClosed: 0xc000_00b6,
  InternalError: 0xc000_00e5,
  DirectoryNotEmpty: 0xc000_0101,
  FileCorruptError: 0xc000_0102,
  NotADirectory: 0xc000_0103,
  NameTooLong: 0xc000_0106,
  Cancelled: 0xc000_0120,
  CannotDelete: 0xc000_0121,
  FileDeleted: 0xc000_0123,
  FileClosed: 0xc000_0128,
  InvalidLevel: 0xc000_0148,
  NotFound: 0xc000_0225,
  LockNotGranted: 0xc000_0055,
  FileLockConflict: 0xc000_0054,
  InvalidLockSequence: 0xc000_001e,
  InvalidViewSize: 0xc000_001f,
  UserSessionDeleted: 0xc000_0203,
  NetworkSessionExpired: 0xc000_035c,
  ConnectionDisconnected: 0xc000_020c,
  ConnectionReset: 0xc000_020d,
  DuplicateObjectId: 0xc000_022a,
  OplockNotGranted: 0xc000_00e2,
  InvalidOplockProtocol: 0xc000_00e3,
  InvalidDeviceState: 0xc000_0184,
  FsDriverRequired: 0xc000_019c,
  NotAReparsePoint: 0xc000_0275,
  IoReparseTagNotHandled: 0xc000_0279,
  ObjectNameExists: 0x4000_0000,
  NotifyEnumDirWarning: 0x8000_010c,
  FileNotAvailable: 0xc000_0467,
  SmbBadClusterDialect: 0xc05d_0001,
  SmbNoPreauthIntegrityHashOverlap: 0xc05d_0000,
  BadImpersonationLevel: 0xc000_00a5,
  WrongPassword: 0xc000_006a,
  NoSuchUser: 0xc000_0064,
  InvalidWorkstation: 0xc000_0070,
  InvalidLogonHours: 0xc000_006f,
  TooManyOpenedFiles: 0xc000_011f,
  TooManySessions: 0xc000_00ce,
  InvalidNetworkResponse: 0xc000_00c3,
  NetworkAccessDenied: 0xc000_00ca,
  BadDeviceType: 0xc000_00cb,
  DeviceNotReady: 0xc000_00a3,
  DfsUnavailable: 0xc000_026d,
  NoMoreEntries: 0x8000_001a,
  VolumeNotUpgraded: 0xc000_029c,
  ServerUnavailable: 0xc000_0466,
  RetryNotSupported: 0xc000_0479,
} as const
export type NtStatus = (typeof NtStatus)[keyof typeof NtStatus]

/** Names for codes not in the `NtStatus` table above (kept separate so the table stays readable). */
const EXTRA_NAMES: Record<number, string> = {}

const NAME_BY_CODE = new Map<number, string>()
for (const [k, v] of Object.entries(NtStatus)) {
  if (NAME_BY_CODE.has(v)) continue
  NAME_BY_CODE.set(v, 'STATUS_' + k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
}
// Spellings that the camel-case rule above does not produce as MS-ERREF writes them.
NAME_BY_CODE.set(0x8000_010c, 'STATUS_NOTIFY_ENUM_DIR')
NAME_BY_CODE.set(0xc05d_0001, 'STATUS_SMB_BAD_CLUSTER_DIALECT')
NAME_BY_CODE.set(0xc05d_0000, 'STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP')
NAME_BY_CODE.set(0xc000_00ba, 'STATUS_FILE_IS_A_DIRECTORY')
NAME_BY_CODE.set(0xc000_0103, 'STATUS_NOT_A_DIRECTORY')
NAME_BY_CODE.set(0xc000_0275, 'STATUS_NOT_A_REPARSE_POINT')
for (const [k, v] of Object.entries(EXTRA_NAMES)) NAME_BY_CODE.set(Number(k), v)

const CODE_BY_NAME = new Map<string, number>([...NAME_BY_CODE].map(([c, n]) => [n, c]))

export function statusName(code: number): string {
  return NAME_BY_CODE.get(code >>> 0) ?? `0x${(code >>> 0).toString(16).padStart(8, '0')}`
}

export function statusCode(name: string): number | undefined {
  const n = name.toUpperCase()
  if (/^0X[0-9A-F]{1,8}$/.test(n)) return parseInt(n, 16) >>> 0
  return CODE_BY_NAME.get(n.startsWith('STATUS_') ? n : `STATUS_${n}`)
}

/** Severity bits 31..30: 0 success, 1 informational, 2 warning, 3 error. */
export const statusSeverity = (code: number): 0 | 1 | 2 | 3 => ((code >>> 30) & 3) as 0 | 1 | 2 | 3
export const isError = (code: number): boolean => statusSeverity(code) === 3
