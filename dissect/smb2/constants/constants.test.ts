import { describe, expect, it } from 'vitest'
import {
  AccessMask, CreateOptions, FileAttributes, FileInformationClass, FsInformationClass, LeaseState, NotifyAction, OplockLevel,
  SecurityInformation, ShareCaching, ShareFlags, accessMaskNames, alignmentRequirementName, changeNotifyFlagNames, channelName,
  closeFlagNames, completionFilterNames, createActionName, createDispositionName, createOptionNames, deviceTypeName,
  fileAttributeNames, fileInformationClassName, fileSystemAttributeNames, flagNamer, fsInformationClassName,
  impersonationLevelName, infoClassName, infoTypeName, leaseStateNames, leaseStateShort, lockFlagNames, notifyActionName,
  oplockLevelName, queryDirectoryFlagNames, readFlagNames, reparseTagName, securityInformationNames, sessionFlagNames,
  sessionSetupFlagNames, shareAccessNames, shareCapabilityNames, shareFlagNames, shareTypeName, snakeName,
  treeConnectFlagNames, writeFlagNames,
} from './index.js'

describe('name helpers', () => {
  it('snake-cases keys the way specification names are spelled', () => {
    expect(snakeName('DeleteOnClose')).toBe('DELETE_ON_CLOSE')
    expect(snakeName('LevelII')).toBe('LEVEL_II')
    expect(snakeName('RdmaV1Invalidate')).toBe('RDMA_V1_INVALIDATE')
  })

  it('names bit 31 and leftover bits', () => {
    const names = flagNamer({ Low: 1, High: 0x8000_0000 })
    expect(names(0x8000_0001)).toEqual(['LOW', 'HIGH'])
    expect(names(0x8000_0010)).toEqual(['HIGH', '0x10'])
    expect(names(0)).toEqual([])
  })
})

