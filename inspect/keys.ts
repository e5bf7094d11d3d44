/**
 * Keys: `parseKeys` turns raw terminal input (escape sequences, control bytes, UTF-8 text) into key events,
 * as Ink's parseKeypress does, and `keyAction` maps a key to a model action given the mode and whether a
 * prompt or the help is open. `KEYMAP` is the one table both the mapping and the help screen come from.
 * Pure functions.
 * @module
 */
import type { Action, Model } from './model.js'

export interface KeyEvent {
  /** `up`, `down`, `left`, `right`, `pageup`, `pagedown`, `home`, `end`, `enter`, `tab`, `backspace`, `delete`,
   * `insert`, `escape`, `space`, `unknown`, or the character itself (`j`, `N`, `/`, `é`). */
  name: string
  ctrl?: boolean
  shift?: boolean
  meta?: boolean
  /** The input bytes the key came from. */
  sequence: string
}

/** `C-c`, `S-tab`, `M-x`, `up`, `N`: the form KEYMAP uses. */
export function keyId(k: KeyEvent): string {
  return `${k.ctrl ? 'C-' : ''}${k.meta ? 'M-' : ''}${k.shift && k.name.length > 1 ? 'S-' : ''}${k.name}`
}

const CSI_TILDE: Record<string, string> = { '1': 'home', '2': 'insert', '3': 'delete', '4': 'end', '5': 'pageup', '6': 'pagedown', '7': 'home', '8': 'end' }
const CSI_LETTER: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'tab' }

function modifiers(k: KeyEvent, param: string | undefined): KeyEvent {
  // xterm: 1 + (shift 1 | alt 2 | ctrl 4)
  const m = param ? parseInt(param, 10) - 1 : 0
  if (m > 0) {
    if (m & 1) k.shift = true
    if (m & 2) k.meta = true
    if (m & 4) k.ctrl = true
  }
  return k
}

/** Splits one chunk of terminal input into key events. */
export function parseKeys(data: string): KeyEvent[] {
  const out: KeyEvent[] = []
  let i = 0
  while (i < data.length) {
    const c = data[i]!
    if (c === '\x1b') {
      const next = data[i + 1]
      if (next === '[') {
        // CSI: parameters, then a final byte in @..~; mouse reports (ESC [ M b x y, ESC [ < ... M/m) are dropped.
        if (data[i + 2] === 'M') {
          i += 6
          continue
        }
        const m = /^\x1b\[([<?]?)([\d;]*)([@-~])/.exec(data.slice(i))
        if (!m) {
          out.push({ name: 'escape', sequence: c })
          i++
          continue
        }
        i += m[0].length
        if (m[1] === '<') continue
        const params = m[2]!.split(';')
        const final = m[3]!
        if (final === '~') out.push(modifiers({ name: CSI_TILDE[params[0]!] ?? 'unknown', sequence: m[0] }, params[1]))
        else if (CSI_LETTER[final]) {
          const k = modifiers({ name: CSI_LETTER[final]!, sequence: m[0] }, params[1])
          if (final === 'Z') k.shift = true
          out.push(k)
        } else out.push({ name: 'unknown', sequence: m[0] })
        continue
      }
      if (next === 'O' && i + 2 < data.length) {
        // SS3 (application cursor keys): ESC O A ...
        const name = CSI_LETTER[data[i + 2]!]
        out.push({ name: name ?? 'unknown', sequence: data.slice(i, i + 3) })
        i += 3
        continue
      }
      // A lone ESC, or ESC followed by another key: the inspector binds no Meta (Alt) keys, and Esc typed just
      // before another key often arrives in the same chunk (tmux send-keys, fast typing), so it is Escape.
      out.push({ name: 'escape', sequence: c })
      i++
      continue
    }
    const code = c.charCodeAt(0)
    if (c === '\r' || c === '\n') {
      out.push({ name: 'enter', sequence: c })
      // CR LF from some terminals is one Enter.
      i += c === '\r' && data[i + 1] === '\n' ? 2 : 1
      continue
    }
    if (c === '\t') out.push({ name: 'tab', sequence: c })
    else if (c === '\x7f' || c === '\b') out.push({ name: 'backspace', sequence: c })
    else if (c === ' ') out.push({ name: 'space', sequence: c })
    else if (code === 0) out.push({ name: 'space', ctrl: true, sequence: c })
    else if (code < 27) out.push({ name: String.fromCharCode(code + 96), ctrl: true, sequence: c })
    else if (code < 32) out.push({ name: 'unknown', sequence: c })
    else {
      const ch = String.fromCodePoint(data.codePointAt(i)!)
      out.push({ name: ch, sequence: ch })
      i += ch.length
      continue
    }
    i++
  }
  return out
}

export interface KeyBinding {
  keys: readonly string[]
  /** How the help shows the keys. */
  label: string
  action: Action
  help: string
  mode?: Model['mode']
  section: 'Move' | 'Panes' | 'Filter and find' | 'Follow' | 'Replay' | 'Other'
}

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['up', 'k'], label: '↑ k', action: { type: 'move', delta: -1 }, help: 'move up in the focused pane', section: 'Move' },
  { keys: ['down', 'j'], label: '↓ j', action: { type: 'move', delta: 1 }, help: 'move down in the focused pane', section: 'Move' },
  { keys: ['pageup', 'C-b'], label: 'PgUp C-b', action: { type: 'page', dir: -1 }, help: 'page up', section: 'Move' },
  { keys: ['pagedown', 'C-f'], label: 'PgDn C-f', action: { type: 'page', dir: 1 }, help: 'page down', section: 'Move' },
  { keys: ['home', 'g'], label: 'Home g', action: { type: 'home' }, help: 'first line', section: 'Move' },
  { keys: ['end', 'G'], label: 'End G', action: { type: 'end' }, help: 'last line', section: 'Move' },
  { keys: ['enter'], label: 'Enter', action: { type: 'enter' }, help: "list: open the message's decoded fields; fields: open/close a node", section: 'Panes' },
  { keys: ['right', 'l'], label: '→ l', action: { type: 'openNode' }, help: 'open a field node (from the list: go to the fields)', section: 'Panes' },
  { keys: ['left', 'h'], label: '← h', action: { type: 'closeNode' }, help: 'close a field node, or go to its parent', section: 'Panes' },
  { keys: ['tab'], label: 'Tab', action: { type: 'focusNext', dir: 1 }, help: 'next pane', section: 'Panes' },
  { keys: ['S-tab'], label: 'S-Tab', action: { type: 'focusNext', dir: -1 }, help: 'previous pane', section: 'Panes' },
  { keys: ['escape'], label: 'Esc', action: { type: 'back' }, help: 'back: close help or prompt, focus the list, clear follow/filter, then find', section: 'Panes' },
  { keys: ['i'], label: 'i', action: { type: 'toggleSummary' }, help: 'summary pane: sessions, trees, durable-handle timeline (replay: totals)', section: 'Panes' },
  { keys: ['/'], label: '/', action: { type: 'promptOpen', kind: 'filter' }, help: 'filter the list (dissect --filter language; empty clears)', mode: 'capture', section: 'Filter and find' },
  { keys: ['f'], label: 'f', action: { type: 'promptOpen', kind: 'find' }, help: 'find: go to the next message matching an expression', mode: 'capture', section: 'Filter and find' },
  { keys: ['n'], label: 'n', action: { type: 'findNext', dir: 1 }, help: 'next find match', mode: 'capture', section: 'Filter and find' },
  { keys: ['N'], label: 'N', action: { type: 'findNext', dir: -1 }, help: 'previous find match', mode: 'capture', section: 'Filter and find' },
  { keys: ['c'], label: 'c', action: { type: 'clearView' }, help: 'clear the filter or follow (show every message)', mode: 'capture', section: 'Filter and find' },
  { keys: ['m'], label: 'm', action: { type: 'jumpPeer' }, help: 'jump between a request and its response', mode: 'capture', section: 'Follow' },
  { keys: ['o'], label: 'o', action: { type: 'followOpen' }, help: 'follow the open: its FileId and durable handle, across reconnects', mode: 'capture', section: 'Follow' },
  { keys: ['s'], label: 's', action: { type: 'followSession' }, help: 'follow the session (and sessions reconnected from it)', mode: 'capture', section: 'Follow' },
  { keys: ['space'], label: 'Space', action: { type: 'replayStep' }, help: 'step: replay the next request (report: next step)', mode: 'replay', section: 'Replay' },
  { keys: ['d'], label: 'd', action: { type: 'replayRunToDivergence' }, help: 'run to the next divergence (report: go to it)', mode: 'replay', section: 'Replay' },
  { keys: ['r'], label: 'r', action: { type: 'replayRunToEnd' }, help: 'run to the end (report: last step)', mode: 'replay', section: 'Replay' },
  { keys: ['v'], label: 'v', action: { type: 'toggleOnlyDivergences' }, help: 'only divergent steps / all steps', mode: 'replay', section: 'Replay' },
  { keys: ['?'], label: '?', action: { type: 'toggleHelp' }, help: 'this help', section: 'Other' },
  { keys: ['q', 'C-c'], label: 'q C-c', action: { type: 'quit' }, help: 'quit', section: 'Other' },
]

