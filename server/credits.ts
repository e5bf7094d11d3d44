/**
 * MS-SMB2 3.3.1.1 (Connection.CommandSequenceWindow), 3.3.5.2.3 (verifying the sequence number), 3.3.5.2.5
 * (verifying the credit charge and payload size) and the grant policy.
 *
 * The window is the set of MessageIds the client may use: `[low, high)` minus the ids already used above `low`.
 * A request with CreditCharge n uses ids m..m+n-1; each must be in the window. Ids are used out of order (a client
 * may skip one and come back, smbtorture smb2.credits.skipped_mid), so used ids above `low` are kept in a set and
 * `low` moves up over them.
 *
 * Grant policy (after Windows and Samba): a response grants what the request asked for, and at least what it
 * charged, never letting the client hold more than `maxCredits` unused credits;
 * the window (`high - low`) never exceeds twice that, so a client that skips an id cannot grow it without bound.
 * @module
 */

export interface CreditCheck {
  ok: boolean
  /** Why the request falls outside the window (for the log; the connection is closed). */
  reason?: string
}

export class CreditWindow {
  private low = 0n
  private high = 1n
  private readonly used = new Set<bigint>()

  constructor(readonly maxCredits = 8192) {}

  /** Credits the client holds now (ids it may still use). */
  get outstanding(): number {
    return Number(this.high - this.low) - this.used.size
  }

  /** The lowest id not yet used. */
  get lowest(): bigint {
    return this.low
  }

  /** MS-SMB2 3.3.5.2.3: uses ids messageId .. messageId+charge-1, or says why it cannot. */
  consume(messageId: bigint, charge: number): CreditCheck {
    const n = BigInt(Math.max(1, charge))
    if (messageId === 0xffff_ffff_ffff_ffffn) return { ok: false, reason: 'MessageId 0xFFFFFFFFFFFFFFFF' }
    if (messageId < this.low || messageId + n > this.high) {
      return { ok: false, reason: `MessageId ${messageId}+${n} outside the window [${this.low}, ${this.high})` }
    }
    for (let i = 0n; i < n; i++) {
      if (this.used.has(messageId + i)) return { ok: false, reason: `MessageId ${messageId + i} already used` }
    }
    for (let i = 0n; i < n; i++) this.used.add(messageId + i)
    while (this.used.delete(this.low)) this.low++
    return { ok: true }
  }

  /**
   * The credits to grant in the response to a request that asked for `requested` and charged `charge`; extends
   * the window by that many.
   */
  grant(requested: number, charge = 1): number {
    const holding = this.outstanding
    // At least what the request charged comes back (as Samba does): a client that asks for fewer credits than a
    // multi-credit request spent (smbclient asks 1 for an 8 MiB WRITE) would otherwise drain its window and
    // could keep only one large request in flight.
    let want = Math.max(requested, charge)
    // A client that would be left with nothing gets back at least one (MS-SMB2 3.3.1.2).
    if (holding === 0 && want < 1) want = 1
    const roomCredits = this.maxCredits - holding
    const roomWindow = 2 * this.maxCredits - Number(this.high - this.low)
    let g = Math.max(0, Math.min(want, roomCredits, roomWindow))
    if (g === 0 && holding === 0 && roomWindow > 0) g = 1
    this.high += BigInt(g)
    return g
  }
}

/** MS-SMB2 3.3.5.2.5: the charge a request of `payload` bytes (the larger of request and expected response) needs. */
export function requiredCharge(payload: number): number {
  return payload <= 0 ? 1 : Math.floor((payload - 1) / 65536) + 1
}
