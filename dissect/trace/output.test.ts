import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { OutputSink } from './output.js'

describe('OutputSink', () => {
  it('writes exactly the lines pushed, across chunk borders, long lines and non-ASCII text', async () => {
    const out = new PassThrough()
    const got: Buffer[] = []
    out.on('data', (b: Buffer) => got.push(Buffer.from(b)))
    const sink = new OutputSink(out, 100)
    const lines = ['{"a":1}', 'ü€😀"\\', 'x'.repeat(1000), '', ...Array.from({ length: 200 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`)]
    await sink.write('[\n')
    for (const l of lines) if (sink.push(l)) await sink.flush()
    await sink.write(']\n')
    await sink.flush()
    expect(Buffer.concat(got).toString('utf8')).toBe('[\n' + lines.map((l) => l + '\n').join('') + ']\n')
  })
})
