import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NtStatus } from '../dissect/smb2/constants/status.js'
import { TestClient } from './test-helpers/client.js'
import { PASSWORD, USER, startServer, type Harness } from './test-helpers/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startServer()
})
afterAll(async () => h.close())

describe('WRITE (MS-SMB2 3.3.5.13)', () => {
  it('a large write answers STATUS_PENDING (with the credits) first, then writes the bytes; recycled buffers keep data intact', async () => {
    const c = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const f = await c.open('big.dat', { disposition: 5 })
    const chunks = [randomBytes(1 << 20), randomBytes(1 << 20), randomBytes(300_000)]
    let offset = 0n
    for (const data of chunks) {
      // (writeChannelInfoOffset 0 given: the codec would place the empty channel info after 1 MiB of data)
      const body = { offset, fileId: f, channel: 0, remainingBytes: 0, flags: 0, data, writeChannelInfoOffset: 0 }
      const r = await c.send(0x09, body, { creditCharge: Math.ceil(data.length / 65536) })
      expect(r.status).toBe(NtStatus.Success)
      expect(r.body.count).toBe(data.length)
      expect(r.interim?.status).toBe(NtStatus.Pending)
      expect(r.interim!.header.credits).toBeGreaterThan(0)
      offset += BigInt(data.length)
    }
    const small = await c.write(f, offset, Buffer.from('tail'))
    expect(small.interim).toBeUndefined()
    expect(readFileSync(join(h.dir, 'big.dat')).equals(Buffer.concat([...chunks, Buffer.from('tail')]))).toBe(true)
    c.end()
  })
})
