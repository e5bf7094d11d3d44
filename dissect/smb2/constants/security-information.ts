/**
 * MS-DTYP 2.4.7 SECURITY_INFORMATION — which parts of a security descriptor a QUERY_INFO/SET_INFO of
 * InfoType SECURITY reads or writes (the AdditionalInformation field, MS-SMB2 2.2.37 / 2.2.39).
 * @module
 */
import { flagNamer } from './names.js'

export const SecurityInformation = {
  Owner: 0x0000_0001,
  Group: 0x0000_0002,
  Dacl: 0x0000_0004,
  Sacl: 0x0000_0008,
  Label: 0x0000_0010,
  Attribute: 0x0000_0020,
  Scope: 0x0000_0040,
  ProcessTrustLabel: 0x0000_0080,
  Backup: 0x0001_0000,
  UnprotectedSacl: 0x1000_0000,
  UnprotectedDacl: 0x2000_0000,
  ProtectedSacl: 0x4000_0000,
  ProtectedDacl: 0x8000_0000,
} as const
/** `['OWNER_SECURITY_INFORMATION', 'DACL_SECURITY_INFORMATION']`. */
export const securityInformationNames = flagNamer(SecurityInformation, { suffix: '_SECURITY_INFORMATION' })
