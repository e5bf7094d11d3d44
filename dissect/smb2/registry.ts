/**
 * The single dispatch table: command code → request and response codecs. The dissector, the replay client
 * and the server all pick body codecs here (style.md example 5).
 * @module
 */
import type { Codec } from '../wire/index.js'
import { Smb2Command, commandName } from './constants/command.js'
import { NtStatus } from './constants/status.js'
import { Smb2Flags } from './constants/flags.js'
import type { Smb2Header } from './header.js'
import { EchoRequest, EchoResponse } from './commands/echo.js'
import { ErrorResponse } from './commands/error.js'

export interface CommandCodecs {
  code: number
  name: string
  request: Codec<any, any>
  response: Codec<any, any>
}

function entry(code: number, request: Codec<any, any>, response: Codec<any, any>): CommandCodecs {
  return { code, name: commandName(code), request, response }
}

export const COMMANDS: ReadonlyMap<number, CommandCodecs> = new Map(
  [
    entry(Smb2Command.Echo, EchoRequest, EchoResponse),
  ].map((e) => [e.code, e]),
)

/**
 * MS-SMB2 3.3.4.4: responses whose status is not success carry an ERROR body, except where the command's own
 * body goes with that status (MORE_PROCESSING_REQUIRED on SESSION_SETUP, BUFFER_OVERFLOW on READ, IOCTL,
 * QUERY_INFO, QUERY_DIRECTORY and CHANGE_NOTIFY; IOCTL's INVALID_PARAMETER/BUFFER_TOO_SMALL answers to
 * copychunk and friends). The StructureSize at the body start settles the ambiguous cases.
 */
export function isErrorBody(h: Pick<Smb2Header, 'flags' | 'status' | 'command'>, bodyStructureSize: number | undefined): boolean {
  if (!(h.flags & Smb2Flags.ServerToRedir) || h.status === NtStatus.Success) return false
  if (bodyStructureSize !== 9) return false
  const regular = COMMANDS.get(h.command)?.response as { structureSize?: number } | undefined
  if (regular?.structureSize !== 9) return true
  // Interim async answers (STATUS_PENDING, MS-SMB2 3.3.4.2) and other failures of size-9 commands land here.
  switch (h.command) {
    case Smb2Command.SessionSetup:
      return h.status !== NtStatus.MoreProcessingRequired
    case Smb2Command.QueryInfo:
    case Smb2Command.QueryDirectory:
    case Smb2Command.ChangeNotify:
      return h.status !== NtStatus.BufferOverflow
    default:
      return true
  }
}

/** The codec for a message body, or undefined for an unknown command (the caller keeps the bytes raw). */
export function bodyCodec(h: Pick<Smb2Header, 'flags' | 'status' | 'command'>, bodyStructureSize: number | undefined): Codec<any, any> | undefined {
  if (isErrorBody(h, bodyStructureSize)) return ErrorResponse
  const e = COMMANDS.get(h.command)
  if (!e) return undefined
  return h.flags & Smb2Flags.ServerToRedir ? e.response : e.request
}
