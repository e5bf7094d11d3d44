import { describe, expect, it } from 'vitest'
import { assertRoundTrip, encodeWith, decodeWith } from '../../wire/index.js'
import { decodeOne } from '../test-helpers/fixtures.js'
import { TreeConnectRequest, TreeConnectResponse, type TreeConnectRequestInput } from './tree-connect.js'
import { ShareType, TreeConnectFlags, shareTypeName } from '../constants/index.js'

// samr-enum-lab_smb311-samba-rpcclient-signed.pcapng frames 27 / 28: \\192.168.12.11\IPC$, a named pipe share.
const REQ = `fe534d4240000100000000000300010018000000000000000300000000000000000000000000000061000080007400009cc0305d0548a87088ede86cb4f924af09000000480028005c005c
003100390032002e003100360038002e00310032002e00310031005c004900500043002400`
const RESP = `fe534d42400001000000000003000100190000000000000003000000000000000000000001000000610000800074000072222419bcfb56be4bd5983c704b4ddb1000020030000000000000
00ff011f01`

describe('TREE_CONNECT', () => {
  it('decodes a plain request and its response as tshark shows them', () => {
    const q = decodeOne<TreeConnectRequest>(REQ, 'TreeConnectRequest').body
    expect(q).toEqual({ structureSize: 9, flags: 0, pathOffset: 0x48, pathLength: 40, path: '\\\\192.168.12.11\\IPC$' })
    const r = decodeOne<TreeConnectResponse>(RESP, 'TreeConnectResponse').body
    expect(r).toEqual({ structureSize: 16, shareType: ShareType.Pipe, reserved: 0, shareFlags: 0x30, capabilities: 0, maximalAccess: 0x011f01ff })
    expect(shareTypeName(r.shareType)).toBe('SMB2_SHARE_TYPE_PIPE')
  })

  it('round-trips the plain form', () => {
    const { bytes } = assertRoundTrip(TreeConnectRequest, { flags: 0, path: '\\\\srv\\share' })
    expect(bytes.readUInt16LE(4)).toBe(8) // PathOffset right after the 8-byte fixed part (pduStart 0)
    assertRoundTrip(TreeConnectResponse, { shareType: 1, shareFlags: 0x800, capabilities: 0x10, maximalAccess: 0x1f01ff })
  })

  it('round-trips the 3.1.1 extension form with a remoted identity context', () => {
    const input: TreeConnectRequestInput = {
      flags: TreeConnectFlags.ExtensionPresent,
      path: '\\\\srv\\share',
      extension: {
        treeConnectContexts: [
          {
            contextType: 1,
            known: true,
            value: {
              ticketType: 1, ticketSize: 40, user: 28, userName: 0, domain: 0, groups: 0, restrictedGroups: 0, privileges: 0,
              primaryGroup: 0, owner: 0, defaultDacl: 0, deviceGroups: 0, userClaims: 0, deviceClaims: 0,
              ticketInfo: Buffer.from('0102030405060708090a0b0c', 'hex'),
            },
          },
          { contextType: 9, known: false, data: Buffer.from('zz') },
        ],
      },
    }
    const { bytes, decoded } = assertRoundTrip(TreeConnectRequest, input, { pduStart: -64 })
    // Body-relative layout: fixed part 8, extension header 16, path at 24 (header-relative 88), contexts 8-aligned after it.
    expect(decoded.pathOffset).toBe(88)
    expect(decoded.extension!.treeConnectContextOffset).toBe(48)
    expect(decoded.extension!.treeConnectContextCount).toBe(2)
    expect(bytes.subarray(24, 46).toString('utf16le')).toBe('\\\\srv\\share')
    expect(decoded.extension!.treeConnectContexts[0]).toMatchObject({ name: 'SMB2_REMOTED_IDENTITY_TREE_CONNECT_CONTEXT_ID', known: true, dataLength: 40 })
    expect(decoded.extension!.treeConnectContexts[1]).toMatchObject({ known: false, name: 'UNKNOWN_0x0009' })
    // The same bytes decode the same way again (faithful offsets honoured).
    expect(encodeWith(TreeConnectRequest, decodeWith(TreeConnectRequest, bytes, { pduStart: -64 }), { pduStart: -64 }).equals(bytes)).toBe(true)
  })
})
