/**
 * MS-FSCC 2.7.1 — FILE_NOTIFY_INFORMATION: the CHANGE_NOTIFY response buffer (MS-SMB2 2.2.36), a
 * NextEntryOffset chain with 4-byte aligned entries.
 * @module
 */
import { DecodeError, Reader, lengthOf, struct, u32, utf16, type Infer, type Input } from '../../wire/index.js'
import { chainCodec, encodeChainLimited, nextEntryOffset, type ChainEntry } from './chain.js'

export const FileNotifyEntry = struct('FileNotifyEntry', {
  nextEntryOffset: nextEntryOffset(),
  /** NotifyAction (FILE_ACTION_ADDED, ...). */
  action: u32,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileNotifyEntry = Infer<typeof FileNotifyEntry>
export type FileNotifyEntryInput = Input<typeof FileNotifyEntry>

export const FileNotifyInformation = chainCodec(FileNotifyEntry, { align: 4, minEntrySize: 12 })

/** Decodes a CHANGE_NOTIFY output buffer (an empty buffer is an empty list). */
export function decodeNotify(buf: Buffer, opts: { spans?: { path: string; start: number; end: number }[] } = {}): ChainEntry<FileNotifyEntry>[] {
  const r = new Reader(buf, 0, buf.length, opts.spans)
  r.path.push('FileNotifyInformation')
  const entries = FileNotifyInformation.read(r, { pduStart: 0 })
  // Entries are 4-byte aligned (MS-FSCC 2.7.1) and servers pad the last one too (Samba does): up to 3 bytes
  // of padding may follow it; anything longer is not padding.
  if (buf.length - r.pos >= 4) throw new DecodeError(`${buf.length - r.pos} bytes after the last entry`, r.pos, ['FileNotifyInformation'])
  return entries
}

/** Encodes notifications up to `maxLength` bytes (the request's OutputBufferLength); says how many fit. */
export function encodeNotify(entries: Iterable<FileNotifyEntryInput>, maxLength = 0xffff_ffff): { buffer: Buffer; count: number } {
  return encodeChainLimited(FileNotifyEntry, entries, maxLength, 4)
}
