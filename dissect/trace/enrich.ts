/**
 * Decodes what a body carries as opaque bytes — info-class buffers (QUERY_INFO/SET_INFO), directory entries
 * (QUERY_DIRECTORY), change notifications, IOCTL/FSCTL payloads, and the SecD/ExtA create contexts — using the
 * payload codecs of dissect/smb2. A response's buffer is read with what its request said (info type and
 * class). Decoded values go next to the raw field as `<field>Decoded`; a payload that does not decode is a
 * note on the record, not a failed message.
 * @module
 */
import { Smb2Command } from '../smb2/constants/command.js'
import { infoClassName, fileInformationClassName } from '../smb2/constants/info-class.js'
import { NtStatus } from '../smb2/constants/status.js'
import { decodeDirectory, decodeInfo, decodeNotify, fileFullEaList } from '../smb2/info/index.js'
import { ctlCodeName, decodeIoctl } from '../smb2/ioctl/index.js'
import { securityDescriptorItem } from '../smb2/security/index.js'
import { Reader, isCodecError } from '../wire/index.js'
import type { SmbRecord } from './record.js'

/** What a response needs from its request to decode its buffers. */
export interface RequestInfo {
  infoType?: number
  infoClass?: number
  directoryClass?: number
}

type Body = Record<string, unknown>

function attempt(rec: SmbRecord, what: string, fn: () => unknown): unknown {
  try {
    return fn()
  } catch (e) {
    if (!isCodecError(e)) throw e
    rec.notes = [...(rec.notes ?? []), { severity: 'warning', group: 'malformed', message: `${what}: ${(e as Error).message}` }]
    return undefined
  }
}

const buf = (v: unknown): Buffer | undefined => (Buffer.isBuffer(v) && v.length ? v : undefined)

/**
 * Adds decoded payloads to `rec.body`: to a copy of the decoded body, so the message stays as decoded, or
 * with `inPlace` (nobody else holds the decoded message) to the body itself; the keys come out in the same
 * order either way.
 */
export function enrichBody(rec: SmbRecord, command: number, response: boolean, status: number, req: RequestInfo | undefined, inPlace = false): void {
  const body = rec.body
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return
  const b = body as Body
  const add: Body = {}
  switch (command) {
    case Smb2Command.QueryInfo:
      if (!response) {
        add['infoClassName'] = infoClassName(b['infoType'] as number, b['fileInfoClass'] as number)
        const input = buf(b['inputBuffer'])
        if (input) add['inputBufferDecoded'] = attempt(rec, 'input buffer', () => decodeInfo(b['infoType'] as number, b['fileInfoClass'] as number, input, 'request', { op: 'query' }))
      } else if (req?.infoType !== undefined && req.infoClass !== undefined && (status === NtStatus.Success || status === NtStatus.BufferOverflow)) {
        add['infoClassName'] = infoClassName(req.infoType, req.infoClass)
        const out = buf(b['outputBuffer'])
        if (out && status === NtStatus.Success) add['outputBufferDecoded'] = attempt(rec, 'output buffer', () => decodeInfo(req.infoType!, req.infoClass!, out, 'response'))
      }
      break
    case Smb2Command.SetInfo:
      if (!response) {
        add['infoClassName'] = infoClassName(b['infoType'] as number, b['fileInfoClass'] as number)
        const data = buf(b['buffer'])
        if (data) add['bufferDecoded'] = attempt(rec, 'buffer', () => decodeInfo(b['infoType'] as number, b['fileInfoClass'] as number, data, 'request', { op: 'set' }))
      }
      break
    case Smb2Command.QueryDirectory:
      if (!response) add['infoClassName'] = fileInformationClassName(b['fileInformationClass'] as number)
      else if (req?.directoryClass !== undefined) {
        add['infoClassName'] = fileInformationClassName(req.directoryClass)
        const out = buf(b['outputBuffer'])
        if (out && status === NtStatus.Success) add['outputBufferDecoded'] = attempt(rec, 'directory entries', () => decodeDirectory(req.directoryClass!, out))
      }
      break
    case Smb2Command.ChangeNotify:
      if (response && status === NtStatus.Success) {
        const out = buf(b['outputBuffer'])
        if (out) add['outputBufferDecoded'] = attempt(rec, 'notifications', () => decodeNotify(out))
      }
      break
    case Smb2Command.Ioctl: {
      if (typeof b['ctlCode'] !== 'number') break
      const code = b['ctlCode']
      add['ctlCodeName'] = ctlCodeName(code)
      const dir = response ? 'response' : 'request'
      const input = buf(b['input'])
      const output = buf(b['output'])
      if (input && !response) add['inputDecoded'] = attempt(rec, 'ioctl input', () => decodeIoctl(code, input, dir))
      if (output && response) add['outputDecoded'] = attempt(rec, 'ioctl output', () => decodeIoctl(code, output, dir))
      break
    }
    case Smb2Command.Create: {
      const list = b['createContexts']
      if (!Array.isArray(list)) break
      let changed = false
      const contexts = list.map((c: Body) => {
        if (c['known'] !== false || !Buffer.isBuffer(c['data'])) return c
        const data = c['data'] as Buffer
        if (c['tag'] === 'SecD') {
          changed = true
          const v = attempt(rec, 'SecD', () => securityDescriptorItem.read(new Reader(data), { pduStart: 0 }, { length: data.length }))
          return v === undefined ? c : { ...c, decoded: v }
        }
        if (c['tag'] === 'ExtA') {
          changed = true
          const v = attempt(rec, 'ExtA', () => fileFullEaList.read(new Reader(data), { pduStart: 0 }, { length: data.length }))
          return v === undefined ? c : { ...c, decoded: v }
        }
        return c
      })
      if (changed) add['createContexts'] = contexts
      break
    }
    default:
      break
  }
  let any = false
  for (const k in add) {
    any = true
    break
  }
  if (!any) return
  if (!inPlace || Object.isFrozen(b)) rec.body = { ...b, ...add }
  else for (const k in add) b[k] = add[k]
}
