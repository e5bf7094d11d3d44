/** MS-FSCC 2.6 — file attributes (FILE_ATTRIBUTE_*). @module */
import { flagNamer } from './names.js'

export const FileAttributes = {
  Readonly: 0x0000_0001,
  Hidden: 0x0000_0002,
  System: 0x0000_0004,
  Directory: 0x0000_0010,
  Archive: 0x0000_0020,
  Normal: 0x0000_0080,
  Temporary: 0x0000_0100,
  SparseFile: 0x0000_0200,
  ReparsePoint: 0x0000_0400,
  Compressed: 0x0000_0800,
  Offline: 0x0000_1000,
  NotContentIndexed: 0x0000_2000,
  Encrypted: 0x0000_4000,
  IntegrityStream: 0x0000_8000,
  NoScrubData: 0x0002_0000,
  RecallOnOpen: 0x0004_0000,
  Pinned: 0x0008_0000,
  Unpinned: 0x0010_0000,
  RecallOnDataAccess: 0x0040_0000,
} as const

/** `['FILE_ATTRIBUTE_DIRECTORY', 'FILE_ATTRIBUTE_ARCHIVE']`. */
export const fileAttributeNames = flagNamer(FileAttributes, { prefix: 'FILE_ATTRIBUTE_' })
