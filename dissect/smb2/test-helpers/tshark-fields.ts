/**
 * Test helper: tshark's own decode of each SMB2 message (`-T json` trees, one `smb2` layer per message, in
 * message order within a frame), flattened to field → values, and the table that compares them with our
 * decoded messages. Not part of the build.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { capturePath } from './tshark.js'
import type { DecodedMessage } from '../message.js'
import type { CreateContext } from '../create-contexts/chain.js'
import type { TypedContext } from '../negotiate-contexts/typed-context-list.js'

export type Layer = Record<string, unknown>

const TREE_ARGS = (path: string) => ['-r', path, '-Y', 'smb2', '-T', 'json', '--no-duplicate-keys']
const run = promisify(execFile)

/** frame number → the smb2 layers tshark shows in it, in order. */
export function smb2Layers(file: string): Map<number, Layer[]> {
  const json = execFileSync('tshark', TREE_ARGS(capturePath(file)), { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8')
  return parseLayers(json)
}

/** smb2Layers without blocking. */
export async function smb2LayersAsync(file: string): Promise<Map<number, Layer[]>> {
  const { stdout } = await run('tshark', TREE_ARGS(capturePath(file)), { maxBuffer: 1 << 30, encoding: 'utf8' })
  return parseLayers(stdout)
}

function parseLayers(json: string): Map<number, Layer[]> {
  const out = new Map<number, Layer[]>()
  for (const p of JSON.parse(json) as Array<{ _source: { layers: Record<string, any> } }>) {
    const l = p._source.layers
    const frame = Number(l['frame']?.['frame.number'])
    const s = l['smb2']
    out.set(frame, Array.isArray(s) ? s : s ? [s] : [])
  }
  return out
}

/** Every `smb2.*` field in a layer subtree, in tree order (values of repeated fields in order). */
export function flatten(node: unknown, out = new Map<string, string[]>()): Map<string, string[]> {
  if (!node || typeof node !== 'object') return out
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const vals = Array.isArray(v) ? v : [v]
    for (const x of vals) {
      if (typeof x === 'string') {
        const list = out.get(k)
        if (list) list.push(x)
        else out.set(k, [x])
      } else flatten(x, out)
    }
  }
  return out
}

/** The body subtree of a layer ("Create Request (0x05)", ...), without the header. */
export function bodyTree(layer: Layer): unknown {
  const k = Object.keys(layer).find((x) => / (Request|Response)\b.*\(0x[0-9a-f]+\)$/.test(x) || /^(Oplock|Lease) Break/.test(x))
  return k ? layer[k] : undefined
}

/** A tshark value as a comparable string: numbers (decimal or 0x hex) as decimal, the rest as is. */
export function norm(v: string | number | bigint): string {
  if (typeof v !== 'string') return BigInt(v).toString()
  if (/^0x[0-9a-f]+$/i.test(v)) return BigInt(v).toString()
  if (/^-?\d+$/.test(v)) return BigInt(v).toString()
  return v
}

type Body = Record<string, any>
interface Check {
  field: string
  /** The field tshark uses instead in some cases (e.g. READ data handed to DCE/RPC shows as an olb). */
  alt?: string
  /** Our values for the field (undefined: this check does not apply to this body). */
  ours: (b: Body, m: DecodedMessage) => Array<string | number | bigint> | undefined
}

const one = (f: (b: Body) => unknown) => (b: Body) => [f(b) as string | number | bigint]
const known = (list: CreateContext[]) => list.filter((c) => c.known) as Array<Extract<CreateContext, { known: true }>>
const negValues = (list: TypedContext[] | undefined, type: number, pick: (v: any) => Array<string | number>) =>
  (list ?? []).filter((c) => c.contextType === type && c.known).flatMap((c) => pick((c as { value: unknown }).value))

const negotiateContextChecks: Check[] = [
  { field: 'smb2.negotiate_context.type', ours: (b) => (b['negotiateContextList'] as TypedContext[] | undefined)?.map((c) => c.contextType) },
  { field: 'smb2.negotiate_context.data_length', ours: (b) => (b['negotiateContextList'] as TypedContext[] | undefined)?.map((c) => c.dataLength) },
  { field: 'smb2.negotiate_context.hash_algorithm', ours: (b) => negValues(b['negotiateContextList'], 1, (v) => v.hashAlgorithms) },
  { field: 'smb2.negotiate_context.cipher_id', ours: (b) => negValues(b['negotiateContextList'], 2, (v) => v.ciphers) },
  { field: 'smb2.negotiate_context.comp_alg_id', ours: (b) => negValues(b['negotiateContextList'], 3, (v) => v.compressionAlgorithms) },
  { field: 'smb2.negotiate_context.netname', ours: (b) => negValues(b['negotiateContextList'], 5, (v) => [v.netName]) },
  { field: 'smb2.negotiate_context.transport_flags', ours: (b) => negValues(b['negotiateContextList'], 6, (v) => [v.flags]) },
  { field: 'smb2.negotiate_context.rdma_transform_id', ours: (b) => negValues(b['negotiateContextList'], 7, (v) => v.rdmaTransformIds) },
  { field: 'smb2.negotiate_context.signing_id', ours: (b) => negValues(b['negotiateContextList'], 8, (v) => v.signingAlgorithms) },
  { field: 'smb2.negotiate_context.posix_reserved', ours: (b) => negValues(b['negotiateContextList'], 0x100, (v) => [hexColon(v.reserved)]) },
]

function hexColon(b: Buffer): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':')
}

