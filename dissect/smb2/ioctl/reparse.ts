/**
 * MS-FSCC 2.1.2 — REPARSE_DATA_BUFFER (FSCTL_GET_REPARSE_POINT output, FSCTL_SET_REPARSE_POINT and
 * FSCTL_DELETE_REPARSE_POINT input). Symbolic links and mount points are decoded; non-Microsoft tags carry
 * a GUID (REPARSE_GUID_DATA_BUFFER); other tags keep their data raw.
 * @module
 */
import { Reader, Writer, guid, type Codec, type Ctx } from '../../wire/index.js'
import { ReparseTag, isMicrosoftTag } from '../constants/reparse-tag.js'

/** SYMLINK_REPARSE_DATA_BUFFER flags. */
export const SymlinkFlags = { Relative: 0x0000_0001 } as const

export interface ReparseNames {
  substituteNameOffset: number
  substituteNameLength: number
  printNameOffset: number
  printNameLength: number
  /** Symbolic links only (SYMLINK_FLAG_RELATIVE); undefined for mount points. */
  flags?: number
  substituteName: string
  printName: string
}
export type ReparseNamesInput = Partial<Pick<ReparseNames, 'substituteNameOffset' | 'substituteNameLength' | 'printNameOffset' | 'printNameLength'>> & {
  flags?: number
  substituteName: string
  printName: string
}

export interface ReparseDataBuffer {
  reparseTag: number
  reparseDataLength: number
  reserved: number
  /** IO_REPARSE_TAG_SYMLINK and IO_REPARSE_TAG_MOUNT_POINT. */
  names?: ReparseNames
  /** Third-party tags (bit 31 clear): the REPARSE_GUID_DATA_BUFFER GUID. */
  reparseGuid?: string
  /** The data not decoded above (all of it for other tags). */
  data?: Buffer
}
export interface ReparseDataBufferInput {
  reparseTag: number
  reparseDataLength?: number
  reserved?: number
  names?: ReparseNamesInput
  reparseGuid?: string
  data?: Buffer
}

function readNames(r: Reader, symlink: boolean): ReparseNames {
  const substituteNameOffset = r.field('substituteNameOffset', () => r.u16())
  const substituteNameLength = r.field('substituteNameLength', () => r.u16())
  const printNameOffset = r.field('printNameOffset', () => r.u16())
  const printNameLength = r.field('printNameLength', () => r.u16())
  const flags = symlink ? r.field('flags', () => r.u32()) : undefined
  const pathBuffer = r.pos
  const name = (key: string, off: number, len: number) => {
    if (off + len > r.end - pathBuffer) r.fail(`${key} [${off}, +${len}) runs past the PathBuffer (${r.end - pathBuffer} bytes)`, pathBuffer)
    return r.window(pathBuffer + off, len).utf16(len)
  }
  const substituteName = r.field('substituteName', () => name('substituteName', substituteNameOffset, substituteNameLength))
  const printName = r.field('printName', () => name('printName', printNameOffset, printNameLength))
  r.seek(r.end)
  const v: ReparseNames = { substituteNameOffset, substituteNameLength, printNameOffset, printNameLength, substituteName, printName }
  if (flags !== undefined) v.flags = flags
  return v
}

function writeNames(w: Writer, n: ReparseNamesInput, symlink: boolean): void {
  const sub = Buffer.from(n.substituteName, 'utf16le')
  const prn = Buffer.from(n.printName, 'utf16le')
  // Canonical: substitute name first, then print name (as Windows' mklink and Samba lay them out).
  const subOff = n.substituteNameOffset ?? 0
  const prnOff = n.printNameOffset ?? (n.substituteNameOffset === undefined ? sub.length : 0)
  w.u16(subOff)
  w.u16(n.substituteNameLength ?? sub.length)
  w.u16(prnOff)
  w.u16(n.printNameLength ?? prn.length)
  if (symlink) w.u32(n.flags ?? 0)
  const base = w.pos
  w.moveTo(base + subOff)
  w.bytes(sub)
  w.moveTo(base + prnOff)
  w.bytes(prn)
  w.moveTo(Math.max(base + subOff + sub.length, base + prnOff + prn.length))
}

/** MS-FSCC 2.1.2 — REPARSE_DATA_BUFFER. */
export const ReparseDataBufferCodec: Codec<ReparseDataBuffer, ReparseDataBufferInput> = {
  name: 'ReparseDataBuffer',
  read(r: Reader) {
    const reparseTag = r.field('reparseTag', () => r.u32())
    const reparseDataLength = r.field('reparseDataLength', () => r.u16())
    const reserved = r.field('reserved', () => r.u16())
    const v: ReparseDataBuffer = { reparseTag, reparseDataLength, reserved }
    if (!isMicrosoftTag(reparseTag)) {
      v.reparseGuid = r.field('reparseGuid', () => r.guid())
    }
    if (reparseDataLength > r.remaining) r.fail(`ReparseDataLength ${reparseDataLength} runs past the buffer (${r.remaining} bytes)`)
    const d = r.window(r.pos, reparseDataLength)
    if (reparseDataLength > 0 && (reparseTag === ReparseTag.Symlink || reparseTag === ReparseTag.MountPoint)) {
      d.path.push('names')
      v.names = readNames(d, reparseTag === ReparseTag.Symlink)
    } else if (reparseDataLength > 0) {
      v.data = r.field('data', () => d.rest())
    }
    r.skip(reparseDataLength)
    return v
  },
  write(w: Writer, v: ReparseDataBufferInput, ctx: Ctx) {
    const start = w.pos
    w.u32(v.reparseTag)
    w.u16(0) // ReparseDataLength, patched below
    w.u16(v.reserved ?? 0)
    if (!isMicrosoftTag(v.reparseTag)) guid.write(w, v.reparseGuid ?? '00000000-0000-0000-0000-000000000000', ctx)
    const dataStart = w.pos
    if (v.names) writeNames(w, v.names, v.reparseTag === ReparseTag.Symlink)
    else if (v.data) w.bytes(v.data)
    let len = w.pos - dataStart
    if (v.reparseDataLength !== undefined) {
      if (v.reparseDataLength < len) w.fail(`reparseDataLength ${v.reparseDataLength} is smaller than the data (${len} bytes)`)
      w.zeros(v.reparseDataLength - len)
      len = v.reparseDataLength
    }
    if (len > 0xffff) w.fail(`reparse data of ${len} bytes does not fit ReparseDataLength`)
    w.patch(start + 4, (pw) => pw.u16(len))
  },
}
