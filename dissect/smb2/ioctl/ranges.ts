/**
 * MS-FSCC 2.3 — the FSCTLs about byte ranges and extents: FSCTL_SET_SPARSE, FSCTL_SET_ZERO_DATA,
 * FSCTL_QUERY_ALLOCATED_RANGES, FSCTL_FILE_LEVEL_TRIM, FSCTL_DUPLICATE_EXTENTS_TO_FILE(_EX) and
 * FSCTL_QUERY_FILE_REGIONS.
 * @module
 */
import { Reader, Writer, arrayOf, countOf, i64, reserved, struct, u32, u64, type Codec, type Infer, type Input } from '../../wire/index.js'

/** FILE_SET_SPARSE_BUFFER: one byte; the buffer may be absent, which means TRUE (MS-FSCC 2.3, FSCTL_SET_SPARSE). */
export interface FileSetSparseBuffer {
  /** null when the request carried no buffer. */
  setSparse: number | null
}
export const FileSetSparseBuffer: Codec<FileSetSparseBuffer> = {
  name: 'FileSetSparseBuffer',
  read: (r: Reader) => ({ setSparse: r.remaining === 0 ? null : r.field('setSparse', () => r.u8()) }),
  write: (w: Writer, v: FileSetSparseBuffer) => {
    if (v.setSparse !== null) w.u8(v.setSparse)
  },
}

/** FILE_ZERO_DATA_INFORMATION: zero [FileOffset, BeyondFinalZero). */
export const FileZeroDataInformation = struct('FileZeroDataInformation', {
  fileOffset: i64,
  beyondFinalZero: i64,
})
export type FileZeroDataInformation = Infer<typeof FileZeroDataInformation>

/** FILE_ALLOCATED_RANGE_BUFFER: the range to query (input) and each allocated range (output array). */
export const FileAllocatedRangeBuffer = struct('FileAllocatedRangeBuffer', {
  fileOffset: i64,
  length: i64,
})
export type FileAllocatedRangeBuffer = Infer<typeof FileAllocatedRangeBuffer>
/** The QUERY_ALLOCATED_RANGES output: as many FILE_ALLOCATED_RANGE_BUFFERs as the buffer holds. */
export const FileAllocatedRanges: Codec<FileAllocatedRangeBuffer[]> = {
  name: 'FileAllocatedRangeBuffer[]',
  read: (r, ctx) => arrayOf(FileAllocatedRangeBuffer).read(r, ctx, {}),
  write: (w, v, ctx) => arrayOf(FileAllocatedRangeBuffer).write(w, v, ctx),
}

/** FILE_LEVEL_TRIM_RANGE. */
export const FileLevelTrimRange = struct('FileLevelTrimRange', { offset: u64, length: u64 })
/** FILE_LEVEL_TRIM (input). */
export const FileLevelTrim = struct('FileLevelTrim', {
  key: u32,
  numRanges: countOf('ranges', u32),
}, { ranges: arrayOf(FileLevelTrimRange) })
export type FileLevelTrim = Infer<typeof FileLevelTrim>
export type FileLevelTrimInput = Input<typeof FileLevelTrim>
/** FILE_LEVEL_TRIM_OUTPUT. */
export const FileLevelTrimOutput = struct('FileLevelTrimOutput', { numRangesProcessed: u32 })
export type FileLevelTrimOutput = Infer<typeof FileLevelTrimOutput>

/** SMB2_FILEID as DUPLICATE_EXTENTS carries it (MS-SMB2 2.2.14.1). */
export const Smb2FileIdCodec = struct('Smb2FileId', { persistent: u64, volatile: u64 })

/** DUPLICATE_EXTENTS_DATA (FSCTL_DUPLICATE_EXTENTS_TO_FILE input; FileHandle is the source open). */
export const DuplicateExtentsData = struct('DuplicateExtentsData', {
  fileHandle: Smb2FileIdCodec,
  sourceFileOffset: i64,
  targetFileOffset: i64,
  byteCount: i64,
})
export type DuplicateExtentsData = Infer<typeof DuplicateExtentsData>

/** DUPLICATE_EXTENTS_DATA_EX (FSCTL_DUPLICATE_EXTENTS_TO_FILE_EX input; Size is 0x30). */
export const DuplicateExtentsDataEx = struct('DuplicateExtentsDataEx', {
  size: u64,
  fileHandle: Smb2FileIdCodec,
  sourceFileOffset: i64,
  targetFileOffset: i64,
  byteCount: i64,
  flags: u32,
  reserved: reserved(u32),
})
export type DuplicateExtentsDataEx = Infer<typeof DuplicateExtentsDataEx>

/** FILE_REGION_INPUT (FSCTL_QUERY_FILE_REGIONS input; may be absent = whole file). */
export const FileRegionInput = struct('FileRegionInput', {
  fileOffset: i64,
  length: i64,
  desiredUsage: u32,
  reserved: reserved(u32),
})
export type FileRegionInput = Infer<typeof FileRegionInput>
/** FILE_REGION_INFO. */
export const FileRegionInfo = struct('FileRegionInfo', {
  fileOffset: i64,
  length: i64,
  usage: u32,
  reserved: reserved(u32),
})
/** FILE_REGION_OUTPUT. */
export const FileRegionOutput = struct('FileRegionOutput', {
  flags: u32,
  totalRegionEntryCount: u32,
  regionEntryCount: countOf('regions', u32),
  reserved: reserved(u32),
}, { regions: arrayOf(FileRegionInfo) })
export type FileRegionOutput = Infer<typeof FileRegionOutput>
