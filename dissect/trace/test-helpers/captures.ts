/**
 * Where the shared real captures live and which secrets open them (from ../shared/captures/public/MANIFEST.md
 * and samba/README.md), in the two forms the dissector and tshark take.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { parseKeyFile } from '../keys.js'
import type { KeyEntry } from '../security.js'

/** $SMBSCOPE_CAPTURES, ../shared/captures from the checkout, or /work/shared/captures. */
export const sharedCaptures: string | undefined = [process.env['SMBSCOPE_CAPTURES'], resolve(process.cwd(), '../shared/captures'), '/work/shared/captures']
  .filter((d): d is string => !!d)
  .find((d) => existsSync(join(d, 'public')) || existsSync(join(d, 'samba')))

export const hasTshark: boolean = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0

export interface CaptureSecrets {
  passwords?: string[]
  /** Lines in `--keys` format: SESSIONID(wire order) SESSIONKEY [S2C C2S]. */
  keyLines?: string[]
  /** SMB on a port tshark does not try by itself. */
  ports?: number[]
}

const K = (sid: string, key: string) => `${sid} ${key}`

/** Secrets by file name (MANIFEST K1–K6; the Samba lab password). */
export const SECRETS: Record<string, CaptureSecrets> = {
  'wireshark-test_smb300-aes-128-ccm.pcap.gz': { keyLines: [K('1900009c003c0000', '9a9ea16a0cdbeb6064772318073f172f')] },
  'wireshark-test_smb311-aes-128-ccm.pcap.gz': { keyLines: [K('2900009c003c0000', 'f1fa528d3cd182cca67bd4596dabd885')] },
  'wireshark-test_smb311-aes-128-gcm.pcap.gz': { keyLines: [K('3900000000400000', 'e79161ded03bda1449b2c8e58f753953')] },
  'wiki_smb300-encrypted-aes-128-ccm.pcap': { keyLines: [K('3d00009400480000', '28f2847263c83dc00621f742dd3f2e7b')] },
  'suricata-verify_smb300-encrypted-midstream.pcap': { keyLines: [K('3d00009400480000', '28f2847263c83dc00621f742dd3f2e7b')] },
  'wiki_smb311-encrypted-aes-128-ccm-filt.pcap': { keyLines: [K('690000ac1c280000', 'b25a135fc3dc14269f20d7cbc8716b6b')] },
  'wiki_smb311-encrypted-aes-128-ccm-unfiltered.pcap': { keyLines: [K('690000ac1c280000', 'b25a135fc3dc14269f20d7cbc8716b6b')] },
  'samr-enum-lab_smb311-encrypted-ntlm-pw_metasploit.pcapng': { passwords: ['LabAdm1!'] },
  'samr-enum-lab_smb300-encrypted-ntlm-pw_impacket.pcapng': { passwords: ['LabAdm1!'] },
  'samr-enum-lab_smb300-encrypted-ntlm-pw_crackmapexec-3sessions.pcapng': { passwords: ['LabAdm1!'] },
  'samr-enum-lab_smb311-samba-rpcclient-signed.pcapng': { passwords: ['LabAdm1!'] },
  'zeek_smb311-macos-aapl-zero-byte-error-ioctl.pcapng': { ports: [4445] },
}

export function secretsFor(file: string): CaptureSecrets {
  const name = file.slice(file.lastIndexOf('/') + 1)
  if (file.includes('/samba/')) return { passwords: ['labpass'] }
  return SECRETS[name] ?? {}
}

export function keysFor(file: string): KeyEntry[] | undefined {
  const s = secretsFor(file)
  return s.keyLines ? parseKeyFile(s.keyLines.join('\n')) : undefined
}

/** tshark `-o`/`-d` options giving it the same secrets. */
export function tsharkOptions(file: string): string[] {
  const s = secretsFor(file)
  const out: string[] = []
  for (const p of s.passwords ?? []) out.push('-o', `ntlmssp.nt_password:${p}`)
  for (const line of s.keyLines ?? []) {
    const [sid, key] = line.split(' ')
    // tshark 4.0 takes the id and key unquoted (quoted, it rejects the id as "not 8 bytes of hex").
    out.push('-o', `uat:smb2_seskey_list:${sid},${key},"",""`)
  }
  for (const p of s.ports ?? []) out.push('-d', `tcp.port==${p},nbss`)
  return out
}

/** Every capture file under the shared directory (public/ and samba/). */
export function allCaptures(): string[] {
  if (!sharedCaptures) return []
  const out: string[] = []
  for (const sub of ['public', 'samba']) {
    const dir = join(sharedCaptures, sub)
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir).sort()) if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(join(dir, f))
  }
  return out
}
