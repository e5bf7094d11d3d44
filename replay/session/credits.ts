/**
 * The client side of SMB2 credits (MS-SMB2 3.2.4.1.5, 3.2.5.1.4, 3.1.5.2): MessageIds are handed out in
 * sequence, a request with CreditCharge N takes N consecutive ids (at least one), and may only go out when
 * N credits are left; every response (interim ones too) grants CreditResponse more.
 *
 * With SMB 2.0.2, or when the server did not offer SMB2_GLOBAL_CAP_LARGE_MTU, CreditCharge is 0 on the wire
 * and a request always takes one id.
 * @module
 */

export class CreditError extends Error {
  override readonly name = 'CreditError'
}

interface Waiter {
  charge: number
  resolve(firstId: bigint): void
  reject(e: Error): void
  timer?: NodeJS.Timeout
}

/** MS-SMB2 3.1.5.2: CreditCharge = (max(SendPayloadSize, Expected ResponsePayloadSize) - 1) / 65536 + 1. */
export function creditChargeFor(payloadBytes: number): number {
  return payloadBytes <= 0 ? 1 : Math.floor((payloadBytes - 1) / 65536) + 1
}

export class CreditWindow {
  private nextId = 0n
  private credits: number
  private readonly waiters: Waiter[] = []
  private failure: Error | undefined
  /** Ids handed out and credits granted, for the report. */
  granted = 0
  consumed = 0

  /** A new connection starts with one credit (MS-SMB2 3.2.4.1.5: the NEGOTIATE request). */
  constructor(initial = 1) {
    this.credits = initial
  }

  get available(): number {
    return this.credits
  }

  /** The MessageId the next request would get. */
  get nextMessageId(): bigint {
    return this.nextId
  }

  /** Takes `charge` ids (at least one) if the credits are there; undefined when they are not. */
  tryAcquire(charge: number): bigint | undefined {
    if (this.failure) throw this.failure
    const n = Math.max(1, charge)
    if (this.waiters.length || this.credits < n) return undefined
    return this.take(n)
  }

  /** Waits for `charge` credits (in request order) and takes their ids. */
  acquire(charge: number, timeoutMs = 30_000): Promise<bigint> {
    if (this.failure) return Promise.reject(this.failure)
    const now = this.tryAcquire(charge)
    if (now !== undefined) return Promise.resolve(now)
    return new Promise((resolve, reject) => {
      const w: Waiter = { charge: Math.max(1, charge), resolve, reject }
      w.timer = setTimeout(() => {
        const i = this.waiters.indexOf(w)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new CreditError(`no ${w.charge} credit(s) granted within ${timeoutMs} ms (${this.credits} left)`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  /** A response granted `n` credits. */
  grant(n: number): void {
    this.credits += n
    this.granted += n
    while (this.waiters.length && this.credits >= this.waiters[0]!.charge) {
      const w = this.waiters.shift()!
      clearTimeout(w.timer)
      w.resolve(this.take(w.charge))
    }
  }

  /** The connection is gone: every waiter fails with `e`, and so does every later call. */
  fail(e: Error): void {
    this.failure = e
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer)
      w.reject(e)
    }
  }

  private take(n: number): bigint {
    const first = this.nextId
    this.nextId += BigInt(n)
    this.credits -= n
    this.consumed += n
    return first
  }
}
