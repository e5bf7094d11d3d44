/** LOGOFF (MS-SMB2 3.3.5.6): closes the session's opens and tree connects and removes it. @module */
import type { LogoffRequest } from '../../dissect/smb2/commands/logoff.js'
import type { RequestContext } from '../request.js'

export async function logoff(_req: LogoffRequest, ctx: RequestContext) {
  await ctx.server.endSession(ctx.s, 'logoff')
  return {}
}