const PROMPT_EDIT: Record<string, Action> = {
  enter: { type: 'promptSubmit' },
  escape: { type: 'promptCancel' },
  backspace: { type: 'promptBackspace' },
  'C-u': { type: 'promptClear' },
  'C-c': { type: 'quit' },
}

const HELP_KEYS = new Set(['up', 'k', 'down', 'j', 'pageup', 'pagedown', 'C-b', 'C-f', 'home', 'g', 'end', 'G', 'q', 'C-c'])

/** The action for a key in the current state, or undefined when the key does nothing there. */
export function keyAction(k: KeyEvent, m: Pick<Model, 'mode' | 'prompt' | 'help'>): Action | undefined {
  const id = keyId(k)
  if (m.prompt) {
    if (PROMPT_EDIT[id]) return PROMPT_EDIT[id]
    if (!k.ctrl && !k.meta && (k.name === 'space' || [...k.name].length === 1)) return { type: 'promptInput', text: k.name === 'space' ? ' ' : k.name }
    return undefined
  }
  if (m.help.open) {
    if (id === 'escape' || id === '?' || id === 'enter') return { type: 'toggleHelp' }
    if (!HELP_KEYS.has(id)) return undefined
  }
  const b = KEYMAP.find((x) => x.keys.includes(id) && (x.mode === undefined || x.mode === m.mode))
  return b?.action
}

/** The help screen's lines for a mode. */
export function helpLines(mode: Model['mode']): string[] {
  const out: string[] = []
  let section = ''
  for (const b of KEYMAP) {
    if (b.mode !== undefined && b.mode !== mode) continue
    if (b.section !== section) {
      if (out.length) out.push('')
      out.push(b.section)
      section = b.section
    }
    out.push(`  ${b.label.padEnd(10)} ${b.help}`)
  }
  if (mode === 'capture') {
    out.push('', 'Filter examples', '  CREATE && path~docx    status!=SUCCESS    durable    frame in 10..20    body.createDisposition==2')
  }
  return out
}
