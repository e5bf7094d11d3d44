/**
 * Captured → live identifiers. The server chooses SessionId, TreeId, FileId and AsyncId, so every one the
 * capture holds is looked up here before a request goes out; values the map has never seen (an id the
 * captured client made up to provoke an error, or one whose open failed live) pass through unchanged.
 * 0 and all-ones are markers (no session, "the previous request's" in related compounds) and never change.
 *
 * Client-chosen values (ClientGuid, CreateGuid, lease keys) are kept by default, which is what a reconnect
 * needs to find its open again; with `regenerate` each captured value gets one fresh random value, used
 * consistently everywhere it appears (and mapped back when the server names it in a break).
 * @module
 */
import { randomUUID } from 'node:crypto'
import type { FileId } from '../dissect/smb2/commands/file-id.js'

const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn
const ALL_ONES_32 = 0xffff_ffff

export const fileIdKey = (f: FileId): string =>
  f.persistent.toString(16).padStart(16, '0') + ':' + f.volatile.toString(16).padStart(16, '0')

const isMarker64 = (v: bigint): boolean => v === 0n || v === ALL_ONES_64
const isMarkerFileId = (f: FileId): boolean =>
  (f.persistent === ALL_ONES_64 && f.volatile === ALL_ONES_64) || (f.persistent === 0n && f.volatile === 0n)

export interface IdMapStats {
  sessions: number
  trees: number
  files: number
  asyncIds: number
  /** Lookups that found nothing and passed the captured value through. */
  unmapped: number
}

export class IdMap {
  private readonly sessions = new Map<bigint, bigint>()
  private readonly sessionsBack = new Map<bigint, bigint>()
  private readonly trees = new Map<string, number>()
  private readonly files = new Map<string, FileId>()
  private readonly filesBack = new Map<string, FileId>()
  private readonly asyncIds = new Map<bigint, bigint>()
  private readonly guids = new Map<string, string>()
  private readonly guidsBack = new Map<string, string>()
  private unmapped = 0

  constructor(readonly regenerate = false, private readonly newGuid: () => string = randomUUID) {}

  // ---- sessions -------------------------------------------------------------------------------------------

  setSession(captured: bigint, live: bigint): void {
    if (isMarker64(captured)) return
    this.sessions.set(captured, live)
    this.sessionsBack.set(live, captured)
  }

  /** The live SessionId for a captured one (unknown ones pass through). */
  session(captured: bigint): bigint {
    if (isMarker64(captured)) return captured
    const v = this.sessions.get(captured)
    if (v === undefined) {
      this.unmapped++
      return captured
    }
    return v
  }

  hasSession(captured: bigint): boolean {
    return this.sessions.has(captured)
  }

  capturedSession(live: bigint): bigint | undefined {
    return this.sessionsBack.get(live)
  }

  // ---- trees (per session: TreeIds are only unique within one) ----------------------------------------------

  setTree(capturedSession: bigint, captured: number, live: number): void {
    if (captured === 0 || captured === ALL_ONES_32) return
    this.trees.set(`${capturedSession}|${captured}`, live)
  }

  tree(capturedSession: bigint, captured: number): number {
    if (captured === 0 || captured === ALL_ONES_32) return captured
    const v = this.trees.get(`${capturedSession}|${captured}`)
    if (v === undefined) {
      this.unmapped++
      return captured
    }
    return v
  }

  /** Trees of a captured session (for an injected reconnect, which connects them again). */
  treesOf(capturedSession: bigint): Array<{ captured: number; live: number }> {
    const out: Array<{ captured: number; live: number }> = []
    const prefix = `${capturedSession}|`
    for (const [k, live] of this.trees) if (k.startsWith(prefix)) out.push({ captured: Number(k.slice(prefix.length)), live })
    return out
  }

  // ---- opens ------------------------------------------------------------------------------------------------

  setFile(captured: FileId, live: FileId): void {
    if (isMarkerFileId(captured)) return
    this.files.set(fileIdKey(captured), live)
    this.filesBack.set(fileIdKey(live), captured)
  }

  file(captured: FileId): FileId {
    if (isMarkerFileId(captured)) return captured
    const v = this.files.get(fileIdKey(captured))
    if (v === undefined) {
      this.unmapped++
      return captured
    }
    return v
  }

  hasFile(captured: FileId): boolean {
    return this.files.has(fileIdKey(captured))
  }

  /** The captured FileId a live one stands for (a break names the live one). */
  capturedFile(live: FileId): FileId | undefined {
    return this.filesBack.get(fileIdKey(live))
  }

  // ---- async operations -------------------------------------------------------------------------------------

  setAsyncId(captured: bigint, live: bigint): void {
    this.asyncIds.set(captured, live)
  }

  asyncId(captured: bigint): bigint | undefined {
    return this.asyncIds.get(captured)
  }

  // ---- client-chosen GUIDs (ClientGuid, CreateGuid, lease keys) --------------------------------------------

  /** The value to send for a captured client-chosen GUID: itself, or its regenerated stand-in. */
  guid(captured: string): string {
    if (!this.regenerate || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(captured)) return captured
    let v = this.guids.get(captured)
    if (v === undefined) {
      v = this.newGuid()
      this.guids.set(captured, v)
      this.guidsBack.set(v, captured)
    }
    return v
  }

  /** The captured GUID a live one stands for. */
  capturedGuid(live: string): string {
    return this.guidsBack.get(live) ?? live
  }

  stats(): IdMapStats {
    return { sessions: this.sessions.size, trees: this.trees.size, files: this.files.size, asyncIds: this.asyncIds.size, unmapped: this.unmapped }
  }
}
