/** The SMB2/3 codec's public surface. @module */
export * from './constants/index.js'
export * from './header.js'
export * from './message.js'
export * from './registry.js'
export * from './commands/index.js'
export * from './create-contexts/index.js'
export * from './negotiate-contexts/index.js'
