import { describe, expect, it } from 'vitest'
import { formatEndpoint, formatIPv4, formatIPv6 } from './address.js'

function v6(hex: string): string {
  return formatIPv6(Buffer.from(hex.replace(/ /g, ''), 'hex'), 0)
}

describe('address text (RFC 5952)', () => {
  it('formats IPv6 addresses in their canonical text form', () => {
    expect(v6('0000 0000 0000 0000 0000 0000 0000 0001')).toBe('::1')
    expect(v6('0000 0000 0000 0000 0000 0000 0000 0000')).toBe('::')
    expect(v6('fe80 0000 0000 0000 0000 0000 0000 0000')).toBe('fe80::')
    expect(v6('2001 0db8 0000 0000 0001 0000 0000 0001')).toBe('2001:db8::1:0:0:1') // the first of two equal runs
    expect(v6('0001 0000 0000 0002 0000 0000 0000 0003')).toBe('1:0:0:2::3') // the longest run
    expect(v6('2001 0db8 0000 0001 0001 0001 0001 0001')).toBe('2001:db8:0:1:1:1:1:1') // a single zero group stays
    expect(v6('2001 0DB8 AAAA BBBB CCCC DDDD EEEE FFFF')).toBe('2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff')
    expect(v6('0000 0000 0000 0000 0000 ffff c000 0201')).toBe('::ffff:192.0.2.1')
  })

  it('formats IPv4 addresses and endpoints', () => {
    expect(formatIPv4(Buffer.from([192, 168, 0, 254]), 0)).toBe('192.168.0.254')
    expect(formatEndpoint('10.0.0.1', 445)).toBe('10.0.0.1:445')
    expect(formatEndpoint('::1', 445)).toBe('[::1]:445')
  })
})
