import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateAction } from '../dissect/smb2/constants/create.js'
import { isAttributeOnly, isOplockStatOpen } from './handlers/create-breaks.js'
import { TestClient } from './test-helpers/client.js'
import { PASSWORD, USER, startServer, type Harness } from './test-helpers/harness.js'
import { Access } from './vfs/constants.js'

const BATCH = 0x09
const EXCLUSIVE = 0x08
const II = 0x01
const ATTRS = Access.FileReadAttributes | Access.FileWriteAttributes | Access.Synchronize
const ALL = 0x001f01ff
const OVERWRITE_IF = 5
const OPEN = 1

let h: Harness
beforeAll(async () => {
  h = await startServer()
})
afterAll(async () => h.close())

const settle = () => new Promise((r) => setTimeout(r, 150))

describe('which creates break oplocks (MS-FSA 2.1.5.1.2, smbtorture smb2.oplock)', () => {
  it('stat opens are attributes and SYNCHRONIZE only, and only when they open an existing file', () => {
    expect(isAttributeOnly(ATTRS)).toBe(true)
    expect(isAttributeOnly(Access.FileReadEa)).toBe(false)
    expect(isAttributeOnly(Access.ReadControl)).toBe(false)
    expect(isOplockStatOpen(Access.FileReadAttributes, CreateAction.Opened)).toBe(true)
    expect(isOplockStatOpen(Access.FileReadAttributes, CreateAction.Created)).toBe(false)
    expect(isOplockStatOpen(Access.FileReadAttributes, CreateAction.Overwritten)).toBe(false)
  })

  it('a sharing violation against an exclusive (not batch) oplock breaks nothing', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const b = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const r1 = await a.create('excl.dat', { oplock: EXCLUSIVE, share: 0, access: ALL })
    expect(r1.body.oplockLevel).toBe(EXCLUSIVE)
    expect((await b.create('excl.dat', { share: 0, access: ALL, disposition: OPEN })).statusName).toBe('STATUS_SHARING_VIOLATION')
    await settle()
    expect(a.unsolicited).toEqual([])
    a.end()
    b.end()
  })

  it('a second open of a delete-pending file fails without breaking the batch oplock', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const b = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const r1 = await a.create('doc.dat', { oplock: BATCH, access: ALL })
    expect(r1.body.oplockLevel).toBe(BATCH)
    const disp = Buffer.from([1])
    expect((await a.setInfo(r1.body.fileId, 1, 13, disp)).statusName).toBe('STATUS_SUCCESS')
    expect((await b.create('doc.dat', { access: Access.FileReadData, disposition: OPEN })).statusName).toBe('STATUS_DELETE_PENDING')
    await settle()
    expect(a.unsolicited).toEqual([])
    a.end()
    b.end()
  })

  it('an attribute-only open that creates gets its oplock; one that overwrites breaks the holder and gets level II', async () => {
    const a = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const b = await TestClient.login(h.port, 'share', USER, PASSWORD)
    const r1 = await a.create('attr.dat', { oplock: BATCH, access: ATTRS, disposition: 2 })
    expect(r1.body.oplockLevel).toBe(BATCH)
    expect((await a.close(r1.body.fileId)).statusName).toBe('STATUS_SUCCESS')
    const r2 = await a.create('attr.dat', { oplock: BATCH, access: ALL, disposition: OPEN })
    expect(r2.body.oplockLevel).toBe(BATCH)
    a.onBreak((br) => void a.send(0x12, { oplockLevel: 0, fileId: br.body.fileId }))
    const r3 = await b.create('attr.dat', { oplock: BATCH, access: ATTRS, disposition: OVERWRITE_IF })
    expect(r3.statusName).toBe('STATUS_SUCCESS')
    expect(r3.body.oplockLevel).toBe(II)
    expect(a.unsolicited.length).toBe(1)
    a.end()
    b.end()
  })
})