describe('constant tables', () => {
  it('names access masks (MS-SMB2 2.2.13.1)', () => {
    expect(accessMaskNames(0x0012_0089)).toEqual(['FILE_READ_DATA', 'FILE_READ_EA', 'FILE_READ_ATTRIBUTES', 'READ_CONTROL', 'SYNCHRONIZE'])
    expect(accessMaskNames(0x0000_0001, true)).toEqual(['FILE_LIST_DIRECTORY'])
    expect(accessMaskNames(AccessMask.GenericRead | AccessMask.MaximumAllowed)).toEqual(['MAXIMUM_ALLOWED', 'GENERIC_READ'])
  })

  it('names file attributes (MS-FSCC 2.6)', () => {
    expect(fileAttributeNames(0x22)).toEqual(['FILE_ATTRIBUTE_HIDDEN', 'FILE_ATTRIBUTE_ARCHIVE'])
    expect(fileAttributeNames(FileAttributes.Directory | FileAttributes.ReparsePoint)).toEqual(['FILE_ATTRIBUTE_DIRECTORY', 'FILE_ATTRIBUTE_REPARSE_POINT'])
  })

  it('names CREATE enumerations and flags (MS-SMB2 2.2.13/2.2.14)', () => {
    expect(impersonationLevelName(2)).toBe('Impersonation')
    expect(shareAccessNames(7)).toEqual(['FILE_SHARE_READ', 'FILE_SHARE_WRITE', 'FILE_SHARE_DELETE'])
    expect(createDispositionName(3)).toBe('FILE_OPEN_IF')
    expect(createDispositionName(5)).toBe('FILE_OVERWRITE_IF')
    expect(createOptionNames(CreateOptions.NonDirectoryFile | CreateOptions.DeleteOnClose)).toEqual(['FILE_NON_DIRECTORY_FILE', 'FILE_DELETE_ON_CLOSE'])
    expect(createOptionNames(0x0020_0000)).toEqual(['FILE_OPEN_REPARSE_POINT'])
    expect(createActionName(2)).toBe('FILE_CREATED')
    expect(oplockLevelName(OplockLevel.Batch)).toBe('SMB2_OPLOCK_LEVEL_BATCH')
    expect(oplockLevelName(OplockLevel.II)).toBe('SMB2_OPLOCK_LEVEL_II')
    expect(oplockLevelName(0xff)).toBe('SMB2_OPLOCK_LEVEL_LEASE')
    expect(leaseStateNames(LeaseState.ReadCaching | LeaseState.HandleCaching)).toEqual(['SMB2_LEASE_READ_CACHING', 'SMB2_LEASE_HANDLE_CACHING'])
    expect(leaseStateShort(7)).toBe('RWH')
    expect(leaseStateShort(0)).toBe('NONE')
  })

  it('numbers and names information classes (MS-FSCC 2.4, 2.5)', () => {
    expect(FileInformationClass.FileBasicInformation).toBe(4)
    expect(FileInformationClass.FileAllInformation).toBe(18)
    expect(FileInformationClass.FileIdBothDirectoryInformation).toBe(37)
    expect(FileInformationClass.FileNormalizedNameInformation).toBe(48)
    expect(FileInformationClass.FileIdExtdDirectoryInformation).toBe(60)
    expect(FileInformationClass.FileRenameInformationEx).toBe(65)
    expect(FsInformationClass.FileFsSectorSizeInformation).toBe(11)
    expect(fileInformationClassName(22)).toBe('FileStreamInformation')
    expect(fsInformationClassName(5)).toBe('FileFsAttributeInformation')
    expect(infoTypeName(3)).toBe('SMB2_0_INFO_SECURITY')
    expect(infoClassName(1, 34)).toBe('FileNetworkOpenInformation')
    expect(infoClassName(2, 7)).toBe('FileFsFullSizeInformation')
    expect(infoClassName(9, 1)).toBe('0x09:0x01')
    expect(new Set(Object.values(FileInformationClass)).size).toBe(Object.keys(FileInformationClass).length)
  })

  it('names the other flag sets', () => {
    expect(securityInformationNames(SecurityInformation.Owner | SecurityInformation.Dacl)).toEqual(['OWNER_SECURITY_INFORMATION', 'DACL_SECURITY_INFORMATION'])
    expect(queryDirectoryFlagNames(0x11)).toEqual(['SMB2_RESTART_SCANS', 'SMB2_REOPEN'])
    expect(changeNotifyFlagNames(1)).toEqual(['SMB2_WATCH_TREE'])
    expect(completionFilterNames(0x17)).toEqual(['FILE_NOTIFY_CHANGE_FILE_NAME', 'FILE_NOTIFY_CHANGE_DIR_NAME', 'FILE_NOTIFY_CHANGE_ATTRIBUTES', 'FILE_NOTIFY_CHANGE_LAST_WRITE'])
    expect(notifyActionName(NotifyAction.RenamedNewName)).toBe('FILE_ACTION_RENAMED_NEW_NAME')
    expect(lockFlagNames(0x12)).toEqual(['SMB2_LOCKFLAG_EXCLUSIVE_LOCK', 'SMB2_LOCKFLAG_FAIL_IMMEDIATELY'])
    expect(shareTypeName(2)).toBe('SMB2_SHARE_TYPE_PIPE')
    expect(shareFlagNames(ShareCaching.No | ShareFlags.EncryptData)).toEqual(['SMB2_SHAREFLAG_NO_CACHING', 'SMB2_SHAREFLAG_ENCRYPT_DATA'])
    expect(shareFlagNames(ShareFlags.ForceLevelIIOplock)).toEqual(['SMB2_SHAREFLAG_MANUAL_CACHING', 'SMB2_SHAREFLAG_FORCE_LEVELII_OPLOCK'])
    expect(shareCapabilityNames(0x18)).toEqual(['SMB2_SHARE_CAP_DFS', 'SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY'])
    expect(treeConnectFlagNames(4)).toEqual(['SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT'])
    expect(closeFlagNames(1)).toEqual(['SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB'])
    expect(readFlagNames(1)).toEqual(['SMB2_READFLAG_READ_UNBUFFERED'])
    expect(writeFlagNames(1)).toEqual(['SMB2_WRITEFLAG_WRITE_THROUGH'])
    expect(channelName(2)).toBe('SMB2_CHANNEL_RDMA_V1_INVALIDATE')
    expect(sessionSetupFlagNames(1)).toEqual(['SMB2_SESSION_FLAG_BINDING'])
    expect(sessionFlagNames(4)).toEqual(['SMB2_SESSION_FLAG_ENCRYPT_DATA'])
    expect(fileSystemAttributeNames(0x0000_0007)).toEqual(['FILE_CASE_SENSITIVE_SEARCH', 'FILE_CASE_PRESERVED_NAMES', 'FILE_UNICODE_ON_DISK'])
    expect(deviceTypeName(7)).toBe('FILE_DEVICE_DISK')
    expect(deviceTypeName(0x27)).toBe('FILE_DEVICE_8042_PORT')
    expect(alignmentRequirementName(0x1ff)).toBe('FILE_512_BYTE_ALIGNMENT')
    expect(alignmentRequirementName(3)).toBe('FILE_LONG_ALIGNMENT')
    expect(reparseTagName(0xa000_000c)).toBe('IO_REPARSE_TAG_SYMLINK')
    expect(reparseTagName(0x8000_0014)).toBe('IO_REPARSE_TAG_NFS')
  })
})
