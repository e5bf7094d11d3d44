/**
 * The create context table (style.md example 4): name → the codec for its Data, chosen by direction and
 * DataLength. MS-SMB2 2.2.13.2 (request values) and 2.2.14.2 (response values). Tags not listed here, and
 * listed tags with no variant for the direction/length seen, decode as `{ known: false, data }`.
 * @module
 */
import { custom, type Codec, type Direction, type Reader, type Writer } from '../../wire/index.js'
import { AllocationSize } from './allocation-size.js'
import { AppInstanceId, AppInstanceVersion } from './app-instance.js'
import {
  DurableHandleReconnect, DurableHandleReconnectV2, DurableHandleRequest, DurableHandleRequestV2, DurableHandleResponse,
  DurableHandleResponseV2,
} from './durable.js'
import { RequestLease, RequestLeaseV2, ResponseLease, ResponseLeaseV2 } from './lease.js'
import { QueryMaximalAccessRequest, QueryMaximalAccessResponse } from './maximal-access.js'
import { PosixCreateRequest, PosixCreateResponse } from './posix.js'
import { QueryOnDiskIdRequest, QueryOnDiskIdResponse } from './query-on-disk-id.js'
import { TimewarpToken } from './timewarp-token.js'

/** Data kept as raw bytes (a view of the input) but under a known name and spec section. */
export const RawContextData = custom<Buffer>('RawContextData', (r: Reader) => r.rest(), (w: Writer, v: Buffer) => w.bytes(v))

export interface ContextVariant {
  /** MS-SMB2 section of this Data layout; unique per variant, so it also picks the codec on encode. */
  spec: string
  /** The MS-SMB2 constant name. */
  name: string
  dir: Direction
  codec: Codec<any, any>
  /** Which DataLength values this variant takes (default: any). */
  accepts?: (dataLength: number) => boolean
}

export interface CreateContextDef {
  tag: string
  variants: readonly ContextVariant[]
}

const len = (n: number) => (l: number) => l === n

