import { describe, expect, it } from 'vitest'
import { assertRoundTrip, decodeWith, encodeWith } from '../../wire/index.js'
import { makeHeader } from '../header.js'
import { decodeChain, encodeMessage } from '../message.js'
import { bodyCodec } from '../registry.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { LeaseBreakAcknowledgment, LeaseBreakNotification, LeaseBreakResponse, OplockBreakAcknowledgment, OplockBreakNotification, OplockBreakRequest, OplockBreakResponse, OplockResponse, oplockBreakVariant } from './oplock-break.js'
import { LeaseBreakFlags } from '../constants/index.js'

// ndpi_smb2-deletefile-lease-break-oplock-break.pcap: frame 13 (second NetBIOS message) the unsolicited lease
// break notification (MessageId all ones), frame 15 the client's acknowledgment, frame 18 the server's response.
const NOTIFICATION = `fe534d424000000000000000120000000100000000000000ffffffffffffffff00000000000000000000000000000000000000000000000000000000000000002c00020001000000cdb5eb
149c804989a772ef91300b74bb0300000000000000000000000000000000000000`
const ACK = `fe534d424000010000000000120000010000000000000000a80f000000000000fffe0000110000001d00000000280000000000000000000000000000000000002400000000000000cdb5eb
149c804989a772ef91300b74bb000000000000000000000000`
const RESP = `fe534d424000010000000000120001000100000000000000a80f000000000000fffe0000110000001d00000000280000000000000000000000000000000000002400000000000000cdb5eb
149c804989a772ef91300b74bb000000000000000000000000`

const LEASE_KEY = '14ebb5cd-809c-8949-a772-ef91300b74bb'

describe('OPLOCK_BREAK', () => {
  it('decodes the captured lease break notification (StructureSize 44) as tshark shows it', () => {
    const { body, m } = decodeOne<LeaseBreakNotification>(NOTIFICATION, 'LeaseBreakNotification')
    expect(m.header.messageId).toBe(0xffff_ffff_ffff_ffffn)
    expect(body).toEqual({
      structureSize: 44, newEpoch: 2, flags: LeaseBreakFlags.AckRequired, leaseKey: LEASE_KEY, currentLeaseState: 3, newLeaseState: 0,
      breakReason: 0, accessMaskHint: 0, shareMaskHint: 0,
    })
  })

  it('decodes the acknowledgment and the response (StructureSize 36)', () => {
    const expected = { structureSize: 36, reserved: 0, flags: 0, leaseKey: LEASE_KEY, leaseState: 0, leaseDuration: 0n }
    expect(decodeOne<LeaseBreakAcknowledgment>(ACK, 'LeaseBreakAcknowledgment').body).toEqual(expected)
    expect(decodeOne<LeaseBreakResponse>(RESP, 'LeaseBreakResponse').body).toEqual(expected)
  })

  it('picks the variant from direction, StructureSize and MessageId', () => {
    expect(oplockBreakVariant(false, 24)).toBe(OplockBreakAcknowledgment)
    expect(oplockBreakVariant(false, 36)).toBe(LeaseBreakAcknowledgment)
    expect(oplockBreakVariant(false, 44)).toBeUndefined()
    expect(oplockBreakVariant(true, 24, 0xffff_ffff_ffff_ffffn)).toBe(OplockBreakNotification)
    expect(oplockBreakVariant(true, 24, 7n)).toBe(OplockResponse)
    expect(oplockBreakVariant(true, 36)).toBe(LeaseBreakResponse)
    expect(oplockBreakVariant(true, 44)).toBe(LeaseBreakNotification)
    const h = { command: 0x12, status: 0 }
    expect(bodyCodec({ ...h, flags: 1, messageId: 0xffff_ffff_ffff_ffffn }, 24)?.name).toBe('OplockBreakNotification')
    expect(bodyCodec({ ...h, flags: 0 }, 24)?.name).toBe('OplockBreakAcknowledgment')
    expect(bodyCodec({ ...h, flags: 1 }, undefined)).toBe(OplockBreakResponse)
  })

  it('round-trips all variants, and the union codecs choose by structureSize or shape', () => {
    const oplock = { oplockLevel: 1, fileId: { persistent: 1n, volatile: 2n } }
    assertRoundTrip(OplockBreakNotification, oplock)
    assertRoundTrip(OplockBreakAcknowledgment, oplock)
    assertRoundTrip(OplockResponse, oplock)
    const notif = { newEpoch: 1, flags: 1, leaseKey: LEASE_KEY, currentLeaseState: 7, newLeaseState: 1, breakReason: 0, accessMaskHint: 0, shareMaskHint: 0 }
    assertRoundTrip(LeaseBreakNotification, notif)
    const ack = { flags: 0, leaseKey: LEASE_KEY, leaseState: 1, leaseDuration: 0n }
    assertRoundTrip(LeaseBreakAcknowledgment, ack)
    assertRoundTrip(LeaseBreakResponse, ack)
    expect(encodeWith(OplockBreakRequest, oplock).length).toBe(24)
    expect(encodeWith(OplockBreakRequest, ack).length).toBe(36)
    expect(encodeWith(OplockBreakResponse, notif).length).toBe(44)
    expect(decodeWith(OplockBreakResponse, encodeWith(OplockBreakResponse, notif))).toMatchObject({ structureSize: 44, newEpoch: 1 })
    expect(decodeWith(OplockBreakRequest, encodeWith(OplockBreakRequest, oplock))).toMatchObject({ structureSize: 24, oplockLevel: 1 })
    // A hand-built notification encodes through the registry like a decoded one.
    const b = encodeMessage({ header: makeHeader({ command: 0x12, flags: 1, messageId: 0xffff_ffff_ffff_ffffn }), body: { structureSize: 24, ...oplock } })
    expect(decodeChain(b).messages[0]!.bodyType).toBe('OplockBreakNotification')
  })

  it('rejects a StructureSize that names no variant', () => {
    const b = hex(ACK)
    b.writeUInt16LE(40, 64)
    expect(decodeChain(b).messages[0]!.error!.message).toBe('body.structureSize @0x40: structureSize must be one of 24, 36, got 40')
  })
})
