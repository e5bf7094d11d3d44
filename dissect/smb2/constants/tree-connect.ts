/**
 * MS-SMB2 2.2.9 (TREE_CONNECT request flags, 3.1.1) and 2.2.10 (response: ShareType, ShareFlags with the
 * two-bit caching policy, Capabilities).
 * @module
 */
import { flagNamer, valueNamer } from './names.js'

export const TreeConnectFlags = {
  ClusterReconnect: 0x0001,
  RedirectToOwner: 0x0002,
  ExtensionPresent: 0x0004,
} as const
export const treeConnectFlagNames = flagNamer(TreeConnectFlags, { prefix: 'SMB2_TREE_CONNECT_FLAG_' })

export const ShareType = {
  Disk: 0x01,
  Pipe: 0x02,
  Print: 0x03,
} as const
export const shareTypeName = valueNamer(ShareType, { prefix: 'SMB2_SHARE_TYPE_' }, 2)

/** The offline caching policy held in ShareFlags bits 4..5. */
export const ShareCaching = {
  Manual: 0x0000,
  Auto: 0x0010,
  Vdo: 0x0020,
  No: 0x0030,
} as const
export const SHARE_CACHING_MASK = 0x0030
const cachingName = valueNamer(ShareCaching, { suffix: '_CACHING', prefix: 'SMB2_SHAREFLAG_' })

export const ShareFlags = {
  Dfs: 0x0000_0001,
  DfsRoot: 0x0000_0002,
  RestrictExclusiveOpens: 0x0000_0100,
  ForceSharedDelete: 0x0000_0200,
  AllowNamespaceCaching: 0x0000_0400,
  AccessBasedDirectoryEnum: 0x0000_0800,
  ForceLevelIIOplock: 0x0000_1000,
  EnableHashV1: 0x0000_2000,
  EnableHashV2: 0x0000_4000,
  EncryptData: 0x0000_8000,
  IdentityRemoting: 0x0004_0000,
  CompressData: 0x0010_0000,
  IsolatedTransport: 0x0020_0000,
} as const
const shareFlagBits = flagNamer(ShareFlags, { prefix: 'SMB2_SHAREFLAG_', overrides: { ForceLevelIIOplock: 'SMB2_SHAREFLAG_FORCE_LEVELII_OPLOCK' } })
/** The caching policy name first (always present, MANUAL when zero), then the flag bits. */
export function shareFlagNames(flags: number): string[] {
  return [cachingName(flags & SHARE_CACHING_MASK), ...shareFlagBits((flags & ~SHARE_CACHING_MASK) >>> 0)]
}

export const ShareCapabilities = {
  Dfs: 0x0000_0008,
  ContinuousAvailability: 0x0000_0010,
  Scaleout: 0x0000_0020,
  Cluster: 0x0000_0040,
  Asymmetric: 0x0000_0080,
  RedirectToOwner: 0x0000_0100,
} as const
export const shareCapabilityNames = flagNamer(ShareCapabilities, { prefix: 'SMB2_SHARE_CAP_' })
