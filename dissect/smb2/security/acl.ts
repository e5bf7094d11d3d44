/**
 * MS-DTYP 2.4.4 (ACE) and 2.4.5 (ACL). ACEs whose body is Mask + SID (allowed, denied, audit, alarm, their
 * callback forms, mandatory label, resource attribute, scoped policy) and the object ACEs (Mask, Flags,
 * optional ObjectType and InheritedObjectType GUIDs, SID) are decoded; bytes after the SID inside AceSize
 * (callback application data, resource attribute values, padding) are kept as `applicationData`. Any other
 * ACE type keeps its body raw. AceSize and AclSize are honoured when given and computed (4-byte aligned)
 * when not.
 * @module
 */
import { Reader, Writer, guid, type Codec, type Ctx, type VarCodec } from '../../wire/index.js'
import { flagNamer, valueNamer } from '../constants/names.js'
import { Sid } from './sid.js'

export const AceType = {
  AccessAllowed: 0x00,
  AccessDenied: 0x01,
  SystemAudit: 0x02,
  SystemAlarm: 0x03,
  AccessAllowedCompound: 0x04,
  AccessAllowedObject: 0x05,
  AccessDeniedObject: 0x06,
  SystemAuditObject: 0x07,
  SystemAlarmObject: 0x08,
  AccessAllowedCallback: 0x09,
  AccessDeniedCallback: 0x0a,
  AccessAllowedCallbackObject: 0x0b,
  AccessDeniedCallbackObject: 0x0c,
  SystemAuditCallback: 0x0d,
  SystemAlarmCallback: 0x0e,
  SystemAuditCallbackObject: 0x0f,
  SystemAlarmCallbackObject: 0x10,
  SystemMandatoryLabel: 0x11,
  SystemResourceAttribute: 0x12,
  SystemScopedPolicyId: 0x13,
} as const
/** `ACCESS_ALLOWED_ACE_TYPE`, ... */
export const aceTypeName = valueNamer(AceType, { suffix: '_ACE_TYPE' }, 2)

export const AceFlags = {
  ObjectInherit: 0x01,
  ContainerInherit: 0x02,
  NoPropagateInherit: 0x04,
  InheritOnly: 0x08,
  Inherited: 0x10,
  Critical: 0x20,
  SuccessfulAccess: 0x40,
  FailedAccess: 0x80,
} as const
export const aceFlagNames = flagNamer(AceFlags, {
  suffix: '_ACE',
  overrides: { Critical: 'CRITICAL_ACE_FLAG', SuccessfulAccess: 'SUCCESSFUL_ACCESS_ACE_FLAG', FailedAccess: 'FAILED_ACCESS_ACE_FLAG' },
})

/** Flags of an object ACE (which GUIDs follow). */
export const ObjectAceFlags = {
  ObjectTypePresent: 0x1,
  InheritedObjectTypePresent: 0x2,
} as const

/** SYSTEM_MANDATORY_LABEL_ACE mask bits (MS-DTYP 2.4.4.13). */
export const MandatoryLabelMask = {
  NoWriteUp: 0x1,
  NoReadUp: 0x2,
  NoExecuteUp: 0x4,
} as const

const MASK_SID_TYPES = new Set<number>([0x00, 0x01, 0x02, 0x03, 0x09, 0x0a, 0x0d, 0x0e, 0x11, 0x12, 0x13])
const OBJECT_TYPES = new Set<number>([0x05, 0x06, 0x07, 0x08, 0x0b, 0x0c, 0x0f, 0x10])

export const isObjectAceType = (t: number): boolean => OBJECT_TYPES.has(t)
export const isMaskSidAceType = (t: number): boolean => MASK_SID_TYPES.has(t)

