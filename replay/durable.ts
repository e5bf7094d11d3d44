/**
 * The durable opens of a replay: each durable or persistent open the replayed client asked for (DHnQ or
 * DH2Q), whether the live server granted it as the captured one did, every reconnect (captured DHnC/DH2C on
 * a new connection, or injected by the replay) with its captured and live status, and whether READs after a
 * reconnect returned the captured data. The report's `durable` section and the "no divergence on any durable
 * reconnect" bar come from here.
 * @module
 */
import type { DurableOpen } from '../dissect/trace/dissector.js'
import type { FileId } from '../dissect/smb2/commands/file-id.js'
import { fileIdKey } from './id-map.js'
import type { DurableSummary } from './types.js'

export interface DurableTrack {
  id: number
  /** The CREATE step that asked for it. */
  step: number
  requestFrame: number
  path: string
  kind: 'DHnQ' | 'DH2Q'
  persistent: boolean
  /** Captured connection it lives on now (a reconnect moves it). */
  conn: string
  capturedSession: bigint
  capturedTree: number
  /** Captured client-chosen CreateGuid (DH2Q). */
  createGuid?: string
  /** Captured FileIds that name this open (the grant's and every reconnect's). */
  capturedFileIds: Set<string>
  /** The newest captured FileId (what later captured requests use). */
  capturedFileId?: FileId
  liveFileId?: FileId
  expectedGranted: boolean | null
  granted: boolean | null
  closed: boolean
  reconnects: Array<{ frame: number; kind: string; injected: boolean; expected: string | null; actual: string | null }>
  /** Data checks of READs after a reconnect. */
  reads: boolean[]
  captured?: DurableOpen
}

export class DurableTracker {
  readonly opens: DurableTrack[] = []
  private readonly byCaptured = new Map<string, DurableTrack>()

  constructor(private readonly captured: readonly DurableOpen[]) {}

  /** A CREATE that asked for a durable handle got its answer. */
  requested(t: Omit<DurableTrack, 'id' | 'capturedFileIds' | 'closed' | 'reconnects' | 'reads' | 'expectedGranted' | 'captured'>, capturedGranted: boolean | null): DurableTrack {
    const captured = this.captured.find((d) => d.requestFrame === t.requestFrame && (d.path === t.path || !t.path))
    const track: DurableTrack = {
      ...t,
      id: this.opens.length + 1,
      capturedFileIds: new Set(),
      closed: false,
      reconnects: [],
      reads: [],
      expectedGranted: capturedGranted,
    }
    if (captured) track.captured = captured
    if (t.capturedFileId) this.link(track, t.capturedFileId)
    this.opens.push(track)
    return track
  }

  link(track: DurableTrack, capturedFileId: FileId): void {
    track.capturedFileId = capturedFileId
    track.capturedFileIds.add(fileIdKey(capturedFileId))
    this.byCaptured.set(fileIdKey(capturedFileId), track)
  }

  /** The durable open a captured FileId names (by the full id, or by its persistent half as DHnC/DH2C use it). */
  find(capturedFileId: FileId): DurableTrack | undefined {
    const exact = this.byCaptured.get(fileIdKey(capturedFileId))
    if (exact) return exact
    for (const t of this.opens) if (t.capturedFileId?.persistent === capturedFileId.persistent) return t
    return undefined
  }

  /** Open durable handles of a captured connection (what an injected outage must reconnect). */
  openOn(conn: string): DurableTrack[] {
    return this.opens.filter((t) => t.conn === conn && t.granted && !t.closed && t.liveFileId)
  }

  summary(): DurableSummary[] {
    const out: DurableSummary[] = []
    for (const t of this.opens) {
      const reconnectsOk = t.reconnects.every((r) => r.expected === r.actual)
      const dataIntact = t.reads.length ? t.reads.every((x) => x) : null
      const s: DurableSummary = {
        id: t.id,
        path: t.path,
        kind: t.persistent ? `${t.kind} persistent` : t.kind,
        requestFrame: t.requestFrame,
        granted: { expected: t.expectedGranted, actual: t.granted },
        reconnects: t.reconnects,
        dataIntact,
        verdict: t.expectedGranted === t.granted && reconnectsOk && dataIntact !== false ? 'match' : 'diverged',
      }
      const why: string[] = []
      if (t.expectedGranted !== t.granted) why.push(t.granted ? 'granted live, not in the capture' : 'not granted live')
      for (const r of t.reconnects) {
        if (r.expected !== r.actual) why.push(`${r.injected ? 'injected ' : ''}${r.kind} reconnect at frame ${r.frame}: ${r.actual ?? 'no answer'} (captured ${r.expected ?? 'none'})`)
      }
      if (dataIntact === false) why.push('data read after a reconnect differs from the capture')
      if (why.length) s.note = why.join('; ')
      out.push(s)
    }
    return out
  }
}
