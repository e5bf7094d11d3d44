/**
 * MS-SMB2 2.2.13.1 (File_Pipe_Printer_Access_Mask and Directory_Access_Mask) and MS-DTYP 2.4.3 (ACCESS_MASK):
 * the access rights a CREATE asks for, a CREATE response's MxAc reports and an ACE grants.
 * @module
 */
import { flagNamer } from './names.js'

/** Access rights on files, pipes and printers (also the standard, system and generic rights). */
export const AccessMask = {
  FileReadData: 0x0000_0001,
  FileWriteData: 0x0000_0002,
  FileAppendData: 0x0000_0004,
  FileReadEa: 0x0000_0008,
  FileWriteEa: 0x0000_0010,
  FileExecute: 0x0000_0020,
  FileDeleteChild: 0x0000_0040,
  FileReadAttributes: 0x0000_0080,
  FileWriteAttributes: 0x0000_0100,
  Delete: 0x0001_0000,
  ReadControl: 0x0002_0000,
  WriteDac: 0x0004_0000,
  WriteOwner: 0x0008_0000,
  Synchronize: 0x0010_0000,
  AccessSystemSecurity: 0x0100_0000,
  MaximumAllowed: 0x0200_0000,
  GenericAll: 0x1000_0000,
  GenericExecute: 0x2000_0000,
  GenericWrite: 0x4000_0000,
  GenericRead: 0x8000_0000,
} as const

/** The same bits as they are named on a directory (MS-SMB2 2.2.13.1.2). */
export const DirectoryAccessMask = {
  FileListDirectory: 0x0000_0001,
  FileAddFile: 0x0000_0002,
  FileAddSubdirectory: 0x0000_0004,
  FileReadEa: 0x0000_0008,
  FileWriteEa: 0x0000_0010,
  FileTraverse: 0x0000_0020,
  FileDeleteChild: 0x0000_0040,
  FileReadAttributes: 0x0000_0080,
  FileWriteAttributes: 0x0000_0100,
  Delete: 0x0001_0000,
  ReadControl: 0x0002_0000,
  WriteDac: 0x0004_0000,
  WriteOwner: 0x0008_0000,
  Synchronize: 0x0010_0000,
  AccessSystemSecurity: 0x0100_0000,
  MaximumAllowed: 0x0200_0000,
  GenericAll: 0x1000_0000,
  GenericExecute: 0x2000_0000,
  GenericWrite: 0x4000_0000,
  GenericRead: 0x8000_0000,
} as const

/** Usual combinations (winnt.h values, as Windows and Samba grant them). */
export const AccessMaskSet = {
  StandardRightsRequired: 0x000f_0000,
  StandardRightsAll: 0x001f_0000,
  SpecificRightsAll: 0x0000_ffff,
  /** What GENERIC_ALL maps to on a file (MS-FSA 2.1.5.1.2.1). */
  FileAllAccess: 0x001f_01ff,
  FileGenericRead: 0x0012_0089,
  FileGenericWrite: 0x0012_0116,
  FileGenericExecute: 0x0012_00a0,
} as const

const fileNames = flagNamer(AccessMask)
const dirNames = flagNamer(DirectoryAccessMask)

/** `['FILE_READ_DATA', 'READ_CONTROL', ...]`; directory spellings when `directory` is set. */
export function accessMaskNames(mask: number, directory = false): string[] {
  return directory ? dirNames(mask) : fileNames(mask)
}
