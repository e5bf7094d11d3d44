/** Windows security structures (MS-DTYP 2.4): SID, ACE, ACL, self-relative SECURITY_DESCRIPTOR. @module */
export * from './sid.js'
export * from './acl.js'
export * from './security-descriptor.js'