export const CREATE_CONTEXTS: readonly CreateContextDef[] = [
  {
    tag: 'ExtA', // FILE_FULL_EA_INFORMATION list (MS-FSCC 2.4.15); decoded by the info module
    variants: [{ spec: '2.2.13.2.1', name: 'SMB2_CREATE_EA_BUFFER', dir: 'request', codec: RawContextData }],
  },
  {
    tag: 'SecD', // SECURITY_DESCRIPTOR (MS-DTYP 2.4.6); decoded by the security module
    variants: [{ spec: '2.2.13.2.2', name: 'SMB2_CREATE_SD_BUFFER', dir: 'request', codec: RawContextData }],
  },
  {
    tag: 'DHnQ',
    variants: [
      { spec: '2.2.13.2.3', name: 'SMB2_CREATE_DURABLE_HANDLE_REQUEST', dir: 'request', codec: DurableHandleRequest, accepts: len(16) },
      { spec: '2.2.14.2.3', name: 'SMB2_CREATE_DURABLE_HANDLE_RESPONSE', dir: 'response', codec: DurableHandleResponse, accepts: len(8) },
    ],
  },
  {
    tag: 'DHnC',
    variants: [{ spec: '2.2.13.2.4', name: 'SMB2_CREATE_DURABLE_HANDLE_RECONNECT', dir: 'request', codec: DurableHandleReconnect, accepts: len(16) }],
  },
  {
    tag: 'MxAc',
    variants: [
      { spec: '2.2.13.2.5', name: 'SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST', dir: 'request', codec: QueryMaximalAccessRequest, accepts: (l) => l === 0 || l === 8 },
      { spec: '2.2.14.2.5', name: 'SMB2_CREATE_QUERY_MAXIMAL_ACCESS_RESPONSE', dir: 'response', codec: QueryMaximalAccessResponse, accepts: len(8) },
    ],
  },
  {
    tag: 'AlSi',
    variants: [{ spec: '2.2.13.2.6', name: 'SMB2_CREATE_ALLOCATION_SIZE', dir: 'request', codec: AllocationSize, accepts: len(8) }],
  },
  {
    tag: 'TWrp',
    variants: [{ spec: '2.2.13.2.7', name: 'SMB2_CREATE_TIMEWARP_TOKEN', dir: 'request', codec: TimewarpToken, accepts: len(8) }],
  },
  {
    tag: 'RqLs',
    variants: [
      { spec: '2.2.13.2.8', name: 'SMB2_CREATE_REQUEST_LEASE', dir: 'request', codec: RequestLease, accepts: len(32) },
      { spec: '2.2.13.2.10', name: 'SMB2_CREATE_REQUEST_LEASE_V2', dir: 'request', codec: RequestLeaseV2, accepts: len(52) },
      { spec: '2.2.14.2.10', name: 'SMB2_CREATE_RESPONSE_LEASE', dir: 'response', codec: ResponseLease, accepts: len(32) },
      { spec: '2.2.14.2.11', name: 'SMB2_CREATE_RESPONSE_LEASE_V2', dir: 'response', codec: ResponseLeaseV2, accepts: len(52) },
    ],
  },
  {
    tag: 'QFid',
    variants: [
      { spec: '2.2.13.2.9', name: 'SMB2_CREATE_QUERY_ON_DISK_ID', dir: 'request', codec: QueryOnDiskIdRequest, accepts: len(0) },
      { spec: '2.2.14.2.9', name: 'SMB2_CREATE_QUERY_ON_DISK_ID', dir: 'response', codec: QueryOnDiskIdResponse, accepts: len(32) },
    ],
  },
  {
    tag: 'DH2Q',
    variants: [
      { spec: '2.2.13.2.11', name: 'SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2', dir: 'request', codec: DurableHandleRequestV2, accepts: len(32) },
      { spec: '2.2.14.2.12', name: 'SMB2_CREATE_DURABLE_HANDLE_RESPONSE_V2', dir: 'response', codec: DurableHandleResponseV2, accepts: len(8) },
    ],
  },
  {
    tag: 'DH2C',
    variants: [{ spec: '2.2.13.2.12', name: 'SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2', dir: 'request', codec: DurableHandleReconnectV2, accepts: len(36) }],
  },
  {
    tag: 'AppInstanceId',
    variants: [{ spec: '2.2.13.2.13', name: 'SMB2_CREATE_APP_INSTANCE_ID', dir: 'request', codec: AppInstanceId, accepts: len(20) }],
  },
  {
    tag: 'SvhdxOpenDeviceContext', // MS-RSVD 2.2.4.12 (v1) / 2.2.4.32 (v2); kept raw
    variants: [
      { spec: '2.2.13.2.14', name: 'SVHDX_OPEN_DEVICE_CONTEXT', dir: 'request', codec: RawContextData },
      { spec: 'MS-RSVD 2.2.4.12 (response)', name: 'SVHDX_OPEN_DEVICE_CONTEXT_RESPONSE', dir: 'response', codec: RawContextData },
    ],
  },
  {
    tag: 'AppInstanceVersion',
    variants: [{ spec: '2.2.13.2.15', name: 'SMB2_CREATE_APP_INSTANCE_VERSION', dir: 'request', codec: AppInstanceVersion, accepts: len(24) }],
  },
  {
    tag: 'Posix',
    variants: [
      { spec: 'SMB3 POSIX create context (request)', name: 'SMB2_CREATE_TAG_POSIX', dir: 'request', codec: PosixCreateRequest, accepts: len(4) },
      { spec: 'SMB3 POSIX create context (response)', name: 'SMB2_CREATE_TAG_POSIX', dir: 'response', codec: PosixCreateResponse, accepts: (l) => l >= 12 },
    ],
  },
]

const BY_TAG = new Map(CREATE_CONTEXTS.map((d) => [d.tag, d]))

export function createContextDef(tag: string): CreateContextDef | undefined {
  return BY_TAG.get(tag)
}

/** The variant that decodes Data of this tag, direction and length. */
export function pickVariant(tag: string, dir: Direction, dataLength: number): ContextVariant | undefined {
  const def = BY_TAG.get(tag)
  if (!def) return undefined
  for (const v of def.variants) if (v.dir === dir && (!v.accepts || v.accepts(dataLength))) return v
  return undefined
}

/** The variant a decoded or hand-built value names by its spec section. */
export function variantBySpec(tag: string, spec: string): ContextVariant | undefined {
  return BY_TAG.get(tag)?.variants.find((v) => v.spec === spec)
}
