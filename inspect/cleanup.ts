/**
 * Temporary files must go when the inspector ends, however it ends: normal quit, an exception, SIGINT,
 * SIGTERM or SIGHUP (a closed terminal). Cleanup tasks run once each.
 * @module
 */
import { constants } from 'node:os'

const tasks = new Set<() => void>()
let installed = false

/** Registers a cleanup task; returns a function that unregisters it. */
export function onCleanup(fn: () => void): () => void {
  tasks.add(fn)
  return () => tasks.delete(fn)
}

/** Runs (and forgets) every registered task; errors in one task do not stop the others. */
export function runCleanup(): void {
  const all = [...tasks]
  tasks.clear()
  for (const fn of all) {
    try {
      fn()
    } catch {
      // best effort: the process is ending
    }
  }
}

/** Runs the cleanup tasks on exit and on SIGINT/SIGTERM/SIGHUP (then exits with 128 + signal number). */
export function installSignalCleanup(): void {
  if (installed) return
  installed = true
  process.once('exit', runCleanup)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runCleanup()
      process.exit(128 + (constants.signals[sig] ?? 0))
    })
  }
}
