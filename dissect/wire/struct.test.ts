import { describe, expect, it } from 'vitest'
import { DecodeError } from './errors.js'
import { Reader } from './reader.js'
import {
  PADDING, arrayOf, assertRoundTrip, bytes, countOf, fixed, guid, lengthOf, offsetOf, reserved, struct, u16, u32, u64, utf16,
  type Infer, type Input,
} from './index.js'

/** Shaped like MS-SMB2 2.2.9 TREE_CONNECT Request: an odd StructureSize and one pointed buffer. */
const Tc = struct('Tc', {
  structureSize: fixed(u16, 9),
  flags: u16,
  pathOffset: offsetOf('path', u16),
  pathLength: lengthOf('path', u16),
}, { path: utf16 })

const Two = struct('Two', {
  structureSize: fixed(u16, 20),
  aOffset: offsetOf('a', u16),
  aLength: lengthOf('a', u16),
  bCount: countOf('b', u16),
  bOffset: offsetOf('b', u32),
  id: u64,
}, { a: bytes, b: arrayOf(u16) })

describe('struct', () => {
  it('infers decoded and input types', () => {
    const v: Infer<typeof Tc> = { structureSize: 9, flags: 0, pathOffset: 8, pathLength: 2, path: 'x' }
    const i: Input<typeof Tc> = { flags: 1, path: '\\\\srv\\share' }
    expect(v.path).toBe('x')
    expect(i.flags).toBe(1)
  })

  it('computes offsets and lengths, 8-aligned from the base', () => {
    const b = Tc.encode({ flags: 0, path: 'ab' }, { pduStart: 0 })
    expect(b.toString('hex')).toBe('0900' + '0000' + '0800' + '0400' + '61006200')
    const d = Tc.decode(b)
    expect(d).toEqual({ structureSize: 9, flags: 0, pathOffset: 8, pathLength: 4, path: 'ab' })
  })

  it('pads an odd StructureSize with an empty buffer', () => {
    const b = Tc.encode({ flags: 0, path: '' })
    expect(b.length).toBe(9)
  })

  it('leaves the padding byte of an odd StructureSize to the caller, and omits it when asked', () => {
    const b = Buffer.from('0900' + '0000' + '0000' + '0000' + 'ee', 'hex')
    const r = new Reader(b)
    const v = Tc.read(r, { pduStart: 0 })
    expect(r.pos).toBe(8) // the 0xee padding byte is not part of the decoded structure
    expect(Tc.encode(v, { oddBytePadding: false }).length).toBe(8)
    expect(Tc.encode(v).length).toBe(9)
  })

  it('keeps non-zero padding between parts and writes it back on faithful re-encode', () => {
    // pathOffset 12: bytes 8..11 are padding; a peer left junk there.
    const b = Buffer.from('0900' + '0000' + '0c00' + '0200' + 'deadbeef' + '6100', 'hex')
    const v = Tc.decode(b)
    expect(v.path).toBe('a')
    expect((v as Record<PropertyKey, unknown>)[PADDING]).toEqual([{ offset: 8, bytes: Buffer.from('deadbeef', 'hex') }])
    expect(JSON.stringify(v)).not.toContain('dead')
    expect(Tc.encode(v).equals(b)).toBe(true)
    // A canonical re-layout (offset not given) does not write it back.
    const { pathOffset: _drop, ...canonical } = v
    expect(Tc.encode(canonical).toString('hex')).toBe('0900' + '0000' + '0800' + '0200' + '6100')
    // Zero padding records nothing.
    expect(Object.getOwnPropertySymbols(Tc.decode(Buffer.from('0900' + '0000' + '0c00' + '0200' + '00000000' + '6100', 'hex')))).toEqual([])
  })

  it('honours given offsets (faithful re-encoding)', () => {
    const b = Tc.encode({ flags: 0, pathOffset: 12, path: 'a' })
    expect(b.readUInt16LE(4)).toBe(12)
    expect(b.subarray(12).toString('utf16le')).toBe('a')
    expect(Tc.decode(b).path).toBe('a')
  })

  it('round-trips with two buffers, count and shifted position', () => {
    const { bytes: b, decoded } = assertRoundTrip(Two, { id: 5n, a: Buffer.from('abc'), b: [1, 2, 3] })
    expect(decoded.bCount).toBe(3)
    expect(decoded.bOffset % 8).toBe(0)
    expect(b.length).toBe(decoded.bOffset + 6)
  })

  it('rejects a wrong StructureSize with the field path', () => {
    const b = Tc.encode({ flags: 0, path: 'a' })
    b.writeUInt16LE(10, 0)
    expect(() => Tc.decode(b)).toThrowError(new DecodeError('structureSize must be 9, got 10', 0, ['structureSize']))
  })

  it('rejects a buffer running past the message', () => {
    const b = Tc.encode({ flags: 0, path: 'abc' })
    b.writeUInt16LE(200, 6)
    expect(() => Tc.decode(b)).toThrow(/runs past the end of the message/)
  })

  it('rejects a truncated fixed part with a DecodeError, never a RangeError', () => {
    const b = Two.encode({ id: 1n, a: Buffer.alloc(0), b: [] })
    for (let n = 0; n < b.length; n++) {
      try {
        Two.decode(b.subarray(0, n))
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError)
      }
    }
    expect(() => Two.decode(b.subarray(0, 6))).toThrow('bCount @0x6: need 2 bytes, 0 left')
  })

  it('records spans when asked', () => {
    const b = Tc.encode({ flags: 3, path: 'ab' })
    const spans: { path: string; start: number; end: number }[] = []
    Tc.read(new Reader(b, 0, b.length, spans), { pduStart: 0 })
    expect(spans).toContainEqual({ path: 'flags', start: 2, end: 4 })
    expect(spans).toContainEqual({ path: 'path', start: 8, end: 12 })
  })

  it('keeps reserved values on decode and writes zero by default', () => {
    const R = struct('R', { a: u16, r: reserved(u16), g: guid })
    const g = '01020304-0506-0708-090a-0b0c0d0e0f10'
    const b = R.encode({ a: 1, g })
    expect(b.toString('hex')).toBe('0100' + '0000' + '04030201060508070' + '90a0b0c0d0e0f10')
    b.writeUInt16LE(7, 2)
    expect(R.decode(b)).toEqual({ a: 1, r: 7, g })
  })

  it('checks a declared StructureSize against the fixed part at declaration', () => {
    expect(() => struct('Bad', { structureSize: fixed(u16, 8), x: u32 })).toThrow(/implies 8/)
  })

  it('lets StructureSize count part of the variable part when declared (LOCK, MS-SMB2 2.2.26)', () => {
    expect(() => struct('L', { structureSize: fixed(u16, 12), n: countOf('e', u16) }, { e: arrayOf(u64) })).toThrow(/implies 12/)
    const L = struct('L', { structureSize: fixed(u16, 12), n: countOf('e', u16) }, { e: arrayOf(u64) }, { structureSizeCountsVariable: 8 })
    expect(L.structureSize).toBe(12)
    expect(L.decode(L.encode({ e: [7n] })).e).toEqual([7n])
  })

  it('reads inline items after the fixed part using the count', () => {
    const N = struct('N', { count: countOf('d', u16), r: reserved(u16) }, { d: arrayOf(u16) })
    const b = N.encode({ d: [0x202, 0x311] })
    expect(b.toString('hex')).toBe('0200000002021103')
    expect(N.decode(b).d).toEqual([0x202, 0x311])
  })
})
