/**
 * Request/response matching (style.md example 7): by connection and MessageId; an interim async answer
 * (STATUS_PENDING with the ASYNC flag, MS-SMB2 3.3.4.2) leaves the request open and records its AsyncId, so
 * the final answer and any CANCEL can be tied to it; MessageId 0xFFFF…FF marks unsolicited breaks
 * (MS-SMB2 3.3.4.6). Requests never answered are kept up to a bound (oldest dropped) so memory stays flat.
 * @module
 */

export interface PendingRequest<T> {
  frame: number
  time: number
  command: number
  /** Whatever the dissector wants back when the response comes (create name, info class, ...). */
  data: T
  asyncId?: bigint
  interimFrame?: number
}

export type MatchResult<T> =
  | { kind: 'interim'; request: PendingRequest<T> }
  | { kind: 'matched'; request: PendingRequest<T> }
  | { kind: 'unsolicited' }
  | { kind: 'orphan' }

export class Matcher<T> {
  private readonly open = new Map<string, PendingRequest<T>>()

  constructor(private readonly maxPending = 200_000) {}

  get pending(): number {
    return this.open.size
  }

  request(conn: string, messageId: bigint, req: PendingRequest<T>): void {
    const key = `${conn}|${messageId}`
    this.open.delete(key) // a reused MessageId (retransmission, replay) takes the newer request
    this.open.set(key, req)
    if (this.open.size > this.maxPending) {
      const oldest = this.open.keys().next().value
      if (oldest !== undefined) this.open.delete(oldest)
    }
  }

  response(conn: string, messageId: bigint, opts: { interim: boolean; asyncId?: bigint; frame: number }): MatchResult<T> {
    if (messageId === 0xffff_ffff_ffff_ffffn) return { kind: 'unsolicited' }
    const key = `${conn}|${messageId}`
    const request = this.open.get(key)
    if (!request) return { kind: 'orphan' }
    if (opts.interim) {
      request.asyncId = opts.asyncId
      request.interimFrame = opts.frame
      return { kind: 'interim', request }
    }
    this.open.delete(key)
    return { kind: 'matched', request }
  }

  /** The pending request a CANCEL refers to (by MessageId, or by AsyncId for async ones). */
  findForCancel(conn: string, messageId: bigint, asyncId: bigint | undefined): PendingRequest<T> | undefined {
    if (asyncId !== undefined && asyncId !== 0n) {
      for (const [k, r] of this.open) if (k.startsWith(conn + '|') && r.asyncId === asyncId) return r
    }
    return this.open.get(`${conn}|${messageId}`)
  }

  /** Drops everything of a connection (it closed). Returns the requests that never got an answer. */
  closeConnection(conn: string): PendingRequest<T>[] {
    const out: PendingRequest<T>[] = []
    for (const [k, r] of this.open) {
      if (k.startsWith(conn + '|')) {
        out.push(r)
        this.open.delete(k)
      }
    }
    return out
  }
}
