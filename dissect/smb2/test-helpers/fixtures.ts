/**
 * Test helper: captured SMB2 messages as hex fixtures. `decodeCaptured` decodes one transport payload with
 * decodeChain and checks the two properties every captured message must have: it decodes without error,
 * and encodeChain of the decoded messages (with their trailers) gives back exactly the captured bytes.
 * Not part of the build.
 * @module
 */
import { expect } from 'vitest'
import { decodeChain, encodeChain, type DecodedMessage } from '../message.js'

/** Hex (whitespace ignored) → bytes. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/** Decodes a captured payload (NetBIOS header removed), asserts no error and a byte-exact re-encode. */
export function decodeCaptured(payloadHex: string): DecodedMessage[] {
  const buf = hex(payloadHex)
  const d = decodeChain(buf)
  expect(d.error?.message).toBeUndefined()
  for (const m of d.messages) expect(m.error?.message).toBeUndefined()
  const again = encodeChain(d.messages.map((m) => ({ header: m.header, body: m.body, trailer: m.trailer })))
  expect(again.toString('hex')).toBe(buf.toString('hex'))
  return d.messages
}

/** The one message of a captured payload, with its body typed as T. */
export function decodeOne<T>(payloadHex: string, bodyType: string): { m: DecodedMessage; body: T } {
  const ms = decodeCaptured(payloadHex)
  expect(ms).toHaveLength(1)
  expect(ms[0]!.bodyType).toBe(bodyType)
  return { m: ms[0]!, body: ms[0]!.body as T }
}
