/**
 * What the dissector consumes: transport messages and TCP events in capture order, as `dissect/capture`
 * produces them (this type is the contract between the two).
 * @module
 */

export type CaptureEvent =
  | {
      kind: 'message'
      frame: number
      time: number
      conn: string
      fromClient: boolean
      /** One NetBIOS/Direct-TCP payload: an SMB2 message or chain, a transform, compression or SMB1 message. */
      data: Buffer
      gapBefore?: boolean
    }
  | { kind: 'tcp'; event: 'open' | 'close' | 'reset' | 'gap'; frame: number; time: number; conn: string; fromClient?: boolean; detail?: string }
  | { kind: 'warning'; frame?: number; message: string }
