/**
 * MS-SMB2 2.2.19 / 2.2.20 (READ flags, response flags), 2.2.21 (WRITE flags) and the Channel values both
 * carry.
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

export const ReadFlags = {
  ReadUnbuffered: 0x01,
  RequestCompressed: 0x02,
} as const
export const readFlagNames = flagNamer(ReadFlags, { prefix: 'SMB2_READFLAG_' })

export const ReadResponseFlags = {
  RdmaTransform: 0x0000_0001,
} as const
export const readResponseFlagNames = flagNamer(ReadResponseFlags, { prefix: 'SMB2_READFLAG_RESPONSE_' })

export const WriteFlags = {
  WriteThrough: 0x0000_0001,
  WriteUnbuffered: 0x0000_0002,
} as const
export const writeFlagNames = flagNamer(WriteFlags, { prefix: 'SMB2_WRITEFLAG_' })

export const Channel = {
  None: 0x0000_0000,
  RdmaV1: 0x0000_0001,
  RdmaV1Invalidate: 0x0000_0002,
  RdmaTransform: 0x0000_0003,
} as const
export const channelName = valueNamer(Channel, { prefix: 'SMB2_CHANNEL_', overrides: { RdmaV1: 'SMB2_CHANNEL_RDMA_V1', RdmaV1Invalidate: 'SMB2_CHANNEL_RDMA_V1_INVALIDATE' } })
