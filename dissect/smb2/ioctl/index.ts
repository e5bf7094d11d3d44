/**
 * IOCTL/FSCTL bodies (MS-SMB2 2.2.31–2.2.32, MS-FSCC 2.3, MS-DFSC 2.2): control code names and the codecs
 * of their input and output buffers, with `decodeIoctl`/`encodeIoctl` on top.
 * @module
 */
export * from './ctl-codes.js'
export * from './validate-negotiate.js'
export * from './resiliency.js'
export * from './network-interface.js'
export * from './copychunk.js'
export * from './snapshots.js'
export * from './dfs-referral.js'
export * from './reparse.js'
export * from './ranges.js'
export * from './object-id.js'
export * from './pipe.js'
export * from './offload.js'
export * from './integrity.js'
export * from './registry.js'
