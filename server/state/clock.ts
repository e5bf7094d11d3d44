/**
 * Injectable time source for the server's protocol state: durable-open expiry, lease/oplock break timeouts and
 * session expiry all read `now()` and arm timers through a `Clock`, so tests can drive time by hand (`FakeClock`).
 * Times are milliseconds since the Unix epoch (numbers; they fit easily in a double).
 * @module
 */

export interface TimerHandle {
  cancel(): void
}

export interface Clock {
  now(): number
  /** Runs `fn` once, `ms` from now. The handle cancels it; cancelling twice is harmless. */
  setTimer(ms: number, fn: () => void): TimerHandle
}

/** The real clock. Timers are unref'd so pending break/expiry timers never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref?.()
    return { cancel: () => clearTimeout(t) }
  },
}

interface FakeTimer {
  at: number
  seq: number
  fn: () => void
  live: boolean
}

/** A manual clock for tests: time moves only through `advance`/`set`, which fire due timers in deadline order. */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = []
  private seq = 0
  constructor(private t = 1_700_000_000_000) {}

  now(): number {
    return this.t
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true }
    this.timers.push(timer)
    return {
      cancel: () => {
        timer.live = false
      },
    }
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (each at its own deadline). */
  advance(ms: number): void {
    this.set(this.t + ms)
  }

  set(target: number): void {
    for (;;) {
      const due = this.timers
        .filter((x) => x.live && x.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      due.live = false
      this.t = Math.max(this.t, due.at)
      due.fn()
    }
    this.timers = this.timers.filter((x) => x.live)
    this.t = Math.max(this.t, target)
  }

  /** Number of armed (not fired, not cancelled) timers. */
  get pending(): number {
    return this.timers.filter((x) => x.live).length
  }
}
