import { describe, expect, it } from 'vitest'
import { COMMAND_NAMES } from './constants/command.js'
import { COMMANDS, bodyCodec } from './registry.js'

describe('command registry', () => {
  it('has request and response codecs for all 19 commands', () => {
    expect([...COMMANDS.keys()]).toEqual(Array.from({ length: 19 }, (_, i) => i))
    const names = [...COMMANDS.values()].map((e) => [e.name, e.request.name, e.response.name])
    expect(names).toEqual([
      ['NEGOTIATE', 'NegotiateRequest', 'NegotiateResponse'],
      ['SESSION_SETUP', 'SessionSetupRequest', 'SessionSetupResponse'],
      ['LOGOFF', 'LogoffRequest', 'LogoffResponse'],
      ['TREE_CONNECT', 'TreeConnectRequest', 'TreeConnectResponse'],
      ['TREE_DISCONNECT', 'TreeDisconnectRequest', 'TreeDisconnectResponse'],
      ['CREATE', 'CreateRequest', 'CreateResponse'],
      ['CLOSE', 'CloseRequest', 'CloseResponse'],
      ['FLUSH', 'FlushRequest', 'FlushResponse'],
      ['READ', 'ReadRequest', 'ReadResponse'],
      ['WRITE', 'WriteRequest', 'WriteResponse'],
      ['LOCK', 'LockRequest', 'LockResponse'],
      ['IOCTL', 'IoctlRequest', 'IoctlResponse'],
      ['CANCEL', 'CancelRequest', 'CancelResponse'],
      ['ECHO', 'EchoRequest', 'EchoResponse'],
      ['QUERY_DIRECTORY', 'QueryDirectoryRequest', 'QueryDirectoryResponse'],
      ['CHANGE_NOTIFY', 'ChangeNotifyRequest', 'ChangeNotifyResponse'],
      ['QUERY_INFO', 'QueryInfoRequest', 'QueryInfoResponse'],
      ['SET_INFO', 'SetInfoRequest', 'SetInfoResponse'],
      ['OPLOCK_BREAK', 'OplockBreakRequest', 'OplockBreakResponse'],
    ])
    expect(names.map((n) => n[0])).toEqual(COMMAND_NAMES)
    // The StructureSize of each regular response (what the ERROR rule compares with).
    expect([...COMMANDS.values()].map((e) => e.responseStructureSize)).toEqual([65, 9, 4, 16, 4, 89, 60, 4, 17, 17, 4, 49, 4, 4, 9, 9, 9, 2, undefined])
  })

  it('chooses body codecs by direction, status, StructureSize (and MessageId for OPLOCK_BREAK)', () => {
    const name = (h: { command: number; flags: number; status?: number; messageId?: bigint }, ss?: number) =>
      bodyCodec({ status: 0, ...h }, ss)?.name
    expect(name({ command: 1, flags: 0 }, 25)).toBe('SessionSetupRequest')
    expect(name({ command: 1, flags: 0 }, 17)).toBe('SessionSetupRequestPreRelease')
    expect(name({ command: 1, flags: 0 }, undefined)).toBe('SessionSetupRequest')
    expect(name({ command: 1, flags: 1, status: 0xc0000016 }, 9)).toBe('SessionSetupResponse')
    expect(name({ command: 5, flags: 1, status: 0xc0000034 }, 9)).toBe('ErrorResponse')
    expect(name({ command: 5, flags: 1, status: 0x103 }, 9)).toBe('ErrorResponse')
    expect(name({ command: 0x12, flags: 1, messageId: 0xffff_ffff_ffff_ffffn }, 44)).toBe('LeaseBreakNotification')
    expect(name({ command: 0x12, flags: 1, messageId: 0xffff_ffff_ffff_ffffn }, 24)).toBe('OplockBreakNotification')
    expect(name({ command: 0x12, flags: 1, messageId: 5n }, 24)).toBe('OplockBreakResponse')
    expect(name({ command: 0x12, flags: 0 }, 36)).toBe('LeaseBreakAcknowledgment')
    expect(name({ command: 0x13, flags: 0 }, 4)).toBeUndefined()
  })
})
