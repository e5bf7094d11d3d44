import { describe, expect, it } from 'vitest'
import { DecodeError, Reader, assertBytesRoundTrip, assertRoundTrip, decodeWith, encodeWith } from '../../wire/index.js'
import {
  AceCodec, AceType, AclCodec, SdControl, SecurityDescriptor, Sid, WellKnownSid, aceFlagNames, aceTypeName,
  makeSecurityDescriptor, parseSid, sdControlNames, sidFilling, sidSize, wellKnownSidName, type Ace,
} from './index.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('SID (MS-DTYP 2.4.2)', () => {
  it('decodes to and encodes from the S-1-... text form', () => {
    // S-1-5-32-544: revision 1, 2 sub-authorities, authority 5 (big-endian 48 bits), 32, 544.
    const b = hex('0102 000000000005 20000000 20020000')
    expect(decodeWith(Sid, b)).toBe('S-1-5-32-544')
    expect(encodeWith(Sid, 'S-1-5-32-544')).toEqual(b)
    assertRoundTrip(Sid, 'S-1-5-21-2361349250-2881150590-4150576083-2006')
    assertRoundTrip(Sid, 'S-1-0-0')
    expect(sidSize('S-1-5-21-1-2-3-500')).toBe(8 + 5 * 4)
  })

  it('prints an identifier authority of 2^32 or more in hex (2.4.2.1)', () => {
    const b = hex('0101 123456789abc 01000000')
    expect(decodeWith(Sid, b)).toBe('S-1-0x123456789abc-1')
    expect(encodeWith(Sid, 'S-1-0x123456789abc-1')).toEqual(b)
  })

  it('rejects bad SIDs', () => {
    expect(() => decodeWith(Sid, hex('0110 000000000005'))).toThrow(/SubAuthorityCount 16 exceeds 15/)
    expect(() => decodeWith(Sid, hex('0102 000000000005 20000000'))).toThrow(DecodeError)
    expect(() => encodeWith(Sid, 'S-1-5-x')).toThrow(/not a SID/)
    expect(() => parseSid('S-1-4294967296')).toThrow(/out of range/)
    const r = () => sidFilling.read(new Reader(hex('0101 000000000005 12000000 0000')), { pduStart: 0 }, {})
    expect(r).toThrow(/SID is 12 bytes but its length field says 14/)
  })

  it('names well-known SIDs', () => {
    expect(wellKnownSidName(WellKnownSid.Everyone)).toBe('Everyone')
    expect(wellKnownSidName('S-1-5-32-544')).toBe('BuiltinAdministrators')
    expect(wellKnownSidName('S-1-5-21-1-2-3-512')).toBe('DomainAdmins')
    expect(wellKnownSidName('S-1-5-21-1-2-3-1105')).toBeUndefined()
  })
})

describe('ACE and ACL (MS-DTYP 2.4.4, 2.4.5)', () => {
  const allowed: Ace = { aceType: AceType.AccessAllowed, aceFlags: 0x03, aceSize: 24, mask: 0x001f_01ff, sid: 'S-1-5-32-544', applicationData: Buffer.alloc(0) }

  it('round-trips each ACE shape', () => {
    assertRoundTrip(AceCodec, allowed)
    assertRoundTrip(AceCodec, { aceType: AceType.AccessDenied, aceFlags: 0, mask: 1, sid: 'S-1-1-0' })
    assertRoundTrip(AceCodec, {
      aceType: AceType.AccessAllowedObject, aceFlags: 0, mask: 0x100, objectType: '00299570-246d-11d0-a768-00aa006e0529',
      inheritedObjectType: null, sid: 'S-1-5-11',
    })
    assertRoundTrip(AceCodec, { aceType: AceType.AccessAllowedCallback, aceFlags: 0, mask: 1, sid: 'S-1-1-0', applicationData: Buffer.from('artx') })
    assertRoundTrip(AceCodec, { aceType: AceType.AccessAllowedCompound, aceFlags: 0, body: Buffer.from('0102030405060708', 'hex') })
  })

  it('computes a 4-aligned AceSize and the object flags', () => {
    const b = encodeWith(AceCodec, { aceType: 0, aceFlags: 0, mask: 1, sid: 'S-1-1-0', applicationData: Buffer.from([9]) })
    // header 4 + mask 4 + SID 12 + 1 byte of application data = 21, padded to 24 (MS-DTYP 2.4.4.1)
    expect(b.readUInt16LE(2)).toBe(24)
    expect(b.length).toBe(24)
    expect(b.length % 4).toBe(0)
    const o = encodeWith(AceCodec, { aceType: AceType.AccessDeniedObject, aceFlags: 0, mask: 1, objectType: null, inheritedObjectType: '00299570-246d-11d0-a768-00aa006e0529', sid: 'S-1-1-0' })
    expect(o.readUInt32LE(8)).toBe(2) // ACE_INHERITED_OBJECT_TYPE_PRESENT
    expect(o.length).toBe(4 + 4 + 4 + 16 + 12)
  })

  it('round-trips an ACL and computes AclSize, AceCount and revision', () => {
    const { bytes, decoded } = assertRoundTrip(AclCodec, { aces: [allowed, { aceType: 1, aceFlags: 0, mask: 2, sid: 'S-1-1-0' }] })
    expect(decoded.aclRevision).toBe(2)
    expect(decoded.aceCount).toBe(2)
    expect(decoded.aclSize).toBe(bytes.length)
    expect(bytes.length).toBe(8 + 24 + 20)
  })

  it('rejects ACEs and ACLs whose sizes do not fit', () => {
    const acl = encodeWith(AclCodec, { aces: [allowed] })
    const badAce = Buffer.from(acl)
    badAce.writeUInt16LE(200, 8 + 2)
    expect(() => decodeWith(AclCodec, badAce)).toThrow(/AceSize 200 runs past the ACL/)
    const smallAce = Buffer.from(acl)
    smallAce.writeUInt16LE(2, 8 + 2)
    expect(() => decodeWith(AclCodec, smallAce)).toThrow(/AceSize 2 is smaller than the ACE header/)
    const badAcl = Buffer.from(acl)
    badAcl.writeUInt16LE(100, 2)
    expect(() => decodeWith(AclCodec, badAcl)).toThrow(/AclSize 100 runs past the buffer/)
    const moreAces = Buffer.from(acl)
    moreAces.writeUInt16LE(2, 4)
    expect(() => decodeWith(AclCodec, moreAces)).toThrow(DecodeError)
  })

  it('names ACE types and flags', () => {
    expect(aceTypeName(0)).toBe('ACCESS_ALLOWED_ACE_TYPE')
    expect(aceTypeName(0x11)).toBe('SYSTEM_MANDATORY_LABEL_ACE_TYPE')
    expect(aceFlagNames(0x13)).toEqual(['OBJECT_INHERIT_ACE', 'CONTAINER_INHERIT_ACE', 'INHERITED_ACE'])
  })
})