interface AceHeader {
  aceType: number
  aceFlags: number
  /** Wire AceSize; computed (4-aligned) on encode when absent. */
  aceSize: number
}
/** An ACE whose body is Mask + SID (+ application data). */
export interface MaskSidAce extends AceHeader {
  mask: number
  sid: string
  applicationData: Buffer
}
/** An object ACE (MS-DTYP 2.4.4.3 and friends). */
export interface ObjectAce extends AceHeader {
  mask: number
  flags: number
  objectType: string | null
  inheritedObjectType: string | null
  sid: string
  applicationData: Buffer
}
/** An ACE type this codec does not take apart. */
export interface RawAce extends AceHeader {
  body: Buffer
}
export type Ace = MaskSidAce | ObjectAce | RawAce
type Opt<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>
export type AceInput =
  | Opt<MaskSidAce, 'aceSize' | 'applicationData'>
  | Opt<ObjectAce, 'aceSize' | 'applicationData' | 'flags' | 'objectType' | 'inheritedObjectType'>
  | Opt<RawAce, 'aceSize'>

function readAce(r: Reader, ctx: Ctx): Ace {
  const start = r.pos
  const aceType = r.field('aceType', () => r.u8())
  const aceFlags = r.field('aceFlags', () => r.u8())
  const aceSize = r.field('aceSize', () => r.u16())
  if (aceSize < 4) r.fail(`AceSize ${aceSize} is smaller than the ACE header`, start + 2)
  if (aceSize > r.end - start) r.fail(`AceSize ${aceSize} runs past the ACL (${r.end - start} bytes left)`, start + 2)
  const b = r.window(start + 4, aceSize - 4)
  let ace: Ace
  if (MASK_SID_TYPES.has(aceType)) {
    const mask = b.field('mask', () => b.u32())
    const sid = b.field('sid', () => Sid.read(b, ctx))
    const applicationData = b.field('applicationData', () => b.rest())
    ace = { aceType, aceFlags, aceSize, mask, sid, applicationData }
  } else if (OBJECT_TYPES.has(aceType)) {
    const mask = b.field('mask', () => b.u32())
    const flags = b.field('flags', () => b.u32())
    const objectType = flags & 1 ? b.field('objectType', () => b.guid()) : null
    const inheritedObjectType = flags & 2 ? b.field('inheritedObjectType', () => b.guid()) : null
    const sid = b.field('sid', () => Sid.read(b, ctx))
    const applicationData = b.field('applicationData', () => b.rest())
    ace = { aceType, aceFlags, aceSize, mask, flags, objectType, inheritedObjectType, sid, applicationData }
  } else {
    ace = { aceType, aceFlags, aceSize, body: b.field('body', () => b.rest()) }
  }
  r.seek(start + aceSize)
  return ace
}

function writeAce(w: Writer, a: AceInput, ctx: Ctx): void {
  const start = w.pos
  w.u8(a.aceType)
  w.u8(a.aceFlags)
  w.u16(0) // AceSize, patched below
  if ('body' in a) {
    w.bytes(a.body)
  } else if ('flags' in a || OBJECT_TYPES.has(a.aceType)) {
    const o = a as Opt<ObjectAce, 'aceSize' | 'applicationData' | 'flags' | 'objectType' | 'inheritedObjectType'>
    const objectType = o.objectType ?? null
    const inheritedObjectType = o.inheritedObjectType ?? null
    const flags = o.flags ?? ((objectType !== null ? 1 : 0) | (inheritedObjectType !== null ? 2 : 0))
    w.u32(o.mask)
    w.u32(flags)
    if (flags & 1) {
      if (objectType === null) w.fail('Flags has ACE_OBJECT_TYPE_PRESENT but objectType is null')
      guid.write(w, objectType, ctx)
    }
    if (flags & 2) {
      if (inheritedObjectType === null) w.fail('Flags has ACE_INHERITED_OBJECT_TYPE_PRESENT but inheritedObjectType is null')
      guid.write(w, inheritedObjectType, ctx)
    }
    Sid.write(w, o.sid, ctx)
    if (o.applicationData) w.bytes(o.applicationData)
  } else {
    const m = a as Opt<MaskSidAce, 'aceSize' | 'applicationData'>
    w.u32(m.mask)
    Sid.write(w, m.sid, ctx)
    if (m.applicationData) w.bytes(m.applicationData)
  }
  let size = w.pos - start
  if (a.aceSize !== undefined) {
    if (a.aceSize < size) w.fail(`aceSize ${a.aceSize} is smaller than the ACE (${size} bytes)`)
    w.zeros(a.aceSize - size)
    size = a.aceSize
  } else if (size % 4) {
    w.zeros(4 - (size % 4)) // MS-DTYP 2.4.4.1: AceSize is a multiple of 4
    size = w.pos - start
  }
  if (size > 0xffff) w.fail(`ACE of ${size} bytes does not fit AceSize`)
  w.patch(start + 2, (pw) => pw.u16(size))
}

