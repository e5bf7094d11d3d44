/**
 * Every encrypted message of the shared captures decrypts with the password or keys their MANIFEST gives,
 * including the mid-stream cut tshark 4.0 cannot decrypt (no NEGOTIATE seen), and signatures check out.
 * Skips (loudly) when ../shared/captures is not on this machine.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dissectAll } from './dissect-file.js'
import { isSmb } from './record.js'
import { keysFor, secretsFor, sharedCaptures } from './test-helpers/captures.js'

/** Message counts agree with tshark's (SMB2 msg_ids after decryption + SMB1 negotiates + transforms nobody can open). */
const CASES: Array<{ file: string; messages: number; undecryptable?: number; why?: string }> = [
  { file: 'samba/smbclient-encrypted-smb311.pcap', messages: 56 },
  { file: 'public/wireshark-test_smb300-aes-128-ccm.pcap.gz', messages: 8 },
  { file: 'public/wireshark-test_smb311-aes-128-ccm.pcap.gz', messages: 8 },
  { file: 'public/wireshark-test_smb311-aes-128-gcm.pcap.gz', messages: 8 },
  { file: 'public/wiki_smb300-encrypted-aes-128-ccm.pcap', messages: 54 },
  { file: 'public/suricata-verify_smb300-encrypted-midstream.pcap', messages: 46 },
  { file: 'public/wiki_smb311-encrypted-aes-128-ccm-filt.pcap', messages: 38 },
  { file: 'public/samr-enum-lab_smb311-encrypted-ntlm-pw_metasploit.pcapng', messages: 58 },
  // impacket and crackmapexec send one last transform with SessionId 0 after LOGOFF; the server resets.
  { file: 'public/samr-enum-lab_smb300-encrypted-ntlm-pw_impacket.pcapng', messages: 73, undecryptable: 1, why: 'SessionId 0 after LOGOFF' },
  { file: 'public/samr-enum-lab_smb300-encrypted-ntlm-pw_crackmapexec-3sessions.pcapng', messages: 171, undecryptable: 1, why: 'SessionId 0 after LOGOFF' },
]

if (!sharedCaptures) console.warn('SKIPPED decryption of shared captures: ../shared/captures is not on this machine')

describe.skipIf(!sharedCaptures)('decryption of the shared captures', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.messages} SMB messages, ${c.undecryptable ?? 0} left encrypted`, async () => {
      const file = join(sharedCaptures!, c.file)
      const { items, dissector } = await dissectAll(file, { passwords: secretsFor(file).passwords, keys: keysFor(file) })
      const smb = items.map((d) => d.record).filter(isSmb)
      expect(smb.length).toBe(c.messages)
      const left = smb.filter((r) => r.cmd === 'ENCRYPTED')
      expect(left.length).toBe(c.undecryptable ?? 0)
      if (left.length) expect(left[0]!.notes?.[0]?.message).toMatch(/session 0/)
      expect(smb.filter((r) => r.encrypted && r.cmd !== 'ENCRYPTED').length).toBeGreaterThan(0)
      expect(smb.filter((r) => r.error)).toEqual([])
      expect(smb.filter((r) => r.signature === 'invalid').map((r) => r.frame)).toEqual([])
      const rows = dissector.security.sessionRows()
      expect(rows.some((r) => r.keyKnown)).toBe(true)
    })
  }
})
