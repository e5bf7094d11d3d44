/** MS-NLMP 2.2 — NTLMSSP messages, sub-structures and constants. @module */
export * from './constants.js'
export * from './structures.js'
export * from './messages.js'
