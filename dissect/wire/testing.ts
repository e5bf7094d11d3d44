/**
 * The round-trip contract every codec meets (dns-packet's testEncoder, style.md example 10): encode, decode,
 * re-encode gives the same bytes; decode is stable; and the same bytes 8 further into a buffer decode the same
 * (offsets are resolved against the header, not against the buffer start).
 * @module
 */
import { isDeepStrictEqual } from 'node:util'
import { Reader } from './reader.js'
import type { Codec, Ctx } from './struct.js'
import { Writer } from './writer.js'

export function encodeWith<T, I>(c: Codec<T, I>, v: I, ctx: Partial<Ctx> = {}): Buffer {
  const w = new Writer()
  c.write(w, v, { pduStart: 0, ...ctx })
  return w.finish()
}

export function decodeWith<T, I>(c: Codec<T, I>, b: Buffer, ctx: Partial<Ctx> = {}): T {
  return c.read(new Reader(b), { pduStart: 0, ...ctx })
}

/** Throws (with a readable message) unless `value` survives encode → decode → encode byte-exactly. */
export function assertRoundTrip<T, I>(c: Codec<T, I>, value: I, ctx: Partial<Ctx> = {}): { bytes: Buffer; decoded: T } {
  const a = encodeWith(c, value, ctx)
  const v1 = decodeWith(c, a, ctx)
  const b = encodeWith(c, v1 as unknown as I, ctx)
  if (!a.equals(b)) throw new Error(`${c.name}: re-encode differs\n  first:  ${a.toString('hex')}\n  second: ${b.toString('hex')}`)
  const v2 = decodeWith(c, b, ctx)
  if (!isDeepStrictEqual(v1, v2)) throw new Error(`${c.name}: decode not stable`)
  const shifted = Buffer.concat([Buffer.alloc(8), a])
  const v3 = c.read(new Reader(shifted, 8), { pduStart: 8, ...ctx, ...(ctx.pduStart !== undefined ? { pduStart: ctx.pduStart + 8 } : {}) })
  if (!isDeepStrictEqual(v1, v3)) throw new Error(`${c.name}: decode at a shifted position differs`)
  return { bytes: a, decoded: v1 }
}

/** Decodes captured bytes and checks that re-encoding the decoded value reproduces them exactly. */
export function assertBytesRoundTrip<T, I>(c: Codec<T, I>, bytes: Buffer, ctx: Partial<Ctx> = {}): T {
  const v = decodeWith(c, bytes, ctx)
  const again = encodeWith(c, v as unknown as I, ctx)
  if (!again.equals(bytes)) {
    throw new Error(`${c.name}: captured bytes do not survive decode/encode\n  wire:  ${bytes.toString('hex')}\n  again: ${again.toString('hex')}`)
  }
  return v
}
