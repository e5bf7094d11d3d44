/**
 * Reading client sockets into one reused buffer (Node's `onread` socket option) instead of the stream's 'data'
 * events.
 *
 * In stream mode every read(2) gets a freshly allocated 64 KiB buffer: for a large WRITE that is 128 allocations,
 * page faults and 'data' events per 8 MiB, and on a 2-core virtual machine it capped loopback input at about
 * 270 MB/s. With `onread`, libuv reads up to the whole buffer at once into memory that is already mapped, which is
 * several times faster. The buffer can be shared by all connections: the callback consumes each chunk before it
 * returns (the NetBIOS framer copies every message out), and no other read happens meanwhile.
 *
 * Node offers `onread` only to sockets it constructs from options, not to those a `net.Server` accepts. A server
 * listening with `pauseOnConnect` hands over sockets that have not read yet; `adoptSocket` moves the accepted
 * socket's handle to a new socket constructed with `onread` (the documented `new net.Socket` option; the handle is
 * passed the way net.Server does itself), then destroys the empty shell. Where the handle is not reachable (another
 * runtime), the accepted socket is used in stream mode.
 * @module
 */
import { Socket } from 'node:net'

/** Size of the shared read buffer: the most one read(2) returns. */
const READ_BUFFER_SIZE = 1024 * 1024

let shared: Buffer | undefined

/**
 * Takes over a socket accepted by a server listening with `pauseOnConnect`, delivering its input to `onChunk`
 * (a view of the shared buffer, valid only during the call).
 */
export function adoptSocket(accepted: Socket, onChunk: (chunk: Buffer) => void): Socket {
  const handle = (accepted as unknown as { _handle?: object | null })._handle
  if (!handle) {
    accepted.on('data', onChunk)
    accepted.resume()
    return accepted
  }
  shared ??= Buffer.allocUnsafe(READ_BUFFER_SIZE)
  const buffer = shared
  const socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback: (n: number) => {
        onChunk(buffer.subarray(0, n))
        return true
      },
    },
  } as ConstructorParameters<typeof Socket>[0])
  // The shell gives up the handle; destroying it settles the server's connection count.
  ;(accepted as unknown as { _handle: object | null })._handle = null
  accepted.destroy()
  return socket
}
