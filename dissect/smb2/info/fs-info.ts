/**
 * MS-FSCC 2.5 — file-system information classes (InfoType FILESYSTEM) that QUERY_INFO returns and
 * SET_INFO sends (Control, Label, ObjectId).
 * @module
 */
import { bytesN, filetime, guid, i32, i64, lengthOf, reserved, struct, u32, u64, u8, utf16, type Infer } from '../../wire/index.js'

/** MS-FSCC 2.5 — FILE_FS_VOLUME_INFORMATION (18 bytes + label). */
export const FileFsVolumeInformation = struct('FileFsVolumeInformation', {
  volumeCreationTime: filetime,
  volumeSerialNumber: u32,
  volumeLabelLength: lengthOf('volumeLabel', u32),
  supportsObjects: u8,
  reserved: reserved(u8),
}, { volumeLabel: utf16 })
export type FileFsVolumeInformation = Infer<typeof FileFsVolumeInformation>

/** MS-FSCC 2.5 — FILE_FS_LABEL_INFORMATION (SET_INFO). */
export const FileFsLabelInformation = struct('FileFsLabelInformation', {
  volumeLabelLength: lengthOf('volumeLabel', u32),
}, { volumeLabel: utf16 })
export type FileFsLabelInformation = Infer<typeof FileFsLabelInformation>

/** MS-FSCC 2.5 — FILE_FS_SIZE_INFORMATION (24 bytes). */
export const FileFsSizeInformation = struct('FileFsSizeInformation', {
  totalAllocationUnits: i64,
  availableAllocationUnits: i64,
  sectorsPerAllocationUnit: u32,
  bytesPerSector: u32,
})
export type FileFsSizeInformation = Infer<typeof FileFsSizeInformation>

/** MS-FSCC 2.5 — FILE_FS_DEVICE_INFORMATION (DeviceType, DeviceCharacteristics). */
export const FileFsDeviceInformation = struct('FileFsDeviceInformation', {
  deviceType: u32,
  characteristics: u32,
})
export type FileFsDeviceInformation = Infer<typeof FileFsDeviceInformation>

/** MS-FSCC 2.5 — FILE_FS_ATTRIBUTE_INFORMATION (FileSystemAttributes, name such as `NTFS`). */
export const FileFsAttributeInformation = struct('FileFsAttributeInformation', {
  fileSystemAttributes: u32,
  maximumComponentNameLength: i32,
  fileSystemNameLength: lengthOf('fileSystemName', u32),
}, { fileSystemName: utf16 })
export type FileFsAttributeInformation = Infer<typeof FileFsAttributeInformation>

/** MS-FSCC 2.5 — FILE_FS_CONTROL_INFORMATION (48 bytes; quota defaults and FsControlFlags). */
export const FileFsControlInformation = struct('FileFsControlInformation', {
  freeSpaceStartFiltering: i64,
  freeSpaceThreshold: i64,
  freeSpaceStopFiltering: i64,
  defaultQuotaThreshold: u64,
  defaultQuotaLimit: u64,
  fileSystemControlFlags: u32,
  padding: reserved(u32),
})
export type FileFsControlInformation = Infer<typeof FileFsControlInformation>

/** MS-FSCC 2.5 — FILE_FS_FULL_SIZE_INFORMATION (32 bytes). */
export const FileFsFullSizeInformation = struct('FileFsFullSizeInformation', {
  totalAllocationUnits: i64,
  callerAvailableAllocationUnits: i64,
  actualAvailableAllocationUnits: i64,
  sectorsPerAllocationUnit: u32,
  bytesPerSector: u32,
})
export type FileFsFullSizeInformation = Infer<typeof FileFsFullSizeInformation>

/** MS-FSCC 2.5 — FILE_FS_OBJECTID_INFORMATION (volume object ID and 48 bytes of extended information). */
export const FileFsObjectIdInformation = struct('FileFsObjectIdInformation', {
  objectId: guid,
  extendedInfo: bytesN(48),
})
export type FileFsObjectIdInformation = Infer<typeof FileFsObjectIdInformation>

/** MS-FSCC 2.5 — FILE_FS_SECTOR_SIZE_INFORMATION (28 bytes). */
export const FileFsSectorSizeInformation = struct('FileFsSectorSizeInformation', {
  logicalBytesPerSector: u32,
  physicalBytesPerSectorForAtomicity: u32,
  physicalBytesPerSectorForPerformance: u32,
  fileSystemEffectivePhysicalBytesPerSectorForAtomicity: u32,
  flags: u32,
  byteOffsetForSectorAlignment: u32,
  byteOffsetForPartitionAlignment: u32,
})
export type FileFsSectorSizeInformation = Infer<typeof FileFsSectorSizeInformation>
