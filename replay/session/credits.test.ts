import { describe, expect, it } from 'vitest'
import { CreditError, CreditWindow, creditChargeFor } from './credits.js'

describe('creditChargeFor (MS-SMB2 3.1.5.2)', () => {
  it('charges one credit per 64 KiB started', () => {
    expect(creditChargeFor(0)).toBe(1)
    expect(creditChargeFor(1)).toBe(1)
    expect(creditChargeFor(65536)).toBe(1)
    expect(creditChargeFor(65537)).toBe(2)
    expect(creditChargeFor(8 * 1024 * 1024)).toBe(128)
  })
})

describe('CreditWindow', () => {
  it('starts with one credit for the NEGOTIATE and hands out MessageId 0', () => {
    const w = new CreditWindow()
    expect(w.tryAcquire(1)).toBe(0n)
    expect(w.tryAcquire(1)).toBeUndefined()
  })

  it('takes consecutive ids for a multi-credit request, as smbclient did (mid 11 then 139 after a charge of 128)', () => {
    const w = new CreditWindow(200)
    for (let i = 0; i < 11; i++) w.tryAcquire(1)
    expect(w.tryAcquire(128)).toBe(11n)
    expect(w.tryAcquire(128)).toBeUndefined() // 61 credits left
    w.grant(67)
    expect(w.tryAcquire(128)).toBe(139n)
    expect(w.nextMessageId).toBe(267n)
  })

  it('a charge of 0 (SMB 2.0.2) still takes one id', () => {
    const w = new CreditWindow(2)
    expect(w.tryAcquire(0)).toBe(0n)
    expect(w.tryAcquire(0)).toBe(1n)
    expect(w.available).toBe(0)
  })

  it('waiters are served in order when credits arrive', async () => {
    const w = new CreditWindow(1)
    expect(w.tryAcquire(1)).toBe(0n)
    const a = w.acquire(2)
    const b = w.acquire(1)
    w.grant(1) // not enough for a (2): b must not overtake it
    expect(w.available).toBe(1)
    w.grant(2)
    expect(await a).toBe(1n)
    expect(await b).toBe(3n)
  })

  it('fails waiters when the connection goes, and times out when no credits come', async () => {
    const w = new CreditWindow(0)
    const p = w.acquire(1, 10_000)
    w.fail(new CreditError('closed'))
    await expect(p).rejects.toThrow('closed')
    const v = new CreditWindow(0)
    await expect(v.acquire(3, 20)).rejects.toThrow(/no 3 credit\(s\) granted within 20 ms/)
  })
})
