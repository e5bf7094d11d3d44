/**
 * 8.3 short names (MS-FSCC 2.1.5.2.1) for FileAlternateNameInformation: a name that already is a valid 8.3 name
 * is its own short name (upper-cased); any other gets a deterministic mangled form `XXXXX~H.EXT` (five characters,
 * `~`, a hash character, and up to three extension characters), in the manner of Samba's hash2 mangling. Nothing
 * on disk changes; the names are only reported.
 * @module
 */

const VALID_83_CHAR = /^[A-Z0-9!#$%&'()\-@^_`{}~]$/
const HASH_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-!@#$%'

function valid83(name: string): boolean {
  if (name === '.' || name === '..') return true
  const up = name.toUpperCase()
  const dot = up.lastIndexOf('.')
  const base = dot < 0 ? up : up.slice(0, dot)
  const ext = dot < 0 ? '' : up.slice(dot + 1)
  if (base.length < 1 || base.length > 8 || ext.length > 3) return false
  if (dot >= 0 && ext.length === 0) return false
  return [...base, ...ext].every((c) => VALID_83_CHAR.test(c))
}

function clean(s: string): string {
  let out = ''
  for (const c of s.toUpperCase()) if (VALID_83_CHAR.test(c) && c !== '~') out += c
  return out
}

/** The short name reported for `name` (an on-disk long name). */
export function shortNameOf(name: string): string {
  if (valid83(name)) return name.toUpperCase()
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  const dot = name.lastIndexOf('.')
  const base = clean(dot > 0 ? name.slice(0, dot) : name).slice(0, 5) || '_'
  const ext = dot > 0 ? clean(name.slice(dot + 1)).slice(0, 3) : ''
  const tag = HASH_CHARS[h % HASH_CHARS.length]! + HASH_CHARS[(h >>> 8) % HASH_CHARS.length]!
  return `${base}~${tag}${ext ? '.' + ext : ''}`
}

/**
 * The ShortName of a directory entry (FileBothDirectoryInformation and kin, MS-FSCC 2.4.8): empty when the long
 * name already is a valid 8.3 name (and for `.`/`..`), else the same mangled name FileAlternateNameInformation
 * reports, so both agree (smbtorture smb2.dir.one compares them).
 */
export function dirShortName(name: string): string {
  return valid83(name) ? '' : shortNameOf(name)
}
