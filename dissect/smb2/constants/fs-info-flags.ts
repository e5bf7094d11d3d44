/**
 * MS-FSCC 2.5 — the flag and enumeration fields of the file-system information classes: file system
 * attributes (FileFsAttributeInformation), device type and characteristics (FileFsDeviceInformation), quota
 * control flags (FileFsControlInformation) and sector size flags (FileFsSectorSizeInformation).
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

/** FileSystemAttributes of FileFsAttributeInformation (MS-FSCC 2.5). */
export const FileSystemAttributes = {
  CaseSensitiveSearch: 0x0000_0001,
  CasePreservedNames: 0x0000_0002,
  UnicodeOnDisk: 0x0000_0004,
  PersistentAcls: 0x0000_0008,
  FileCompression: 0x0000_0010,
  VolumeQuotas: 0x0000_0020,
  SupportsSparseFiles: 0x0000_0040,
  SupportsReparsePoints: 0x0000_0080,
  SupportsRemoteStorage: 0x0000_0100,
  ReturnsCleanupResultInfo: 0x0000_0200,
  SupportsPosixUnlinkRename: 0x0000_0400,
  VolumeIsCompressed: 0x0000_8000,
  SupportsObjectIds: 0x0001_0000,
  SupportsEncryption: 0x0002_0000,
  NamedStreams: 0x0004_0000,
  ReadOnlyVolume: 0x0008_0000,
  SequentialWriteOnce: 0x0010_0000,
  SupportsTransactions: 0x0020_0000,
  SupportsHardLinks: 0x0040_0000,
  SupportsExtendedAttributes: 0x0080_0000,
  SupportsOpenByFileId: 0x0100_0000,
  SupportsUsnJournal: 0x0200_0000,
  SupportIntegrityStreams: 0x0400_0000,
  SupportsBlockRefcounting: 0x0800_0000,
  SupportsSparseVdl: 0x1000_0000,
  DaxVolume: 0x2000_0000,
  SupportsGhosting: 0x4000_0000,
} as const
export const fileSystemAttributeNames = flagNamer(FileSystemAttributes, { prefix: 'FILE_' })

/** DeviceType (winioctl.h FILE_DEVICE_*; MS-FSCC 2.5 names CD_ROM and DISK). Also the top half of a control code. */
export const DeviceType = {
  Beep: 0x01,
  CdRom: 0x02,
  CdRomFileSystem: 0x03,
  Controller: 0x04,
  Datalink: 0x05,
  Dfs: 0x06,
  Disk: 0x07,
  DiskFileSystem: 0x08,
  FileSystem: 0x09,
  InportPort: 0x0a,
  Keyboard: 0x0b,
  Mailslot: 0x0c,
  MidiIn: 0x0d,
  MidiOut: 0x0e,
  Mouse: 0x0f,
  MultiUncProvider: 0x10,
  NamedPipe: 0x11,
  Network: 0x12,
  NetworkBrowser: 0x13,
  NetworkFileSystem: 0x14,
  Null: 0x15,
  ParallelPort: 0x16,
  PhysicalNetcard: 0x17,
  Printer: 0x18,
  Scanner: 0x19,
  SerialMousePort: 0x1a,
  SerialPort: 0x1b,
  Screen: 0x1c,
  Sound: 0x1d,
  Streams: 0x1e,
  Tape: 0x1f,
  TapeFileSystem: 0x20,
  Transport: 0x21,
  Unknown: 0x22,
  Video: 0x23,
  VirtualDisk: 0x24,
  WaveIn: 0x25,
  WaveOut: 0x26,
  Port8042: 0x27,
  NetworkRedirector: 0x28,
  Battery: 0x29,
  BusExtender: 0x2a,
  Modem: 0x2b,
  Vdm: 0x2c,
  MassStorage: 0x2d,
  Smb: 0x2e,
  Ks: 0x2f,
  Changer: 0x30,
  Smartcard: 0x31,
  Acpi: 0x32,
  Dvd: 0x33,
  FullscreenVideo: 0x34,
  DfsFileSystem: 0x35,
  DfsVolume: 0x36,
  Serenum: 0x37,
  Termsrv: 0x38,
  Ksec: 0x39,
} as const
export const deviceTypeName = valueNamer(DeviceType, { prefix: 'FILE_DEVICE_', overrides: { Port8042: 'FILE_DEVICE_8042_PORT' } })

/** Characteristics of FileFsDeviceInformation (MS-FSCC 2.5). */
export const DeviceCharacteristics = {
  RemovableMedia: 0x0000_0001,
  ReadOnlyDevice: 0x0000_0002,
  FloppyDiskette: 0x0000_0004,
  WriteOnceMedia: 0x0000_0008,
  RemoteDevice: 0x0000_0010,
  DeviceIsMounted: 0x0000_0020,
  VirtualVolume: 0x0000_0040,
  DeviceSecureOpen: 0x0000_0100,
  CharacteristicTsDevice: 0x0000_1000,
  CharacteristicWebdavDevice: 0x0000_2000,
  DeviceAllowAppcontainerTraversal: 0x0002_0000,
  PortableDevice: 0x0004_0000,
} as const
export const deviceCharacteristicNames = flagNamer(DeviceCharacteristics, { prefix: 'FILE_' })

/** FileSystemControlFlags of FileFsControlInformation (MS-FSCC 2.5). */
export const FsControlFlags = {
  QuotaTrack: 0x0000_0001,
  QuotaEnforce: 0x0000_0002,
  ContentIndexDisabled: 0x0000_0008,
  LogQuotaThreshold: 0x0000_0010,
  LogQuotaLimit: 0x0000_0020,
  LogVolumeThreshold: 0x0000_0040,
  LogVolumeLimit: 0x0000_0080,
  QuotasIncomplete: 0x0000_0100,
  QuotasRebuilding: 0x0000_0200,
} as const
export const fsControlFlagNames = flagNamer(FsControlFlags, { prefix: 'FILE_VC_' })

/** Flags of FileFsSectorSizeInformation (MS-FSCC 2.5). */
export const SectorSizeFlags = {
  AlignedDevice: 0x0000_0001,
  PartitionAlignedOnDevice: 0x0000_0002,
  NoSeekPenalty: 0x0000_0004,
  TrimEnabled: 0x0000_0008,
} as const
export const sectorSizeFlagNames = flagNamer(SectorSizeFlags, { prefix: 'SSINFO_FLAGS_' })
