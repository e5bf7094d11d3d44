/**
 * Styled text lines, the common output of the pane renderers: `render-text.ts` drops the styles (snapshot
 * tests), `view-blessed.ts` turns them into blessed tags. Every character is one terminal column here: the
 * renderers only use ASCII and single-width symbols (→ ← ▸ ▾ … ─ │).
 * @module
 */

export type Style =
  | 'bold' | 'dim' | 'inverse' | 'underline'
  | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan'
  /** The selected field's bytes in the hex pane. */
  | 'highlight'
  /** A field that differs between expected and actual. */
  | 'diff'

export interface Seg {
  text: string
  style?: readonly Style[]
}

export type Line = Seg[]

export const seg = (text: string, ...style: Style[]): Seg => (style.length ? { text, style } : { text })

export const lineText = (l: Line): string => l.map((s) => s.text).join('')

export const lineWidth = (l: Line): number => l.reduce((n, s) => n + [...s.text].length, 0)

/** Truncates (ending in … when `ellipsis`) or pads with spaces to exactly `width` columns. */
export function fit(l: Line, width: number, ellipsis = false): Line {
  const total = lineWidth(l)
  if (total <= width) return total === width ? l : [...l, { text: ' '.repeat(width - total) }]
  const budget = ellipsis && width > 0 ? width - 1 : width
  const out: Line = []
  let left = budget
  let lastStyle: Seg['style']
  for (const s of l) {
    if (left <= 0) break
    const chars = [...s.text]
    lastStyle = s.style
    if (chars.length <= left) {
      out.push(s)
      left -= chars.length
    } else {
      const text = chars.slice(0, left).join('')
      out.push(s.style ? { text, style: s.style } : { text })
      left = 0
    }
  }
  if (ellipsis && width > 0) out.push(lastStyle ? { text: '…', style: lastStyle } : { text: '…' })
  return out
}

/** Adds a style to every segment of a line (cursor rows, highlighted rows). */
export const restyle = (l: Line, ...style: Style[]): Line => l.map((s) => ({ text: s.text, style: [...(s.style ?? []), ...style] }))

/** Pads or truncates a plain string to `n` columns. */
export function pad(s: string, n: number, right = false): string {
  const chars = [...s]
  if (chars.length > n) return n > 1 ? chars.slice(0, n - 1).join('') + '…' : chars.slice(0, n).join('')
  return right ? s.padStart(n) : s.padEnd(n)
}
