/**
 * The terminal view, kept thin: raw input → `parseKeys` → the controller's key handler; model → one blessed
 * box per pane, placed by `layout` and filled with the same styled lines `render-text.ts` prints (styles become
 * blessed tags). Resizes are passed on as they come; blessed redraws only what changed.
 * @module
 */
import blessed from 'blessed'
import { layout } from './layout.js'
import type { Model } from './model.js'
import { parseKeys, type KeyEvent } from './keys.js'
import { renderPanes, type PaneView } from './render.js'
import type { Line, Style } from './styled.js'

export interface TerminalView {
  readonly width: number
  readonly height: number
  render(m: Model): void
  destroy(): void
}

export interface ViewHandlers {
  onKey(k: KeyEvent): void
  onResize(width: number, height: number): void
}

const TAGS: Record<Style, string> = {
  bold: '{bold}',
  dim: '{gray-fg}',
  inverse: '{inverse}',
  underline: '{underline}',
  red: '{red-fg}',
  green: '{green-fg}',
  yellow: '{yellow-fg}',
  blue: '{blue-fg}',
  magenta: '{magenta-fg}',
  cyan: '{cyan-fg}',
  highlight: '{black-fg}{yellow-bg}',
  diff: '{red-fg}{bold}',
}

/** Single-width ASCII stand-ins for terminals without UTF-8 (blessed would print '?'). */
const ASCII: Record<string, string> = {
  '→': '>', '←': '<', '▸': '+', '▾': '-', '…': '~', '═': '=', '─': '-', '│': '|', '«': '<', '»': '>', '▏': '_', '×': 'x', '↑': '^', '↓': 'v',
}

/** A styled line as blessed tag markup. */
export function toTags(l: Line, unicode = true): string {
  return l
    .map((s) => {
      let text = unicode ? s.text : s.text.replace(/[→←▸▾…═─│«»▏×↑↓]/g, (c) => ASCII[c] ?? '?')
      text = blessed.escape(text)
      if (!s.style?.length) return text
      return s.style.map((x) => TAGS[x]).join('') + text + '{/}'
    })
    .join('')
}

export function createBlessedView(h: ViewHandlers): TerminalView {
  const screen = blessed.screen({ smartCSR: true, fullUnicode: false, autoPadding: false, warnings: false, title: 'smbscope inspect' })
  const tput = (screen as unknown as { tput?: { unicode?: boolean; brokenACS?: boolean } }).tput
  const unicode = Boolean(tput?.unicode)
  // On a UTF-8 terminal print the box and arrow characters as they are: blessed would otherwise switch them to
  // the DEC line-drawing set, which screen scrapers (tmux capture-pane) and some fonts show as letters.
  if (unicode && tput) tput.brokenACS = true
  screen.program.hideCursor()
  const boxes = new Map<PaneView['name'], blessed.Widgets.BoxElement>()
  const box = (name: PaneView['name']) => {
    let b = boxes.get(name)
    if (!b) {
      b = blessed.box({ parent: screen, tags: true, top: 0, left: 0, width: 1, height: 1, wrap: false } as blessed.Widgets.BoxOptions)
      boxes.set(name, b)
    }
    return b
  }
  const onData = (d: Buffer | string) => {
    for (const k of parseKeys(typeof d === 'string' ? d : d.toString('utf8'))) h.onKey(k)
  }
  screen.program.input.on('data', onData)
  // Blessed puts the terminal in raw mode once something listens for its keypress events; the keys themselves
  // are parsed by parseKeys from the raw data above.
  const noop = () => {}
  screen.program.on('keypress', noop)
  screen.on('resize', () => h.onResize(Number(screen.width), Number(screen.height)))
  let destroyed = false
  return {
    get width() {
      return Number(screen.width)
    },
    get height() {
      return Number(screen.height)
    },
    render(m: Model) {
      if (destroyed) return
      const views = renderPanes(m, layout(m))
      const shown = new Set(views.map((v) => v.name))
      for (const [name, b] of boxes) if (!shown.has(name)) b.hide()
      for (const v of views) {
        const b = box(v.name)
        b.top = v.rect.top
        b.left = v.rect.left
        b.width = v.rect.width
        b.height = v.rect.height
        b.setContent(v.lines.map((l) => toTags(l, unicode)).join('\n'))
        b.show()
      }
      screen.render()
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      screen.program.input.removeListener('data', onData)
      screen.program.removeListener('keypress', noop)
      screen.program.showCursor()
      screen.destroy()
    },
  }
}
