/** What the capture reader produces, in capture order. @module */

/** One SMB transport message: the payload of one Direct TCP / NetBIOS session message. */
export interface CaptureMessage {
  kind: 'message'
  /** The frame that completed the message (1-based, as tshark numbers frames). */
  frame: number
  /** Epoch seconds of that frame. */
  time: number
  /** `"cliIP:port-srvIP:port"`, IPv6 addresses in brackets. */
  conn: string
  /** The TCP conversation index, 0-based in order of first appearance (tshark's `tcp.stream`). */
  stream: number
  fromClient: boolean
  /** The message without the four-byte transport header: an SMB2 message or compound chain, a transform (0xFD),
   * compression (0xFC) or SMB1 (0xFF) message. An owned copy, safe to keep. */
  data: Buffer
  /** Set (true) when bytes of this direction were lost or skipped since the previous message. */
  gapBefore?: boolean
  /** Set (true) when the snapshot length cut the message: `data` holds only its first bytes (tshark shows such a
   * message too, "[Packet size limited during capture]"). */
  truncated?: boolean
}

export interface CaptureTcpEvent {
  kind: 'tcp'
  /** open: SYN seen; close: FIN from one side (detail says which, and when both have); reset: RST; gap: lost bytes. */
  event: 'open' | 'close' | 'reset' | 'gap'
  frame: number
  time: number
  conn: string
  stream: number
  /** Which side sent the SYN, FIN or RST, or whose bytes were lost. */
  fromClient?: boolean
  detail?: string
  /** For gaps: how many bytes of the stream are missing. */
  bytes?: number
}

export interface CaptureWarning {
  kind: 'warning'
  frame?: number
  conn?: string
  message: string
}

export type CaptureEvent = CaptureMessage | CaptureTcpEvent | CaptureWarning
