import { describe, expect, it } from 'vitest'
import { Smb2Command } from '../dissect/smb2/constants/command.js'
import { makeHeader } from '../dissect/smb2/header.js'
import { encodeChain } from '../dissect/smb2/message.js'
import { Dissector } from '../dissect/trace/dissector.js'
import { settle } from './effects.js'
import { spanFor } from './field-tree.js'
import { Indexer } from './indexer.js'
import { initCapture, update } from './model.js'
import { renderText } from './render-text.js'
import { toSourceItem } from './source-item.js'

const CONN = '192.168.1.10:50000-192.168.1.20:445'

describe('from the real dissector to the inspector', () => {
  // A compound of two ECHO requests in one transport message, through the real codec and dissector.
  const chain = encodeChain([
    { header: makeHeader({ command: Smb2Command.Echo, messageId: 7n, creditCharge: 1, credits: 1 }), body: { structureSize: 4, reserved: 0 } },
    { header: makeHeader({ command: Smb2Command.Echo, messageId: 8n, creditCharge: 1, credits: 1 }), body: { structureSize: 4, reserved: 0 } },
  ])
  const d = new Dissector({ spans: true, keepRaw: true })
  const out = [
    ...d.feed({ kind: 'tcp', event: 'open', frame: 1, time: 10, conn: CONN, stream: 0, fromClient: true }),
    ...d.feed({ kind: 'message', frame: 3, time: 10.5, conn: CONN, stream: 0, fromClient: true, data: chain }),
  ]
  const items = out.map(toSourceItem)

  it('keeps raw bytes and spans per message, relative to the message', () => {
    expect(items).toHaveLength(3)
    const [, first, second] = items
    expect(first!.raw!.length).toBe(72)
    expect(second!.raw!.length).toBe(68)
    expect(second!.raw!.readUInt32LE(0)).toBe(0x424d53fe)
    // In the chain the second message starts at 72; its MessageId span is 24..32 of its own bytes.
    expect(spanFor('header.messageId', second!.spans!)).toEqual({ start: 24, end: 32 })
    expect(second!.raw!.readBigUInt64LE(24)).toBe(8n)
    expect(spanFor('body.structureSize', first!.spans!)).toEqual({ start: 64, end: 66 })
    expect(second!.bodyType).toBe('EchoRequest')
    expect(items[0]!.raw).toBeUndefined()
  })

  it('shows the second message of the chain with its own bytes highlighted', () => {
    const ix = new Indexer()
    for (const it of items) ix.add(it)
    const deps = { store: ix }
    let m = initCapture({ name: 'echo.pcap', rows: ix.rows, width: 80, height: 24 })
    for (const a of [
      { type: 'rowsAdded', count: ix.rows.length },
      { type: 'loadDone' },
      { type: 'end' },
      { type: 'enter' },
      { type: 'move', delta: 1 },
      { type: 'openNode' },
      { type: 'move', delta: 9 },
    ] as const) m = settle(update(m, a), deps)
    expect(m.detail!.nodes[m.tree.cursor]!.path).toBe('header.messageId')
    const text = renderText(m, 80, 24, { marks: true })
    expect(text).toContain('ECHO request · EchoRequest · frame 3')
    expect(text).toContain('68 bytes · header.messageId [0x18, 0x20)')
    expect(text).toContain('0010  00 00 00 00 00 00 00 00  [08 00 00 00 00 00 00 00]  ........[........]')
    expect(text).toContain('messageId: 8 (0x8)')
  })
})
