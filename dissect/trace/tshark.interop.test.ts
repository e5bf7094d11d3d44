/**
 * The dissector against tshark, message by message, on every shared capture: for every SMB2 message tshark
 * decodes, our trace has a record in the same frame, in the same order, with the same MessageId, command,
 * response flag, status (responses), SessionId and TreeId. Where tshark shows nothing (it could not decrypt,
 * or lost the stream) we may show more; where we show less, the test fails.
 */
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { dissectAll } from './dissect-file.js'
import { isSmb, type SmbRecord } from './record.js'
import { allCaptures, hasTshark, keysFor, secretsFor, sharedCaptures, tsharkOptions } from './test-helpers/captures.js'

interface Row {
  msgId: string
  cmd: number
  response: boolean
  status: number
  sesid: bigint
  tid?: number
}

/** Every "SMB2 Header" subtree in a tshark JSON layer, in document order (decrypted ones included). */
function headers(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (!node || typeof node !== 'object') return out
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const vals = Array.isArray(v) ? v : [v]
    for (const x of vals) {
      if (k === 'SMB2 Header' && x && typeof x === 'object') out.push(x as Record<string, unknown>)
      else headers(x, out)
    }
  }
  return out
}

function field(h: Record<string, unknown>, name: string): string | undefined {
  if (typeof h[name] === 'string') return h[name] as string
  for (const v of Object.values(h)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const f = field(v as Record<string, unknown>, name)
      if (f !== undefined) return f
    }
  }
  return undefined
}

function tshark(file: string): Promise<Map<number, Row[]>> {
  const args = ['-r', file, ...tsharkOptions(file), '-Y', 'smb2', '-T', 'json', '--no-duplicate-keys']
  return new Promise((resolve, reject) => {
    const p = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'ignore'] })
    const chunks: Buffer[] = []
    p.stdout.on('data', (c: Buffer) => chunks.push(c))
    p.on('error', reject)
    p.on('close', () => {
      const out = new Map<number, Row[]>()
      const packets = JSON.parse(Buffer.concat(chunks).toString('utf8') || '[]') as Array<{ _source: { layers: Record<string, unknown> } }>
      for (const pkt of packets) {
        const layers = pkt._source.layers
        const frame = Number((layers['frame'] as Record<string, string>)['frame.number'])
        const rows: Row[] = []
        for (const h of headers(layers['smb2'])) {
          const msgId = field(h, 'smb2.msg_id')
          if (msgId === undefined) continue
          const tid = field(h, 'smb2.tid')
          rows.push({
            msgId,
            cmd: Number(field(h, 'smb2.cmd')),
            response: field(h, 'smb2.flags.response') === '1',
            status: parseInt(field(h, 'smb2.nt_status') ?? '0', 16) >>> 0,
            sesid: BigInt(field(h, 'smb2.sesid') ?? '0'),
            tid: tid !== undefined ? parseInt(tid, 16) : undefined,
          })
        }
        if (rows.length) out.set(frame, rows)
      }
      resolve(out)
    })
  })
}

const files = allCaptures()
const skip = !hasTshark ? 'tshark is not installed' : !sharedCaptures ? 'the shared captures (../shared/captures) are not here' : files.length === 0 ? 'no captures found' : ''
if (skip) console.warn(`SKIPPED tshark differential: ${skip}`)

describe.skipIf(!!skip)('trace agrees with tshark on every shared capture', () => {
  for (const file of files) {
    it(file.slice(file.lastIndexOf('/', file.lastIndexOf('/') - 1) + 1), async () => {
      const [theirs, ours] = await Promise.all([tshark(file), dissectAll(file, { passwords: secretsFor(file).passwords, keys: keysFor(file) })])
      const byFrame = new Map<number, SmbRecord[]>()
      for (const d of ours.items) {
        if (!isSmb(d.record) || d.record.proto !== 'smb2' || d.record.cmdCode < 0 || !d.record.messageId) continue
        const list = byFrame.get(d.record.frame) ?? []
        list.push(d.record)
        byFrame.set(d.record.frame, list)
      }
      const problems: string[] = []
      let compared = 0
      for (const [frame, rows] of theirs) {
        const mine = byFrame.get(frame) ?? []
        // tshark lists the messages of a frame in order; one frame may complete several transport messages.
        let j = 0
        for (const row of rows) {
          while (j < mine.length && BigInt(mine[j]!.messageId) !== BigInt(row.msgId)) j++
          const r = mine[j]
          if (!r) {
            problems.push(`frame ${frame}: tshark has msg_id ${row.msgId} cmd ${row.cmd}, we do not`)
            continue
          }
          compared++
          const want = `${row.cmd} ${row.response ? 'response' : 'request'} ${row.response ? '0x' + row.status.toString(16).padStart(8, '0') : ''} ${'0x' + row.sesid.toString(16).padStart(16, '0')}${row.tid !== undefined ? ' 0x' + row.tid.toString(16).padStart(8, '0') : ''}`
          const have = `${r.cmdCode} ${r.dir} ${r.dir === 'response' ? r.statusCode : ''} ${r.sessionId}${row.tid !== undefined ? ' ' + r.treeId : ''}`
          if (want !== have) problems.push(`frame ${frame} msg_id ${row.msgId}: tshark [${want}] ours [${have}]`)
          j++
        }
      }
      expect(problems.slice(0, 20)).toEqual([])
      expect(compared).toBeGreaterThan(0)
    })
  }
})
