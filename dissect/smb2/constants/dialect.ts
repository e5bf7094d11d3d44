/** MS-SMB2 2.2.3 dialect revision numbers. @module */

export const Dialect = {
  Smb202: 0x0202,
  Smb210: 0x0210,
  Smb300: 0x0300,
  Smb302: 0x0302,
  Smb311: 0x0311,
  /** The wildcard a server answers an SMB1 multi-protocol NEGOTIATE with (MS-SMB2 3.3.5.3.1). */
  Wildcard: 0x02ff,
  /** A pre-release SMB 2 value seen in Vista beta captures. */
  PreRelease: 0x0006,
} as const
export type Dialect = (typeof Dialect)[keyof typeof Dialect]

export function dialectName(d: number): string {
  switch (d) {
    case 0x0202: return 'SMB 2.0.2'
    case 0x0210: return 'SMB 2.1'
    case 0x0222: return 'SMB 2.2'
    case 0x0224: return 'SMB 2.2.4'
    case 0x0300: return 'SMB 3.0'
    case 0x0302: return 'SMB 3.0.2'
    case 0x0310: return 'SMB 3.1.0'
    case 0x0311: return 'SMB 3.1.1'
    case 0x02ff: return 'SMB 2.???'
    default: return `0x${d.toString(16).padStart(4, '0')}`
  }
}

/** True for the SMB 3.x family (signing with AES-CMAC/GMAC, encryption, KDF). */
export const isSmb3 = (d: number): boolean => d >= 0x0300 && d !== 0x02ff
