/**
 * MS-FSCC 2.4 — the directory information classes QUERY_DIRECTORY returns (MS-SMB2 2.2.34): entries linked
 * by NextEntryOffset, each starting 8-byte aligned. `decodeDirectory` picks the entry layout by class;
 * `encodeDirectory` fills an output buffer up to the client's OutputBufferLength and says how many entries fit.
 * @module
 */
import {
  DecodeError, EncodeError, Reader, bytesN, filetime, i64, lengthOf, reserved, struct, u16, u32, u64, u8, utf16, type Codec, type Infer, type Input,
} from '../../wire/index.js'
import { FileInformationClass, fileInformationClassName } from '../constants/info-class.js'
import { Sid } from '../security/sid.js'
import { chainCodec, encodeChainLimited, nextEntryOffset, type ChainEntry } from './chain.js'
import { shortNameSlot } from './fields.js'

const times = { creationTime: filetime, lastAccessTime: filetime, lastWriteTime: filetime, changeTime: filetime } as const

/** MS-FSCC 2.4 — FILE_DIRECTORY_INFORMATION (64 bytes + name). */
export const FileDirectoryEntry = struct('FileDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileDirectoryEntry = Infer<typeof FileDirectoryEntry>

/** MS-FSCC 2.4 — FILE_FULL_DIR_INFORMATION (68 bytes + name). */
export const FileFullDirectoryEntry = struct('FileFullDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
}, { fileName: utf16 })
export type FileFullDirectoryEntry = Infer<typeof FileFullDirectoryEntry>

/** MS-FSCC 2.4 — FILE_BOTH_DIR_INFORMATION (94 bytes + name; ShortName is the 8.3 name). */
export const FileBothDirectoryEntry = struct('FileBothDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
  /** Bytes of the slot that hold the 8.3 name; computed from `shortName` by encodeDirectory when absent. */
  shortNameLength: reserved(u8),
  reserved1: reserved(u8),
  shortName: shortNameSlot,
}, { fileName: utf16 })
export type FileBothDirectoryEntry = Infer<typeof FileBothDirectoryEntry>

/** MS-FSCC 2.4 — FILE_NAMES_INFORMATION (12 bytes + name). */
export const FileNamesEntry = struct('FileNamesEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FileNamesEntry = Infer<typeof FileNamesEntry>

/** MS-FSCC 2.4 — FILE_ID_BOTH_DIR_INFORMATION (104 bytes + name; FileId is the 64-bit file ID). */
export const FileIdBothDirectoryEntry = struct('FileIdBothDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
  /** Bytes of the slot that hold the 8.3 name; computed from `shortName` by encodeDirectory when absent. */
  shortNameLength: reserved(u8),
  reserved1: reserved(u8),
  shortName: shortNameSlot,
  reserved2: reserved(u16),
  fileId: u64,
}, { fileName: utf16 })
export type FileIdBothDirectoryEntry = Infer<typeof FileIdBothDirectoryEntry>

/** MS-FSCC 2.4 — FILE_ID_FULL_DIR_INFORMATION (80 bytes + name). */
export const FileIdFullDirectoryEntry = struct('FileIdFullDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
  reserved: reserved(u32),
  fileId: u64,
}, { fileName: utf16 })
export type FileIdFullDirectoryEntry = Infer<typeof FileIdFullDirectoryEntry>

/** MS-FSCC 2.4 — FILE_ID_EXTD_DIR_INFORMATION (88 bytes + name; 128-bit FileId as raw bytes). */
export const FileIdExtdDirectoryEntry = struct('FileIdExtdDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
  reparsePointTag: u32,
  fileId: bytesN(16),
}, { fileName: utf16 })
export type FileIdExtdDirectoryEntry = Infer<typeof FileIdExtdDirectoryEntry>

/** MS-FSCC 2.4 — FILE_ID_EXTD_BOTH_DIR_INFORMATION (114 bytes + name). */
export const FileIdExtdBothDirectoryEntry = struct('FileIdExtdBothDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  fileNameLength: lengthOf('fileName', u32),
  eaSize: u32,
  reparsePointTag: u32,
  fileId: bytesN(16),
  shortNameLength: reserved(u8),
  reserved1: reserved(u8),
  shortName: shortNameSlot,
}, { fileName: utf16 })
export type FileIdExtdBothDirectoryEntry = Infer<typeof FileIdExtdBothDirectoryEntry>

/**
 * SMB 3.1.1 POSIX extensions — SMB2_FIND_POSIX_INFORMATION (class 100, as Samba and the Linux client lay it
 * out): NextEntryOffset, FileIndex, the FilePosixInformation body (owner and group SIDs inline), then the
 * name.
 */
export const FilePosixDirectoryEntry = struct('FilePosixDirectoryEntry', {
  nextEntryOffset: nextEntryOffset(),
  fileIndex: u32,
  ...times,
  endOfFile: i64,
  allocationSize: i64,
  fileAttributes: u32,
  inode: u64,
  deviceId: u32,
  reserved: reserved(u32),
  hardLinks: u32,
  reparseTag: u32,
  mode: u32,
  owner: Sid,
  group: Sid,
  fileNameLength: lengthOf('fileName', u32),
}, { fileName: utf16 })
export type FilePosixDirectoryEntry = Infer<typeof FilePosixDirectoryEntry>

export interface DirectoryClass {
  infoClass: number
  className: string
  entry: Codec<any, any>
  /** Smallest entry (fixed part). */
  minEntrySize: number
}

