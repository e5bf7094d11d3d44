/**
 * Where the panes go for a terminal of a given size: a title line, the message list, the field tree and the hex
 * pane stacked (80 columns leave no room side by side for a 16-byte hex dump), or the summary pane in place
 * of tree and hex, and a status line; on a short terminal the list alone, or the list and the focused pane. In replay mode the tree slot holds the expected/actual comparison and
 * the hex slot the list of differences. Every pane's first line is its title. Pure.
 * @module
 */

export interface Rect {
  top: number
  left: number
  width: number
  height: number
}

export type PaneName = 'list' | 'tree' | 'hex' | 'summary'

export interface Layout {
  title: Rect
  status: Rect
  panes: Partial<Record<PaneName, Rect>>
  /** The help overlay covers everything between title and status. */
  body: Rect
}

export interface LayoutInput {
  width: number
  height: number
  showSummary: boolean
  focus: PaneName
}

/** Below this many body lines the panes do not fit stacked: the list alone, or the list and the focused pane. */
const MIN_STACKED = 12

/** The panes the user can move to (Tab), whether or not the terminal is tall enough to show them all. */
export function availablePanes(m: Pick<LayoutInput, 'showSummary'>): PaneName[] {
  return m.showSummary ? ['list', 'summary'] : ['list', 'tree', 'hex']
}

export function layout(m: LayoutInput): Layout {
  const width = Math.max(1, m.width)
  const height = Math.max(3, m.height)
  const body = Math.max(1, height - 2)
  const rect = (top: number, h: number): Rect => ({ top, left: 0, width, height: h })
  const panes: Layout['panes'] = {}
  if (body < MIN_STACKED) {
    if (m.focus === 'list' || body < 4 || !availablePanes(m).includes(m.focus)) panes.list = rect(1, body)
    else {
      const list = Math.max(3, Math.floor(body * 0.3))
      panes.list = rect(1, list)
      panes[m.focus] = rect(1 + list, body - list)
    }
  } else if (m.showSummary) {
    const list = Math.max(3, Math.floor(body * 0.4))
    panes.list = rect(1, list)
    panes.summary = rect(1 + list, body - list)
  } else {
    const list = Math.max(3, Math.floor(body * 0.4))
    const tree = Math.ceil((body - list) / 2)
    panes.list = rect(1, list)
    panes.tree = rect(1 + list, tree)
    panes.hex = rect(1 + list + tree, body - list - tree)
  }
  return { title: rect(0, 1), status: rect(height - 1, 1), panes, body: rect(1, body) }
}

/** Content lines of a pane (its height minus the title line), 0 when the pane is not shown. */
export function paneRows(l: Layout, pane: PaneName): number {
  const r = l.panes[pane]
  return r ? Math.max(0, r.height - 1) : 0
}
