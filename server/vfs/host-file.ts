/**
 * `HostFile`: the host descriptor behind one open, with the subset of `fs.promises.FileHandle` the VFS uses.
 *
 * Why not a `FileHandle`: each of its calls is a thread-pool job. For the small metadata-sized calls of a typical
 * SMB workload (open, fstat, close, a 4 KiB read or write answered by the page cache) the job itself takes a
 * microsecond or two while the round trip to the pool and back costs tens to hundreds of microseconds on a busy
 * host, which made those calls most of a CREATE's, READ's or CLOSE's latency. Here open, fstat, close, futimes,
 * transfers up to `SYNC_IO_LIMIT` bytes and small truncations run synchronously; larger transfers, truncations that
 * free many blocks and syncs still go to the pool, so big files never hold the event loop for long.
 *
 * As FileHandle does, a close waits for the pool jobs still running on the descriptor, so a number the kernel hands
 * out again can never receive another file's data.
 * @module
 */
import { closeSync, fdatasync, fstatSync, fsync, ftruncate, ftruncateSync, futimesSync, openSync, read, readSync, write, writeSync, type BigIntStats } from 'node:fs'

/** Reads and writes up to this size run synchronously (page-cache speed); larger ones on the thread pool. */
export const SYNC_IO_LIMIT = 64 * 1024
/** A truncation that frees up to this many bytes runs synchronously. */
const SYNC_TRUNCATE_LIMIT = 1024 * 1024

export class HostFile {
  private descriptor: number
  /** Thread-pool jobs running on the descriptor, and the close waiting for them. */
  private pending = 0
  private closeWaiter: (() => void) | undefined

  private constructor(fd: number) {
    this.descriptor = fd
  }

  /** Opens `abs` with open(2) `flags` (and `mode` when creating). Throws the errno error as fs.openSync does. */
  static open(abs: string, flags: number, mode?: number): HostFile {
    return new HostFile(openSync(abs, flags, mode))
  }

  /** The descriptor, or -1 once closed. */
  get fd(): number {
    return this.descriptor
  }

  stat(): BigIntStats {
    return fstatSync(this.descriptor, { bigint: true })
  }

  async read(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (length <= SYNC_IO_LIMIT) return { bytesRead: readSync(this.descriptor, buf, offset, length, position) }
    return this.onPool((done) => read(this.descriptor, buf, offset, length, position, (e, n) => done(e, { bytesRead: n })))
  }

  async write(data: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    if (length <= SYNC_IO_LIMIT) return { bytesWritten: writeSync(this.descriptor, data, offset, length, position) }
    return this.onPool((done) => write(this.descriptor, data, offset, length, position, (e, n) => done(e, { bytesWritten: n })))
  }

  /** Sets the size; synchronously unless it frees more than `SYNC_TRUNCATE_LIMIT` bytes (a slow block release). */
  async truncate(length: number): Promise<void> {
    if (Number(this.stat().size) - length <= SYNC_TRUNCATE_LIMIT) return ftruncateSync(this.descriptor, length)
    return this.onPool((done) => ftruncate(this.descriptor, length, (e) => done(e, undefined)))
  }

  async utimes(atime: number, mtime: number): Promise<void> {
    futimesSync(this.descriptor, atime, mtime)
  }

  sync(): Promise<void> {
    return this.onPool((done) => fsync(this.descriptor, (e) => done(e, undefined)))
  }

  datasync(): Promise<void> {
    return this.onPool((done) => fdatasync(this.descriptor, (e) => done(e, undefined)))
  }

  /** Closes the descriptor once the pool jobs on it have finished (once; later calls do nothing). */
  async close(): Promise<void> {
    const fd = this.descriptor
    if (fd < 0) return
    this.descriptor = -1
    if (this.pending > 0) await new Promise<void>((resolve) => (this.closeWaiter = resolve))
    closeSync(fd)
  }

  /** Runs one callback-style job on the pool, counted so that `close` waits for it. */
  private onPool<T>(start: (done: (e: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
    if (this.descriptor < 0) return Promise.reject(Object.assign(new Error('EBADF: file closed'), { code: 'EBADF' }))
    this.pending++
    return new Promise<T>((resolve, reject) => {
      start((e, value) => {
        if (--this.pending === 0 && this.closeWaiter) {
          const w = this.closeWaiter
          this.closeWaiter = undefined
          w()
        }
        if (e) reject(e)
        else resolve(value)
      })
    })
  }
}
