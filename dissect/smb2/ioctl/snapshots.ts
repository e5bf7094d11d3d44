/**
 * MS-SMB2 2.2.32.2 — SRV_SNAPSHOT_ARRAY (the FSCTL_SRV_ENUMERATE_SNAPSHOTS response): counts, then the
 * snapshot names (`@GMT-YYYY.MM.DD-HH.MM.SS`) as a UTF-16 multi-string. When the client's buffer is too
 * small the server sends only the counts and the size it needs: `snapShots` is then null.
 * @module
 */
import { Reader, Writer, type Codec } from '../../wire/index.js'

export interface SrvSnapshotArray {
  numberOfSnapShots: number
  numberOfSnapShotsReturned: number
  snapShotArraySize: number
  /** Names in the multi-string, or null when no array bytes were sent. */
  snapShots: string[] | null
}
export interface SrvSnapshotArrayInput {
  numberOfSnapShots?: number
  numberOfSnapShotsReturned?: number
  snapShotArraySize?: number
  snapShots: string[] | null
}

export const SrvSnapshotArray: Codec<SrvSnapshotArray, SrvSnapshotArrayInput> = {
  name: 'SrvSnapshotArray',
  read(r: Reader) {
    const numberOfSnapShots = r.field('numberOfSnapShots', () => r.u32())
    const numberOfSnapShotsReturned = r.field('numberOfSnapShotsReturned', () => r.u32())
    const snapShotArraySize = r.field('snapShotArraySize', () => r.u32())
    if (r.remaining === 0) return { numberOfSnapShots, numberOfSnapShotsReturned, snapShotArraySize, snapShots: null }
    if (snapShotArraySize > r.remaining) r.fail(`SnapShotArraySize ${snapShotArraySize} runs past the buffer (${r.remaining} bytes)`)
    const snapShots = r.field('snapShots', () => {
      const out: string[] = []
      const end = r.pos + snapShotArraySize
      for (;;) {
        const start = r.pos
        for (;;) {
          if (r.pos + 2 > end) r.fail('snapshot multi-string is not NUL-terminated', start)
          if (r.u16() === 0) break
        }
        const len = r.pos - 2 - start
        r.seek(start)
        const name = r.utf16(len)
        r.skip(2)
        if (name === '') break
        out.push(name)
        if (r.pos >= end) break
      }
      if (r.pos < end) r.skip(end - r.pos)
      return out
    })
    return { numberOfSnapShots, numberOfSnapShotsReturned, snapShotArraySize, snapShots }
  },
  write(w: Writer, v: SrvSnapshotArrayInput) {
    const list = v.snapShots
    const body = list === null ? Buffer.alloc(0) : Buffer.from(list.map((s) => s + '\0').join('') + '\0', 'utf16le')
    w.u32(v.numberOfSnapShots ?? list?.length ?? 0)
    w.u32(v.numberOfSnapShotsReturned ?? list?.length ?? 0)
    w.u32(v.snapShotArraySize ?? body.length)
    w.bytes(body)
    if (v.snapShotArraySize !== undefined && list !== null && v.snapShotArraySize > body.length) w.zeros(v.snapShotArraySize - body.length)
  },
}
