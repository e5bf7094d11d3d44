/**
 * NEGOTIATE (MS-SMB2 3.3.5.3 for the SMB1 multi-protocol negotiate, 3.3.5.4 for SMB2 NEGOTIATE): dialect selection,
 * capabilities, limits, the 3.1.1 negotiate contexts (preauth integrity SHA-512, encryption, signing, compression)
 * and the connection's preauth integrity hash.
 * @module
 */
import { randomBytes } from 'node:crypto'
import { CipherId, SigningAlgorithm } from '../../dissect/crypto/constants.js'
import { decodeSmb1, SMB1_NEGOTIATE } from '../../dissect/smb1/header.js'
import { NegotiateResponse, type NegotiateRequest } from '../../dissect/smb2/commands/negotiate.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import { Dialect } from '../../dissect/smb2/constants/dialect.js'
import { Capabilities, SecurityMode, Smb2Flags } from '../../dissect/smb2/constants/flags.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { CompressionAlgorithm, makeHeader } from '../../dissect/smb2/header.js'
import { CompressionCapabilitiesFlags, type CompressionCapabilities } from '../../dissect/smb2/negotiate-contexts/compression.js'
import type { EncryptionCapabilities } from '../../dissect/smb2/negotiate-contexts/encryption.js'
import { HashAlgorithm, type PreauthIntegrityCapabilities } from '../../dissect/smb2/negotiate-contexts/preauth-integrity.js'
import { NegotiateContextType, type NegotiateContext, type NegotiateContextInput } from '../../dissect/smb2/negotiate-contexts/registry.js'
import type { SigningCapabilities } from '../../dissect/smb2/negotiate-contexts/signing.js'
import { isCodecError } from '../../dissect/wire/errors.js'
import { Authenticator } from '../auth/authenticator.js'
import type { Connection } from '../connection.js'
import type { RequestContext } from '../request.js'
import type { SmbServer } from '../server.js'
import { DisconnectError, SmbError } from '../smb-error.js'
import { nowFiletime } from '../vfs/attributes.js'

const ALL_DIALECTS = [Dialect.Smb311, Dialect.Smb302, Dialect.Smb300, Dialect.Smb210, Dialect.Smb202]
/** Server preference among the ciphers a 3.1.1 client offers (AES-GCM is the fastest on this platform). */
const CIPHER_PREFERENCE = [CipherId.Aes128Gcm, CipherId.Aes256Gcm, CipherId.Aes128Ccm, CipherId.Aes256Ccm]
const SIGNING_PREFERENCE = [SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256]
/** The algorithms dissect/compress implements (decompression of requests; responses are sent uncompressed). */
const COMPRESSION_SUPPORTED = [CompressionAlgorithm.Lz77, CompressionAlgorithm.Lz77Huffman, CompressionAlgorithm.Lznt1, CompressionAlgorithm.PatternV1]
/** STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP (MS-SMB2 3.3.5.4). */
const STATUS_NO_PREAUTH_OVERLAP = 0xc05d_0000

function serverDialects(server: SmbServer): number[] {
  const { min, max } = server.config.dialects
  return ALL_DIALECTS.filter((d) => d >= min && d <= max)
}

function securityMode(server: SmbServer): number {
  return SecurityMode.SigningEnabled | (server.config.signing === 'required' ? SecurityMode.SigningRequired : 0)
}

/**
 * MS-SMB2 3.3.5.4 server capabilities, as Samba gives them: DFS always; LEASING and LARGE_MTU from 2.1; on 3.x,
 * DIRECTORY_LEASING when configured (Samba 4.17 does not offer it), MULTI_CHANNEL and PERSISTENT_HANDLES when the client asks for them (the latter only when a share is continuously
 * available), ENCRYPTION for 3.0/3.0.2 when the client asks (3.1.1 uses the negotiate context). Samba 4.17
 * answers a 3.1.1 client asking for everything with 0x0f (DFS|LEASING|LARGE_MTU|MULTI_CHANNEL).
 */
function capabilitiesFor(dialect: number, clientCaps: number, server: SmbServer): number {
  let caps: number = Capabilities.Dfs
  if (dialect >= Dialect.Smb210) caps |= Capabilities.Leasing | Capabilities.LargeMtu
  if (dialect >= Dialect.Smb300) {
    // Directory leases when configured: R/RH on directories, broken by changes inside them (reportDirectoryChange).
    if (server.config.directoryLeases) caps |= Capabilities.DirectoryLeasing
    const anyCa = server.config.shares.some((s) => s.ca)
    if (clientCaps & Capabilities.PersistentHandles && anyCa) caps |= Capabilities.PersistentHandles
  }
  // MS-SMB2 3.3.5.4: the capability bit announces encryption for 3.0/3.0.2; 3.1.1 uses the negotiate context.
  if ((dialect === Dialect.Smb300 || dialect === Dialect.Smb302) && clientCaps & Capabilities.Encryption) caps |= Capabilities.Encryption
  // MS-SMB2 3.3.5.4: multichannel (session binding, 3.3.5.5.2) on SMB 3.x when the server offers it and the client asks.
  if (dialect >= Dialect.Smb300 && server.config.multichannel && clientCaps & Capabilities.MultiChannel) caps |= Capabilities.MultiChannel
  return caps
}

