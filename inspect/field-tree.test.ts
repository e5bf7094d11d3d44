import { describe, expect, it } from 'vitest'
import { detailRoots, flattenPair, flattenTree, formatValue, spanFor } from './field-tree.js'
import { scenarioIndexer, scenarioItems } from './test-helpers/scenario.js'

const items = scenarioItems()
const ix = scenarioIndexer(items)
const rowOf = (frame: number) => items.findIndex((x) => x.record.frame === frame)

describe('field tree', () => {
  it('puts the error and notes first, then the record annotations, the wire header and the body', () => {
    expect(detailRoots(ix.detail(rowOf(12))).map((r) => r.key)).toEqual(['record', 'header', 'body'])
    expect(detailRoots(ix.detail(rowOf(37))).map((r) => r.key)).toEqual(['notes', 'record', 'header', 'body'])
    expect(detailRoots(ix.detail(rowOf(23))).map((r) => r.key)).toEqual(['error', 'record'])
    // A TCP event is its fields.
    expect(detailRoots(ix.detail(rowOf(24))).map((r) => r.key)).toEqual(['frame', 'time', 'conn', 'proto', 'event', 'dir'])
  })

  it('opens the body and its create contexts by default and follows the toggles', () => {
    const roots = detailRoots(ix.detail(rowOf(12)))
    const lines = (t: Map<string, boolean>) => flattenTree(roots, t).map((n) => `${'  '.repeat(n.depth)}${n.kind === 'leaf' ? '' : n.open ? '-' : '+'}${n.label}=${n.value}`)
    const closed = lines(new Map())
    expect(closed.slice(0, 3)).toEqual(['+record={18}', '+header={12}', '-body={17}'])
    expect(closed).toContain('  name=dir\\file.txt')
    expect(closed).toContain('  desiredAccess=1180063 (0x12019f)')
    expect(closed).toContain('    +[0] DH2Q={2}')
    expect(closed).toContain('    +[1] RqLs={2}')
    const open = lines(new Map([['body.createContexts.0', true], ['body.createContexts.0.value', true], ['record', true], ['body', true]]))
    expect(open).toContain('        createGuid=7d1f6b2a-3c4e-4f5a-9b8c-0d1e2f3a4b5c')
    expect(open).toContain('  path=dir\\file.txt')
    expect(open).toContain('  +durable={2}')
    const shut = lines(new Map([['body', false]]))
    expect(shut.filter((l) => l.startsWith('  '))).toEqual([])
  })

  it('formats values: flags in hex too, long buffers by size, empty strings visibly', () => {
    expect(formatValue('createOptions', 0x40)).toBe('64 (0x40)')
    expect(formatValue('structureSize', 57)).toBe('57')
    expect(formatValue('length', 4096)).toBe('4096')
    expect(formatValue('data', { bytes: 4096, head: '0001' })).toBe('<4096 bytes> 0001…')
    expect(formatValue('path', '')).toBe('""')
    expect(formatValue('x', 'a'.repeat(300))).toHaveLength(200)
    expect(formatValue('signed', false)).toBe('false')
    expect(formatValue('x', null)).toBe('null')
    expect(formatValue('x', [1, 2])).toBe('[2]')
  })

  it('maps nodes to the bytes they came from', () => {
    const spans = ix.detail(rowOf(12)).spans
    expect(spanFor('header.messageId', spans)).toEqual({ start: 24, end: 32 })
    // Record annotations point at the header field they come from.
    expect(spanFor('record.messageId', spans)).toEqual({ start: 24, end: 32 })
    expect(spanFor('record.status', spans)).toEqual({ start: 8, end: 12 })
    expect(spanFor('record.time', spans)).toBeUndefined()
    // A container is the union of its fields; a field without its own span falls back to its parent's.
    const tag = spanFor('body.createContexts.0.tag', spans)!
    const value = spanFor('body.createContexts.0.value', spans)!
    expect(spanFor('body.createContexts.0', spans)).toEqual({ start: tag.start, end: value.end })
    expect(spanFor('body.createContexts.0.value.createGuid', spans)).toEqual(value)
    expect(spanFor('header', spans)).toEqual({ start: 0, end: 64 })
    expect(spanFor('body.name', spans)).toEqual({ start: 120, end: 120 + 24 })
    expect(spanFor('body.name', [])).toBeUndefined()
  })
})

describe('expected/actual pairs', () => {
  const expected = { frame: 13, status: 'STATUS_SUCCESS', body: { createContexts: [{ tag: 'DH2Q', value: { timeout: 60000 } }, { tag: 'RqLs', value: { leaseState: 7 } }], endOfFile: 5 } }
  const actual = { frame: 13, status: 'STATUS_SUCCESS', body: { createContexts: [{ tag: 'DH2Q', value: { timeout: 0 } }], endOfFile: 5, extra: true } }

  it('aligns the union of fields, marks differences and opens the way to them', () => {
    const nodes = flattenPair(expected, actual, new Map(), new Set(['body.createContexts.0.value.timeout', 'body.createContexts.1']))
    const view = nodes.map((n) => `${'  '.repeat(n.depth)}${n.label}|${n.left}|${n.right}|${n.diff ?? ''}`)
    expect(view).toEqual([
      'status|STATUS_SUCCESS|STATUS_SUCCESS|',
      'body|{2}|{3}|inside',
      '  createContexts|[2]|[1]|inside',
      '    [0] DH2Q|{2}|{2}|inside',
      '      tag|DH2Q|DH2Q|',
      '      value|{1}|{1}|inside',
      '        timeout|60000|0|self',
      '    [1] RqLs|{2}||self',
      '  endOfFile|5|5|',
      '  extra||true|',
      'frame|13|13|',
    ])
  })

  it('lets the user close a node on the way to a difference', () => {
    const nodes = flattenPair(expected, actual, new Map([['body', false]]), new Set(['body.endOfFile']))
    expect(nodes.map((n) => n.path)).toEqual(['status', 'body', 'frame'])
    expect(nodes[1]!.diff).toBe('inside')
  })
})
