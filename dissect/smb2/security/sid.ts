/**
 * MS-DTYP 2.4.2 — SID. Decoded to its text form (2.4.2.1, `S-1-5-21-...`), the form traces and ACL code
 * compare, and encoded back from it. The identifier authority prints in decimal below 2^32 and as 12 hex
 * digits (`0x...`) above, as 2.4.2.1 says.
 * @module
 */
import { Reader, Writer, type Codec, type VarCodec } from '../../wire/index.js'

/** Most sub-authorities a SID may have (MS-DTYP 2.4.2.2: SubAuthorityCount MUST be at most 15). */
export const SID_MAX_SUB_AUTHORITIES = 15

function readSid(r: Reader): string {
  const start = r.pos
  const revision = r.u8()
  const count = r.u8()
  if (count > SID_MAX_SUB_AUTHORITIES) r.fail(`SubAuthorityCount ${count} exceeds ${SID_MAX_SUB_AUTHORITIES}`, start + 1)
  const hi = r.u16be()
  const lo = r.u32be()
  let text = `S-${revision}-` + (hi === 0 ? String(lo) : `0x${hi.toString(16).padStart(4, '0')}${lo.toString(16).padStart(8, '0')}`)
  for (let i = 0; i < count; i++) text += '-' + r.u32()
  return text
}

const SID_RE = /^S-(\d{1,3})-(\d{1,10}|0[xX][0-9a-fA-F]{12})((?:-\d{1,10}){0,15})$/

/** The parts of a SID's text form; throws on a malformed string. */
export function parseSid(text: string): { revision: number; authority: number; authorityHigh: number; subAuthorities: number[] } {
  const m = SID_RE.exec(text)
  if (!m) throw new TypeError(`not a SID: ${JSON.stringify(text)}`)
  const revision = Number(m[1])
  let authorityHigh = 0
  let authority: number
  if (/^0x/i.test(m[2]!)) {
    authorityHigh = parseInt(m[2]!.slice(2, 6), 16)
    authority = parseInt(m[2]!.slice(6), 16)
  } else {
    authority = Number(m[2])
  }
  const subAuthorities = m[3] ? m[3].slice(1).split('-').map(Number) : []
  if (revision > 255 || authority > 0xffff_ffff || subAuthorities.some((s) => s > 0xffff_ffff)) {
    throw new TypeError(`SID part out of range: ${text}`)
  }
  return { revision, authority, authorityHigh, subAuthorities }
}

function writeSid(w: Writer, text: string): void {
  let p: ReturnType<typeof parseSid>
  try {
    p = parseSid(text)
  } catch (e) {
    w.fail((e as Error).message)
  }
  w.u8(p.revision)
  w.u8(p.subAuthorities.length)
  w.u16be(p.authorityHigh)
  w.u32be(p.authority)
  for (const s of p.subAuthorities) w.u32(s)
}

/** Wire size of a SID given in text form: 8 + 4 per sub-authority. */
export function sidSize(text: string): number {
  return 8 + 4 * parseSid(text).subAuthorities.length
}

/** A SID that carries its own length (SubAuthorityCount). */
export const Sid: Codec<string> = {
  name: 'Sid',
  read: (r) => readSid(r),
  write: (w, v) => writeSid(w, v),
}

/**
 * A SID filling a length given elsewhere (FILE_QUOTA_INFORMATION.SidLength, ...): the SID must use exactly
 * the bytes the length gives.
 */
export const sidFilling: VarCodec<string> = {
  name: 'Sid',
  read(r) {
    const start = r.pos
    const v = readSid(r)
    if (r.remaining !== 0) r.fail(`SID is ${r.pos - start} bytes but its length field says ${r.end - start}`, start)
    return v
  },
  write: (w, v) => writeSid(w, v),
  empty: () => '',
}

/** A SID pointed to by an offset where zero means absent (SECURITY_DESCRIPTOR owner/group): null when absent. */
export const optionalSid: VarCodec<string | null> = {
  name: 'Sid',
  read: (r) => readSid(r),
  write: (w, v) => {
    if (v !== null) writeSid(w, v)
  },
  empty: () => null,
}

/** Well-known SIDs (MS-DTYP 2.4.2.4) with the names tools show. */
export const WellKnownSid = {
  Null: 'S-1-0-0',
  Everyone: 'S-1-1-0',
  Local: 'S-1-2-0',
  CreatorOwner: 'S-1-3-0',
  CreatorGroup: 'S-1-3-1',
  OwnerRights: 'S-1-3-4',
  Nt: 'S-1-5',
  Dialup: 'S-1-5-1',
  Network: 'S-1-5-2',
  Batch: 'S-1-5-3',
  Interactive: 'S-1-5-4',
  Service: 'S-1-5-6',
  Anonymous: 'S-1-5-7',
  EnterpriseDomainControllers: 'S-1-5-9',
  PrincipalSelf: 'S-1-5-10',
  AuthenticatedUsers: 'S-1-5-11',
  Restricted: 'S-1-5-12',
  TerminalServerUser: 'S-1-5-13',
  ThisOrganization: 'S-1-5-15',
  LocalSystem: 'S-1-5-18',
  LocalService: 'S-1-5-19',
  NetworkService: 'S-1-5-20',
  BuiltinAdministrators: 'S-1-5-32-544',
  BuiltinUsers: 'S-1-5-32-545',
  BuiltinGuests: 'S-1-5-32-546',
  PowerUsers: 'S-1-5-32-547',
  AccountOperators: 'S-1-5-32-548',
  ServerOperators: 'S-1-5-32-549',
  PrintOperators: 'S-1-5-32-550',
  BackupOperators: 'S-1-5-32-551',
  Replicator: 'S-1-5-32-552',
  RemoteDesktopUsers: 'S-1-5-32-555',
  NetworkConfigurationOps: 'S-1-5-32-556',
  TrustedInstaller: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
  MandatoryLowLevel: 'S-1-16-4096',
  MandatoryMediumLevel: 'S-1-16-8192',
  MandatoryHighLevel: 'S-1-16-12288',
  MandatorySystemLevel: 'S-1-16-16384',
} as const

const SID_NAMES = new Map<string, string>(Object.entries(WellKnownSid).map(([k, v]) => [v, k]))

/** The well-known name of a SID (`BuiltinAdministrators`), or undefined. */
export function wellKnownSidName(sid: string): string | undefined {
  const n = SID_NAMES.get(sid)
  if (n) return n
  // Domain-relative well-known RIDs (MS-DTYP 2.4.2.4): S-1-5-21-<domain>-<rid>.
  const m = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(sid)
  if (!m) return undefined
  return ({ '500': 'Administrator', '501': 'Guest', '512': 'DomainAdmins', '513': 'DomainUsers', '514': 'DomainGuests', '515': 'DomainComputers', '516': 'DomainControllers' } as Record<string, string>)[m[1]!]
}