const leases = (b: Body) => known(b['createContexts'] ?? []).filter((c) => c.tag === 'RqLs').map((c) => c.value as Body)
const leaseKeys = (b: Body) => leases(b).map((v) => v['leaseKey'])
const parentLeaseKeys = (b: Body) => leases(b).filter((v) => v['parentLeaseKey'] !== undefined).map((v) => v['parentLeaseKey'])

/** What to compare, per command and direction (`q` request, `r` response, `e` ERROR body). */
export const CHECKS: Record<string, Check[]> = {
  '0q': [
    { field: 'smb2.dialect_count', ours: one((b) => b['dialectCount']) },
    { field: 'smb2.dialect', ours: (b) => b['dialects'] },
    { field: 'smb2.capabilities', ours: one((b) => b['capabilities']) },
    { field: 'smb2.client_guid', ours: one((b) => b['clientGuid']) },
    ...negotiateContextChecks,
  ],
  '0r': [
    { field: 'smb2.dialect', ours: one((b) => b['dialectRevision']) },
    { field: 'smb2.server_guid', ours: one((b) => b['serverGuid']) },
    { field: 'smb2.max_trans_size', ours: one((b) => b['maxTransactSize']) },
    { field: 'smb2.max_read_size', ours: one((b) => b['maxReadSize']) },
    { field: 'smb2.max_write_size', ours: one((b) => b['maxWriteSize']) },
    { field: 'smb2.capabilities', ours: one((b) => b['capabilities']) },
    ...negotiateContextChecks,
  ],
  '1q': [
    // tshark reads the pre-release (StructureSize 17) request with the 3.x layout, so only the common fields.
    { field: 'smb2.ses_req_flags', ours: one((b) => b['flags']) },
    { field: 'smb2.capabilities', ours: one((b) => b['capabilities']) },
    { field: 'smb2.previous_sesid', ours: (b) => (b['structureSize'] === 25 ? [b['previousSessionId']] : undefined) },
  ],
  '1r': [{ field: 'smb2.session_flags', ours: one((b) => b['sessionFlags']) }],
  '3q': [{ field: 'smb2.tree', ours: one((b) => b['path']) }],
  '3r': [
    { field: 'smb2.share_type', ours: one((b) => b['shareType']) },
    { field: 'smb2.share_flags', ours: one((b) => b['shareFlags']) },
    { field: 'smb2.share_caps', ours: one((b) => b['capabilities']) },
  ],
  '5q': [
    { field: 'smb2.create.oplock', ours: one((b) => b['requestedOplockLevel']) },
    { field: 'smb2.create.disposition', ours: one((b) => b['createDisposition']) },
    { field: 'smb2.tag', ours: (b) => (b['createContexts'] as CreateContext[]).map((c) => c.tag) },
    { field: 'smb2.lease.lease_key', ours: leaseKeys },
    { field: 'smb2.lease.parent_lease_key', ours: parentLeaseKeys },
    { field: 'smb2.lease.lease_state', ours: (b) => leases(b).map((v) => v['leaseState']) },
    { field: 'smb2.lease.lease_oplock', ours: (b) => leases(b).filter((v) => v['epoch'] !== undefined).map((v) => v['epoch']) },
    { field: 'smb2.dh2x.create_guid', ours: (b) => known(b['createContexts']).filter((c) => c.tag === 'DH2Q' || c.tag === 'DH2C').map((c) => (c.value as Body)['createGuid']) },
    { field: 'smb2.dh2x.timeout', ours: (b) => known(b['createContexts']).filter((c) => c.tag === 'DH2Q').map((c) => (c.value as Body)['timeout']) },
  ],
  '5r': [
    { field: 'smb2.create.oplock', ours: one((b) => b['oplockLevel']) },
    { field: 'smb2.create.action', ours: one((b) => b['createAction']) },
    { field: 'smb2.eof', ours: one((b) => b['endOfFile']) },
    { field: 'smb2.allocation_size', ours: one((b) => b['allocationSize']) },
    { field: 'smb2.file_attribute', ours: one((b) => b['fileAttributes']) },
    { field: 'smb2.tag', ours: (b) => (b['createContexts'] as CreateContext[]).map((c) => c.tag) },
    { field: 'smb2.lease.lease_key', ours: leaseKeys },
    { field: 'smb2.lease.parent_lease_key', ours: parentLeaseKeys },
    { field: 'smb2.lease.lease_state', ours: (b) => leases(b).map((v) => v['leaseState']) },
    { field: 'smb2.lease.lease_oplock', ours: (b) => leases(b).filter((v) => v['epoch'] !== undefined).map((v) => v['epoch']) },
    { field: 'smb2.dh2x.timeout', ours: (b) => known(b['createContexts']).filter((c) => c.tag === 'DH2Q').map((c) => (c.value as Body)['timeout']) },
    { field: 'smb2.qfid_fid', ours: (b) => known(b['createContexts']).filter((c) => c.tag === 'QFid').map((c) => hexColon(Buffer.concat([le64((c.value as Body)['diskFileId']), le64((c.value as Body)['volumeId']), (c.value as Body)['reserved']]))) },
  ],
  '6q': [{ field: 'smb2.close.flags', ours: one((b) => b['flags']) }],
  '6r': [
    { field: 'smb2.close.flags', ours: one((b) => b['flags']) },
    { field: 'smb2.eof', ours: one((b) => b['endOfFile']) },
  ],
  '8q': [
    { field: 'smb2.read_length', ours: one((b) => b['length']) },
    { field: 'smb2.file_offset', ours: one((b) => b['offset']) },
    { field: 'smb2.min_count', ours: one((b) => b['minimumCount']) },
  ],
  '8r': [
    { field: 'smb2.data_offset', alt: 'smb2.olb.offset', ours: one((b) => b['dataOffset']) },
    { field: 'smb2.read_length', alt: 'smb2.olb.length', ours: one((b) => b['dataLength']) },
    { field: 'smb2.read_remaining', ours: one((b) => b['dataRemaining']) },
  ],
  '9q': [
    { field: 'smb2.data_offset', ours: one((b) => b['dataOffset']) },
    { field: 'smb2.write_length', ours: one((b) => b['length']) },
    { field: 'smb2.file_offset', ours: one((b) => b['offset']) },
  ],
  '9r': [{ field: 'smb2.write.count', ours: one((b) => b['count']) }],
  '10q': [
    { field: 'smb2.lock_count', ours: one((b) => b['lockCount']) },
    { field: 'smb2.lock_length', ours: (b) => (b['locks'] as Body[]).map((l) => l['length']) },
    { field: 'smb2.lock_flags', ours: (b) => (b['locks'] as Body[]).map((l) => l['flags']) },
  ],
  '11q': [
    { field: 'smb2.ioctl.function', ours: one((b) => b['ctlCode']) },
    { field: 'smb2.max_ioctl_out_size', ours: one((b) => b['maxOutputResponse']) },
  ],
  '11r': [{ field: 'smb2.ioctl.function', ours: one((b) => b['ctlCode']) }],
  '14q': [
    { field: 'smb2.find.infolevel', ours: one((b) => b['fileInformationClass']) },
    { field: 'smb2.find.pattern', ours: one((b) => b['fileName']) },
  ],
  '15q': [{ field: 'smb2.notify.flags', ours: one((b) => b['flags']) }],
  '16q': [
    { field: 'smb2.class', ours: one((b) => b['infoType']) },
    { field: 'smb2.max_response_size', ours: one((b) => b['outputBufferLength']) },
  ],
  '17q': [
    { field: 'smb2.class', ours: one((b) => b['infoType']) },
    { field: 'smb2.setinfo_size', ours: one((b) => b['bufferLength']) },
  ],
  '18q': [
    { field: 'smb2.lease.lease_key', ours: (b) => (b['structureSize'] === 36 ? [b['leaseKey']] : []) },
    { field: 'smb2.lease.lease_state', ours: (b) => (b['structureSize'] === 36 ? [b['leaseState']] : []) },
  ],
  '18r': [
    { field: 'smb2.lease.lease_key', ours: (b) => (b['structureSize'] !== 24 ? [b['leaseKey']] : []) },
    { field: 'smb2.lease.lease_break_reason', ours: (b) => (b['structureSize'] === 44 ? [b['breakReason']] : []) },
  ],
  e: [
    { field: 'smb2.error.byte_count', ours: one((b) => b['byteCount']) },
    { field: 'smb2.error.context_count', ours: one((b) => b['errorContextCount']) },
  ],
}

