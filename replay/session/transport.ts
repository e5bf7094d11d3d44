/**
 * One live TCP connection to the target, framed as MS-SMB2 2.1 Direct TCP (a zero byte and a 24-bit
 * big-endian length before each SMB transport message). Incoming bytes go through dissect/capture's
 * `NetbiosFramer`; every transport message in either direction is also handed to an optional tap (the pcap
 * recorder) exactly as it went over the wire.
 * @module
 */
import { Socket, connect } from 'node:net'
import { NetbiosFramer } from '../../dissect/capture/index.js'

export interface TransportTap {
  open(t: Transport): void
  data(t: Transport, fromClient: boolean, message: Buffer): void
  close(t: Transport, by: 'client' | 'server', reset: boolean): void
}

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it is. */
function plainAddress(a: string | undefined): string {
  if (!a) return '0.0.0.0'
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a
}

export class TransportError extends Error {
  override readonly name = 'TransportError'
}

export type CloseReason = { by: 'client' | 'server'; reset: boolean; error?: string }

export class Transport {
  private readonly framer = new NetbiosFramer({ validateMagic: true })
  private closed: CloseReason | undefined
  private readonly closeWaiters: Array<(r: CloseReason) => void> = []
  onMessage: (message: Buffer) => void = () => {}
  onClose: (reason: CloseReason) => void = () => {}
  /** `"cliIP:port-srvIP:port"`, as the trace records name connections. */
  readonly id: string
  readonly local: { address: string; port: number }
  readonly remote: { address: string; port: number }

  private constructor(
    private readonly socket: Socket,
    private readonly tap: TransportTap | undefined,
  ) {
    this.local = { address: plainAddress(socket.localAddress), port: socket.localPort ?? 0 }
    this.remote = { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 }
    const show = (a: { address: string; port: number }) => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)
    this.id = `${show(this.local)}-${show(this.remote)}`
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      for (const out of this.framer.push(chunk)) {
        if (out.kind === 'message') {
          this.tap?.data(this, false, out.data)
          this.onMessage(out.data)
        } else if (out.kind === 'bad') {
          this.destroy(`bad transport frame from the server: ${out.reason}`)
          return
        }
      }
    })
    socket.on('error', (e) => this.finish({ by: 'server', reset: true, error: e.message }))
    socket.on('end', () => {
      // The server half-closed: close our side too (SMB has no use for a half-open connection).
      socket.end()
      this.finish({ by: 'server', reset: false })
    })
    socket.on('close', () => this.finish({ by: 'server', reset: false }))
    tap?.open(this)
  }

  /** Connects; rejects with TransportError (refused, unreachable, timeout). */
  static connect(host: string, port: number, opts: { timeoutMs?: number; tap?: TransportTap } = {}): Promise<Transport> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new TransportError(`connect to ${host}:${port} timed out after ${opts.timeoutMs ?? 10000} ms`))
      }, opts.timeoutMs ?? 10000)
      socket.once('error', (e) => {
        clearTimeout(timer)
        reject(new TransportError(`cannot connect to ${host}:${port}: ${e.message}`))
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new Transport(socket, opts.tap))
      })
    })
  }

  get isClosed(): boolean {
    return this.closed !== undefined
  }

  get closeReason(): CloseReason | undefined {
    return this.closed
  }

  /** Sends one transport message (an SMB2 message, compound chain or transform). */
  send(message: Buffer): void {
    if (this.closed) throw new TransportError(`connection ${this.id} is closed`)
    if (message.length > 0xffffff) throw new TransportError(`a transport message of ${message.length} bytes does not fit the 24-bit length`)
    const hdr = Buffer.allocUnsafe(4)
    hdr.writeUInt32BE(message.length) // byte 0 stays 0: session message (MS-SMB2 2.1)
    this.tap?.data(this, true, message)
    if (message.length < 16384) this.socket.write(Buffer.concat([hdr, message]))
    else {
      // Large messages: no copy, one writev.
      this.socket.cork()
      this.socket.write(hdr)
      this.socket.write(message)
      this.socket.uncork()
    }
  }

  /** Closes the connection the orderly way (FIN); resolves when the socket is gone. */
  close(): Promise<CloseReason> {
    if (this.closed) return Promise.resolve(this.closed)
    const p = this.whenClosed()
    this.finish({ by: 'client', reset: false })
    this.socket.end()
    this.socket.destroySoon?.()
    return p
  }

  /** Resets the connection (RST). */
  reset(): Promise<CloseReason> {
    if (this.closed) return Promise.resolve(this.closed)
    const p = this.whenClosed()
    this.finish({ by: 'client', reset: true })
    this.socket.resetAndDestroy()
    return p
  }

  whenClosed(): Promise<CloseReason> {
    if (this.closed) return Promise.resolve(this.closed)
    return new Promise((resolve) => this.closeWaiters.push(resolve))
  }

  private destroy(error: string): void {
    this.finish({ by: 'client', reset: true, error })
    this.socket.destroy()
  }

  private finish(r: CloseReason): void {
    if (this.closed) return
    this.closed = r
    this.tap?.close(this, r.by, r.reset)
    this.onClose(r)
    for (const w of this.closeWaiters.splice(0)) w(r)
  }
}
