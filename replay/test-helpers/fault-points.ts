/**
 * Where a fault test pulls the cable: for each durable open of a capture that was granted and later closed, every
 * frame from the grant's response up to (not including) the close request, on any connection. An outage injected
 * after each of these frames must be survived: the client reconnects (PreviousSessionId, DHnC/DH2C) and the rest of
 * the capture runs on.
 * @module
 */
import { dissectAll } from '../../dissect/trace/dissect-file.js'
import { isSmb, type SmbRecord } from '../../dissect/trace/record.js'

export interface FaultPlan {
  /** Durable open id (the dissector's numbering) → its grant response frame and close request frame (or the end). */
  opens: Array<{ open: number; granted: number; closed: number; path: string | undefined }>
  /** Request frames after which to inject an outage, ascending, without duplicates. */
  points: number[]
}

export async function faultPoints(file: string, opts: { password?: string } = {}): Promise<FaultPlan> {
  const { items } = await dissectAll(file, opts.password ? { passwords: [opts.password] } : {})
  const recs = items.map((d) => d.record).filter(isSmb) as SmbRecord[]
  const opens: FaultPlan['opens'] = []
  const byOpen = new Map<number, SmbRecord[]>()
  for (const r of recs) {
    if (!r.durable) continue
    const list = byOpen.get(r.durable.open) ?? []
    list.push(r)
    byOpen.set(r.durable.open, list)
  }
  for (const [open, list] of byOpen) {
    const grant = list.find((r) => r.dir === 'response' && / granted$/.test(r.durable!.event))
    const close = list.find((r) => r.dir === 'request' && r.durable!.event === 'close')
    // An open the capture never closes is followed to the end of the capture.
    const end = close?.frame ?? recs[recs.length - 1]!.frame + 1
    if (grant && end > grant.frame) opens.push({ open, granted: grant.frame, closed: end, path: grant.path })
  }
  const points = new Set<number>()
  for (const o of opens) {
    points.add(o.granted)
    for (const r of recs) if (r.dir === 'request' && r.frame > o.granted && r.frame < o.closed) points.add(r.frame)
  }
  return { opens, points: [...points].sort((a, b) => a - b) }
}
