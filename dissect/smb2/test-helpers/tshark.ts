/**
 * Test helper: real SMB2 transport messages out of the shared captures, through tshark (which does the TCP
 * reassembly and NetBIOS framing). Each NetBIOS session message tshark dissects (`nbss_raw`, taken from the
 * reassembled buffer when the message spans segments; several per frame when a segment holds several) is
 * returned without its 4-byte header. Not part of the build.
 * @module
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** True when a tshark binary runs. */
export const hasTshark: boolean = (() => {
  try {
    return spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0
  } catch {
    return false
  }
})()

/** The shared captures directory (SMBSCOPE_CAPTURES, else ../shared/captures beside the checkout, else /work/shared/captures). */
export const capturesDir: string | undefined = [
  process.env['SMBSCOPE_CAPTURES'],
  resolve(here, '../../../../shared/captures'),
  resolve(here, '../../../../../shared/captures'),
  '/work/shared/captures',
].find((d): d is string => d !== undefined && existsSync(join(d, 'public')))

/** Every capture file under public/ and samba/ (pcap, pcapng, cap, gzipped or not), relative to capturesDir. */
export function captureFiles(): string[] {
  if (!capturesDir) return []
  const out: string[] = []
  for (const sub of ['public', 'samba']) {
    const dir = join(capturesDir, sub)
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir).sort()) if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(`${sub}/${f}`)
  }
  return out
}

export interface TransportMessage {
  /** Frame that completes the message (1-based, as tshark counts). */
  frame: number
  /** Index of the message within the frame (several NetBIOS messages can end in one frame). */
  index: number
  /** The SMB2/3 (or SMB1, transform, compression) bytes, NetBIOS header removed. */
  payload: Buffer
}

type Raw = [string, number, number, number, number]

function rawList(v: unknown): Raw[] {
  if (!Array.isArray(v) || v.length === 0) return []
  return Array.isArray(v[0]) ? (v as Raw[]) : [v as Raw]
}

/** The path of a capture given relative to capturesDir (or absolute). */
export const capturePath = (file: string): string => (capturesDir && !file.startsWith('/') ? join(capturesDir, file) : file)

const RAW_ARGS = (path: string) => ['-r', path, '-Y', 'nbss', '-T', 'json', '-x', '-j', 'frame nbss', '--no-duplicate-keys']
const run = promisify(execFile)

/** The NetBIOS session messages tshark finds in `file` (relative to capturesDir, or absolute). */
export function transportMessages(file: string): TransportMessage[] {
  const json = execFileSync('tshark', RAW_ARGS(capturePath(file)), { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8')
  return parseTransport(json)
}

/** transportMessages without blocking (so two tshark runs can overlap). */
export async function transportMessagesAsync(file: string): Promise<TransportMessage[]> {
  const { stdout } = await run('tshark', RAW_ARGS(capturePath(file)), { maxBuffer: 1 << 30, encoding: 'utf8' })
  return parseTransport(stdout)
}

function parseTransport(json: string): TransportMessage[] {
  const packets = JSON.parse(json) as Array<{ _source: { layers: Record<string, any> } }>
  const out: TransportMessage[] = []
  for (const p of packets) {
    const layers = p._source.layers
    const frame = Number(layers['frame']?.['frame.number'])
    rawList(layers['nbss_raw']).forEach(([hex], index) => {
      const b = Buffer.from(hex, 'hex')
      // Session message (type 0) with a complete 24-bit length; other NetBIOS types carry no SMB.
      if (b.length < 4 || b[0] !== 0 || b.readUIntBE(1, 3) !== b.length - 4) return
      out.push({ frame, index, payload: b.subarray(4) })
    })
  }
  return out
}

/** The payload of one frame's `index`-th message (for writing fixtures). */
export function messageAt(file: string, frame: number, index = 0): Buffer {
  const m = transportMessages(file).find((t) => t.frame === frame && t.index === index)
  if (!m) throw new Error(`${file}: no NetBIOS message ${index} in frame ${frame}`)
  return m.payload
}
