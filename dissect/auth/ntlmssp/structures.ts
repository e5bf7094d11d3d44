/**
 * MS-NLMP 2.2.2 — the fixed NTLMSSP sub-structures, declared with the struct DSL: VERSION, AV_PAIR (and the
 * AV_PAIR list of target info), Single_Host_Data, LMv2_RESPONSE, NTLMv2_CLIENT_CHALLENGE and NTLMv2_RESPONSE.
 * Plus the AV_PAIR view the dissector shows (`describeAvPairs`) and its inverse for what we send
 * (`buildAvPairs`).
 * @module
 */
import {
  arrayOf, bytes, bytesN, custom, filetime, lengthOf, reserved, struct, u16, u32, u8,
  type Infer, type Input, type VarCodec,
} from '../../wire/index.js'
import { AvId, AV_ID_NAMES } from './constants.js'

const u24 = custom<number>(
  'u24',
  (r) => r.u16() + r.u8() * 0x10000,
  (w, v) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xff_ffff) w.fail(`${v} does not fit in u24`)
    w.u16(v & 0xffff)
    w.u8(v >>> 16)
  },
  3,
)

/** MS-NLMP 2.2.2.10 — VERSION: the sender's OS version and NTLM revision (debugging only). */
export const NtlmVersion = struct('NtlmVersion', {
  productMajorVersion: u8,
  productMinorVersion: u8,
  productBuild: u16,
  reserved: reserved(u24),
  ntlmRevisionCurrent: u8,
})
export type NtlmVersion = Infer<typeof NtlmVersion>
export type NtlmVersionInput = Input<typeof NtlmVersion>

/** MS-NLMP 2.2.2.1 — AV_PAIR: AvId, AvLen and AvLen bytes of value. */
export const AvPair = struct('AvPair', {
  avId: u16,
  avLen: lengthOf('value', u16),
}, { value: bytes })
export type AvPair = Infer<typeof AvPair>
export type AvPairInput = Input<typeof AvPair>
/** An AV_PAIR as decoded or as built (AvLen is implied by the value). */
export interface AvPairLike {
  avId: number
  value: Buffer
}

/**
 * A list of AV_PAIRs filling its window. Everything in the window is kept as pairs, so the zero padding
 * some clients put after MsvAvEOL reads as further MsvAvEOL entries and re-encodes byte for byte.
 */
export const avPairList: VarCodec<AvPair[], AvPairInput[]> = arrayOf(AvPair)

/** MS-NLMP 2.2.2.2 — Single_Host_Data (MsvAvSingleHost). */
export const SingleHostData = struct('SingleHostData', {
  size: u32,
  z4: reserved(u32),
  customData: bytesN(8),
  machineId: bytesN(32),
})
export type SingleHostData = Infer<typeof SingleHostData>

/** MS-NLMP 2.2.2.4 — LMv2_RESPONSE. */
export const Lmv2Response = struct('Lmv2Response', {
  response: bytesN(16),
  challengeFromClient: bytesN(8),
})
export type Lmv2Response = Infer<typeof Lmv2Response>

/** MS-NLMP 2.2.2.7 — NTLMv2_CLIENT_CHALLENGE (the `temp` of 3.3.2 without its leading NTProofStr). */
export const Ntlmv2ClientChallenge = struct('Ntlmv2ClientChallenge', {
  respType: u8,
  hiRespType: u8,
  reserved1: reserved(u16),
  reserved2: reserved(u32),
  timeStamp: filetime,
  challengeFromClient: bytesN(8),
  reserved3: reserved(u32),
}, { avPairs: avPairList })
export type Ntlmv2ClientChallenge = Infer<typeof Ntlmv2ClientChallenge>

/** NTLMv2_CLIENT_CHALLENGE as the variable part of NTLMv2_RESPONSE. */
const clientChallengeItem: VarCodec<Ntlmv2ClientChallenge, Input<typeof Ntlmv2ClientChallenge>> = {
  name: Ntlmv2ClientChallenge.name,
  read: (r, ctx) => Ntlmv2ClientChallenge.read(r, ctx),
  write: (w, v, ctx) => Ntlmv2ClientChallenge.write(w, v, ctx),
  empty: () => ({
    respType: 0, hiRespType: 0, reserved1: 0, reserved2: 0, timeStamp: 0n, challengeFromClient: Buffer.alloc(8), reserved3: 0, avPairs: [],
  }),
}

/** MS-NLMP 2.2.2.8 — NTLMv2_RESPONSE: NTProofStr followed by NTLMv2_CLIENT_CHALLENGE. */
export const Ntlmv2Response = struct('Ntlmv2Response', {
  response: bytesN(16),
}, { clientChallenge: clientChallengeItem })
export type Ntlmv2Response = Infer<typeof Ntlmv2Response>

// ---------------------------------------------------------------------------------------------------------
// AV_PAIR views

