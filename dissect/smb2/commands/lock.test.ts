import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { decodeChain } from '../message.js'
import { decodeOne, hex } from '../test-helpers/fixtures.js'
import { LockRequest, LockResponse, lockSequenceValue } from './lock.js'
import { LockFlags } from '../constants/index.js'

// zeek_smb311-macos-many-open-files-lock.pcap.gz frames 269 / 270: one exclusive, fail-immediately lock.
const REQ = `fe534d4240000100000000000a00000100000000000000004000000000000000fffe00008ecc6c4ab62bf103000000000000000000000000000000000000000030000100000000000dbb61
f000000000cf48ba4a000000000000000000000000ffffffffffffffff1200000000000000`
const RESP = `fe534d4240000100000000000a00010001000000000000004000000000000000fffe00008ecc6c4ab62bf103000000000000000000000000000000000000000004000000`

describe('LOCK', () => {
  it('decodes a captured request and response as tshark shows them', () => {
    const q = decodeOne<LockRequest>(REQ, 'LockRequest').body
    expect(q.lockCount).toBe(1)
    expect(q.lockSequence).toEqual({ lockSequenceNumber: 0, lockSequenceIndex: 0 })
    expect(q.fileId).toEqual({ persistent: 0xf061bb0dn, volatile: 0x4aba48cfn })
    expect(q.locks).toEqual([{ offset: 0n, length: 0xffff_ffff_ffff_ffffn, flags: LockFlags.ExclusiveLock | LockFlags.FailImmediately, reserved: 0 }])
    expect(decodeOne<LockResponse>(RESP, 'LockResponse').body).toEqual({ structureSize: 4, reserved: 0 })
  })

  it('splits LockSequenceNumber (low 4 bits) and LockSequenceIndex (high 28 bits)', () => {
    const b = hex(REQ)
    b.writeUInt32LE(0x0000_0123, 64 + 4) // index 0x12, number 3
    const q = decodeChain(b).messages[0]!.body as LockRequest
    expect(q.lockSequence).toEqual({ lockSequenceNumber: 3, lockSequenceIndex: 0x12 })
    expect(lockSequenceValue(q.lockSequence)).toBe(0x123)
  })

  it('round-trips several locks (StructureSize 48 counts the first)', () => {
    const { bytes, decoded } = assertRoundTrip(LockRequest, {
      lockSequence: { lockSequenceNumber: 15, lockSequenceIndex: 0x0fff_ffff },
      fileId: { persistent: 1n, volatile: 2n },
      locks: [
        { offset: 0n, length: 10n, flags: LockFlags.SharedLock },
        { offset: 10n, length: 10n, flags: LockFlags.Unlock },
      ],
    })
    expect(decoded.structureSize).toBe(48)
    expect(decoded.lockCount).toBe(2)
    expect(bytes.readUInt32LE(4)).toBe(0xffff_ffff)
    expect(bytes.length).toBe(24 + 2 * 24)
    assertRoundTrip(LockResponse, {})
  })

  it('rejects a LockCount larger than the message holds', () => {
    const b = hex(REQ)
    b.writeUInt16LE(3, 64 + 2)
    expect(decodeChain(b).messages[0]!.error!.message).toBe('body.locks.1.offset @0x70: need 8 bytes, 0 left')
  })
})
