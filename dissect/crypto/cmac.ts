/**
 * RFC 4493 — AES-CMAC, built on node's AES-CBC/ECB (OpenSSL 3 in node has no CMAC through `crypto`).
 * SMB 3.x signs with AES-128-CMAC (MS-SMB2 3.1.4.1); AES-256 keys work the same way.
 * @module
 */
import { createCipheriv } from 'node:crypto'
import { CryptoError } from './errors.js'

const BLOCK = 16
const RB = 0x87

function aesName(key: Buffer, mode: 'ecb' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 32) throw new CryptoError('BAD_KEY', `AES-CMAC key must be 16 or 32 bytes, got ${key.length}`)
  return `aes-${key.length * 8}-${mode}`
}

function encryptBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(aesName(key, 'ecb'), key, null)
  c.setAutoPadding(false)
  return Buffer.concat([c.update(block), c.final()])
}

/** RFC 4493 2.3: K <<= 1, XOR Rb when the top bit fell off. */
function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK)
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < BLOCK ? b[i + 1]! >> 7 : 0)) & 0xff
  if (b[0]! & 0x80) out[BLOCK - 1] = out[BLOCK - 1]! ^ RB
  return out
}

/** RFC 4493 2.3 Generate_Subkey: K1 and K2 from L = AES(K, 0^128). */
export function cmacSubkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  const l = encryptBlock(key, Buffer.alloc(BLOCK))
  const k1 = shiftLeft(l)
  return { k1, k2: shiftLeft(k1) }
}

/** RFC 4493 2.4: the 16-byte AES-CMAC of `message` under `key`. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { k1, k2 } = cmacSubkeys(key)
  const n = Math.max(1, Math.ceil(message.length / BLOCK))
  const complete = message.length > 0 && message.length % BLOCK === 0
  const lastStart = (n - 1) * BLOCK
  const last = Buffer.alloc(BLOCK)
  if (complete) {
    message.copy(last, 0, lastStart)
    for (let i = 0; i < BLOCK; i++) last[i] = last[i]! ^ k1[i]!
  } else {
    const tail = message.subarray(lastStart)
    tail.copy(last)
    last[tail.length] = 0x80
    for (let i = 0; i < BLOCK; i++) last[i] = last[i]! ^ k2[i]!
  }
  // CBC-MAC over the first n-1 blocks with a zero IV: one CBC pass, keep the last ciphertext block.
  let x = Buffer.alloc(BLOCK)
  if (lastStart > 0) {
    const c = createCipheriv(aesName(key, 'cbc'), key, Buffer.alloc(BLOCK))
    c.setAutoPadding(false)
    const out = c.update(message.subarray(0, lastStart))
    x = Buffer.from(out.subarray(out.length - BLOCK))
  }
  for (let i = 0; i < BLOCK; i++) last[i] = last[i]! ^ x[i]!
  return encryptBlock(key, last)
}
