/**
 * A deep comparison of two decoded values (records, bodies, info structures) that yields a flat list of
 * differences with dotted paths, under ignore rules. Buffers compare by content and show as their length and
 * SHA-256 prefix; lists the rules mark unordered are matched by a key, not by position.
 * @module
 */
import { createHash } from 'node:crypto'
import { toJsonValue } from '../../dissect/trace/record.js'
import type { ReplayDiff } from '../types.js'

export interface DiffRules {
  /** True when the value at `path` (its last segment is `key`) is not compared. */
  ignore(path: string, key: string): boolean
  /** For lists compared as sets: the key each element is matched by. */
  unorderedKey?(path: string): ((v: unknown) => string) | undefined
}

export function bufferSummary(b: Buffer): string {
  return `${b.length} bytes sha256:${createHash('sha256').update(b).digest('hex').slice(0, 16)}`
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array)

function shown(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return bufferSummary(v)
  return toJsonValue(v)
}

/** Appends the differences between `expected` and `actual` under `path` to `out`. */
export function diffValues(expected: unknown, actual: unknown, path: string, rules: DiffRules, out: ReplayDiff[]): void {
  const key = path.slice(path.lastIndexOf('.') + 1)
  if (path && rules.ignore(path, key)) return
  if (expected === actual) return
  if (Buffer.isBuffer(expected) && Buffer.isBuffer(actual)) {
    if (!expected.equals(actual)) out.push({ path, expected: shown(expected), actual: shown(actual) })
    return
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const keyOf = rules.unorderedKey?.(path)
    if (keyOf) {
      const byKey = new Map<string, unknown>()
      for (const a of actual) byKey.set(keyOf(a), a)
      const seen = new Set<string>()
      for (const e of expected) {
        const k = keyOf(e)
        seen.add(k)
        if (!byKey.has(k)) out.push({ path: `${path}[${k}]`, expected: toJsonValue(summarise(e, `${path}[${k}]`, rules)), actual: null })
        else diffValues(e, byKey.get(k), `${path}[${k}]`, rules, out)
      }
      for (const a of actual) {
        const k = keyOf(a)
        if (!seen.has(k)) out.push({ path: `${path}[${k}]`, expected: null, actual: toJsonValue(summarise(a, `${path}[${k}]`, rules)) })
      }
      return
    }
    if (expected.length !== actual.length) out.push({ path: `${path}.length`, expected: expected.length, actual: actual.length })
    const n = Math.min(expected.length, actual.length)
    for (let i = 0; i < n; i++) diffValues(expected[i], actual[i], `${path}.${i}`, rules, out)
    return
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k
      if (rules.ignore(p, k)) continue
      const e = expected[k]
      const a = actual[k]
      if (e === undefined && a === undefined) continue
      diffValues(e, a, p, rules, out)
    }
    return
  }
  out.push({ path, expected: toJsonValue(summarise(expected, path, rules), key), actual: toJsonValue(summarise(actual, path, rules), key) })
}

/** A short form of a value for a diff line (objects keep the scalar fields the rules compare). */
function summarise(v: unknown, path: string, rules: DiffRules): unknown {
  if (v === undefined) return null
  if (Buffer.isBuffer(v)) return bufferSummary(v)
  if (Array.isArray(v)) return `${v.length} item(s)`
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if ((typeof x !== 'object' || x === null) && !rules.ignore(`${path}.${k}`, k)) o[k] = x
    return o
  }
  return v
}
