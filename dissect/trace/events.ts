/** What the dissector consumes: the capture reader's events (the contract between the two). @module */
export type { CaptureEvent } from '../capture/events.js'
