/**
 * MS-DTYP 2.4.6 — SECURITY_DESCRIPTOR in self-relative form: the buffer of QUERY_INFO/SET_INFO with
 * InfoType SECURITY (MS-SMB2 2.2.37/2.2.39) and of the SecD create context (2.2.13.2.x). Offsets count from
 * the descriptor's first byte; zero means the part is absent.
 * @module
 */
import { fixed, offsetOf, opt, reserved, struct, u16, u32, u8, type Infer, type Input, type VarCodec } from '../../wire/index.js'
import { flagNamer } from '../constants/names.js'
import { optionalAcl, type AclInput } from './acl.js'
import { optionalSid } from './sid.js'

/** SECURITY_DESCRIPTOR.Control (MS-DTYP 2.4.6). */
export const SdControl = {
  OwnerDefaulted: 0x0001,
  GroupDefaulted: 0x0002,
  DaclPresent: 0x0004,
  DaclDefaulted: 0x0008,
  SaclPresent: 0x0010,
  SaclDefaulted: 0x0020,
  DaclTrusted: 0x0040,
  ServerSecurity: 0x0080,
  DaclAutoInheritReq: 0x0100,
  SaclAutoInheritReq: 0x0200,
  DaclAutoInherited: 0x0400,
  SaclAutoInherited: 0x0800,
  DaclProtected: 0x1000,
  SaclProtected: 0x2000,
  RmControlValid: 0x4000,
  SelfRelative: 0x8000,
} as const
export const sdControlNames = flagNamer(SdControl, { prefix: 'SE_' })

/** Present on decode when its offset is non-zero; on encode when given (null writes nothing, offset 0). */
const present = (offsetKey: string) => (f: Record<string, unknown>) => f[offsetKey] !== 0

/**
 * The descriptor. Canonical encoding places owner, group, SACL, DACL in that order right after the
 * 20-byte header (4-byte aligned), as Samba's smbd does; decoded offsets are honoured on re-encode.
 */
export const SecurityDescriptor = struct('SecurityDescriptor', {
  revision: fixed(u8, 1),
  sbz1: reserved(u8),
  control: u16,
  offsetOwner: offsetOf('owner', u32, { emptyOffset: 0 }),
  offsetGroup: offsetOf('group', u32, { emptyOffset: 0 }),
  offsetSacl: offsetOf('sacl', u32, { emptyOffset: 0 }),
  offsetDacl: offsetOf('dacl', u32, { emptyOffset: 0 }),
}, {
  owner: opt(optionalSid, { when: present('offsetOwner'), align: 4 }),
  group: opt(optionalSid, { when: present('offsetGroup'), align: 4 }),
  sacl: opt(optionalAcl, { when: present('offsetSacl'), align: 4 }),
  dacl: opt(optionalAcl, { when: present('offsetDacl'), align: 4 }),
}, { base: 'self' })
export type SecurityDescriptor = Infer<typeof SecurityDescriptor>
export type SecurityDescriptorInput = Input<typeof SecurityDescriptor>

/**
 * A descriptor for the server to send: Control gets SE_SELF_RELATIVE and the PRESENT bits for the ACLs
 * given (a null DACL with `daclPresent` set is the "NULL DACL" that grants everyone everything).
 */
export function makeSecurityDescriptor(p: {
  owner?: string | null
  group?: string | null
  sacl?: AclInput | null
  dacl?: AclInput | null
  control?: number
  nullDacl?: boolean
}): SecurityDescriptorInput {
  let control = (p.control ?? 0) | SdControl.SelfRelative
  if (p.dacl || p.nullDacl) control |= SdControl.DaclPresent
  if (p.sacl) control |= SdControl.SaclPresent
  return { control, owner: p.owner ?? null, group: p.group ?? null, sacl: p.sacl ?? null, dacl: p.dacl ?? null }
}

/**
 * The descriptor as the variable item of another structure (the SecD create context's data, MS-SMB2
 * 2.2.13.2): reads the descriptor at the start of its window.
 */
export const securityDescriptorItem: VarCodec<SecurityDescriptor, SecurityDescriptorInput> = {
  name: 'SecurityDescriptor',
  read: (r, ctx) => SecurityDescriptor.read(r, ctx),
  write: (w, v, ctx) => SecurityDescriptor.write(w, v, ctx),
  empty: () => ({
    revision: 1, sbz1: 0, control: SdControl.SelfRelative, offsetOwner: 0, offsetGroup: 0, offsetSacl: 0, offsetDacl: 0,
    owner: null, group: null, sacl: null, dacl: null,
  }),
}
