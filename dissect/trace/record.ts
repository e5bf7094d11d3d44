/**
 * The trace record: one JSON object per SMB2 message (design.md "Trace record"), plus TCP connection events
 * (`proto: "tcp"`), which reconnect analysis needs. Records are plain JSON-ready objects: ids as hex strings,
 * bodies normalised by `toJsonValue`.
 * @module
 */

export type Dir = 'request' | 'response'

export interface Note {
  severity: 'error' | 'warning' | 'note' | 'chat'
  group: 'malformed' | 'protocol' | 'sequence' | 'security' | 'decryption' | 'reassembly'
  message: string
  path?: string
}

export interface SmbRecord {
  /** Number of the capture frame that completes the message (1-based, as tshark counts). */
  frame: number
  time: number
  conn: string
  dir: Dir
  proto: 'smb2' | 'smb1'
  cmd: string
  cmdCode: number
  messageId: string
  sessionId: string
  asyncId?: string
  treeId: string
  status?: string
  statusCode?: string
  flags: string[]
  creditCharge: number
  credits: number
  signed: boolean
  encrypted: boolean
  compressed?: boolean
  compound?: { index: number; count: number; related: boolean }
  fileId?: string
  path?: string
  /** Share name of the tree this message runs in, when known. */
  share?: string
  body?: unknown
  /** Frame of the matching response / request, and the response time in seconds. */
  responseFrame?: number
  requestFrame?: number
  rtt?: number
  /** SMB 3.x request ChannelSequence. */
  channelSequence?: number
  /** Signature check result when a key is known. */
  signature?: 'valid' | 'invalid' | 'unchecked'
  /** Durable-handle annotations: grant, reconnect, lifecycle id. */
  durable?: { open: number; event: string }
  notes?: Note[]
  error?: string
}

export interface TcpRecord {
  frame: number
  time: number
  conn: string
  proto: 'tcp'
  event: 'open' | 'close' | 'reset' | 'gap'
  dir?: 'client' | 'server'
  detail?: string
}

export type TraceRecord = SmbRecord | TcpRecord

export const isSmb = (r: TraceRecord): r is SmbRecord => r.proto !== 'tcp'

const ZEROS = '0000000000000000'
/** 16 hex digits; values below 2^32 take the (much cheaper) Number path. */
function hex16(v: bigint): string {
  const s = v <= 0xffff_ffffn ? Number(v).toString(16) : v.toString(16)
  return s.length >= 16 ? s : ZEROS.slice(s.length) + s
}
export const hex64 = (v: bigint): string => '0x' + hex16(v)
export const hex32 = (v: number): string => {
  const s = (v >>> 0).toString(16)
  return '0x' + (s.length >= 8 ? s : ZEROS.slice(s.length + 8) + s)
}
export const fileIdString = (f: { persistent: bigint; volatile: bigint }): string => hex16(f.persistent) + ':' + hex16(f.volatile)

const FILETIME_EPOCH_DIFF = 116444736000000000n

const isoCache = new Map<bigint, string>()

/** FILETIME (100 ns since 1601) → ISO string; 0 stays 0. Recent values are cached (they repeat a lot). */
export function filetimeToIso(ft: bigint): string | 0 {
  if (ft === 0n) return 0
  const hit = isoCache.get(ft)
  if (hit !== undefined) return hit
  const s = filetimeToIsoUncached(ft)
  if (isoCache.size >= 4096) isoCache.clear()
  isoCache.set(ft, s)
  return s
}

function filetimeToIsoUncached(ft: bigint): string {
  const ms = (ft - FILETIME_EPOCH_DIFF) / 10000n
  const d = new Date(Number(ms))
  return Number.isNaN(d.getTime()) ? hex64(ft) : d.toISOString()
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const TIME_KEY = /time$/i
const TIMEOUT_KEY = /timeout/i

/** Whether a bigint under this key is a FILETIME (…Time, not …Timeout); keys are few, so the answer is cached. */
const timeKeys = new Map<string, boolean>()
export function isTimeKey(k: string): boolean {
  let b = timeKeys.get(k)
  if (b === undefined) {
    b = TIME_KEY.test(k) && !TIMEOUT_KEY.test(k)
    if (timeKeys.size < 4096) timeKeys.set(k, b)
  }
  return b
}

export interface JsonOptions {
  /** Buffers longer than this are summarised as { bytes, head } instead of full hex. */
  maxHex?: number
}

/**
 * Turns a decoded value into JSON-ready data: bigints as numbers when safe (else "0x…" hex), FILETIME-named
 * fields as ISO dates, Buffers as hex (long ones summarised), nested objects and arrays recursively.
 */
export function toJsonValue(v: unknown, key = '', opts: JsonOptions = {}): unknown {
  const maxHex = opts.maxHex ?? 64
  if (v === null || v === undefined) return v
  switch (typeof v) {
    case 'bigint':
      if (isTimeKey(key)) return filetimeToIso(v)
      return v <= SAFE ? Number(v) : hex64(v)
    case 'object': {
      if (Buffer.isBuffer(v)) {
        if (v.length <= maxHex) return v.toString('hex')
        return { bytes: v.length, head: v.subarray(0, 32).toString('hex') }
      }
      if (Array.isArray(v)) return v.map((e) => toJsonValue(e, key, opts))
      if (v instanceof Uint8Array) return toJsonValue(Buffer.from(v.buffer, v.byteOffset, v.byteLength), key, opts)
      const out: Record<string, unknown> = {}
      for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
        if (e === undefined) continue
        out[k] = toJsonValue(e, k, opts)
      }
      return out
    }
    default:
      return v
  }
}
