/**
 * Every unencrypted SMB2 message tshark finds in the shared captures (../shared/captures/public and samba):
 * decodeChain never throws, every message of a known command decodes without error, encodeChain of the
 * decoded messages (with their trailers) gives back the captured bytes exactly, and the fields tshark shows
 * agree with ours (test-helpers/tshark-fields.ts lists which). Transform (encrypted) and compression headers
 * and SMB1 are outside this module and are skipped. Skips, saying why, when tshark or the captures are absent.
 */
import { describe, expect, it } from 'vitest'
import { COMMANDS } from './registry.js'
import { messageKind } from './header.js'
import { decodeChain, encodeChain } from './message.js'
import { captureFiles, capturesDir, hasTshark, transportMessagesAsync } from './test-helpers/tshark.js'
import { compareWithTshark, smb2LayersAsync } from './test-helpers/tshark-fields.js'

/**
 * Messages that are malformed on the wire, with the error we must report for them (exactly).
 * Key: `file#frame`.
 */
const MALFORMED: Record<string, { chain?: string; body?: string; why: string }> = {
  'public/zeek_smb2-setinfo-fscontrol-single-pdu.pcap#4': {
    // Kept as a message (the header's ids, as tshark shows them) whose error names the bad StructureSize.
    body: 'header.structureSize @0x4: structureSize must be 64, got 319',
    why: 'Zeek crash-regression input: a fuzzed SMB2 header (Header Length 319, every flag set); tshark flags it too',
  },
  'public/suricata-verify_smb302-macos-leases-breaks-5770.pcap#2229': {
    body: 'body.length @0x70: data [112, +65542) runs past the end of the message (118)',
    why: 'suricata length-check test (bug 5770): a WRITE whose Length (65542) is far beyond its 118-byte message',
  },
}

const files = captureFiles()
const why = !hasTshark ? 'tshark is not installed' : !capturesDir ? 'the shared captures directory was not found (set SMBSCOPE_CAPTURES)' : files.length === 0 ? 'no capture files' : ''
if (why) console.warn(`captures.test.ts skipped: ${why}`)

const seen = new Set<string>()
let filesDone = 0

describe.skipIf(why !== '')('every SMB2 message in the shared captures', () => {
  for (const file of files) {
    it(file, { timeout: 180_000 }, async () => {
      const [layers, transport] = await Promise.all([smb2LayersAsync(file), transportMessagesAsync(file)])
      const problems: string[] = []
      const byFrame = new Map<number, Buffer[]>()
      for (const t of transport) {
        if (messageKind(t.payload) !== 'smb2') continue
        const list = byFrame.get(t.frame)
        if (list) list.push(t.payload)
        else byFrame.set(t.frame, [t.payload])
      }
      for (const [frame, payloads] of byFrame) {
        const known = MALFORMED[`${file}#${frame}`]
        const ours = []
        for (const p of payloads) {
          let d: ReturnType<typeof decodeChain>
          try {
            d = decodeChain(p)
          } catch (e) {
            problems.push(`#${frame}: decodeChain threw ${(e as Error).message}`)
            continue
          }
          if (d.error) {
            if (known?.chain !== d.error.message) problems.push(`#${frame}: chain error ${d.error.message}`)
          } else if (known?.chain) problems.push(`#${frame}: expected chain error ${known.chain}`)
          for (const m of d.messages) {
            ours.push(m)
            seen.add(`${m.header.command}${m.header.flags & 1 ? 'r' : 'q'}`)
            if (m.error && COMMANDS.has(m.header.command) && known?.body !== m.error.message) {
              problems.push(`#${frame}: cmd ${m.header.command} ${m.error.message}`)
            }
          }
          if (!d.error) {
            const again = encodeChain(d.messages.map((m) => ({ header: m.header, body: m.body, trailer: m.trailer })))
            if (!again.equals(p)) problems.push(`#${frame}: re-encoding differs (${again.length} vs ${p.length} bytes)`)
          }
        }
        if (known?.chain) continue // tshark shows the fuzzed header as a message; we stop at it
        const theirs = (layers.get(frame) ?? []).filter((l) => l['SMB2 Header'])
        if (theirs.length !== ours.length) {
          problems.push(`#${frame}: ${ours.length} SMB2 messages, tshark shows ${theirs.length}`)
          continue
        }
        ours.forEach((m, i) => {
          for (const d of compareWithTshark(m, theirs[i]!)) problems.push(`#${frame}.${i}: ${d}`)
        })
      }
      expect(problems.slice(0, 20)).toEqual([])
      filesDone++
    })
  }

  it('saw every command in both directions across the captures (CANCEL has no response)', () => {
    if (filesDone !== files.length) return // a filtered run: nothing to say
    const missing: string[] = []
    for (let c = 0; c < 19; c++) for (const d of ['q', 'r']) if (!seen.has(`${c}${d}`) && `${c}${d}` !== '12r') missing.push(`${c}${d}`)
    expect(missing).toEqual([])
  })
})
