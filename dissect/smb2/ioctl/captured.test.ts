/**
 * Real IOCTL buffers from /work/shared/captures (see ../info/fixtures/extract-fixtures.mjs): each decodes,
 * re-encodes byte for byte and agrees with tshark on the fields both show. PIPE_TRANSCEIVE payloads are
 * DCE/RPC and stay raw; requests with empty input buffers are checked to be empty.
 */
import { describe, expect, it } from 'vitest'
import { compareWithTshark, fmt, label, loadFixtures, type Expected, type Fixture } from '../info/fixtures/tshark-oracle.js'
import { CtlCode as C, decodeIoctl, encodeIoctl } from './index.js'

const fixtures = loadFixtures(new URL('./fixtures/captured.json', import.meta.url))
const { dec, hex, colon } = fmt
type V = Record<string, any>

const EXPECT: Record<string, (v: any) => Expected> = {
  [`request:${C.FSCTL_VALIDATE_NEGOTIATE_INFO}`]: (v: V) => ({
    'smb2.capabilities': [hex(v.capabilities, 8)], 'smb2.client_guid': [v.guid], 'smb2.sec_mode': [hex(v.securityMode, 2)],
    'smb2.dialect_count': [dec(v.dialectCount)], 'smb2.dialect': v.dialects.map((d: number) => hex(d, 4)),
  }),
  [`response:${C.FSCTL_VALIDATE_NEGOTIATE_INFO}`]: (v: V) => ({
    'smb2.capabilities': [hex(v.capabilities, 8)], 'smb2.server_guid': [v.guid], 'smb2.sec_mode': [hex(v.securityMode, 2)],
    'smb2.dialect': [hex(v.dialect, 4)],
  }),
  [`response:${C.FSCTL_QUERY_NETWORK_INTERFACE_INFO}`]: (v: V[]) => ({
    'smb2.ioctl.network_interfaces.next_offset': v.map((e) => hex(e.next, 8)),
    'smb2.ioctl.network_interfaces.index': v.map((e) => dec(e.ifIndex)),
    'smb2.ioctl.network_interfaces.capabilities': v.map((e) => hex(e.capability, 8)),
    'smb2.ioctl.network_interfaces.link_speed': v.map((e) => dec(e.linkSpeed)),
    'smb2.windows.sockaddr.family': v.map((e) => dec(e.sockAddrStorage.family)),
    'smb2.windows.sockaddr.port': v.map((e) => dec(e.sockAddrStorage.port)),
    'smb2.windows.sockaddr.in.addr': v.map((e) => (e.sockAddrStorage.family === 2 ? e.sockAddrStorage.address : undefined)),
    'smb2.windows.sockaddr.in6.addr': v.map((e) => (e.sockAddrStorage.family === 23 ? e.sockAddrStorage.address : undefined)),
    'smb2.windows.sockaddr.in6.flow_info': v.map((e) => (e.sockAddrStorage.family === 23 ? hex(e.sockAddrStorage.flowInfo, 8) : undefined)),
    'smb2.windows.sockaddr.in6.scope_id': v.map((e) => (e.sockAddrStorage.family === 23 ? dec(e.sockAddrStorage.scopeId) : undefined)),
  }),
  [`response:${C.FSCTL_SRV_REQUEST_RESUME_KEY}`]: (v: V) => ({ 'smb2.fsctl.cchunk.resume_key': [colon(v.resumeKey)] }),
  [`request:${C.FSCTL_DFS_GET_REFERRALS}`]: (v: V) => ({ 'smb.max_referral_level': [dec(v.maxReferralLevel)], 'smb.file': [v.requestFileName || undefined] }),
  [`response:${C.FSCTL_DFS_GET_REFERRALS}`]: (v: V) => ({
    'smb.dfs.path_consumed': [dec(v.pathConsumed)], 'smb.dfs.num_referrals': [dec(v.numberOfReferrals)],
    'smb.dfs.flags': [hex(v.referralHeaderFlags, 4)],
    'smb.dfs.referral.version': v.referralEntries.map((e: V) => dec(e.versionNumber)),
    'smb.dfs.referral.size': v.referralEntries.map((e: V) => dec(e.size)),
    'smb.dfs.referral.server.type': v.referralEntries.map((e: V) => dec(e.serverType)),
    'smb.dfs.referral.flags': v.referralEntries.map((e: V) => hex(e.referralEntryFlags, 4)),
    'smb.dfs.referral.ttl': v.referralEntries.map((e: V) => dec(e.timeToLive)),
    'smb.dfs.referral.domain_offset': v.referralEntries.map((e: V) => (e.specialNameOffset === undefined ? undefined : dec(e.specialNameOffset))),
    'smb.dfs.referral.number_of_expnames': v.referralEntries.map((e: V) => (e.numberOfExpandedNames === undefined ? undefined : dec(e.numberOfExpandedNames))),
    'smb.dfs.referral.domain_name': v.referralEntries.map((e: V) => e.specialName),
  }),
  [`response:${C.FSCTL_CREATE_OR_GET_OBJECT_ID}`]: (v: V) => ({
    'smb2.object_id': [v.objectId], 'smb2.birth_volume_id': [v.birthVolumeId], 'smb2.birth_object_id': [v.birthObjectId], 'smb2.domain_id': [v.domainId],
  }),
}

