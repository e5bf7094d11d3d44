import { describe, expect, it } from 'vitest'
import { helpLines, KEYMAP, keyAction, keyId, parseKeys, type KeyEvent } from './keys.js'
import type { Model } from './model.js'

const ids = (data: string) => parseKeys(data).map(keyId)

describe('parseKeys', () => {
  it.each([
    ['\x1b[A', ['up']],
    ['\x1b[B', ['down']],
    ['\x1b[C', ['right']],
    ['\x1b[D', ['left']],
    ['\x1bOA', ['up']],
    ['\x1bOB', ['down']],
    ['\x1b[5~', ['pageup']],
    ['\x1b[6~', ['pagedown']],
    ['\x1b[H', ['home']],
    ['\x1b[F', ['end']],
    ['\x1b[1~', ['home']],
    ['\x1b[4~', ['end']],
    ['\x1b[7~', ['home']],
    ['\x1b[8~', ['end']],
    ['\x1bOH', ['home']],
    ['\x1bOF', ['end']],
    ['\x1b[3~', ['delete']],
    ['\x1b[Z', ['S-tab']],
    ['\x1b[1;5A', ['C-up']],
    ['\x1b[1;2B', ['S-down']],
    ['\x1b[5;5~', ['C-pageup']],
    ['\r', ['enter']],
    ['\n', ['enter']],
    ['\r\n', ['enter']],
    ['\t', ['tab']],
    ['\x7f', ['backspace']],
    ['\b', ['backspace']],
    [' ', ['space']],
    ['\x03', ['C-c']],
    ['\x15', ['C-u']],
    ['\x06', ['C-f']],
    ['\x1b', ['escape']],
    ['\x1b\x1b', ['escape', 'escape']],
    // Esc typed just before a key arrives in the same chunk (tmux send-keys does this): two keys.
    ['\x1b/', ['escape', '/']],
    ['jkN/?', ['j', 'k', 'N', '/', '?']],
    ['é→', ['é', '→']],
    ['\u{1F600}', ['\u{1F600}']],
    ['j\x1b[Bk', ['j', 'down', 'k']],
    // Mouse reports are dropped.
    ['\x1b[M !!', []],
    ['\x1b[<0;10;5M', []],
    ['\x1b[<0;10;5mq', ['q']],
    ['\x1b[99x', ['unknown']],
  ])('%j → %j', (data, want) => {
    expect(ids(data)).toEqual(want)
  })

  it('keeps the bytes of each key', () => {
    expect(parseKeys('a\x1b[5~').map((k) => k.sequence)).toEqual(['a', '\x1b[5~'])
  })
})

const k = (name: string, extra: Partial<KeyEvent> = {}): KeyEvent => ({ name, sequence: name, ...extra })
type KeyState = Pick<Model, 'mode' | 'prompt' | 'help'>
const capture: KeyState = { mode: 'capture', help: { open: false, top: 0 } }
const replay: KeyState = { mode: 'replay', help: { open: false, top: 0 } }
const prompt: KeyState = { ...capture, prompt: { kind: 'filter', text: 'CRE' } }
const help: KeyState = { ...capture, help: { open: true, top: 0 } }

describe('keyAction', () => {
  it.each<[string, KeyState, KeyEvent, unknown]>([
    ['j moves down', capture, k('j'), { type: 'move', delta: 1 }],
    ['up moves up', capture, k('up'), { type: 'move', delta: -1 }],
    ['PgDn pages', capture, k('pagedown'), { type: 'page', dir: 1 }],
    ['G goes to the end', capture, k('G'), { type: 'end' }],
    ['Enter opens fields', capture, k('enter'), { type: 'enter' }],
    ['/ opens the filter prompt', capture, k('/'), { type: 'promptOpen', kind: 'filter' }],
    ['f opens the find prompt', capture, k('f'), { type: 'promptOpen', kind: 'find' }],
    ['n finds next', capture, k('n'), { type: 'findNext', dir: 1 }],
    ['N finds previous', capture, k('N'), { type: 'findNext', dir: -1 }],
    ['m jumps request/response', capture, k('m'), { type: 'jumpPeer' }],
    ['o follows the open', capture, k('o'), { type: 'followOpen' }],
    ['s follows the session', capture, k('s'), { type: 'followSession' }],
    ['i toggles the summary', capture, k('i'), { type: 'toggleSummary' }],
    ['S-Tab goes back a pane', capture, k('tab', { shift: true }), { type: 'focusNext', dir: -1 }],
    ['? opens help', capture, k('?'), { type: 'toggleHelp' }],
    ['q quits', capture, k('q'), { type: 'quit' }],
    ['C-c quits', capture, k('c', { ctrl: true }), { type: 'quit' }],
    ['c clears the view', capture, k('c'), { type: 'clearView' }],
    ['Space does nothing in capture mode', capture, k('space'), undefined],
    ['Space steps a replay', replay, k('space'), { type: 'replayStep' }],
    ['d runs to a divergence', replay, k('d'), { type: 'replayRunToDivergence' }],
    ['r runs to the end', replay, k('r'), { type: 'replayRunToEnd' }],
    ['v shows only divergences', replay, k('v'), { type: 'toggleOnlyDivergences' }],
    ['/ is not bound in replay mode', replay, k('/'), undefined],
    ['prompt: letters are text', prompt, k('q'), { type: 'promptInput', text: 'q' }],
    ['prompt: space is text', prompt, k('space'), { type: 'promptInput', text: ' ' }],
    ['prompt: Enter submits', prompt, k('enter'), { type: 'promptSubmit' }],
    ['prompt: Esc cancels', prompt, k('escape'), { type: 'promptCancel' }],
    ['prompt: Backspace deletes', prompt, k('backspace'), { type: 'promptBackspace' }],
    ['prompt: C-u clears', prompt, k('u', { ctrl: true }), { type: 'promptClear' }],
    ['prompt: arrows do nothing', prompt, k('up'), undefined],
    ['help: Esc closes', help, k('escape'), { type: 'toggleHelp' }],
    ['help: ? closes', help, k('?'), { type: 'toggleHelp' }],
    ['help: j scrolls', help, k('j'), { type: 'move', delta: 1 }],
    ['help: q quits', help, k('q'), { type: 'quit' }],
    ['help: / is ignored', help, k('/'), undefined],
  ])('%s', (_name, state, key, want) => {
    expect(keyAction(key, state)).toEqual(want)
  })

  it('binds no key twice in a mode, and the help lists every binding of the mode', () => {
    for (const mode of ['capture', 'replay'] as const) {
      const keys = KEYMAP.filter((b) => b.mode === undefined || b.mode === mode).flatMap((b) => b.keys)
      expect(new Set(keys).size, mode).toBe(keys.length)
      const text = helpLines(mode).join('\n')
      for (const b of KEYMAP) {
        if (b.mode !== undefined && b.mode !== mode) expect(text).not.toContain(b.help)
        else expect(text).toContain(`${b.label.padEnd(10)} ${b.help}`)
      }
    }
  })
})
