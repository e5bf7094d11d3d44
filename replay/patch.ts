/**
 * Patching ids into a copy of captured bytes (style.md 3.3): the header is read and re-written in place with
 * dissect/smb2's fast header functions (the codec's bytes exactly), body fields are overwritten at
 * the byte spans the codec recorded when it decoded the capture, with values encoded by the field's own
 * codec. Nothing here knows an offset of its own.
 * @module
 */
import { FileId } from '../dissect/smb2/commands/file-id.js'
import { readHeaderFast, writeHeaderFast, type Smb2Header } from '../dissect/smb2/header.js'
import { Reader, Writer } from '../dissect/wire/index.js'

export function readHeader(buf: Buffer, at = 0): Smb2Header {
  return readHeaderFast(buf, at)
}

/** Re-encodes `h` over the 64 header bytes at `at` (dissect/smb2's header layout, the codec's bytes). */
export function writeHeader(buf: Buffer, at: number, h: Smb2Header): void {
  writeHeaderFast(buf, at, h)
}

/** Reads, changes and writes back the header at `at`. */
export function patchHeader(buf: Buffer, at: number, change: (h: Smb2Header) => Smb2Header): Smb2Header {
  const h = change(readHeader(buf, at))
  writeHeader(buf, at, h)
  return h
}

export interface Span {
  start: number
  end: number
}

function put(buf: Buffer, span: Span, bytes: Buffer, what: string): void {
  if (bytes.length !== span.end - span.start) throw new RangeError(`${what}: ${bytes.length} bytes for a ${span.end - span.start}-byte field`)
  bytes.copy(buf, span.start)
}

export function patchFileId(buf: Buffer, span: Span, f: FileId): void {
  put(buf, span, FileId.encode(f), 'FileId')
}

export function readFileId(buf: Buffer, span: Span): FileId {
  return FileId.read(new Reader(buf, span.start, span.end), { pduStart: 0 })
}

export function patchU64(buf: Buffer, span: Span, v: bigint): void {
  const w = new Writer(8)
  w.u64(v)
  put(buf, span, w.finish(), 'u64')
}

export function readU64(buf: Buffer, span: Span): bigint {
  return new Reader(buf, span.start, span.end).u64()
}

export function patchGuid(buf: Buffer, span: Span, g: string): void {
  const w = new Writer(16)
  w.guid(g)
  put(buf, span, w.finish(), 'GUID')
}

export function readGuid(buf: Buffer, span: Span): string {
  return new Reader(buf, span.start, span.end).guid()
}