/** The AV_PAIRs of a target info (or of an NTLMv2 client challenge) by name, as a dissector shows them. */
export interface AvInfo {
  nbComputerName?: string
  nbDomainName?: string
  dnsComputerName?: string
  dnsDomainName?: string
  dnsTreeName?: string
  /** MsvAvFlags. */
  flags?: number
  /** MsvAvTimestamp: FILETIME. */
  timestamp?: bigint
  singleHost?: SingleHostData
  /** MsvAvTargetName: the SPN the client meant (e.g. `cifs/server`). */
  targetName?: string
  /** MsvAvChannelBindings: MD5 of gss_channel_bindings_struct (zeros when none). */
  channelBindings?: Buffer
  /** Pairs with an unknown AvId or a value of the wrong size, as they came. */
  other?: Array<{ avId: number; name: string; value: Buffer }>
}

const TEXT_KEYS: Record<number, keyof AvInfo> = {
  [AvId.MsvAvNbComputerName]: 'nbComputerName',
  [AvId.MsvAvNbDomainName]: 'nbDomainName',
  [AvId.MsvAvDnsComputerName]: 'dnsComputerName',
  [AvId.MsvAvDnsDomainName]: 'dnsDomainName',
  [AvId.MsvAvDnsTreeName]: 'dnsTreeName',
  [AvId.MsvAvTargetName]: 'targetName',
}

/** Names the pairs up to the first MsvAvEOL (later ones are padding). Never throws. */
export function describeAvPairs(pairs: readonly AvPairLike[]): AvInfo {
  const info: AvInfo = {}
  const other = (p: AvPairLike) => (info.other ??= []).push({ avId: p.avId, name: AV_ID_NAMES[p.avId] ?? `0x${p.avId.toString(16)}`, value: p.value })
  for (const p of pairs) {
    if (p.avId === AvId.MsvAvEOL) break
    const textKey = TEXT_KEYS[p.avId]
    if (textKey) {
      if (p.value.length % 2) other(p)
      else (info as Record<string, unknown>)[textKey] = p.value.toString('utf16le')
    } else if (p.avId === AvId.MsvAvFlags && p.value.length === 4) {
      info.flags = p.value.readUInt32LE(0)
    } else if (p.avId === AvId.MsvAvTimestamp && p.value.length === 8) {
      info.timestamp = p.value.readBigUInt64LE(0)
    } else if (p.avId === AvId.MsvAvSingleHost && p.value.length === SingleHostData.fixedSize) {
      info.singleHost = SingleHostData.decode(p.value)
    } else if (p.avId === AvId.MsvAvChannelBindings && p.value.length === 16) {
      info.channelBindings = p.value
    } else {
      other(p)
    }
  }
  return info
}

/** The first pair with `avId` before MsvAvEOL. */
export function findAvPair<P extends AvPairLike>(pairs: readonly P[], avId: number): P | undefined {
  for (const p of pairs) {
    if (p.avId === AvId.MsvAvEOL) return undefined
    if (p.avId === avId) return p
  }
  return undefined
}

/**
 * AV_PAIRs for an `AvInfo`, in the order Windows and Samba send them (NetBIOS domain, NetBIOS computer, DNS
 * domain, DNS computer, DNS tree, flags, timestamp, single host, target name, channel bindings), ending
 * with MsvAvEOL.
 */
export function buildAvPairs(info: AvInfo): AvPairLike[] {
  const out: AvPairLike[] = []
  const text = (avId: number, s: string | undefined) => {
    if (s !== undefined) out.push({ avId, value: Buffer.from(s, 'utf16le') })
  }
  text(AvId.MsvAvNbDomainName, info.nbDomainName)
  text(AvId.MsvAvNbComputerName, info.nbComputerName)
  text(AvId.MsvAvDnsDomainName, info.dnsDomainName)
  text(AvId.MsvAvDnsComputerName, info.dnsComputerName)
  text(AvId.MsvAvDnsTreeName, info.dnsTreeName)
  if (info.flags !== undefined) {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(info.flags >>> 0)
    out.push({ avId: AvId.MsvAvFlags, value: b })
  }
  if (info.timestamp !== undefined) {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(info.timestamp)
    out.push({ avId: AvId.MsvAvTimestamp, value: b })
  }
  if (info.singleHost) out.push({ avId: AvId.MsvAvSingleHost, value: SingleHostData.encode(info.singleHost) })
  text(AvId.MsvAvTargetName, info.targetName)
  if (info.channelBindings) out.push({ avId: AvId.MsvAvChannelBindings, value: info.channelBindings })
  for (const o of info.other ?? []) out.push({ avId: o.avId, value: o.value })
  out.push({ avId: AvId.MsvAvEOL, value: Buffer.alloc(0) })
  return out
}

/** Encodes a list of AV_PAIRs. */
export function encodeAvPairs(pairs: readonly AvPairInput[]): Buffer {
  return Buffer.concat(pairs.map((p) => AvPair.encode(p)))
}
