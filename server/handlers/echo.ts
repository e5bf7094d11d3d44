/** ECHO (MS-SMB2 3.3.5.17). @module */
import type { EchoRequest } from '../../dissect/smb2/commands/echo.js'

export function echo(_req: EchoRequest) {
  return {}
}
