/**
 * The payloads of QUERY_INFO, SET_INFO, QUERY_DIRECTORY and CHANGE_NOTIFY (MS-FSCC 2.4, 2.5, 2.7.1 and
 * MS-SMB2 2.2.37.1), with `decodeInfo`/`encodeInfo`, `decodeDirectory`/`encodeDirectory` and
 * `decodeNotify`/`encodeNotify` on top.
 * @module
 */
export * from './chain.js'
export * from './fields.js'
export * from './file-info.js'
export * from './fs-info.js'
export * from './ea.js'
export * from './quota.js'
export * from './directory.js'
export * from './notify.js'
export * from './registry.js'
