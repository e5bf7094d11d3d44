/**
 * MS-FSA 2.1.4.4 "Algorithm for Determining if a FileName Is in an Expression", case-insensitive, and the
 * per-code-unit upcase used for every name comparison in this layer.
 *
 * Expression characters:
 * - `*` matches zero or more characters (dots included);
 * - `?` matches exactly one character;
 * - `<` (DOS_STAR) matches zero or more characters but never consumes the last `.` of the name;
 * - `>` (DOS_QM) matches one character other than `.`, or nothing when it stands at a `.` or at the end of the name
 *   (so a run of `>` covers "up to N characters" of a name part);
 * - `"` (DOS_DOT) matches a `.`, or nothing at the end of the name.
 * Everything else matches itself, compared after upcasing both sides.
 * @module
 */

const DOS_STAR = 0x3c // '<'
const DOS_QM = 0x3e // '>'
const DOS_DOT = 0x22 // '"'
const STAR = 0x2a // '*'
const QM = 0x3f // '?'
const DOT = 0x2e // '.'

let upcaseTable: Uint16Array | undefined

/**
 * Upcases one UTF-16 code unit the way an NTFS upcase table does: one unit maps to one unit, and characters whose
 * JavaScript uppercase form is longer (`ß` → `SS`) or absent stay as they are. Surrogates map to themselves.
 */
export function upcaseUnit(unit: number): number {
  if (!upcaseTable) {
    const t = new Uint16Array(0x10000)
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) {
        t[c] = c
        continue
      }
      const u = String.fromCharCode(c).toUpperCase()
      t[c] = u.length === 1 ? u.charCodeAt(0) : c
    }
    upcaseTable = t
  }
  return upcaseTable[unit]!
}

/** Upcases a whole name unit by unit (see `upcaseUnit`); the result has the same length as the input. */
export function upcase(name: string): string {
  let out = ''
  for (let i = 0; i < name.length; i++) out += String.fromCharCode(upcaseUnit(name.charCodeAt(i)))
  return out
}

/** Case-insensitive equality of two names under `upcase`. */
export function namesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y && upcaseUnit(x) !== upcaseUnit(y)) return false
  }
  return true
}

/** Ordinal comparison of upcased names (the order enumerations return), ties broken by the raw names. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = upcaseUnit(a.charCodeAt(i)) - upcaseUnit(b.charCodeAt(i))
    if (d !== 0) return d
  }
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** True when the expression contains any of the five wildcard characters. */
export function hasWildcards(expression: string): boolean {
  return /[*?<>"]/.test(expression)
}

/**
 * True when `name` is in `expression` (MS-FSA 2.1.4.4), ignoring case. An empty expression matches nothing;
 * `*` alone matches every name (the algorithm's fast path).
 */
export function matchesExpression(expression: string, name: string): boolean {
  if (expression.length === 0) return false
  if (expression === '*') return true
  const P = expression.length
  const N = name.length
  const lastDot = name.lastIndexOf('.')
  // memo[(pi * (N + 1)) + ni]: 0 unknown, 1 false, 2 true
  const memo = new Uint8Array((P + 1) * (N + 1))

  const match = (pi: number, ni: number): boolean => {
    const slot = pi * (N + 1) + ni
    const seen = memo[slot]
    if (seen) return seen === 2
    let result = false
    if (pi === P) {
      result = ni === N
    } else {
      const c = expression.charCodeAt(pi)
      switch (c) {
        case STAR:
          for (let k = ni; k <= N && !result; k++) result = match(pi + 1, k)
          break
        case QM:
          result = ni < N && match(pi + 1, ni + 1)
          break
        case DOS_STAR:
          // Consume name[ni..k) for growing k, but never the name's last dot.
          for (let k = ni; k <= N; k++) {
            if (match(pi + 1, k)) {
              result = true
              break
            }
            if (k === N || k === lastDot) break
          }
          break
        case DOS_QM:
          if (ni === N || name.charCodeAt(ni) === DOT) result = match(pi + 1, ni)
          else result = match(pi + 1, ni + 1)
          break
        case DOS_DOT:
          if (ni === N) result = match(pi + 1, ni)
          else result = name.charCodeAt(ni) === DOT && match(pi + 1, ni + 1)
          break
        default:
          result = ni < N && upcaseUnit(name.charCodeAt(ni)) === upcaseUnit(c) && match(pi + 1, ni + 1)
      }
    }
    memo[slot] = result ? 2 : 1
    return result
  }
  return match(0, 0)
}
