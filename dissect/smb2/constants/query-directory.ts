/** MS-SMB2 2.2.33 — SMB2 QUERY_DIRECTORY request flags. @module */
import { flagNamer } from './names.js'

export const QueryDirectoryFlags = {
  RestartScans: 0x01,
  ReturnSingleEntry: 0x02,
  IndexSpecified: 0x04,
  Reopen: 0x10,
} as const
export const queryDirectoryFlagNames = flagNamer(QueryDirectoryFlags, { prefix: 'SMB2_' })
