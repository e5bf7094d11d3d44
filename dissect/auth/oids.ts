/**
 * Object identifiers of the GSS-API mechanisms seen in SMB2 SESSION_SETUP security buffers, and their names.
 * SPNEGO: RFC 4178; NTLMSSP: MS-NLMP; Kerberos 5: RFC 1964/4121; MS Kerberos (the OID Windows 2000 wrongly
 * encoded and Windows still offers): MS-KILE; user-to-user: draft-ietf-cat-user2user; NEGOEX: MS-NEGOEX;
 * IAKERB: draft-ietf-kitten-iakerb; PKU2U: draft-zhu-pku2u; SCRAM-SHA-1: RFC 5802.
 * @module
 */

export const Oid = {
  Spnego: '1.3.6.1.5.5.2',
  Ntlmssp: '1.3.6.1.4.1.311.2.2.10',
  Kerberos5: '1.2.840.113554.1.2.2',
  MsKerberos5: '1.2.840.48018.1.2.2',
  Kerberos5UserToUser: '1.2.840.113554.1.2.2.3',
  Negoex: '1.3.6.1.4.1.311.2.2.30',
  Iakerb: '1.3.6.1.5.2.5',
  Pku2u: '1.3.6.1.5.2.7',
  ScramSha1: '1.3.6.1.5.5.14',
} as const

const NAMES: Record<string, string> = {
  [Oid.Spnego]: 'SPNEGO',
  [Oid.Ntlmssp]: 'NTLMSSP',
  [Oid.Kerberos5]: 'Kerberos 5',
  [Oid.MsKerberos5]: 'MS Kerberos 5',
  [Oid.Kerberos5UserToUser]: 'Kerberos 5 user-to-user',
  [Oid.Negoex]: 'NEGOEX',
  [Oid.Iakerb]: 'IAKERB',
  [Oid.Pku2u]: 'PKU2U',
  [Oid.ScramSha1]: 'SCRAM-SHA-1',
}

/** The mechanism's name, or undefined for an OID we do not know. */
export function mechName(oid: string): string | undefined {
  return NAMES[oid]
}

/** True for the OIDs that carry Kerberos tokens (RFC 4121 framing). */
export function isKerberosOid(oid: string): boolean {
  return oid === Oid.Kerberos5 || oid === Oid.MsKerberos5 || oid === Oid.Kerberos5UserToUser || oid === Oid.Iakerb
}
