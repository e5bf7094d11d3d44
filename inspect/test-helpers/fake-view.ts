/** A TerminalView without a terminal: records what it was asked to draw and lets a test press keys. @module */
import type { ViewFactory } from '../app.js'
import { parseKeys } from '../keys.js'
import type { Model } from '../model.js'
import type { TerminalView, ViewHandlers } from '../view-blessed.js'

export class FakeView implements TerminalView {
  renders = 0
  last?: Model
  destroyed = false

  constructor(
    readonly handlers: ViewHandlers,
    public width = 80,
    public height = 24,
  ) {}

  render(m: Model): void {
    this.renders++
    this.last = m
  }

  destroy(): void {
    this.destroyed = true
  }

  /** Types raw terminal input (parsed as a terminal's would be). */
  type(data: string): void {
    for (const k of parseKeys(data)) this.handlers.onKey(k)
  }

  resize(width: number, height: number): void {
    this.width = width
    this.height = height
    this.handlers.onResize(width, height)
  }

  /** Waits until the drawn model satisfies `pred` (renders are batched on setImmediate). */
  async until(pred: (m: Model) => boolean, what = 'the expected screen', ms = 5000): Promise<Model> {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (this.last && pred(this.last)) return this.last
      await new Promise((r) => setTimeout(r, 2))
    }
    throw new Error(`timed out waiting for ${what}`)
  }
}

/** A view factory that hands the created view to `drive` (which presses keys and ends with 'q'). */
export function fakeTerminal(drive: (v: FakeView) => Promise<void>, size: [number, number] = [80, 24]): { factory: ViewFactory; view: () => FakeView | undefined; done: () => Promise<void> } {
  let view: FakeView | undefined
  let finish!: (e?: unknown) => void
  const driving = new Promise<void>((resolve, reject) => (finish = (e) => (e === undefined ? resolve() : reject(e))))
  return {
    factory: (h) => {
      view = new FakeView(h, size[0], size[1])
      const v = view
      // Start once the controller exists (the factory is called before it is created).
      setImmediate(() =>
        drive(v).then(
          () => finish(),
          (e: unknown) => {
            // A failed expectation must still end the UI, or the run under test never returns.
            v.type('q')
            finish(e ?? new Error('drive failed'))
          },
        ),
      )
      return v
    },
    view: () => view,
    done: () => driving,
  }
}
