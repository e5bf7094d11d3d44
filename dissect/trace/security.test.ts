import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dissectAll } from './dissect-file.js'
import { isSmb } from './record.js'

/** The shared Samba captures: $SMBSCOPE_CAPTURES, ../shared/captures from the checkout, or /work/shared/captures. */
const SAMBA = join(
  [process.env['SMBSCOPE_CAPTURES'], resolve(process.cwd(), '../shared/captures'), '/work/shared/captures']
    .filter((p): p is string => !!p)
    .find((p) => existsSync(join(p, 'samba'))) ?? '/work/shared/captures',
  'samba',
)

describe.skipIf(!existsSync(SAMBA))('SecurityTracker on Samba captures with --password', () => {
  it('decrypts smbclient-encrypted-smb311.pcap (cipher from the NEGOTIATE context list) and verifies its signatures', async () => {
    const { items } = await dissectAll(`${SAMBA}/smbclient-encrypted-smb311.pcap`, { passwords: ['labpass'] })
    const smb = items.map((d) => d.record).filter(isSmb)
    expect(smb.filter((r) => r.cmd === 'ENCRYPTED')).toEqual([])
    expect(smb.filter((r) => r.encrypted).length).toBe(50)
    expect(smb.filter((r) => r.signature === 'invalid')).toEqual([])
  })

  it('verifies AES-GMAC signatures (SIGNING_CAPABILITIES) of an smbtorture capture', async () => {
    const { items } = await dissectAll(`${SAMBA}/durable-open.reopen2.pcap`, { passwords: ['labpass'] })
    const smb = items.map((d) => d.record).filter(isSmb)
    const signed = smb.filter((r) => r.signature !== undefined)
    expect(signed.length).toBeGreaterThan(0)
    expect(signed.every((r) => r.signature === 'valid')).toBe(true)
  })
})

describe.skipIf(!existsSync(SAMBA))('durable lifecycle of DHnQ opens', () => {
  it('follows DHnC reconnects (the Data field of DHnC is the FileId) in durable-open.reopen2.pcap', async () => {
    const { dissector } = await dissectAll(`${SAMBA}/durable-open.reopen2.pcap`, { passwords: ['labpass'] })
    const first = dissector.durableOpens[0]!
    expect(first.kind).toBe('DHnQ')
    expect(first.granted).toBe(true)
    // Frame 34 reconnects with DHnC on a new connection and succeeds; frame 52 tries again (another name).
    expect(first.reconnects.map((r) => [r.frame, r.kind, r.status])).toEqual([
      [34, 'DHnC', 'STATUS_SUCCESS'],
      [52, 'DHnC', 'STATUS_SUCCESS'],
      [70, 'DHnC', 'STATUS_SUCCESS'],
    ])
  })
})
