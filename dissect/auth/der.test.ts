import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../wire/errors.js'
import { decodeOid, der, DerReader, DerTag, encodeOid } from './der.js'

const hex = (b: Buffer) => b.toString('hex')

describe('OBJECT IDENTIFIER', () => {
  // Encodings as they appear in captured SPNEGO tokens.
  const known: Array<[string, string]> = [
    ['1.3.6.1.5.5.2', '2b0601050502'],
    ['1.3.6.1.4.1.311.2.2.10', '2b06010401823702020a'],
    ['1.3.6.1.4.1.311.2.2.30', '2b06010401823702021e'],
    ['1.2.840.113554.1.2.2', '2a864886f712010202'],
    ['1.2.840.48018.1.2.2', '2a864882f712010202'],
    ['1.2.840.113554.1.2.2.3', '2a864886f71201020203'],
    ['1.3.6.1.5.2.5', '2b0601050205'],
  ]
  for (const [oid, enc] of known) {
    it(`${oid} <-> ${enc}`, () => {
      expect(hex(encodeOid(oid))).toBe(enc)
      expect(decodeOid(Buffer.from(enc, 'hex'))).toBe(oid)
    })
  }

  it('round-trips any OID (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2),
        fc.nat({ max: 39 }),
        fc.array(fc.nat({ max: 2 ** 40 }), { maxLength: 10 }),
        (a, b, rest) => {
          const oid = [a, b, ...rest].join('.')
          expect(decodeOid(encodeOid(oid))).toBe(oid)
        },
      ),
    )
  })

  it('rejects malformed contents', () => {
    expect(() => decodeOid(Buffer.alloc(0))).toThrow('empty OBJECT IDENTIFIER')
    expect(() => decodeOid(Buffer.from([0x2b, 0x86]))).toThrow('truncated OBJECT IDENTIFIER arc')
    expect(() => decodeOid(Buffer.from([0x2b, 0x80, 0x01]))).toThrow('leading 0x80')
  })
})

describe('DerReader', () => {
  it('reads short and long lengths', () => {
    const long = der.octetString(Buffer.alloc(300, 7))
    expect(hex(long.subarray(0, 4))).toBe('0482012c')
    const r = new DerReader(Buffer.concat([der.octetString(Buffer.from('ab')), long]))
    expect(r.octetString('a').toString()).toBe('ab')
    expect(r.octetString('b').length).toBe(300)
    expect(r.done).toBe(true)
  })

  it('accepts a non-minimal length (BER) but never the indefinite form', () => {
    expect(new DerReader(Buffer.from('04810161', 'hex')).octetString('x').toString()).toBe('a')
    expect(() => new DerReader(Buffer.from('3080000000', 'hex')).read()).toThrow(new DecodeError('SEQUENCE: indefinite length is not DER', 0, []))
  })

  it('integers and enumerations, negative too', () => {
    for (const v of [0, 1, 127, 128, 255, 256, -1, -128, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 40]) {
      expect(new DerReader(der.integer(v)).integer('i')).toBe(v)
      expect(new DerReader(der.enumerated(v)).enumerated('e')).toBe(v)
    }
    expect(hex(der.integer(128))).toBe('02020080')
    expect(hex(der.integer(-128))).toBe('020180')
    expect(() => new DerReader(Buffer.from('0207' + '01'.repeat(7), 'hex')).integer('big')).toThrow('big @0x0: INTEGER of 7 octets is too large')
  })

  it('names what it expected and where', () => {
    const r = new DerReader(der.sequence(der.explicit(0, der.oid('1.2.3'))), 0, undefined, ['tok'])
    expect(() => r.sequence('S', (s) => s.explicit(1, 'x', (x) => x.oid('o')))).toThrow('tok.S.x @0x2: expected [1], found [0]')
    const r2 = new DerReader(der.sequence(der.octetString(Buffer.from('a')), der.octetString(Buffer.from('b'))))
    expect(() => r2.sequence('S', (s) => s.octetString('one'))).toThrow('S @0x5: 3 unexpected bytes at the end of SEQUENCE')
    expect(() => new DerReader(Buffer.from('0405aa', 'hex')).read()).toThrow('OCTET STRING: length 5 runs past the end (1 bytes left)')
    expect(() => new DerReader(Buffer.from('1f', 'hex')).read()).toThrow('truncated high tag number')
  })

  it('high tag numbers', () => {
    const node = new DerReader(Buffer.from('9f810001ff', 'hex')).read()
    expect(node.tagNumber).toBe(128)
    expect(node.content).toEqual(Buffer.from([0xff]))
  })

  it('strings and bit strings', () => {
    const b = Buffer.concat([der.generalString('REALM'), der.bitString(Buffer.from([0x20, 0, 0, 0])), der.boolean(true), der.utf8String('é')])
    const r = new DerReader(b)
    expect(r.generalString('g')).toBe('REALM')
    expect(r.bitString('b')).toEqual({ unusedBits: 0, bytes: Buffer.from([0x20, 0, 0, 0]) })
    expect(r.boolean('t')).toBe(true)
    expect(r.utf8String('u')).toBe('é')
    expect(DerTag.GeneralString).toBe(0x1b)
  })

  it('random bytes give DecodeError or a value, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = new DerReader(Buffer.from(bytes))
        try {
          while (!r.done) r.read()
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e
        }
      }),
      { numRuns: 3000 },
    )
  })
})
