/** Text forms of IP addresses and endpoints as the trace shows them. @module */

export function formatIPv4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`
}

/** RFC 5952: lower-case hex, leading zeros dropped, the longest run (2 groups or more) of zero groups as `::`. */
export function formatIPv6(b: Buffer, o: number): string {
  const g: number[] = []
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(o + 2 * i))
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 section 5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `::ffff:${formatIPv4(b, o + 12)}`
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((x) => x.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** `ip:port`, with IPv6 addresses in brackets (`[::1]:445`). */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`
}
