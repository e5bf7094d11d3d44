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
  /** Pending requests per connection, by MessageId (Map keys compare bigints by value), oldest first. */
  private readonly open = new Map<string, Map<bigint, PendingRequest<T>>>()
  private count = 0

  constructor(private readonly maxPending = 200_000) {}

  get pending(): number {
    return this.count
  }

  request(conn: string, messageId: bigint, req: PendingRequest<T>): void {
    let m = this.open.get(conn)
    if (!m) {
      m = new Map()
      this.open.set(conn, m)
    }
    if (m.delete(messageId)) this.count-- // a reused MessageId (retransmission, replay) takes the newer request
    m.set(messageId, req)
    this.count++
    if (this.count > this.maxPending) this.dropOldest()
  }

  private dropOldest(): void {
    let oldest: { m: Map<bigint, PendingRequest<T>>; id: bigint; frame: number } | undefined
    for (const m of this.open.values()) {
      const first = m.entries().next().value
      if (first && (!oldest || first[1].frame < oldest.frame)) oldest = { m, id: first[0], frame: first[1].frame }
    }
    if (oldest) {
      oldest.m.delete(oldest.id)
      this.count--
    }
  }

  response(conn: string, messageId: bigint, opts: { interim: boolean; asyncId?: bigint; frame: number }): MatchResult<T> {
    if (messageId === 0xffff_ffff_ffff_ffffn) return { kind: 'unsolicited' }
    const m = this.open.get(conn)
    const request = m?.get(messageId)
    if (!request) return { kind: 'orphan' }
    if (opts.interim) {
      request.asyncId = opts.asyncId
      request.interimFrame = opts.frame
      return { kind: 'interim', request }
    }
    m!.delete(messageId)
    this.count--
    return { kind: 'matched', request }
  }

  /** The pending request a CANCEL refers to (by MessageId, or by AsyncId for async ones). */
  findForCancel(conn: string, messageId: bigint, asyncId: bigint | undefined): PendingRequest<T> | undefined {
    const m = this.open.get(conn)
    if (!m) return undefined
    if (asyncId !== undefined && asyncId !== 0n) {
      for (const r of m.values()) if (r.asyncId === asyncId) return r
    }
    return m.get(messageId)
  }

  /** Drops everything of a connection (it closed). Returns the requests that never got an answer. */
  closeConnection(conn: string): PendingRequest<T>[] {
    const m = this.open.get(conn)
    if (!m) return []
    this.open.delete(conn)
    this.count -= m.size
    return [...m.values()]
  }
}
