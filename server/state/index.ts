/**
 * Protocol state of the bundled SMB2/3 server, independent of the wire codec and the file system: global and local
 * tables (Samba's smbXsrv split), the durable store, durable/reconnect rules, leases, oplocks, the scavenger and
 * sessions. The SMB2 handlers (server/handlers) drive it; nothing here does I/O except the SQLite store.
 * @module
 */
export * from './clock.js'
export * from './ids.js'
export * from './global-tables.js'
export * from './durable-store.js'
export * from './durable.js'
export * from './lease-table.js'
export * from './oplock.js'
export * from './file-caching.js'
export * from './scavenger.js'
export * from './sessions.js'
