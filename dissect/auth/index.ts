/**
 * The authentication layer of SMB2 SESSION_SETUP: SPNEGO, NTLMSSP (messages and NTLMv2 cryptography),
 * Kerberos/IAKERB/NEGOEX recognition, the dissector's view of a security buffer, the replay client's and the
 * bundled server's NTLM state machines, and session-key derivation from a capture.
 * @module
 */
export * from './der.js'
export * from './oids.js'
export * from './spnego.js'
export * from './kerberos.js'
export * from './negoex.js'
export * from './md4.js'
export * from './rc4.js'
export * from './ntlm-crypto.js'
export * from './ntlmssp/index.js'
export * from './ntlm-client.js'
export * from './ntlm-server.js'
export * from './spnego-ntlm.js'
export * from './session-key.js'
export * from './security-blob.js'