function dirClass(infoClass: number, entry: Codec<any, any> & { fixedSize?: number }, minEntrySize?: number): DirectoryClass {
  return { infoClass, className: fileInformationClassName(infoClass), entry, minEntrySize: minEntrySize ?? entry.fixedSize! }
}

/** The QUERY_DIRECTORY classes this module decodes, by FileInformationClass. */
export const DIRECTORY_CLASSES: ReadonlyMap<number, DirectoryClass> = new Map([
  dirClass(FileInformationClass.FileDirectoryInformation, FileDirectoryEntry),
  dirClass(FileInformationClass.FileFullDirectoryInformation, FileFullDirectoryEntry),
  dirClass(FileInformationClass.FileBothDirectoryInformation, FileBothDirectoryEntry),
  dirClass(FileInformationClass.FileNamesInformation, FileNamesEntry),
  dirClass(FileInformationClass.FileIdBothDirectoryInformation, FileIdBothDirectoryEntry),
  dirClass(FileInformationClass.FileIdFullDirectoryInformation, FileIdFullDirectoryEntry),
  dirClass(FileInformationClass.FileIdExtdDirectoryInformation, FileIdExtdDirectoryEntry),
  dirClass(FileInformationClass.FileIdExtdBothDirectoryInformation, FileIdExtdBothDirectoryEntry),
  dirClass(FileInformationClass.FilePosixInformation, FilePosixDirectoryEntry, 108),
].map((c) => [c.infoClass, c]))

/** Entry types by class, for callers that know the class statically. */
export interface DirectoryEntryTypes {
  1: FileDirectoryEntry
  2: FileFullDirectoryEntry
  3: FileBothDirectoryEntry
  12: FileNamesEntry
  37: FileIdBothDirectoryEntry
  38: FileIdFullDirectoryEntry
  60: FileIdExtdDirectoryEntry
  63: FileIdExtdBothDirectoryEntry
  100: FilePosixDirectoryEntry
}
export type DirectoryEntry = DirectoryEntryTypes[keyof DirectoryEntryTypes]
export type DirectoryEntryInput =
  | Input<typeof FileDirectoryEntry> | Input<typeof FileFullDirectoryEntry> | Input<typeof FileBothDirectoryEntry>
  | Input<typeof FileNamesEntry> | Input<typeof FileIdBothDirectoryEntry> | Input<typeof FileIdFullDirectoryEntry>
  | Input<typeof FileIdExtdDirectoryEntry> | Input<typeof FileIdExtdBothDirectoryEntry> | Input<typeof FilePosixDirectoryEntry>

const chains = new Map<number, Codec<any[], any[]>>()
/** The whole-buffer chain codec of a directory class (undefined for classes not in DIRECTORY_CLASSES). */
export function directoryChain(infoClass: number): Codec<any[], any[]> | undefined {
  let c = chains.get(infoClass)
  if (!c) {
    const d = DIRECTORY_CLASSES.get(infoClass)
    if (!d) return undefined
    c = chainCodec(d.entry, { align: 8, minEntrySize: d.minEntrySize })
    chains.set(infoClass, c)
  }
  return c
}

export type DecodedDirectory =
  | { className: string; entries: ChainEntry<DirectoryEntry>[]; raw?: undefined }
  | { className: string; raw: Buffer; entries?: undefined }

/**
 * Decodes a QUERY_DIRECTORY output buffer. Unknown classes come back raw; bad bytes raise DecodeError
 * (with the entry index in the path). An empty buffer is an empty list.
 */
export function decodeDirectory(infoClass: number, buf: Buffer, opts: { spans?: { path: string; start: number; end: number }[] } = {}): DecodedDirectory {
  const codec = directoryChain(infoClass)
  const className = fileInformationClassName(infoClass)
  if (!codec) return { className, raw: buf }
  const r = new Reader(buf, 0, buf.length, opts.spans)
  r.path.push(className)
  const entries = codec.read(r, { pduStart: 0 })
  // Entries are 8-byte aligned (MS-SMB2 3.3.5.18); padding of the last one (up to 7 bytes) may follow it.
  if (buf.length - r.pos >= 8) throw new DecodeError(`${buf.length - r.pos} bytes after the last entry`, r.pos, [className])
  return { className, entries }
}

/**
 * Encodes directory entries for a QUERY_DIRECTORY response, stopping before the entry that would make the
 * buffer longer than `maxLength` (the request's OutputBufferLength). Returns the buffer and how many entries
 * it holds; the server answers STATUS_BUFFER_OVERFLOW/NO_MORE_FILES policy itself (MS-SMB2 3.3.5.18).
 */
export function encodeDirectory(infoClass: number, entries: Iterable<DirectoryEntryInput>, maxLength = 0xffff_ffff): { buffer: Buffer; count: number } {
  const d = DIRECTORY_CLASSES.get(infoClass)
  if (!d) throw new EncodeError(`no directory codec for class ${fileInformationClassName(infoClass)}`)
  return encodeChainLimited(d.entry, withShortNameLengths(entries), maxLength, 8)
}

/** Fills ShortNameLength from the short name where the caller left it out. */
function* withShortNameLengths(entries: Iterable<DirectoryEntryInput>): Iterable<DirectoryEntryInput> {
  for (const e of entries) {
    if ('shortName' in e && e.shortName !== undefined && e.shortNameLength === undefined) {
      yield { ...e, shortNameLength: Buffer.byteLength(e.shortName, 'utf16le') }
    } else {
      yield e
    }
  }
}