/** Sets the limits and multi-credit support of a connection once its dialect is known. */
function applyDialect(conn: Connection, dialect: number): void {
  conn.dialect = dialect
  conn.supportsMultiCredit = dialect >= Dialect.Smb210
  const io = conn.supportsMultiCredit ? conn.server.config.limits.maxIoSize : 65536
  conn.maxTransactSize = io
  conn.maxReadSize = io
  conn.maxWriteSize = io
}

function responseBody(conn: Connection, server: SmbServer, dialect: number, contexts: NegotiateContextInput[]) {
  return {
    securityMode: conn.serverSecurityMode,
    dialectRevision: dialect,
    serverGuid: server.guid,
    capabilities: conn.serverCapabilities,
    maxTransactSize: conn.maxTransactSize,
    maxReadSize: conn.maxReadSize,
    maxWriteSize: conn.maxWriteSize,
    systemTime: nowFiletime(),
    serverStartTime: 0n,
    securityBuffer: Authenticator.negotiateToken(),
    negotiateContextList: contexts,
  }
}

/** MS-SMB2 3.3.5.4 — SMB2 NEGOTIATE. */
export async function negotiate(req: NegotiateRequest, ctx: RequestContext) {
  const { conn, server } = ctx
  if (req.dialects.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'no dialects')
  const mine = serverDialects(server)
  const dialect = mine.find((d) => req.dialects.includes(d))
  if (dialect === undefined) {
    ctx.extras.disconnectAfter = true
    throw new SmbError(NtStatus.NotSupported, undefined, `no common dialect in ${req.dialects.map((d) => d.toString(16)).join(',')}`)
  }
  conn.clientGuid = req.clientGuid
  conn.clientCapabilities = dialect >= Dialect.Smb210 ? req.capabilities : 0
  conn.clientSecurityMode = req.securityMode
  conn.clientDialects = [...req.dialects]
  applyDialect(conn, dialect)
  conn.serverSecurityMode = securityMode(server)
  conn.serverCapabilities = capabilitiesFor(dialect, req.capabilities, server)
  const contexts: NegotiateContextInput[] = []
  if (dialect === Dialect.Smb311) {
    const got = negotiateContexts311(req.negotiateContextList, conn)
    contexts.push(...got)
    // MS-SMB2 3.3.5.4: H = SHA-512(0^64 || NEGOTIATE request), then the response (added once it is encoded).
    conn.preauth.reset().update(ctx.req.raw)
    ctx.extras.onEncoded = (bytes) => conn.preauth.update(bytes)
  }
  conn.log.debug('negotiated', { dialect: dialect.toString(16), cipher: conn.cipherId, signing: conn.signingAlgorithmId })
  return responseBody(conn, server, dialect, contexts)
}

