/**
 * Server configuration: shares, users, security and limits, from the command line (`--share`, `--user`) and
 * an optional JSON config file (`--config`), validated with clear messages.
 *
 *   --share NAME=PATH[,ca][,ro][,encrypt][,guest]     ca: continuously available (persistent handles)
 *   --user NAME:PASSWORD                              NTLMv2 users (NT hash kept, password dropped)
 *   --session-expiry SECONDS                          sessions must reauthenticate after this long
 *   --directory-leases                                offer directory leases on SMB 3.x (Samba 4.17 does not)
 *   config file: { "shares": [{ "name", "path", "ca", "readOnly", "encrypt", "guestOk" }],
 *                  "users": [{ "name", "password" | "ntHash" }], "guest", "anonymous", "multichannel", "directoryLeases", "signing",
 *                  "encryption", "dialects": { "min", "max" }, "limits": {...} (e.g. "sessionExpiryMs"),
 *                  "durable": {...}, "netbiosName", "domain" }
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

export interface ShareConfig {
  name: string
  path: string
  /** Continuously available: persistent handles offered (SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY). */
  ca: boolean
  readOnly: boolean
  /** Require encryption on this share (SMB2_SHAREFLAG_ENCRYPT_DATA). */
  encrypt: boolean
  guestOk: boolean
}

export interface UserConfig {
  name: string
  domain?: string
  password?: string
  /** NT hash (MD4 of the UTF-16LE password), hex. */
  ntHash?: string
}

export interface Limits {
  /** Largest READ/WRITE/transact payload (MaxReadSize etc.); 8 MiB like Windows with large MTU. */
  maxIoSize: number
  /** Largest SMB2 message accepted on the wire (payload + headers). */
  maxMessageSize: number
  /** Credits a connection may hold at most. */
  maxCredits: number
  maxConnections: number
  maxSessionsPerConnection: number
  maxOpensPerSession: number
  /** Close a connection with no session after this long, and any idle connection after idleTimeoutMs. */
  idleTimeoutMs: number
  /** Expire sessions after this long (0: never), requiring re-authentication (MS-SMB2 3.3.5.2.9). */
  sessionExpiryMs: number
}

export interface DurableSettings {
  /** Timeout granted when a DH2Q asks for 0 (MS-SMB2 3.3.5.9.10: implementation-defined, Windows 60 s). */
  defaultTimeoutMs: number
  maxTimeoutMs: number
  /** How long a v1 durable open survives its connection (Windows: 16 minutes is the documented lease; Samba 60 s). */
  v1TimeoutMs: number
}