describe('SECURITY_DESCRIPTOR (MS-DTYP 2.4.6)', () => {
  it('lays owner, group, SACL and DACL out after the header and round-trips', () => {
    const sd = makeSecurityDescriptor({
      owner: 'S-1-5-32-544',
      group: 'S-1-5-18',
      dacl: { aces: [{ aceType: 0, aceFlags: 0, mask: 0x001f_01ff, sid: 'S-1-1-0' }] },
    })
    const { bytes, decoded } = assertRoundTrip(SecurityDescriptor, sd)
    expect(decoded.control).toBe(SdControl.SelfRelative | SdControl.DaclPresent)
    expect(decoded.offsetOwner).toBe(20)
    expect(decoded.offsetGroup).toBe(20 + 16)
    expect(decoded.offsetSacl).toBe(0)
    expect(decoded.offsetDacl).toBe(20 + 16 + 12)
    expect(decoded.sacl).toBeNull()
    expect(bytes.length).toBe(20 + 16 + 12 + 8 + 20)
    expect(sdControlNames(decoded.control)).toEqual(['SE_DACL_PRESENT', 'SE_SELF_RELATIVE'])
  })

  it('encodes an empty descriptor (all parts absent) as the 20-byte header', () => {
    const b = encodeWith(SecurityDescriptor, makeSecurityDescriptor({}))
    expect(b.toString('hex')).toBe('0100' + '0080' + '00000000'.repeat(4))
  })

  it('keeps a Windows layout (SACL and DACL before owner and group) byte for byte', () => {
    // Built by hand: header, SACL at 20, DACL at 28, owner at 56, group at 72 (offsets honoured on re-encode).
    const sacl = encodeWith(AclCodec, { aces: [] })
    const dacl = encodeWith(AclCodec, { aces: [{ aceType: 0, aceFlags: 0, mask: 1, sid: 'S-1-1-0' }] })
    const owner = encodeWith(Sid, 'S-1-5-32-544')
    const group = encodeWith(Sid, 'S-1-5-18')
    const header = Buffer.alloc(20)
    header.writeUInt8(1, 0)
    header.writeUInt16LE(0x8014, 2)
    header.writeUInt32LE(20 + sacl.length + dacl.length, 4)
    header.writeUInt32LE(20 + sacl.length + dacl.length + owner.length, 8)
    header.writeUInt32LE(20, 12)
    header.writeUInt32LE(20 + sacl.length, 16)
    const wire = Buffer.concat([header, sacl, dacl, owner, group])
    const v = assertBytesRoundTrip(SecurityDescriptor, wire)
    expect(v.owner).toBe('S-1-5-32-544')
    expect(v.group).toBe('S-1-5-18')
    expect(v.sacl?.aces).toEqual([])
    expect(v.dacl?.aces[0]).toMatchObject({ sid: 'S-1-1-0', mask: 1 })
  })

  it('rejects offsets outside the buffer and a wrong revision', () => {
    const b = encodeWith(SecurityDescriptor, makeSecurityDescriptor({ owner: 'S-1-1-0' }))
    const bad = Buffer.from(b)
    bad.writeUInt32LE(400, 4)
    expect(() => decodeWith(SecurityDescriptor, bad)).toThrow(/offsetOwner 400 points outside/)
    const rev = Buffer.from(b)
    rev[0] = 2
    expect(() => decodeWith(SecurityDescriptor, rev)).toThrow(/revision must be 1, got 2/)
    expect(() => decodeWith(SecurityDescriptor, b.subarray(0, 10))).toThrow(DecodeError)
  })
})

describe('as a variable item (SecD create context data)', () => {
  it('reads and writes through the VarCodec form', async () => {
    const { securityDescriptorItem } = await import('./security-descriptor.js')
    const { struct, lengthOf, u32: u32c } = await import('../../wire/index.js')
    const Ctx = struct('SecdLike', { dataLength: lengthOf('data', u32c) }, { data: securityDescriptorItem })
    const { decoded } = assertRoundTrip(Ctx, { data: makeSecurityDescriptor({ owner: 'S-1-5-32-544', dacl: { aces: [] } }) })
    expect(decoded.data.owner).toBe('S-1-5-32-544')
    expect(decoded.dataLength).toBe(20 + 16 + 8)
  })
})
