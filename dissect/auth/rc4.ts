/**
 * RC4 (the ARCFOUR stream cipher), which NTLM uses for key exchange and sealing (MS-NLMP 3.4, 6) and which
 * OpenSSL 3's default provider (so Node 20's `crypto`) no longer offers. `Rc4` keeps its state, as an NTLM
 * sealing handle must (MS-NLMP 3.4.3: the handle is not reset between messages).
 * @module
 */

export class Rc4 {
  private readonly s = new Uint8Array(256)
  private i = 0
  private j = 0

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError(`RC4 key of ${key.length} bytes`)
    const s = this.s
    for (let n = 0; n < 256; n++) s[n] = n
    let j = 0
    for (let n = 0; n < 256; n++) {
      j = (j + s[n]! + key[n % key.length]!) & 0xff
      const t = s[n]!
      s[n] = s[j]!
      s[j] = t
    }
  }

  /** Encrypts or decrypts (the same operation), advancing the key stream. */
  update(data: Uint8Array): Buffer {
    const s = this.s
    const out = Buffer.alloc(data.length)
    let i = this.i
    let j = this.j
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff
      j = (j + s[i]!) & 0xff
      const t = s[i]!
      s[i] = s[j]!
      s[j] = t
      out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!
    }
    this.i = i
    this.j = j
    return out
  }
}

/** One-shot RC4(key, data) (MS-NLMP 6: RC4K). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data)
}
