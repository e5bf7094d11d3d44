/**
 * Create context names (MS-SMB2 2.2.13.2): most are 4 ASCII characters (`DHnQ`, `RqLs`, ...), a few are
 * 16-byte GUIDs written as raw bytes. `tag` is how a name is shown: the ASCII text when every byte is
 * printable, else the readable name of a known GUID, else the bytes in hex.
 * @module
 */

/** The 16-byte names, in wire order, with the names traces show. */
export const GUID_TAGS: ReadonlyArray<{ tag: string; hex: string }> = [
  /** MS-SMB2 2.2.13.2.13 — SMB2_CREATE_APP_INSTANCE_ID. */
  { tag: 'AppInstanceId', hex: '45bca66aefa7f74a9008fa462e144d74' },
  /** MS-SMB2 2.2.13.2.15 — SMB2_CREATE_APP_INSTANCE_VERSION. */
  { tag: 'AppInstanceVersion', hex: 'b982d0b73b56074fa07b524a8116a010' },
  /** MS-SMB2 2.2.13.2.14 — SVHDX_OPEN_DEVICE_CONTEXT (MS-RSVD 2.2.4.12 / 2.2.4.32). */
  { tag: 'SvhdxOpenDeviceContext', hex: '9ccbcf9e04c1e643980e158da1f6ec83' },
  /** SMB3 POSIX extensions — SMB2_CREATE_TAG_POSIX. */
  { tag: 'Posix', hex: '93ad25509cb411e7b42383de968bcd7c' },
]

const BY_HEX = new Map(GUID_TAGS.map((g) => [g.hex, g.tag]))
const BY_TAG = new Map(GUID_TAGS.map((g) => [g.tag, Buffer.from(g.hex, 'hex')]))

function printable(name: Buffer): boolean {
  if (name.length === 0) return false
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!
    if (c < 0x20 || c > 0x7e) return false
  }
  return true
}

/** The display tag of a context name. */
export function tagOf(name: Buffer): string {
  if (name.length === 16) {
    const known = BY_HEX.get(name.toString('hex'))
    if (known) return known
  }
  if (printable(name)) return name.toString('latin1')
  return name.toString('hex')
}

/** The wire name for a display tag (inverse of tagOf for the names it produces). */
export function nameOfTag(tag: string): Buffer {
  const g = BY_TAG.get(tag)
  if (g) return Buffer.from(g)
  // tagOf shows a non-printable name as hex (8 or 32 digits for the 4- and 16-byte names); anything else
  // printable is the ASCII name itself.
  if (tag.length > 4 && /^([0-9a-f]{2})+$/.test(tag)) return Buffer.from(tag, 'hex')
  if (/^[\x20-\x7e]+$/.test(tag)) return Buffer.from(tag, 'latin1')
  return Buffer.from(tag, 'hex')
}
