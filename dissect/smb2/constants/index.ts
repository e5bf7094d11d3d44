export * from './command.js'
export * from './flags.js'
export * from './dialect.js'
export * from './status.js'
