/** SMB2/3 cryptography: key derivation, preauth integrity hash, signing and encryption. @module */
export * from './constants.js'
export * from './errors.js'
export * from './kdf.js'
export * from './preauth.js'
export * from './cmac.js'
export * from './signing.js'
export * from './encryption.js'
