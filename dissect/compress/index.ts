/** SMB2 compression (MS-SMB2 2.2.42, 3.1.4.4) and the MS-XCA algorithms it uses. @module */
export * from './errors.js'
export * from './lznt1.js'
export * from './lz77.js'
export * from './lz77-huffman.js'
export * from './transform.js'
