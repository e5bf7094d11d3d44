/**
 * MS-SMB2 2.2.32.5 — NETWORK_INTERFACE_INFO (the FSCTL_QUERY_NETWORK_INTERFACE_INFO response): a chain of
 * 152-byte entries, each with a 128-byte SOCKADDR_STORAGE holding an IPv4 (2.2.32.5.1.1) or IPv6
 * (2.2.32.5.1.2) address.
 * @module
 */
import { Reader, Writer, reserved, struct, u32, u64, type Codec, type Infer, type Input } from '../../wire/index.js'
import { flagNamer } from '../constants/names.js'
import { chainCodec, nextEntryOffset } from '../info/chain.js'

export const InterfaceCapability = {
  Rss: 0x0000_0001,
  Rdma: 0x0000_0002,
} as const
export const interfaceCapabilityNames = flagNamer(InterfaceCapability, { prefix: 'RSS_CAPABLE', overrides: { Rss: 'RSS_CAPABLE', Rdma: 'RDMA_CAPABLE' } })

export const AddressFamily = { InterNetwork: 0x0002, InterNetworkV6: 0x0017 } as const

export interface SockAddrStorage {
  family: number
  /** Network byte order; MS-SMB2 says 0. */
  port: number
  /** Dotted IPv4 or RFC 5952 IPv6 text; for other families, empty. */
  address: string
  /** IPv6 only (0 for IPv4). */
  flowInfo: number
  /** IPv6 only (0 for IPv4). */
  scopeId: number
  /** The rest of the 128 bytes when not all zero (or the whole body of an unknown family). */
  reserved?: Buffer
}
export type SockAddrStorageInput = Omit<SockAddrStorage, 'flowInfo' | 'scopeId'> & { flowInfo?: number; scopeId?: number }

function formatIpv6(b: Buffer): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i))
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':')
}

function parseIpv6(text: string, w: Writer): Buffer {
  const out = Buffer.alloc(16)
  const [head, tail, extra] = text.split('::')
  if (extra !== undefined) w.fail(`bad IPv6 address ${JSON.stringify(text)}`)
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail ? tail.split(':') : []
  if (tail === undefined ? h.length !== 8 : h.length + t.length > 7) w.fail(`bad IPv6 address ${JSON.stringify(text)}`)
  const put = (parts: string[], at: number) => parts.forEach((p, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) w.fail(`bad IPv6 group ${JSON.stringify(p)} in ${text}`)
    out.writeUInt16BE(parseInt(p, 16), (at + i) * 2)
  })
  put(h, 0)
  put(t, 8 - t.length)
  return out
}

const SOCKADDR_SIZE = 128

/** MS-SMB2 2.2.32.5.1 — SOCKADDR_STORAGE (128 bytes). */
export const SockAddrStorageCodec: Codec<SockAddrStorage, SockAddrStorageInput> = {
  name: 'SockAddrStorage',
  size: SOCKADDR_SIZE,
  read(r: Reader) {
    const start = r.pos
    const family = r.field('family', () => r.u16())
    let port = 0
    let address = ''
    let flowInfo = 0
    let scopeId = 0
    if (family === AddressFamily.InterNetwork) {
      port = r.field('port', () => r.u16be())
      address = r.field('address', () => Array.from(r.bytes(4)).join('.'))
    } else if (family === AddressFamily.InterNetworkV6) {
      port = r.field('port', () => r.u16be())
      flowInfo = r.field('flowInfo', () => r.u32())
      address = r.field('address', () => formatIpv6(r.bytes(16)))
      scopeId = r.field('scopeId', () => r.u32())
    }
    const rest = r.field('reserved', () => r.bytes(SOCKADDR_SIZE - (r.pos - start)))
    const v: SockAddrStorage = { family, port, address, flowInfo, scopeId }
    if (rest.some((b) => b !== 0)) v.reserved = rest
    return v
  },
  write(w: Writer, v: SockAddrStorageInput) {
    const start = w.pos
    w.u16(v.family)
    if (v.family === AddressFamily.InterNetwork) {
      w.u16be(v.port)
      const parts = v.address.split('.').map(Number)
      if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) w.fail(`bad IPv4 address ${JSON.stringify(v.address)}`)
      for (const p of parts) w.u8(p)
    } else if (v.family === AddressFamily.InterNetworkV6) {
      w.u16be(v.port)
      w.u32(v.flowInfo ?? 0)
      w.bytes(parseIpv6(v.address, w))
      w.u32(v.scopeId ?? 0)
    }
    const left = SOCKADDR_SIZE - (w.pos - start)
    if (v.reserved) {
      if (v.reserved.length !== left) w.fail(`reserved is ${v.reserved.length} bytes, the SOCKADDR_STORAGE has ${left} left`)
      w.bytes(v.reserved)
    } else {
      w.zeros(left)
    }
  },
}

/** MS-SMB2 2.2.32.5 — one NETWORK_INTERFACE_INFO entry (152 bytes). */
export const NetworkInterfaceInfo = struct('NetworkInterfaceInfo', {
  next: nextEntryOffset(),
  ifIndex: u32,
  /** InterfaceCapability bits. */
  capability: u32,
  reserved: reserved(u32),
  /** Bits per second. */
  linkSpeed: u64,
  sockAddrStorage: SockAddrStorageCodec,
})
export type NetworkInterfaceInfo = Infer<typeof NetworkInterfaceInfo>
export type NetworkInterfaceInfoInput = Input<typeof NetworkInterfaceInfo>

/** The chain (its link field is called Next in MS-SMB2). */
export const NetworkInterfaceInfoList = chainCodec(NetworkInterfaceInfo, { align: 8, minEntrySize: 152, linkField: 'next' })