/** What tshark 4.0 does not take apart (so only our round trip checks it). */
const TSHARK_SILENT = new Set([`request:${C.FSCTL_PIPE_WAIT}`])

describe('captured IOCTL buffers', () => {
  it('has fixtures for the control codes seen in the captures', () => {
    const kinds = new Set(fixtures.map((f) => `${f.kind}:${f.ctlCode}`))
    for (const c of [C.FSCTL_PIPE_WAIT, C.FSCTL_PIPE_TRANSCEIVE, C.FSCTL_SRV_REQUEST_RESUME_KEY, C.FSCTL_QUERY_NETWORK_INTERFACE_INFO,
      C.FSCTL_VALIDATE_NEGOTIATE_INFO, C.FSCTL_DFS_GET_REFERRALS, C.FSCTL_CREATE_OR_GET_OBJECT_ID]) {
      expect(kinds.has(`request:${c}`), `request ${c.toString(16)}`).toBe(true)
      expect(kinds.has(`response:${c}`), `response ${c.toString(16)}`).toBe(true)
    }
  })

  it.each(fixtures.map((f) => [`${f.kind} 0x${f.ctlCode!.toString(16)} ${label(f)}`, f] as const))('%s', (_n, f: Fixture) => {
    const buf = Buffer.from(f.hex, 'hex')
    const d = decodeIoctl(f.ctlCode!, buf, f.kind as 'request' | 'response')
    const key = `${f.kind}:${f.ctlCode}`
    if (d.raw) {
      // Only opaque payloads and empty buffers stay raw.
      expect(f.ctlCode === C.FSCTL_PIPE_TRANSCEIVE || buf.length === 0, `${d.name} ${f.kind} kept raw`).toBe(true)
      return
    }
    const re = encodeIoctl(f.ctlCode!, d.value, f.kind as 'request' | 'response')
    expect((d.trailing ? Buffer.concat([re, d.trailing]) : re).toString('hex'), 're-encodes byte for byte').toBe(f.hex)
    const { compared, mismatches } = compareWithTshark(f, EXPECT[key]?.(d.value) ?? {})
    if (process.env.SHOW_COMPARED) console.log(key, d.name, compared.join(' '))
    expect(mismatches).toEqual([])
    if (!TSHARK_SILENT.has(key)) expect(compared.length, `fields compared with tshark for ${d.name} ${f.kind}`).toBeGreaterThan(0)
  })

  it('reads the pipe name of a PsExec FSCTL_PIPE_WAIT', () => {
    const f = fixtures.find((x) => x.ctlCode === C.FSCTL_PIPE_WAIT && x.file.includes('psexec') && x.kind === 'request' && x.frame === 209)!
    expect(decodeIoctl(f.ctlCode!, Buffer.from(f.hex, 'hex'), 'request').value).toMatchObject({ name: 'PSEXESVC-VICTIM-PC-2412-stdout', timeoutSpecified: 1 })
  })
})
