/**
 * MS-FSCC 2.4 — extended attributes: FILE_FULL_EA_INFORMATION (FileFullEaInformation in QUERY_INFO
 * responses and SET_INFO requests, and the body of the ExtA create context, MS-SMB2 2.2.13.2.1) and
 * FILE_GET_EA_INFORMATION (the QUERY_INFO input buffer naming the EAs wanted). Both are NextEntryOffset
 * chains with 4-byte aligned entries. EaName is 8-bit text followed by a NUL that EaNameLength does not
 * count.
 * @module
 */
import { Reader, Writer, type Codec, type Ctx } from '../../wire/index.js'
import { chainCodec, chainOf } from './chain.js'

export interface FileFullEaEntry {
  nextEntryOffset: number
  /** EaFlags (FILE_NEED_EA = 0x80). */
  flags: number
  eaNameLength: number
  eaValueLength: number
  eaName: string
  eaValue: Buffer
}
export interface FileFullEaEntryInput {
  nextEntryOffset?: number
  flags?: number
  eaNameLength?: number
  eaValueLength?: number
  eaName: string
  eaValue: Buffer
}

function readNameZ(r: Reader, len: number): string {
  const at = r.pos
  const name = r.bytes(len).toString('latin1')
  if (r.u8() !== 0) r.fail(`EaName of ${len} bytes is not followed by a NUL`, at + len)
  return name
}

function writeNameZ(w: Writer, name: string, given: number | undefined): number {
  const b = Buffer.from(name, 'latin1')
  if (b.length > 255) w.fail(`EA name of ${b.length} bytes is longer than 255`)
  if (given !== undefined && given !== b.length) w.fail(`eaNameLength ${given} does not match the name (${b.length} bytes)`)
  w.bytes(b)
  w.u8(0)
  return b.length
}

/** MS-FSCC 2.4 — one FILE_FULL_EA_INFORMATION entry. */
export const FileFullEaEntry: Codec<FileFullEaEntry, FileFullEaEntryInput> = {
  name: 'FileFullEaEntry',
  read(r: Reader) {
    const nextEntryOffset = r.field('nextEntryOffset', () => r.u32())
    const flags = r.field('flags', () => r.u8())
    const eaNameLength = r.field('eaNameLength', () => r.u8())
    const eaValueLength = r.field('eaValueLength', () => r.u16())
    const eaName = r.field('eaName', () => readNameZ(r, eaNameLength))
    const eaValue = r.field('eaValue', () => r.bytes(eaValueLength))
    return { nextEntryOffset, flags, eaNameLength, eaValueLength, eaName, eaValue }
  },
  write(w: Writer, e: FileFullEaEntryInput) {
    const nameLen = Buffer.byteLength(e.eaName, 'latin1')
    if (e.eaValue.length > 0xffff) w.fail(`EA value of ${e.eaValue.length} bytes is longer than 65535`)
    w.u32(e.nextEntryOffset ?? 0)
    w.u8(e.flags ?? 0)
    w.u8(e.eaNameLength ?? nameLen)
    w.u16(e.eaValueLength ?? e.eaValue.length)
    writeNameZ(w, e.eaName, e.eaNameLength)
    if (e.eaValueLength !== undefined && e.eaValueLength !== e.eaValue.length) {
      w.fail(`eaValueLength ${e.eaValueLength} does not match the value (${e.eaValue.length} bytes)`)
    }
    w.bytes(e.eaValue)
  },
}

const EA_CHAIN = { align: 4, minEntrySize: 9 }
/** FileFullEaInformation: the chain as a whole buffer. */
export const FileFullEaInformation = chainCodec(FileFullEaEntry, EA_CHAIN)
/** The same chain as a variable item of another structure (the ExtA create context). */
export const fileFullEaList = chainOf(FileFullEaEntry, EA_CHAIN)

export interface FileGetEaEntry {
  nextEntryOffset: number
  eaNameLength: number
  eaName: string
}
export interface FileGetEaEntryInput {
  nextEntryOffset?: number
  eaNameLength?: number
  eaName: string
}

/** MS-FSCC 2.4 — one FILE_GET_EA_INFORMATION entry. */
export const FileGetEaEntry: Codec<FileGetEaEntry, FileGetEaEntryInput> = {
  name: 'FileGetEaEntry',
  read(r: Reader) {
    const nextEntryOffset = r.field('nextEntryOffset', () => r.u32())
    const eaNameLength = r.field('eaNameLength', () => r.u8())
    const eaName = r.field('eaName', () => readNameZ(r, eaNameLength))
    return { nextEntryOffset, eaNameLength, eaName }
  },
  write(w: Writer, e: FileGetEaEntryInput, _ctx: Ctx) {
    w.u32(e.nextEntryOffset ?? 0)
    w.u8(e.eaNameLength ?? Buffer.byteLength(e.eaName, 'latin1'))
    writeNameZ(w, e.eaName, e.eaNameLength)
  },
}
/** The QUERY_INFO input buffer for FileFullEaInformation: which EAs to return. */
export const FileGetEaInformation = chainCodec(FileGetEaEntry, { align: 4, minEntrySize: 6 })
