/**
 * The file-system layer of the bundled server: MS-FSA semantics on local POSIX directories, one `LocalShare`
 * per share root, sharing one `OpenTable`, `NotifyHub` and `MetadataStore` per server. See local-fs.ts for the
 * overview and each module for its part.
 * @module
 */

export * from './constants.js'
export * from './status.js'
export * from './wildcard.js'
export * from './path-jail.js'
export * from './attributes.js'
export * from './byte-range-locks.js'
export * from './notify.js'
export * from './dir-enum.js'
export * from './open-table.js'
export * from './local-fs.js'
