/**
 * MS-SMB2 2.2.5 (SESSION_SETUP request Flags) and 2.2.6 (response SessionFlags; the bits are
 * `SessionFlags` in flags.ts).
 * @module
 */
import { SessionFlags } from './flags.js'
import { flagNamer } from './names.js'

export const SessionSetupFlags = {
  Binding: 0x01,
} as const
export const sessionSetupFlagNames = flagNamer(SessionSetupFlags, { prefix: 'SMB2_SESSION_FLAG_' })

/** `['SMB2_SESSION_FLAG_IS_GUEST']`, ... */
export const sessionFlagNames = flagNamer(SessionFlags, { prefix: 'SMB2_SESSION_FLAG_' })
