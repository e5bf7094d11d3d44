import { describe, expect, it } from 'vitest'
import { NT_STATUS_TABLE, NtStatus, isError, statusCode, statusFacility, statusName, statusSeverity } from './status.js'

describe('NTSTATUS names (MS-ERREF 2.3.1)', () => {
  it('has several hundred codes, each code and each name once', () => {
    expect(NT_STATUS_TABLE.length).toBeGreaterThan(1000)
    const codes = new Set(NT_STATUS_TABLE.map(([c]) => c))
    const names = new Set(NT_STATUS_TABLE.map(([, n]) => n))
    expect(codes.size).toBe(NT_STATUS_TABLE.length)
    expect(names.size).toBe(NT_STATUS_TABLE.length)
    for (const [c, n] of NT_STATUS_TABLE) {
      expect(Number.isInteger(c) && c >= 0 && c <= 0xffff_ffff).toBe(true)
      expect(n).toMatch(/^STATUS_[A-Z0-9_]+$/)
    }
  })

  it('is sorted by code', () => {
    for (let i = 1; i < NT_STATUS_TABLE.length; i++) expect(NT_STATUS_TABLE[i]![0]).toBeGreaterThan(NT_STATUS_TABLE[i - 1]![0])
  })

  it.each([
    [0x0000_0000, 'STATUS_SUCCESS'],
    [0x0000_0103, 'STATUS_PENDING'],
    [0x0000_010c, 'STATUS_NOTIFY_ENUM_DIR'],
    [0x8000_0005, 'STATUS_BUFFER_OVERFLOW'],
    [0x8000_0006, 'STATUS_NO_MORE_FILES'],
    [0x8000_002d, 'STATUS_STOPPED_ON_SYMLINK'],
    [0xc000_000d, 'STATUS_INVALID_PARAMETER'],
    [0xc000_0016, 'STATUS_MORE_PROCESSING_REQUIRED'],
    [0xc000_0022, 'STATUS_ACCESS_DENIED'],
    [0xc000_0034, 'STATUS_OBJECT_NAME_NOT_FOUND'],
    [0xc000_0035, 'STATUS_OBJECT_NAME_COLLISION'],
    [0xc000_003a, 'STATUS_OBJECT_PATH_NOT_FOUND'],
    [0xc000_0043, 'STATUS_SHARING_VIOLATION'],
    [0xc000_0056, 'STATUS_DELETE_PENDING'],
    [0xc000_006d, 'STATUS_LOGON_FAILURE'],
    [0xc000_00ba, 'STATUS_FILE_IS_A_DIRECTORY'],
    [0xc000_00bb, 'STATUS_NOT_SUPPORTED'],
    [0xc000_00cc, 'STATUS_BAD_NETWORK_NAME'],
    [0xc000_00e5, 'STATUS_INTERNAL_ERROR'],
    [0xc000_0101, 'STATUS_DIRECTORY_NOT_EMPTY'],
    [0xc000_0103, 'STATUS_NOT_A_DIRECTORY'],
    [0xc000_0120, 'STATUS_CANCELLED'],
    [0xc000_0128, 'STATUS_FILE_CLOSED'],
    [0xc000_014b, 'STATUS_PIPE_BROKEN'],
    [0xc000_019c, 'STATUS_FS_DRIVER_REQUIRED'],
    [0xc000_01a1, 'STATUS_INVALID_LOCK_RANGE'],
    [0xc000_0203, 'STATUS_USER_SESSION_DELETED'],
    [0xc000_0225, 'STATUS_NOT_FOUND'],
    [0xc000_0257, 'STATUS_PATH_NOT_COVERED'],
    [0xc000_0275, 'STATUS_NOT_A_REPARSE_POINT'],
    [0xc000_035c, 'STATUS_NETWORK_SESSION_EXPIRED'],
    [0xc000_0466, 'STATUS_SERVER_UNAVAILABLE'],
    [0xc000_0467, 'STATUS_FILE_NOT_AVAILABLE'],
    [0xc000_0480, 'STATUS_SHARE_UNAVAILABLE'],
    [0xc000_a100, 'STATUS_HASH_NOT_SUPPORTED'],
    [0xc000_a2a1, 'STATUS_OFFLOAD_READ_FLT_NOT_SUPPORTED'],
    [0xc05d_0000, 'STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP'],
    [0xc05d_0001, 'STATUS_SMB_BAD_CLUSTER_DIALECT'],
    [0xc05d_0002, 'STATUS_SMB_GUEST_LOGON_BLOCKED'],
  ])('0x%s is %s', (code, name) => {
    expect(statusName(code)).toBe(name)
    expect(statusCode(name)).toBe(code)
  })

  it('names unknown codes in hex and accepts hex and short names back', () => {
    expect(statusName(0xc0de_0001)).toBe('0xc0de0001')
    expect(statusName(-1073741790)).toBe('STATUS_ACCESS_DENIED') // the signed form of 0xC0000022
    expect(statusCode('0xc0000022')).toBe(0xc000_0022)
    expect(statusCode('access_denied')).toBe(0xc000_0022)
    expect(statusCode('STATUS_NO_SUCH_THING')).toBeUndefined()
  })

  it('keys NtStatus by the PascalCase of the MS-ERREF name', () => {
    const exceptions: Record<string, string> = { DuplicateObjectId: 'STATUS_DUPLICATE_OBJECTID', ObjectIdExists: 'STATUS_OBJECTID_EXISTS' }
    const keys = Object.keys(NtStatus)
    expect(keys.length).toBeGreaterThan(400)
    for (const [key, code] of Object.entries(NtStatus)) {
      const expected = exceptions[key] ?? 'STATUS_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
      // Digits glued to words in MS-ERREF (STATUS_WAIT_1, STATUS_SMB1_NOT_AVAILABLE) spell differently; the table decides.
      const name = statusName(code)
      expect(name.replace(/_/g, ''), key).toBe(expected.replace(/_/g, ''))
    }
  })

  it('keeps the codes existing code used', () => {
    expect(NtStatus.Success).toBe(0)
    expect(NtStatus.Pending).toBe(0x103)
    expect(NtStatus.MoreProcessingRequired).toBe(0xc000_0016)
    expect(NtStatus.BufferOverflow).toBe(0x8000_0005)
    expect(NtStatus.ObjectNameNotFound).toBe(0xc000_0034)
    expect(NtStatus.SmbNoPreauthIntegrityHashOverlap).toBe(0xc05d_0000)
  })

  it('reads severity and facility', () => {
    expect(statusSeverity(NtStatus.Success)).toBe(0)
    expect(statusSeverity(NtStatus.ObjectNameExists)).toBe(1)
    expect(statusSeverity(NtStatus.BufferOverflow)).toBe(2)
    expect(statusSeverity(NtStatus.AccessDenied)).toBe(3)
    expect(isError(NtStatus.AccessDenied)).toBe(true)
    expect(isError(NtStatus.NoMoreFiles)).toBe(false)
    expect(statusFacility(NtStatus.SmbBadClusterDialect)).toBe(0x5d)
    expect(statusFacility(NtStatus.AccessDenied)).toBe(0)
  })
})

describe('agreement with Wireshark (tshark 4.0 smb2.nt_status value strings)', () => {
  it('names every NT-facility and SMB code Wireshark names, the same way', async () => {
    const { readFileSync } = await import('node:fs')
    const ws = JSON.parse(readFileSync(new URL('./fixtures/wireshark-ntstatus.json', import.meta.url), 'utf8')) as { ntStatus: Array<[number, string]> }
    let compared = 0
    const missing: string[] = []
    for (const [code, name] of ws.ntStatus) {
      const facility = (code >>> 16) & 0xfff
      if (facility !== 0 && facility !== 0x5d) continue // RPC, SEC_E and other facilities are not in this table
      if (!name.startsWith('STATUS_')) continue
      compared++
      const ours = statusName(code)
      if (ours.startsWith('0x')) missing.push(`${name}`)
      else expect(ours, `0x${code.toString(16)}`).toBe(name)
    }
    expect(compared).toBeGreaterThan(700)
    // Wireshark has one NT code the published tables do not: STATUS_NO_SHUTDOWN_IN_PROGRESS at 0x0000045C.
    expect(missing).toEqual(['STATUS_NO_SHUTDOWN_IN_PROGRESS'])
  })
})
