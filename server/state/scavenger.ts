/**
 * Durable open scavenger (MS-SMB2 3.3.2.2 Durable Open Scavenger Timer, 3.3.6.2 its event; Samba's
 * smbd_scavenger / smbXsrv_open_cleanup): a disconnected durable open that is not reclaimed within
 * Open.DurableOpenTimeout is closed and leaves the global table.
 *
 * Deadlines sit in a binary min-heap with lazy deletion (re-tracking or untracking an open only updates a map; stale
 * heap entries are skipped when they surface), and one timer is armed on the injected clock for the earliest
 * deadline.
 * @module
 */
import type { Clock, TimerHandle } from './clock.js'
import { systemClock } from './clock.js'
import type { GlobalTables } from './global-tables.js'
import { durableDeadline } from './durable.js'

interface Entry {
  deadline: number
  id: bigint
}

export class Scavenger {
  private heap: Entry[] = []
  private readonly current = new Map<bigint, number>()
  private timer: TimerHandle | null = null
  private armedFor: number | null = null
  private running = false

  /**
   * @param onExpire called for every open whose deadline passed, in deadline order: close its VFS handle, drop its
   *   caching state and remove its global record (`expireFromTables` does the last part).
   */
  constructor(
    private readonly onExpire: (persistentId: bigint) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Starts (or moves) the countdown of one disconnected open. */
  track(persistentId: bigint, deadline: number): void {
    this.current.set(persistentId, deadline)
    this.push({ deadline, id: persistentId })
    if (this.running) this.arm()
  }

  /** The open was reconnected or closed: forget it. */
  untrack(persistentId: bigint): void {
    this.current.delete(persistentId)
  }

  deadlineOf(persistentId: bigint): number | undefined {
    return this.current.get(persistentId)
  }

  get size(): number {
    return this.current.size
  }

  /** Tracks every disconnected durable open in `tables` (after a restart's `loadFromStore`). */
  trackAll(tables: GlobalTables): number {
    let n = 0
    for (const o of tables.opens.values()) {
      const d = durableDeadline(o)
      if (d !== null) {
        this.track(o.persistentId, d)
        n++
      }
    }
    return n
  }

  /** Expires everything due at `now` (clock time by default); returns the expired ids in deadline order. */
  runDue(now = this.clock.now()): bigint[] {
    const out: bigint[] = []
    while (this.heap.length && this.heap[0]!.deadline <= now) {
      const e = this.pop()!
      if (this.current.get(e.id) !== e.deadline) continue // stale entry
      this.current.delete(e.id)
      out.push(e.id)
      this.onExpire(e.id)
    }
    return out
  }

  /** Arms timers on the clock so expiry happens without anyone calling `runDue`. */
  start(): void {
    this.running = true
    this.arm()
  }

  stop(): void {
    this.running = false
    this.timer?.cancel()
    this.timer = null
    this.armedFor = null
  }

  private arm(): void {
    while (this.heap.length && this.current.get(this.heap[0]!.id) !== this.heap[0]!.deadline) this.pop()
    const next = this.heap[0]?.deadline
    if (next === undefined) {
      this.timer?.cancel()
      this.timer = null
      this.armedFor = null
      return
    }
    if (this.armedFor !== null && this.armedFor <= next && this.timer) return
    this.timer?.cancel()
    this.armedFor = next
    this.timer = this.clock.setTimer(next - this.clock.now(), () => {
      this.timer = null
      this.armedFor = null
      this.runDue()
      if (this.running) this.arm()
    })
  }

  private push(e: Entry): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p]!.deadline <= h[i]!.deadline) break
      ;[h[p], h[i]] = [h[i]!, h[p]!]
      i = p
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]!
    const last = h.pop()!
    if (h.length) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && h[l]!.deadline < h[m]!.deadline) m = l
        if (r < h.length && h[r]!.deadline < h[m]!.deadline) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i]!, h[m]!]
        i = m
      }
    }
    return top
  }
}

/** The table side of an expiry: removes the open if it is still disconnected (a reconnect may have won the race). */
export function expireFromTables(tables: GlobalTables, persistentId: bigint, now: number): boolean {
  const o = tables.opens.get(persistentId)
  if (!o || o.disconnectedAt === null) return false
  const d = durableDeadline(o)
  if (d === null || d > now) return false
  tables.removeOpen(persistentId)
  return true
}
