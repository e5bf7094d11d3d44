/** The generic, SMB-agnostic wire layer: reader, writer, errors and the structure DSL. @module */
export * from './errors.js'
export * from './reader.js'
export * from './writer.js'
export * from './struct.js'
export * from './testing.js'
