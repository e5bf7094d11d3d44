/** MS-SMB2 2.2.15 / 2.2.16 — SMB2 CLOSE flags. @module */
import { flagNamer } from './names.js'

export const CloseFlags = {
  PostqueryAttrib: 0x0001,
} as const
export const closeFlagNames = flagNamer(CloseFlags, { prefix: 'SMB2_CLOSE_FLAG_' })
