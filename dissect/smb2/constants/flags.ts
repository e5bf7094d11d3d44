/** MS-SMB2 2.2.1.1/2.2.1.2 header flags and 2.2.3/2.2.5 security mode and capability bits. @module */

export const Smb2Flags = {
  ServerToRedir: 0x0000_0001,
  AsyncCommand: 0x0000_0002,
  RelatedOperations: 0x0000_0004,
  Signed: 0x0000_0008,
  PriorityMask: 0x0000_0070,
  DfsOperations: 0x1000_0000,
  ReplayOperation: 0x2000_0000,
} as const

const flagNameCache = new Map<number, readonly string[]>()

/** Flag names as traces show them (`flags` key). The array is shared between calls: do not modify it. */
export function headerFlagNames(flags: number): string[] {
  let names = flagNameCache.get(flags)
  if (!names) {
    names = Object.freeze(computeFlagNames(flags))
    if (flagNameCache.size < 1024) flagNameCache.set(flags, names)
  }
  return names as string[]
}

function computeFlagNames(flags: number): string[] {
  const out: string[] = []
  if (flags & Smb2Flags.ServerToRedir) out.push('RESPONSE')
  if (flags & Smb2Flags.AsyncCommand) out.push('ASYNC')
  if (flags & Smb2Flags.RelatedOperations) out.push('RELATED')
  if (flags & Smb2Flags.Signed) out.push('SIGNED')
  if (flags & Smb2Flags.PriorityMask) out.push(`PRIORITY_${(flags & Smb2Flags.PriorityMask) >> 4}`)
  if (flags & Smb2Flags.DfsOperations) out.push('DFS')
  if (flags & Smb2Flags.ReplayOperation) out.push('REPLAY')
  return out
}

export const SecurityMode = {
  SigningEnabled: 0x0001,
  SigningRequired: 0x0002,
} as const

export const Capabilities = {
  Dfs: 0x0000_0001,
  Leasing: 0x0000_0002,
  LargeMtu: 0x0000_0004,
  MultiChannel: 0x0000_0008,
  PersistentHandles: 0x0000_0010,
  DirectoryLeasing: 0x0000_0020,
  Encryption: 0x0000_0040,
  Notifications: 0x0000_0080,
} as const

export const SessionFlags = {
  IsGuest: 0x0001,
  IsNull: 0x0002,
  EncryptData: 0x0004,
} as const

/** Names of the bits set in `v`, from a `{ Name: bit }` table; unknown bits as hex. */
export function bitNames(v: number, table: Readonly<Record<string, number>>): string[] {
  const out: string[] = []
  let rest = v >>> 0
  for (const [name, bit] of Object.entries(table)) {
    // `>>> 0` keeps bit 31 positive on both sides (JavaScript's & yields a signed result).
    if (bit !== 0 && ((v & bit) >>> 0) === bit >>> 0) {
      out.push(name)
      rest = (rest & ~bit) >>> 0
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`)
  return out
}