function negotiateContexts311(list: NegotiateContext[], conn: Connection): NegotiateContextInput[] {
  const seen = new Set<number>()
  let preauth: PreauthIntegrityCapabilities | undefined
  let enc: EncryptionCapabilities | undefined
  let comp: CompressionCapabilities | undefined
  let sign: SigningCapabilities | undefined
  for (const c of list) {
    // MS-SMB2 3.3.5.4: a context type sent twice, or a known context that does not decode, is invalid.
    if (seen.has(c.contextType) && c.contextType !== NegotiateContextType.NetnameNegotiateContextId) {
      throw new SmbError(NtStatus.InvalidParameter, undefined, `negotiate context 0x${c.contextType.toString(16)} twice`)
    }
    seen.add(c.contextType)
    const known = [NegotiateContextType.PreauthIntegrityCapabilities, NegotiateContextType.EncryptionCapabilities, NegotiateContextType.CompressionCapabilities, NegotiateContextType.SigningCapabilities] as number[]
    if (known.includes(c.contextType) && !c.known) throw new SmbError(NtStatus.InvalidParameter, undefined, `bad negotiate context 0x${c.contextType.toString(16)}`)
    if (!c.known) continue
    switch (c.contextType) {
      case NegotiateContextType.PreauthIntegrityCapabilities: preauth = c.value as PreauthIntegrityCapabilities; break
      case NegotiateContextType.EncryptionCapabilities: enc = c.value as EncryptionCapabilities; break
      case NegotiateContextType.CompressionCapabilities: comp = c.value as CompressionCapabilities; break
      case NegotiateContextType.SigningCapabilities: sign = c.value as SigningCapabilities; break
    }
  }
  if (!preauth || preauth.hashAlgorithms.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'no preauth integrity context')
  if (!preauth.hashAlgorithms.includes(HashAlgorithm.Sha512)) throw new SmbError(STATUS_NO_PREAUTH_OVERLAP, undefined, 'no SHA-512')
  const out: NegotiateContextInput[] = [
    {
      contextType: NegotiateContextType.PreauthIntegrityCapabilities,
      known: true,
      value: { hashAlgorithms: [HashAlgorithm.Sha512], salt: randomBytes(32) },
    },
  ]
  if (enc) {
    if (enc.ciphers.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'empty cipher list')
    const cipher = CIPHER_PREFERENCE.find((c) => enc!.ciphers.includes(c)) ?? 0
    conn.cipherId = cipher || undefined
    out.push({ contextType: NegotiateContextType.EncryptionCapabilities, known: true, value: { ciphers: [cipher] } })
  }
  if (comp) {
    if (comp.compressionAlgorithms.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'empty compression list')
    const common = comp.compressionAlgorithms.filter((a) => COMPRESSION_SUPPORTED.includes(a as 2))
    const chained = (comp.flags & CompressionCapabilitiesFlags.Chained) !== 0
    // Pattern_V1 only exists in chained mode (MS-SMB2 2.2.3.1.3).
    const algs = chained ? common : common.filter((a) => a !== CompressionAlgorithm.PatternV1)
    conn.compressionAlgorithms = algs
    conn.compressionChained = chained && algs.length > 0
    out.push({
      contextType: NegotiateContextType.CompressionCapabilities,
      known: true,
      value: { compressionAlgorithms: algs.length ? algs : [CompressionAlgorithm.None], flags: conn.compressionChained ? CompressionCapabilitiesFlags.Chained : 0 },
    })
  }
  if (sign) {
    if (sign.signingAlgorithms.length === 0) throw new SmbError(NtStatus.InvalidParameter, undefined, 'empty signing list')
    const alg = SIGNING_PREFERENCE.find((a) => sign!.signingAlgorithms.includes(a)) ?? SigningAlgorithm.AesCmac
    conn.signingAlgorithmId = alg
    out.push({ contextType: NegotiateContextType.SigningCapabilities, known: true, value: { signingAlgorithms: [alg] } })
  }
  return out
}

/**
 * MS-SMB2 3.3.5.3.1 — an SMB1 NEGOTIATE naming "SMB 2.???" is answered with an SMB2 NEGOTIATE response of dialect
 * 0x02FF (the client then sends an SMB2 NEGOTIATE); naming only "SMB 2.002" selects 2.0.2 at once. Anything else
 * (SMB1 only, or any SMB1 message after that) ends the connection: this server has no SMB1.
 */
export async function handleSmb1Negotiate(server: SmbServer, conn: Connection, buf: Buffer): Promise<void> {
  if (conn.dialect !== 0) throw new DisconnectError('SMB1 message after negotiation')
  let dialects: string[]
  try {
    const m = decodeSmb1(buf)
    if (m.header.command !== SMB1_NEGOTIATE || !m.negotiate) throw new DisconnectError('SMB1 is not supported')
    dialects = m.negotiate.dialects
  } catch (e) {
    if (isCodecError(e)) throw new DisconnectError(`bad SMB1 negotiate: ${e.message}`)
    throw e
  }
  const mine = serverDialects(server)
  let dialect: number
  if (dialects.includes('SMB 2.???') && mine.some((d) => d >= Dialect.Smb210)) dialect = Dialect.Wildcard
  else if ((dialects.includes('SMB 2.002') || dialects.includes('SMB 2.???')) && mine.includes(Dialect.Smb202)) dialect = Dialect.Smb202
  else throw new DisconnectError('SMB1 negotiate without an SMB2 dialect')
  // The SMB1 request used MessageId 0; the window moves on to 1.
  conn.credits.consume(0n, 1)
  const credits = conn.credits.grant(1)
  if (dialect === Dialect.Wildcard) conn.dialect = Dialect.Wildcard
  else {
    applyDialect(conn, dialect)
    conn.clientDialects = [Dialect.Smb202]
  }
  conn.serverSecurityMode = securityMode(server)
  conn.serverCapabilities = 0
  if (dialect === Dialect.Wildcard) {
    conn.maxTransactSize = conn.maxReadSize = conn.maxWriteSize = 65536
  }
  const header = makeHeader({ command: Smb2Command.Negotiate, flags: Smb2Flags.ServerToRedir, credits, messageId: 0n })
  conn.sendChain([{ header, body: responseBody(conn, server, dialect, []), codec: NegotiateResponse }])
}