function le64(v: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(v)
  return b
}

/** Commands whose regular response has StructureSize 9, like the ERROR body. */
const ERROR_AMBIGUOUS = new Set([0x01, 0x0e, 0x0f, 0x10])

/** Header and body differences between our decode of `m` and tshark's `layer` (empty when they agree). */
export function compareWithTshark(m: DecodedMessage, layer: Layer): string[] {
  const diffs: string[] = []
  const hdr = flatten(layer['SMB2 Header'])
  const h = m.header
  const expect = (field: string, ours: Array<string | number | bigint>, theirs: string[] | undefined) => {
    const a = ours.map(norm).join('|')
    const b = (theirs ?? []).map(norm).join('|')
    if (a !== b) diffs.push(`${field}: ours ${a || '(none)'} / tshark ${b || '(none)'}`)
  }
  expect('smb2.cmd', [h.command], hdr.get('smb2.cmd'))
  expect('smb2.msg_id', [h.messageId], hdr.get('smb2.msg_id'))
  if (m.error || Buffer.isBuffer(m.body)) return diffs
  const body = m.body as Body
  const key = m.bodyType === 'ErrorResponse' ? 'e' : `${h.command}${h.flags & 1 ? 'r' : 'q'}`
  const tree = flatten(bodyTree(layer))
  // A failed SESSION_SETUP / QUERY_* / CHANGE_NOTIFY answer with StructureSize 9 reads the same under both
  // layouts; tshark shows the command's own layout, we the ERROR body (MS-SMB2 3.3.4.4). Nothing to compare.
  if (key === 'e' && !tree.has('smb2.error.byte_count') && ERROR_AMBIGUOUS.has(h.command)) return diffs
  for (const c of CHECKS[key] ?? []) {
    const ours = c.ours(body, m)
    if (ours === undefined) continue
    expect(c.field, ours, tree.get(c.field) ?? (c.alt ? tree.get(c.alt) : undefined))
  }
  return diffs
}
