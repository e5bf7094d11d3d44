/**
 * The srvsvc pipe (MS-SRVS): enough of it for share browsing (`smbclient -L`, impacket's listShares, Windows
 * Explorer): NetrShareEnum, NetrShareGetInfo and NetrServerGetInfo over the server's share list.
 * @module
 */
import { FaultStatus } from '../../dissect/dcerpc/pdu.js'
import {
  SRVSVC_SYNTAX, ShareTypeCode, SrvsvcOpnum, SUPPORTED_SHARE_LEVELS, WError, decodeNetrServerGetInfoRequest,
  decodeNetrShareEnumRequest, decodeNetrShareGetInfoRequest, encodeNetrServerGetInfoResponse, encodeNetrShareEnumResponse,
  encodeNetrShareGetInfoResponse, type ShareInfo,
} from '../../dissect/dcerpc/srvsvc.js'
import { DcerpcPipeServer, type RpcInterface } from './dcerpc-server.js'

export interface SrvsvcShare {
  name: string
  kind: 'disk' | 'ipc'
  comment: string
  /** Local path, shown (as Windows shows it) only at level 2. */
  path?: string
}

export interface SrvsvcSource {
  netbiosName: string
  shares(): SrvsvcShare[]
}

/** MS-SRVS 2.2.2.6 SV_TYPE_WORKSTATION | SV_TYPE_SERVER | SV_TYPE_SERVER_NT. */
const SERVER_TYPE = 0x0000_9003
const PLATFORM_ID_NT = 500

function info(s: SrvsvcShare): ShareInfo {
  return {
    name: s.name,
    type: s.kind === 'ipc' ? (ShareTypeCode.Ipc | ShareTypeCode.Special) >>> 0 : ShareTypeCode.DiskTree,
    comment: s.comment,
    permissions: 0,
    maxUses: 0xffff_ffff,
    currentUses: 0,
    path: s.kind === 'ipc' ? '' : `C:${(s.path ?? '').replace(/\//g, '\\')}`,
    password: null,
    flags: 0,
  }
}

export function srvsvcInterface(src: SrvsvcSource): RpcInterface {
  const levelOk = (l: number) => (SUPPORTED_SHARE_LEVELS as readonly number[]).includes(l)
  return {
    syntax: SRVSVC_SYNTAX,
    call(opnum, stub) {
      switch (opnum) {
        case SrvsvcOpnum.NetrShareEnum: {
          const q = decodeNetrShareEnumRequest(stub)
          if (!levelOk(q.level)) return encodeNetrShareEnumResponse({ level: 1, shares: [], totalEntries: 0, resumeHandle: null, result: WError.InvalidLevel })
          const shares = src.shares().map(info)
          return encodeNetrShareEnumResponse({ level: q.level, shares, totalEntries: shares.length, resumeHandle: q.resumeHandle === null ? null : 0, result: WError.Success })
        }
        case SrvsvcOpnum.NetrShareGetInfo: {
          const q = decodeNetrShareGetInfoRequest(stub)
          if (!levelOk(q.level)) return encodeNetrShareGetInfoResponse({ level: q.level, share: null, result: WError.InvalidLevel })
          const s = src.shares().find((x) => x.name.toLowerCase() === q.netName.toLowerCase())
          if (!s) return encodeNetrShareGetInfoResponse({ level: q.level, share: null, result: WError.NetNameNotFound })
          return encodeNetrShareGetInfoResponse({ level: q.level, share: info(s), result: WError.Success })
        }
        case SrvsvcOpnum.NetrServerGetInfo: {
          const q = decodeNetrServerGetInfoRequest(stub)
          if (q.level !== 100 && q.level !== 101) return encodeNetrServerGetInfoResponse({ level: q.level, info: null, result: WError.InvalidLevel })
          return encodeNetrServerGetInfoResponse({
            level: q.level,
            info: { platformId: PLATFORM_ID_NT, name: src.netbiosName, versionMajor: 10, versionMinor: 0, type: SERVER_TYPE, comment: 'smbscope' },
            result: WError.Success,
          })
        }
        default:
          return { fault: FaultStatus.OpRngError }
      }
    },
  }
}

/** The pipes IPC$ offers, by lower-case name (MS-SMB2 3.3.5.9: other names fail with OBJECT_NAME_NOT_FOUND). */
export function pipeFactory(src: SrvsvcSource): (name: string) => DcerpcPipeServer | undefined {
  return (name) => {
    const n = name.toLowerCase().replace(/^\\?(pipe\\)?/, '')
    if (n === 'srvsvc') return new DcerpcPipeServer('srvsvc', srvsvcInterface(src))
    return undefined
  }
}
