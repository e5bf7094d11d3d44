/**
 * MS-SMB2 2.2.23 – 2.2.25 — OPLOCK_BREAK: one command code, six messages told apart by direction and
 * StructureSize: 24 for the oplock break Notification / Acknowledgment / Response (one layout), 44 for the
 * Lease Break Notification, 36 for the Lease Break Acknowledgment / Response (one layout). A notification is
 * an unsolicited response with MessageId 0xFFFFFFFFFFFFFFFF (MS-SMB2 3.3.4.6).
 *
 * `OplockBreakRequest` / `OplockBreakResponse` pick the variant from the StructureSize they read (and, on
 * encode, from the value's structureSize or shape); the registry hands out the exact variant when it
 * already knows the StructureSize, so traces show which message it was.
 * @module
 */
import { DecodeError, custom, fixed, guid, reserved, struct, u16, u32, u64, u8, type Codec, type Ctx, type Infer, type Reader, type Writer } from '../../wire/index.js'
import { FileId } from './file-id.js'

const oplockFields = {
  structureSize: fixed(u16, 24),
  oplockLevel: u8,
  reserved: reserved(u8),
  reserved2: reserved(u32),
  fileId: FileId,
}

/** MS-SMB2 2.2.23.1 — Oplock Break Notification (server → client). */
export const OplockBreakNotification = struct('OplockBreakNotification', oplockFields)
export type OplockBreakNotification = Infer<typeof OplockBreakNotification>

/** MS-SMB2 2.2.24.1 — Oplock Break Acknowledgment (client → server). */
export const OplockBreakAcknowledgment = struct('OplockBreakAcknowledgment', oplockFields)
export type OplockBreakAcknowledgment = Infer<typeof OplockBreakAcknowledgment>

/** MS-SMB2 2.2.25.1 — Oplock Break Response (server → client, answers the acknowledgment). */
export const OplockResponse = struct('OplockBreakResponse', oplockFields)
export type OplockResponse = Infer<typeof OplockResponse>

/** MS-SMB2 2.2.23.2 — Lease Break Notification (server → client). */
export const LeaseBreakNotification = struct('LeaseBreakNotification', {
  structureSize: fixed(u16, 44),
  /** 3.x: the lease epoch; reserved in 2.1. */
  newEpoch: u16,
  flags: u32,
  leaseKey: guid,
  currentLeaseState: u32,
  newLeaseState: u32,
  breakReason: u32,
  accessMaskHint: u32,
  shareMaskHint: u32,
})
export type LeaseBreakNotification = Infer<typeof LeaseBreakNotification>

const leaseAckFields = {
  structureSize: fixed(u16, 36),
  reserved: reserved(u16),
  flags: u32,
  leaseKey: guid,
  leaseState: u32,
  leaseDuration: u64,
}

/** MS-SMB2 2.2.24.2 — Lease Break Acknowledgment (client → server). */
export const LeaseBreakAcknowledgment = struct('LeaseBreakAcknowledgment', leaseAckFields)
export type LeaseBreakAcknowledgment = Infer<typeof LeaseBreakAcknowledgment>

/** MS-SMB2 2.2.25.2 — Lease Break Response (server → client). */
export const LeaseBreakResponse = struct('LeaseBreakResponse', leaseAckFields)
export type LeaseBreakResponse = Infer<typeof LeaseBreakResponse>

export type OplockBreakRequest = OplockBreakAcknowledgment | LeaseBreakAcknowledgment
export type OplockBreakResponse = OplockBreakNotification | OplockResponse | LeaseBreakNotification | LeaseBreakResponse

type Variants = Readonly<Record<number, Codec<any, any>>>

function peekStructureSize(r: Reader): number {
  r.need(2)
  return r.buf.readUInt16LE(r.pos)
}

function shapeSize(v: Record<string, unknown>): number {
  if (typeof v['structureSize'] === 'number') return v['structureSize']
  if ('newEpoch' in v || 'breakReason' in v) return 44
  if ('leaseKey' in v) return 36
  return 24
}

function byStructureSize<T>(name: string, variants: Variants): Codec<T, any> {
  const sizes = Object.keys(variants).join(', ')
  return custom<T, any>(
    name,
    (r: Reader, ctx: Ctx) => {
      const at = r.pos
      const size = peekStructureSize(r)
      const codec = variants[size]
      if (!codec) throw new DecodeError(`structureSize must be one of ${sizes}, got ${size}`, at, [...r.path, 'structureSize'])
      return codec.read(r, ctx) as T
    },
    (w: Writer, v: Record<string, unknown>, ctx: Ctx) => {
      const size = shapeSize(v)
      const codec = variants[size]
      if (!codec) w.fail(`structureSize must be one of ${sizes}, got ${size}`)
      codec.write(w, v, ctx)
    },
  )
}

/** Client → server: 24 = Oplock Break Acknowledgment, 36 = Lease Break Acknowledgment. */
export const OplockBreakRequest = byStructureSize<OplockBreakRequest>('OplockBreakRequest', {
  24: OplockBreakAcknowledgment,
  36: LeaseBreakAcknowledgment,
})

/** Server → client: 24 = Oplock Break Notification or Response, 44 = Lease Break Notification, 36 = Lease Break Response. */
export const OplockBreakResponse = byStructureSize<OplockBreakResponse>('OplockBreakResponse', {
  24: OplockResponse,
  36: LeaseBreakResponse,
  44: LeaseBreakNotification,
})

/**
 * The exact variant for a message whose direction, StructureSize and MessageId are known (undefined for a
 * StructureSize that names no variant).
 */
export function oplockBreakVariant(response: boolean, structureSize: number, messageId?: bigint): Codec<any, any> | undefined {
  if (!response) return structureSize === 24 ? OplockBreakAcknowledgment : structureSize === 36 ? LeaseBreakAcknowledgment : undefined
  switch (structureSize) {
    case 24: return messageId === 0xffff_ffff_ffff_ffffn ? OplockBreakNotification : OplockResponse
    case 36: return LeaseBreakResponse
    case 44: return LeaseBreakNotification
    default: return undefined
  }
}
