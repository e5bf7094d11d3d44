/**
 * Small field codecs the information classes need beyond the wire primitives: little-endian integers of odd
 * widths (for reserved runs such as FILE_RENAME_INFORMATION's 7 bytes) and a fixed-length UTF-16 slot
 * (the 8.3 ShortName of directory entries).
 * @module
 */
import type { Codec } from '../../wire/index.js'

/** An n-byte little-endian unsigned integer as a number (1 ≤ n ≤ 6). */
export function uintLE(n: number): Codec<number> {
  if (n < 1 || n > 6) throw new Error(`uintLE(${n}): width must be 1..6`)
  return {
    name: `u${n * 8}`,
    size: n,
    read: (r) => r.bytes(n).readUIntLE(0, n),
    write: (w, v) => {
      if (!Number.isInteger(v) || v < 0 || v >= 2 ** (8 * n)) w.fail(`${v} does not fit in ${n} bytes`)
      const b = Buffer.alloc(n)
      b.writeUIntLE(v, 0, n)
      w.bytes(b)
    },
  }
}

/** An n-byte little-endian unsigned integer as a bigint (for reserved runs wider than 6 bytes). */
export function bigLE(n: number): Codec<bigint> {
  return {
    name: `u${n * 8}`,
    size: n,
    read: (r) => {
      const b = r.bytes(n)
      let v = 0n
      for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
      return v
    },
    write: (w, v) => {
      let x = BigInt(v as bigint | number)
      if (x < 0n || x >= 1n << BigInt(8 * n)) w.fail(`${String(v)} does not fit in ${n} bytes`)
      const b = Buffer.alloc(n)
      for (let i = 0; i < n; i++) {
        b[i] = Number(x & 0xffn)
        x >>= 8n
      }
      w.bytes(b)
    },
  }
}

/**
 * The 24-byte ShortName slot of a directory entry (FILE_BOTH_DIR_INFORMATION and friends), as text: the
 * whole slot decoded as UTF-16LE with trailing NUL code units dropped, so that whatever a server leaves in
 * the unused part survives re-encoding (macOS servers fill it with spaces). The 8.3 name proper is the first
 * ShortNameLength bytes: `shortNameText(entry)`.
 */
export const shortNameSlot: Codec<string> = {
  name: 'shortName',
  size: 24,
  read(r) {
    const slot = r.bytes(24)
    let end = 24
    while (end >= 2 && slot[end - 1] === 0 && slot[end - 2] === 0) end -= 2
    return slot.toString('utf16le', 0, end)
  },
  write(w, v) {
    const b = Buffer.from(v, 'utf16le')
    if (b.length > 24) w.fail(`short name ${JSON.stringify(v)} is longer than 12 UTF-16 code units`)
    w.bytes(b)
    w.zeros(24 - b.length)
  },
}

/** The 8.3 name of a directory entry: the first ShortNameLength bytes of the slot. */
export function shortNameText(e: { shortNameLength: number; shortName: string }): string {
  return e.shortName.slice(0, e.shortNameLength >> 1)
}