export interface ServerConfig {
  host: string
  port: number
  shares: ShareConfig[]
  users: UserConfig[]
  guest: boolean
  /** Accept anonymous (NULL session) authentication (config file "anonymous", default true as Windows/Samba). */
  anonymous: boolean
  /** Offer multichannel (SMB2_GLOBAL_CAP_MULTI_CHANNEL, session binding) on SMB 3.x (config file "multichannel", default true). */
  multichannel: boolean
  /**
   * Offer directory leases (SMB2_GLOBAL_CAP_DIRECTORY_LEASING: R/RH leases on directories, broken by changes inside
   * them) on SMB 3.x (`--directory-leases`, config file "directoryLeases"). Off by default, as in Samba 4.17, so that
   * replays of captures recorded against Samba see the same NEGOTIATE capabilities.
   */
  directoryLeases: boolean
  stateDir?: string
  signing: 'enabled' | 'required'
  encryption: 'off' | 'desired' | 'required'
  /**
   * MS-SMB2 3.3.1.5 RejectUnencryptedAccess: on a share (or session) that requires encryption, refuse plaintext
   * requests and dialects without encryption with STATUS_ACCESS_DENIED. Default true, as Windows.
   */
  rejectUnencrypted: boolean
  dialects: { min: number; max: number }
  limits: Limits
  durable: DurableSettings
  netbiosName: string
  domain: string
  /** Log level for stderr. */
  log: 'error' | 'warn' | 'info' | 'debug'
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export const DEFAULT_LIMITS: Limits = {
  maxIoSize: 8 * 1024 * 1024,
  maxMessageSize: 8 * 1024 * 1024 + 64 * 1024,
  maxCredits: 8192,
  maxConnections: 1024,
  maxSessionsPerConnection: 64,
  maxOpensPerSession: 16384,
  idleTimeoutMs: 15 * 60_000,
  sessionExpiryMs: 0,
}

export const DEFAULT_DURABLE: DurableSettings = { defaultTimeoutMs: 60_000, maxTimeoutMs: 300_000, v1TimeoutMs: 60_000 }

const DIALECTS: Record<string, number> = {
  '2.0.2': 0x0202, '2.02': 0x0202, SMB2_02: 0x0202, '2.1': 0x0210, '2.10': 0x0210, SMB2_10: 0x0210,
  '3.0': 0x0300, '3.00': 0x0300, SMB3_00: 0x0300, '3.0.2': 0x0302, '3.02': 0x0302, SMB3_02: 0x0302,
  '3.1.1': 0x0311, '3.11': 0x0311, SMB3_11: 0x0311,
}

export function parseDialect(s: string | number): number {
  if (typeof s === 'number') return s
  const d = DIALECTS[s] ?? DIALECTS[s.toUpperCase()]
  if (d === undefined) throw new ConfigError(`unknown dialect ${JSON.stringify(s)} (use 2.0.2, 2.1, 3.0, 3.0.2 or 3.1.1)`)
  return d
}

const SHARE_NAME = /^[^"\\/[\]:|<>+=;,*?\x00-\x1f]{1,80}$/

export function parseShare(spec: string): ShareConfig {
  const eq = spec.indexOf('=')
  if (eq <= 0) throw new ConfigError(`--share ${JSON.stringify(spec)}: want NAME=PATH[,ca][,ro][,encrypt][,guest]`)
  const name = spec.slice(0, eq)
  const [path, ...opts] = spec.slice(eq + 1).split(',')
  const share: ShareConfig = { name, path: path ?? '', ca: false, readOnly: false, encrypt: false, guestOk: false }
  for (const o of opts) {
    switch (o.trim().toLowerCase()) {
      case 'ca': case 'persistent': share.ca = true; break
      case 'ro': case 'readonly': share.readOnly = true; break
      case 'encrypt': share.encrypt = true; break
      case 'guest': share.guestOk = true; break
      case '': break
      default: throw new ConfigError(`--share ${name}: unknown option ${JSON.stringify(o)} (ca, ro, encrypt, guest)`)
    }
  }
  return share
}

export function parseUser(spec: string): UserConfig {
  const i = spec.indexOf(':')
  if (i <= 0) throw new ConfigError(`--user ${JSON.stringify(spec)}: want NAME:PASSWORD`)
  let name = spec.slice(0, i)
  let domain: string | undefined
  const bs = name.indexOf('\\')
  if (bs > 0) {
    domain = name.slice(0, bs)
    name = name.slice(bs + 1)
  }
  return { name, domain, password: spec.slice(i + 1) }
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(s) ?? /^()()(\d{1,5})$/.exec(s)
  if (!m) throw new ConfigError(`--listen ${JSON.stringify(s)}: want HOST:PORT`)
  const port = Number(m[3])
  if (port > 65535) throw new ConfigError(`--listen: port ${port} out of range`)
  return { host: m[1] || m[2] || '127.0.0.1', port }
}

export interface CliConfigInput {
  listen?: string
  share?: string[]
  user?: string[]
  stateDir?: string
  config?: string
  guest?: boolean
  signing?: string
  encryption?: string
  minDialect?: string
  maxDialect?: string
  /** Session expiry in seconds (`--session-expiry`), overriding limits.sessionExpiryMs of the config file. */
  sessionExpiry?: number
  directoryLeases?: boolean
  log?: string
}

/** Builds and validates the configuration; throws ConfigError with a message for the user. */
export function buildConfig(a: CliConfigInput): ServerConfig {
  let file: Record<string, unknown> = {}
  if (a.config) {
    try {
      file = JSON.parse(readFileSync(a.config, 'utf8')) as Record<string, unknown>
    } catch (e) {
      throw new ConfigError(`--config ${a.config}: ${(e as Error).message}`)
    }
  }
  const fileShares = ((file['shares'] as Partial<ShareConfig>[] | undefined) ?? []).map((s) => ({
    name: String(s.name ?? ''), path: String(s.path ?? ''), ca: !!s.ca, readOnly: !!s.readOnly, encrypt: !!s.encrypt, guestOk: !!s.guestOk,
  }))
  const shares = [...fileShares, ...(a.share ?? []).map(parseShare)]
  const users = [...((file['users'] as UserConfig[] | undefined) ?? []), ...(a.user ?? []).map(parseUser)]
  const listen = parseListen(a.listen ?? (file['listen'] as string | undefined) ?? '127.0.0.1:445')
  const seen = new Set<string>()
  for (const s of shares) {
    if (!SHARE_NAME.test(s.name)) throw new ConfigError(`share name ${JSON.stringify(s.name)} is not valid`)
    const key = s.name.toLowerCase()
    if (key === 'ipc$') throw new ConfigError('IPC$ is built in; do not configure it')
    if (seen.has(key)) throw new ConfigError(`share ${s.name} is configured twice`)
    seen.add(key)
    s.path = resolve(s.path)
    if (!existsSync(s.path) || !statSync(s.path).isDirectory()) throw new ConfigError(`share ${s.name}: ${s.path} is not a directory`)
  }
  for (const u of users) {
    if (!u.name) throw new ConfigError('a user needs a name')
    if (u.password === undefined && !u.ntHash) throw new ConfigError(`user ${u.name}: needs a password or ntHash`)
    if (u.ntHash && !/^[0-9a-f]{32}$/i.test(u.ntHash)) throw new ConfigError(`user ${u.name}: ntHash must be 32 hex digits`)
  }
  const guest = a.guest ?? (file['guest'] as boolean | undefined) ?? false
  if (!shares.length) throw new ConfigError('no share configured (--share NAME=PATH)')
  if (!users.length && !guest) throw new ConfigError('no user configured (--user NAME:PASSWORD, or --guest)')
  const signing = (a.signing ?? (file['signing'] as string | undefined) ?? 'enabled') as ServerConfig['signing']
  if (signing !== 'enabled' && signing !== 'required') throw new ConfigError(`--signing must be enabled or required`)
  const encryption = (a.encryption ?? (file['encryption'] as string | undefined) ?? 'off') as ServerConfig['encryption']
  if (!['off', 'desired', 'required'].includes(encryption)) throw new ConfigError('--encryption must be off, desired or required')
  const fd = (file['dialects'] as { min?: string; max?: string } | undefined) ?? {}
  const dialects = { min: parseDialect(a.minDialect ?? fd.min ?? '2.0.2'), max: parseDialect(a.maxDialect ?? fd.max ?? '3.1.1') }
  if (dialects.min > dialects.max) throw new ConfigError('minimum dialect is above the maximum')
  if (a.sessionExpiry !== undefined && !(Number.isFinite(a.sessionExpiry) && a.sessionExpiry >= 0)) throw new ConfigError('--session-expiry must be a number of seconds (0: never)')
  const log = (a.log ?? (file['log'] as string | undefined) ?? 'info') as ServerConfig['log']
  if (!['error', 'warn', 'info', 'debug'].includes(log)) throw new ConfigError('--log must be error, warn, info or debug')
  return {
    ...listen,
    shares,
    users,
    guest,
    anonymous: (file['anonymous'] as boolean | undefined) ?? true,
    multichannel: (file['multichannel'] as boolean | undefined) ?? true,
    directoryLeases: a.directoryLeases ?? (file['directoryLeases'] as boolean | undefined) ?? false,
    stateDir: a.stateDir ?? (file['stateDir'] as string | undefined),
    signing,
    encryption,
    rejectUnencrypted: (file['rejectUnencrypted'] as boolean | undefined) ?? true,
    dialects,
    limits: {
      ...DEFAULT_LIMITS,
      ...((file['limits'] as Partial<Limits> | undefined) ?? {}),
      ...(a.sessionExpiry !== undefined ? { sessionExpiryMs: Math.round(a.sessionExpiry * 1000) } : {}),
    },
    durable: { ...DEFAULT_DURABLE, ...((file['durable'] as Partial<DurableSettings> | undefined) ?? {}) },
    netbiosName: String(file['netbiosName'] ?? 'SMBSCOPE'),
    domain: String(file['domain'] ?? 'WORKGROUP'),
    log,
  }
}
