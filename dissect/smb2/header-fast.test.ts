import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dissectAll } from '../trace/dissect-file.js'
import { Reader, Writer } from '../wire/index.js'
import { HEADER_SIZE, readHeaderFast, Smb2HeaderCodec, writeHeaderFast } from './header.js'

/** The shared Samba captures: $SMBSCOPE_CAPTURES, ../shared/captures from the checkout, or /work/shared/captures. */
const SAMBA = join(
  [process.env['SMBSCOPE_CAPTURES'], resolve(process.cwd(), '../shared/captures'), '/work/shared/captures']
    .filter((p): p is string => !!p)
    .find((p) => existsSync(join(p, 'samba'))) ?? '/work/shared/captures',
  'samba',
)

describe('readHeaderFast / writeHeaderFast agree with the header codec', () => {
  const files = [`${SAMBA}/compound.related1.pcap`, `${SAMBA}/lease.break.pcap`].filter((f) => existsSync(f))
  it('on an async header (STATUS_PENDING interim answer)', () => {
    const h = { ...readHeaderFast(Buffer.concat([Buffer.from('fe534d424000', 'hex'), Buffer.alloc(58)])), status: 0x103, command: 10, flags: 0x3, messageId: 10n, asyncId: 0x1122334455n, sessionId: 0x8324657dn, signature: Buffer.alloc(16, 7) }
    const w = new Writer(HEADER_SIZE)
    Smb2HeaderCodec.write(w, h, { pduStart: 0 })
    const slow = w.finish()
    const fast = Buffer.alloc(HEADER_SIZE)
    writeHeaderFast(fast, 0, h)
    expect(fast.equals(slow)).toBe(true)
    expect(readHeaderFast(fast)).toEqual(Smb2HeaderCodec.read(new Reader(slow, 0, HEADER_SIZE), { pduStart: 0 }))
    expect(readHeaderFast(fast).treeId).toBe(0)
  })

  it.skipIf(files.length === 0)('on every captured header, requests and responses', async () => {
    let n = 0
    for (const f of files) {
      const { items } = await dissectAll(f, { keepRaw: true, passwords: ['labpass'] })
      for (const d of items) {
        if (!d.raw || d.record.proto !== 'smb2') continue
        const slow = Smb2HeaderCodec.read(new Reader(d.raw, 0, HEADER_SIZE), { pduStart: 0 })
        const fast = readHeaderFast(d.raw)
        expect(fast).toEqual(slow)
        const out = Buffer.alloc(HEADER_SIZE)
        writeHeaderFast(out, 0, fast)
        expect(out.equals(d.raw.subarray(0, HEADER_SIZE))).toBe(true)
        const w = new Writer(HEADER_SIZE)
        Smb2HeaderCodec.write(w, fast, { pduStart: 0 })
        expect(w.finish().equals(out)).toBe(true)
        n++
      }
    }
    expect(n).toBe(296)
  })

  it('rejects what the codec rejects', () => {
    expect(() => readHeaderFast(Buffer.alloc(10))).toThrow(/needs 64 bytes, 10 left/)
    const bad = Buffer.alloc(64)
    bad.writeUInt32LE(0x424d53ff, 0)
    expect(() => readHeaderFast(bad)).toThrow(/is not 0xFE 'SMB'/)
    bad.writeUInt32LE(0x424d53fe, 0)
    bad.writeUInt16LE(65, 4)
    expect(() => readHeaderFast(bad)).toThrow(/structureSize must be 64, got 65/)
    expect(() => writeHeaderFast(Buffer.alloc(63), 0, readHeaderFast(Buffer.concat([Buffer.from('fe534d424000', 'hex'), Buffer.alloc(58)])))).toThrow(/needs 64 bytes/)
  })
})
