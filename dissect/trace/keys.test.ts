import { describe, expect, it } from 'vitest'
import { parseKeyFile, parseSessionId } from './keys.js'

describe('--keys file', () => {
  it('reads the session id in wire order or as a number', () => {
    expect(parseSessionId('1900009c003c0000')).toBe(0x00003c009c000019n)
    expect(parseSessionId('0x00003c009c000019')).toBe(0x00003c009c000019n)
  })
  it('parses session key and direction keys, comments and dashes', () => {
    const k = parseKeyFile(`# lab
1900009c003c0000 ${'ab'.repeat(16)}
0x5 - ${'01'.repeat(16)} ${'02'.repeat(16)}  # direct keys
`)
    expect(k).toHaveLength(2)
    expect(k[0]!.sessionKey?.length).toBe(16)
    expect(k[1]!.sessionKey).toBeUndefined()
    expect(k[1]!.serverToClient?.toString('hex')).toBe('01'.repeat(16))
  })
  it('says which line is wrong', () => {
    expect(() => parseKeyFile('\n0x5 abcd')).toThrow('line 2: session key must be 16 or 32 bytes of hex')
    expect(() => parseKeyFile('zz 00')).toThrow(/line 1: session id "zz"/)
  })
})
