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
import { NegotiateRequest, NegotiateResponse } from './commands/negotiate.js'
import { SessionSetupRequest, SessionSetupRequestPreRelease, SessionSetupResponse } from './commands/session-setup.js'
import { LogoffRequest, LogoffResponse } from './commands/logoff.js'
import { TreeConnectRequest, TreeConnectResponse } from './commands/tree-connect.js'
import { TreeDisconnectRequest, TreeDisconnectResponse } from './commands/tree-disconnect.js'
import { CreateRequest, CreateResponse } from './commands/create.js'
import { CloseRequest, CloseResponse } from './commands/close.js'
import { FlushRequest, FlushResponse } from './commands/flush.js'
import { ReadRequest, ReadResponse } from './commands/read.js'
import { WriteRequest, WriteResponse } from './commands/write.js'
import { LockRequest, LockResponse } from './commands/lock.js'
import { IoctlRequest, IoctlResponse } from './commands/ioctl.js'
import { CancelRequest, CancelResponse } from './commands/cancel.js'
import { EchoRequest, EchoResponse } from './commands/echo.js'
import { QueryDirectoryRequest, QueryDirectoryResponse } from './commands/query-directory.js'
import { ChangeNotifyRequest, ChangeNotifyResponse } from './commands/change-notify.js'
import { QueryInfoRequest, QueryInfoResponse } from './commands/query-info.js'
import { SetInfoRequest, SetInfoResponse } from './commands/set-info.js'
import { OplockBreakRequest, OplockBreakResponse, oplockBreakVariant } from './commands/oplock-break.js'
import { ErrorResponse } from './commands/error.js'

export interface CommandCodecs {
  code: number
  name: string
  request: Codec<any, any>
  response: Codec<any, any>
  /** StructureSize of the regular response body (undefined when it varies, as for OPLOCK_BREAK). */
  responseStructureSize?: number
  /** Other request layouts of the command, by the StructureSize that announces them. */
  requestVariants?: ReadonlyMap<number, Codec<any, any>>
}

function entry(code: number, request: Codec<any, any>, response: Codec<any, any>, requestVariants?: ReadonlyMap<number, Codec<any, any>>): CommandCodecs {
  const responseStructureSize = (response as { structureSize?: number }).structureSize
  return { code, name: commandName(code), request, response, responseStructureSize, requestVariants }
}

export const COMMANDS: ReadonlyMap<number, CommandCodecs> = new Map(
  [
    entry(Smb2Command.Negotiate, NegotiateRequest, NegotiateResponse),
    // StructureSize 17: the pre-release (Vista beta, dialect 0x0006) request without PreviousSessionId.
    entry(Smb2Command.SessionSetup, SessionSetupRequest, SessionSetupResponse, new Map([[17, SessionSetupRequestPreRelease]])),
    entry(Smb2Command.Logoff, LogoffRequest, LogoffResponse),
    entry(Smb2Command.TreeConnect, TreeConnectRequest, TreeConnectResponse),
    entry(Smb2Command.TreeDisconnect, TreeDisconnectRequest, TreeDisconnectResponse),
    entry(Smb2Command.Create, CreateRequest, CreateResponse),
    entry(Smb2Command.Close, CloseRequest, CloseResponse),
    entry(Smb2Command.Flush, FlushRequest, FlushResponse),
    entry(Smb2Command.Read, ReadRequest, ReadResponse),
    entry(Smb2Command.Write, WriteRequest, WriteResponse),
    entry(Smb2Command.Lock, LockRequest, LockResponse),
    entry(Smb2Command.Ioctl, IoctlRequest, IoctlResponse),
    entry(Smb2Command.Cancel, CancelRequest, CancelResponse),
    entry(Smb2Command.Echo, EchoRequest, EchoResponse),
    entry(Smb2Command.QueryDirectory, QueryDirectoryRequest, QueryDirectoryResponse),
    entry(Smb2Command.ChangeNotify, ChangeNotifyRequest, ChangeNotifyResponse),
    entry(Smb2Command.QueryInfo, QueryInfoRequest, QueryInfoResponse),
    entry(Smb2Command.SetInfo, SetInfoRequest, SetInfoResponse),
    entry(Smb2Command.OplockBreak, OplockBreakRequest, OplockBreakResponse),
  ].map((e) => [e.code, e]),
)

/** What the codec choice looks at: the header's flags, status and command (and MessageId for OPLOCK_BREAK). */
export type BodyKey = Pick<Smb2Header, 'flags' | 'status' | 'command'> & { messageId?: bigint }

/**
 * MS-SMB2 3.3.4.4: responses whose status is not success carry an ERROR body, except where the command's own
 * body goes with that status (MORE_PROCESSING_REQUIRED on SESSION_SETUP, BUFFER_OVERFLOW on READ, IOCTL,
 * QUERY_INFO, QUERY_DIRECTORY and CHANGE_NOTIFY; IOCTL's INVALID_PARAMETER/BUFFER_TOO_SMALL answers to
 * copychunk and friends). The StructureSize at the body start settles the ambiguous cases: a body that is
 * not 9 bytes of StructureSize is never an ERROR body; a 9 is one unless the command's regular response is
 * also 9 and the status is one that comes with the regular body.
 */
export function isErrorBody(h: BodyKey, bodyStructureSize: number | undefined): boolean {
  if (!(h.flags & Smb2Flags.ServerToRedir) || h.status === NtStatus.Success) return false
  if (bodyStructureSize !== 9) return false
  const regular = COMMANDS.get(h.command)?.responseStructureSize
  if (regular !== 9) return true
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

/** The codec for a message body, or undefined for an unknown command (the caller keeps the body raw). */
export function bodyCodec(h: BodyKey, bodyStructureSize: number | undefined): Codec<any, any> | undefined {
  if (isErrorBody(h, bodyStructureSize)) return ErrorResponse
  const e = COMMANDS.get(h.command)
  if (!e) return undefined
  const response = (h.flags & Smb2Flags.ServerToRedir) !== 0
  if (bodyStructureSize !== undefined) {
    if (h.command === Smb2Command.OplockBreak) {
      // MS-SMB2 2.2.23-2.2.25: the StructureSize names the message; an unknown size falls to the union codec's error.
      const v = oplockBreakVariant(response, bodyStructureSize, h.messageId)
      if (v) return v
    } else if (!response) {
      const v = e.requestVariants?.get(bodyStructureSize)
      if (v) return v
    }
  }
  return response ? e.response : e.request
}
