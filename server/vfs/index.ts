/**
 * The file-system layer of the bundled server: MS-FSA semantics on local POSIX directories, one `LocalShare`
 * per share root, sharing one `OpenTable`, `NotifyHub` and `MetadataStore` per server. See local-fs.ts for the
 * overview and each module for its part.
 *
 * Typical use by the SMB2 handlers:
 * ```ts
 * const table = new OpenTable({ maxOpensPerOwner: 4096 })
 * const hub = new NotifyHub()
 * const metadata = MetadataStore.open(stateDir)
 * const share = await LocalShare.open({ name: 'share', root: '/srv/share', metadata, openTable: table, notifyHub: hub })
 *
 * // CREATE: errors are VfsError(status); a sharing violation lists the conflicting opens in `detail`.
 * const { open, createAction, info, maximalAccess } = await share.create({
 *   path: 'dir\\file.txt', desiredAccess, shareAccess, disposition, createOptions, fileAttributes, owner: sessionKey,
 * })
 * await share.write(open, offset, data)            // WRITE
 * const buf = await share.read(open, offset, len)  // READ
 * const q = await share.queryInfo(open)            // QUERY_INFO file classes
 * const r = await share.queryDirectory(open, { pattern, restartScan }, (e) => fits(e))  // QUERY_DIRECTORY
 * const n = share.changeNotify(open, { completionFilter, watchTree, outputBufferLength })  // CHANGE_NOTIFY
 * const l = share.lock(open, [{ offset, length, exclusive }], { failImmediately })        // LOCK
 * await share.close(open, { postQuery: true })     // CLOSE
 * ```
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
