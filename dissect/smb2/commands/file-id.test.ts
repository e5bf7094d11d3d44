import { describe, expect, it } from 'vitest'
import { assertRoundTrip } from '../../wire/index.js'
import { FileId, RELATED_FILE_ID, formatFileId, isRelatedFileId } from './file-id.js'

describe('FileId', () => {
  it('is 16 bytes, persistent then volatile, little-endian', () => {
    const { bytes } = assertRoundTrip(FileId, { persistent: 0x000000300000010dn, volatile: 0xffffffff000000b1n })
    expect(bytes.toString('hex')).toBe('0d01000030000000' + 'b1000000ffffffff')
    expect(FileId.size).toBe(16)
  })
  it('formats for traces and recognises the related-operation FileId', () => {
    expect(formatFileId({ persistent: 0x10dn, volatile: 0xb1n })).toBe('000000000000010d:00000000000000b1')
    expect(isRelatedFileId(RELATED_FILE_ID)).toBe(true)
    expect(isRelatedFileId({ persistent: 0xffff_ffff_ffff_ffffn, volatile: 0n })).toBe(false)
  })
})
