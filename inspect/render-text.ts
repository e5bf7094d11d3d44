/**
 * The whole screen as a plain string of `width` × `height` characters, without starting a terminal (Ink's
 * renderToString idea): what the snapshot tests compare. `marks` makes styles visible in the text:
 * highlighted bytes as [..], differing fields as <..>, the cursor row is already marked with '>'.
 * @module
 */
import { layout } from './layout.js'
import { update, type Model } from './model.js'
import { renderPanes } from './render.js'
import { fit, type Line } from './styled.js'

export interface TextOptions {
  /** Show highlight and diff styles as brackets. */
  marks?: boolean
}

function plain(l: Line, marks: boolean): string {
  return l
    .map((s) => {
      if (!marks || !s.style) return s.text
      if (s.style.includes('highlight')) return `[${s.text}]`
      if (s.style.includes('diff')) return `<${s.text}>`
      return s.text
    })
    .join('')
}

/** Renders the model at `width` × `height` (resizing it first when they differ from the model's size). */
export function renderText(model: Model, width = model.width, height = model.height, o: TextOptions = {}): string {
  const m = width === model.width && height === model.height ? model : update(model, { type: 'resize', width, height })
  const grid: string[] = Array.from({ length: m.height }, () => ' '.repeat(m.width))
  for (const p of renderPanes(m, layout(m))) {
    p.lines.slice(0, p.rect.height).forEach((l, k) => {
      const row = p.rect.top + k
      if (row < 0 || row >= grid.length) return
      grid[row] = plain(fit(l, p.rect.width), o.marks === true)
    })
  }
  return grid.map((r) => r.replace(/\s+$/, '')).join('\n')
}
