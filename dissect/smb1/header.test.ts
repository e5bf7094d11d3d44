import { describe, expect, it } from 'vitest'
import { DecodeError, Writer } from '../wire/index.js'
import { Smb1Header, Smb1NegotiateRequest, decodeSmb1 } from './header.js'

function negotiate(dialects: string[]): Buffer {
  const w = new Writer()
  Smb1Header.write(w, { command: 0x72, status: 0, flags: 0x18, flags2: 0xc853, pidHigh: 0, securityFeatures: Buffer.alloc(8), tid: 0xffff, pidLow: 0xfeff, uid: 0, mid: 0 }, { pduStart: 0 })
  Smb1NegotiateRequest.write(w, { wordCount: 0, byteCount: 0, dialects }, { pduStart: 0 })
  return w.finish()
}

describe('SMB1 NEGOTIATE', () => {
  it('decodes the multi-protocol dialect list', () => {
    const m = decodeSmb1(negotiate(['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']))
    expect(m.header.command).toBe(0x72)
    expect(m.negotiate?.dialects).toEqual(['NT LM 0.12', 'SMB 2.002', 'SMB 2.???'])
  })
  it('rejects a bad buffer format byte with a DecodeError', () => {
    const b = negotiate(['NT LM 0.12'])
    b[35] = 0x05
    expect(() => decodeSmb1(b)).toThrow(DecodeError)
  })
  it('rejects a truncated header', () => {
    expect(() => decodeSmb1(negotiate(['x']).subarray(0, 20))).toThrow(DecodeError)
  })
})
