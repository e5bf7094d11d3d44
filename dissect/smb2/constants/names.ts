/**
 * Name lookups for `as const` constant tables (style.md §3.2): tables are keyed in PascalCase
 * (`CreateOptions.DeleteOnClose`) and traces show the specification's spelling (`FILE_DELETE_ON_CLOSE`),
 * derived once per table from the key, a prefix/suffix and a few explicit overrides.
 * @module
 */

/** `DeleteOnClose` → `DELETE_ON_CLOSE`, `LevelII` → `LEVEL_II`, `Smb2Foo` → `SMB2_FOO`. */
export function snakeName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

export interface NameOptions {
  prefix?: string
  suffix?: string
  /** Names that the snake-case rule does not give (keyed by table key). */
  overrides?: Readonly<Record<string, string>>
  /** Keep the table keys as the names (for tables already keyed by the spec name, e.g. info classes). */
  keepKeys?: boolean
}

/** The spec name of every key in `table`, in table order. */
export function specNames(table: Readonly<Record<string, number>>, o: NameOptions = {}): Array<[string, number]> {
  return Object.entries(table).map(([k, v]) => [
    o.overrides?.[k] ?? (o.keepKeys ? k : `${o.prefix ?? ''}${snakeName(k)}${o.suffix ?? ''}`),
    v,
  ])
}

const hex = (v: number, digits: number) => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`

/** A function naming the value of an enumeration (unknown values as hex). */
export function valueNamer(table: Readonly<Record<string, number>>, o: NameOptions = {}, digits = 8): (v: number) => string {
  const byValue = new Map<number, string>()
  for (const [n, v] of specNames(table, o)) if (!byValue.has(v >>> 0)) byValue.set(v >>> 0, n)
  return (v) => byValue.get(v >>> 0) ?? hex(v, digits)
}

/**
 * A function naming the bits set in a flags value, in table order; bits no name covers come last as hex.
 * Works for bit 31 (values are compared unsigned). Zero-valued entries are never listed.
 */
export function flagNamer(table: Readonly<Record<string, number>>, o: NameOptions = {}): (v: number) => string[] {
  const entries = specNames(table, o).filter(([, bit]) => bit !== 0)
  return (v) => {
    const out: string[] = []
    let rest = v >>> 0
    for (const [name, bit] of entries) {
      if (((v & bit) >>> 0) === bit >>> 0) {
        out.push(name)
        rest = (rest & ~bit) >>> 0
      }
    }
    if (rest) out.push(hex(rest, 1))
    return out
  }
}