export const AceCodec: Codec<Ace, AceInput> = { name: 'Ace', read: readAce, write: writeAce }

/** MS-DTYP 2.4.5 — ACL. */
export interface Acl {
  aclRevision: number
  sbz1: number
  /** Wire AclSize (header and ACEs, plus any slack the writer left). */
  aclSize: number
  aceCount: number
  sbz2: number
  aces: Ace[]
}
export interface AclInput {
  /** ACL_REVISION (2), or ACL_REVISION_DS (4) when object ACEs are present; computed when absent. */
  aclRevision?: number
  sbz1?: number
  aclSize?: number
  aceCount?: number
  sbz2?: number
  aces: AceInput[]
}

function readAcl(r: Reader, ctx: Ctx): Acl {
  const start = r.pos
  const aclRevision = r.field('aclRevision', () => r.u8())
  const sbz1 = r.field('sbz1', () => r.u8())
  const aclSize = r.field('aclSize', () => r.u16())
  const aceCount = r.field('aceCount', () => r.u16())
  const sbz2 = r.field('sbz2', () => r.u16())
  if (aclSize < 8) r.fail(`AclSize ${aclSize} is smaller than the ACL header`, start + 2)
  if (aclSize > r.end - start) r.fail(`AclSize ${aclSize} runs past the buffer (${r.end - start} bytes left)`, start + 2)
  const body = r.window(start + 8, aclSize - 8)
  body.path.push('aces')
  const aces: Ace[] = []
  for (let i = 0; i < aceCount; i++) aces.push(body.field(String(i), () => readAce(body, ctx)))
  r.seek(start + aclSize)
  return { aclRevision, sbz1, aclSize, aceCount, sbz2, aces }
}

function writeAcl(w: Writer, a: AclInput, ctx: Ctx): void {
  const start = w.pos
  const revision = a.aclRevision ?? (a.aces.some((e) => OBJECT_TYPES.has(e.aceType)) ? 4 : 2)
  w.u8(revision)
  w.u8(a.sbz1 ?? 0)
  w.u16(0) // AclSize, patched below
  w.u16(a.aceCount ?? a.aces.length)
  w.u16(a.sbz2 ?? 0)
  a.aces.forEach((e, i) => {
    w.path.push('aces', String(i))
    writeAce(w, e, ctx)
    w.path.length -= 2
  })
  let size = w.pos - start
  if (a.aclSize !== undefined) {
    if (a.aclSize < size) w.fail(`aclSize ${a.aclSize} is smaller than the ACL (${size} bytes)`)
    w.zeros(a.aclSize - size)
    size = a.aclSize
  }
  if (size > 0xffff) w.fail(`ACL of ${size} bytes does not fit AclSize`)
  w.patch(start + 2, (pw) => pw.u16(size))
}

export const AclCodec: Codec<Acl, AclInput> = { name: 'Acl', read: readAcl, write: writeAcl }

/** An ACL pointed to by an offset where zero means absent (SECURITY_DESCRIPTOR SACL/DACL): null when absent. */
export const optionalAcl: VarCodec<Acl | null, AclInput | null> = {
  name: 'Acl',
  read: (r, ctx) => readAcl(r, ctx),
  write: (w, v, ctx) => {
    if (v !== null) writeAcl(w, v, ctx)
  },
  empty: () => null,
}
