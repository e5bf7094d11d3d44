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

/** `{"key":` and `,"key":`, cached per key (one string per member instead of three concatenations). */
const firstKeys = new Map<string, string>()
const nextKeys = new Map<string, string>()
function firstKey(k: string): string {
  let s = firstKeys.get(k)
  if (s === undefined) {
    s = '{"' + k + '":'
    if (firstKeys.size < 4096) firstKeys.set(k, s)
  }
  return s
}
function nextKey(k: string): string {
  let s = nextKeys.get(k)
  if (s === undefined) {
    s = ',"' + k + '":'
    if (nextKeys.size < 4096) nextKeys.set(k, s)
  }
  return s
}

/** Decimal text of small non-negative integers (frame numbers, sizes, flags), filled as met. */
const SMALL_INTS: Array<string | undefined> = new Array(65536)

/**
 * `String(v)` for a non-integer double, faster for the common case of a time or duration with at most six
 * decimals (capture timestamps, rtt). With N = sec·10^6 + micro (an exact integer), N / 10^6 is the double
 * nearest to the decimal "sec.micro", so when it equals v that text reads back as v; and below 2^32 doubles
 * are closer together than 10^-6, so no other text of at most six decimals does: it is the shortest, which is
 * what `String` prints (trailing zeros cut). Anything else takes `String`.
 */
function decimalText(v: number): string {
  const sec = Math.floor(v)
  if (sec < 0 || sec >= 4294967296) return String(v)
  const us = Math.round((v - sec) * 1e6)
  if (us <= 0 || us >= 1e6 || (sec * 1e6 + us) / 1e6 !== v) return String(v)
  const f = String(us + 1e6)
  let e = 7
  while (f.charCodeAt(e - 1) === 48) e--
  return sec + '.' + f.slice(1, e)
}

export function numberText(v: number): string {
  if ((v | 0) === v) {
    if (v >= 0 && v < 65536) return (SMALL_INTS[v] ??= String(v))
    return String(v)
  }
  if (!Number.isFinite(v)) return 'null'
  return Number.isInteger(v) ? String(v) : decimalText(v)
}

/**
 * The JSON text of a decoded value, with the same rules as `toJsonValue` but written directly (no
 * intermediate objects): the hot path of `--format jsonl`.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/

export function toJsonText(v: unknown, key = '', maxHex = 64): string {
  switch (typeof v) {
    case 'string':
      return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"'
    case 'number':
      return numberText(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'bigint':
      if (isTimeKey(key)) {
        const t = filetimeToIso(v)
        return t === 0 ? '0' : '"' + t + '"'
      }
      return v <= SAFE ? v.toString() : '"' + hex64(v) + '"'
    case 'object': {
      if (v === null) return 'null'
      if (Buffer.isBuffer(v)) {
        if (v.length <= maxHex) return '"' + v.toString('hex') + '"'
        return '{"bytes":' + v.length + ',"head":"' + v.toString('hex', 0, 32) + '"}'
      }
      if (Array.isArray(v)) {
        if (v.length === 0) return '[]'
        let out = '['
        for (let i = 0; i < v.length; i++) {
          if (i) out += ','
          const e = v[i]
          out += e === undefined ? 'null' : toJsonText(e, key, maxHex)
        }
        return out + ']'
      }
      if (v instanceof Uint8Array) return toJsonText(Buffer.from(v.buffer, v.byteOffset, v.byteLength), key, maxHex)
      let out = ''
      for (const k in v) {
        const e = (v as Record<string, unknown>)[k]
        if (e === undefined || typeof e === 'function') continue
        out += (out === '' ? firstKey(k) : nextKey(k)) + toJsonText(e, k, maxHex)
      }
      return out === '' ? '{}' : out + '}'
    }
    default:
      return 'null'
  }
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
      if (/time$/i.test(key) && !/timeout/i.test(key)) return filetimeToIso(v)
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : hex64(v)
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
