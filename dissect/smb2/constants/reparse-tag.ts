/** MS-FSCC 2.1.2.1 — reparse tags (IO_REPARSE_TAG_*). @module */
import { valueNamer } from './names.js'

export const ReparseTag = {
  ReservedZero: 0x0000_0000,
  ReservedOne: 0x0000_0001,
  ReservedTwo: 0x0000_0002,
  MountPoint: 0xa000_0003,
  Hsm: 0xc000_0004,
  DriveExtender: 0x8000_0005,
  Hsm2: 0x8000_0006,
  Sis: 0x8000_0007,
  Wim: 0x8000_0008,
  Csv: 0x8000_0009,
  Dfs: 0x8000_000a,
  FilterManager: 0x8000_000b,
  Symlink: 0xa000_000c,
  IisCache: 0xa000_0010,
  Dfsr: 0x8000_0012,
  Dedup: 0x8000_0013,
  Appxstrm: 0xc000_0014,
  Nfs: 0x8000_0014,
  FilePlaceholder: 0x8000_0015,
  Dfm: 0x8000_0016,
  Wof: 0x8000_0017,
  Wci: 0x8000_0018,
  GlobalReparse: 0xa000_0019,
  Cloud: 0x9000_001a,
  Appexeclink: 0x8000_001b,
  Projfs: 0x9000_001c,
  LxSymlink: 0xa000_001d,
  StorageSync: 0x8000_001e,
  WciTombstone: 0xa000_001f,
  Unhandled: 0x8000_0020,
  Onedrive: 0x8000_0021,
  ProjfsTombstone: 0xa000_0022,
  AfUnix: 0x8000_0023,
  LxFifo: 0x8000_0024,
  LxChr: 0x8000_0025,
  LxBlk: 0x8000_0026,
} as const
/** `IO_REPARSE_TAG_SYMLINK`, ... */
export const reparseTagName = valueNamer(ReparseTag, { prefix: 'IO_REPARSE_TAG_', overrides: { Hsm2: 'IO_REPARSE_TAG_HSM2' } })
/** Bit 31 (Microsoft-owned) and bit 29 (name surrogate) of a tag. */
export const isMicrosoftTag = (tag: number): boolean => (tag & 0x8000_0000) !== 0
export const isNameSurrogate = (tag: number): boolean => (tag & 0x2000_0000) !== 0
