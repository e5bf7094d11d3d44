import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Writer, assertRoundTrip } from '../../wire/index.js'
import { makeHeader } from '../header.js'
import { decodeChain, encodeChain } from '../message.js'
import { isErrorBody } from '../registry.js'
import { ErrorId, ErrorResponse, MoveDstIpAddr, ShareRedirectErrorContext, SymbolicLinkErrorResponse, formatMoveDstIpAddr, type ErrorData, type ErrorResponseInput } from './error.js'

const STOPPED_ON_SYMLINK = 0x8000_002d
const BUFFER_TOO_SMALL = 0xc000_0023
const BAD_NETWORK_NAME = 0xc000_00cc

/** MS-SMB2 2.2.2.2.1 written out by hand (the oracle for the codec). */
function symlinkBytes(substitute: string, print: string, flags: number): Buffer {
  const s = Buffer.from(substitute, 'utf16le')
  const p = Buffer.from(print, 'utf16le')
  const w = new Writer()
  w.u32(24 + s.length + p.length) // SymLinkLength: everything after this field
  w.u32(0x4c4d5953) // 'SYML'
  w.u32(0xa000000c) // IO_REPARSE_TAG_SYMLINK
  w.u16(12 + s.length + p.length) // ReparseDataLength
  w.u16(0) // UnparsedPathLength
  w.u16(0) // SubstituteNameOffset
  w.u16(s.length)
  w.u16(s.length) // PrintNameOffset
  w.u16(p.length)
  w.u32(flags)
  w.bytes(s)
  w.bytes(p)
  return w.finish()
}

/** A whole ERROR response message (header + body) with this status and ErrorData. */
function errorMessage(status: number, errorData: Buffer, errorContextCount = 0): Buffer {
  const w = new Writer()
  w.bytes(encodeChain([{ header: makeHeader({ command: 5, flags: 1, status }), body: Buffer.alloc(0) }]))
  w.u16(9)
  w.u8(errorContextCount)
  w.u8(0)
  w.u32(errorData.length)
  w.bytes(errorData.length ? errorData : Buffer.alloc(1))
  return w.finish()
}

function decodeError(buf: Buffer): ErrorData {
  const d = decodeChain(buf)
  expect(d.error).toBeUndefined()
  const m = d.messages[0]!
  expect(m.error?.message).toBeUndefined()
  expect(m.bodyType).toBe('ErrorResponse')
  const again = encodeChain(d.messages.map((x) => ({ header: x.header, body: x.body, trailer: x.trailer })))
  expect(again.toString('hex')).toBe(buf.toString('hex'))
  return (m.body as ErrorResponse).errorData
}

describe('ERROR', () => {
  it('decodes a Symbolic Link Error Response (STATUS_STOPPED_ON_SYMLINK, no contexts)', () => {
    const data = decodeError(errorMessage(STOPPED_ON_SYMLINK, symlinkBytes('\\??\\C:\\target', 'C:\\target', 0)))
    expect(data.kind).toBe('symbolicLink')
    if (data.kind !== 'symbolicLink') return
    expect(data.value).toMatchObject({
      symLinkErrorTag: 0x4c4d5953, reparseTag: 0xa000000c, unparsedPathLength: 0, substituteNameOffset: 0, substituteNameLength: 26,
      printNameOffset: 26, printNameLength: 18, flags: 0, substituteName: '\\??\\C:\\target', printName: 'C:\\target',
    })
  })

  it('decodes 3.1.1 error contexts: a default context holding a symlink, and a Share Redirect context', () => {
    const sym = symlinkBytes('..\\other', '..\\other', 1)
    const ctx = new Writer()
    ctx.u32(sym.length)
    ctx.u32(ErrorId.Default)
    ctx.bytes(sym)
    ctx.align(8)
    // MS-SMB2 2.2.2.2.2: StructureSize 48, NotificationType 3, one IPv4 MOVE_DST_IPADDR, ResourceName after it.
    const name = Buffer.from('\\\\srv2\\share', 'utf16le')
    const redirect = new Writer()
    redirect.u32(48)
    redirect.u32(3)
    redirect.u32(24 + 24) // ResourceNameOffset from the context start
    redirect.u32(name.length)
    redirect.u16(0)
    redirect.u16(0)
    redirect.u32(1)
    redirect.u32(1) // Type V4
    redirect.u32(0)
    redirect.bytes(Buffer.from([10, 0, 0, 7]))
    redirect.zeros(12)
    redirect.bytes(name)
    const r = redirect.finish()
    ctx.u32(r.length)
    ctx.u32(ErrorId.ShareRedirect)
    ctx.bytes(r)
    const data = decodeError(errorMessage(BAD_NETWORK_NAME, ctx.finish(), 2))
    expect(data.kind).toBe('contexts')
    if (data.kind !== 'contexts') return
    expect(data.contexts.map((c) => [c.errorId, c.errorContextData.kind])).toEqual([[0, 'symbolicLink'], [ErrorId.ShareRedirect, 'shareRedirect']])
    const sr = data.contexts[1]!.errorContextData
    if (sr.kind !== 'shareRedirect') return
    expect(sr.value).toMatchObject({ structureSize: 48, notificationType: 3, targetType: 0, ipAddrCount: 1, resourceName: '\\\\srv2\\share' })
    expect(formatMoveDstIpAddr(sr.value.ipAddrMoveList[0]!)).toBe('10.0.0.7')
  })

  it('decodes the STATUS_BUFFER_TOO_SMALL required length', () => {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(4096)
    expect(decodeError(errorMessage(BUFFER_TOO_SMALL, b))).toEqual({ kind: 'bufferTooSmall', requiredBufferLength: 4096 })
  })

  it('keeps unknown, truncated or odd ErrorData raw (with the reason) and never throws', () => {
    expect(decodeError(errorMessage(BAD_NETWORK_NAME, Buffer.from('abc')))).toEqual({ kind: 'raw', data: Buffer.from('abc') })
    const cut = symlinkBytes('a', 'b', 0).subarray(0, 20)
    expect(decodeError(errorMessage(STOPPED_ON_SYMLINK, cut))).toMatchObject({ kind: 'raw', error: 'printNameOffset @0x14: need 2 bytes, 0 left' })
    const odd = symlinkBytes('ab', 'c', 0)
    odd.writeUInt16LE(3, 18) // odd SubstituteNameLength
    expect(decodeError(errorMessage(STOPPED_ON_SYMLINK, odd))).toMatchObject({ kind: 'raw', error: 'substituteName @0x22: [0, +3) does not fit PathBuffer (6 bytes)' })
    // ErrorContextCount says 2 but only one context is there.
    const one = Buffer.concat([Buffer.from('0400000000000000', 'hex'), Buffer.from('01020304', 'hex')])
    expect(decodeError(errorMessage(BAD_NETWORK_NAME, one, 2))).toMatchObject({ kind: 'raw', error: 'contexts.1 @0xc: need 4 bytes, 0 left' })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(STOPPED_ON_SYMLINK, BUFFER_TOO_SMALL, BAD_NETWORK_NAME), (bytes, count, status) => {
        decodeError(errorMessage(status, Buffer.from(bytes), count))
      }),
      { numRuns: 300 },
    )
  })

  it('round-trips the error data structures', () => {
    const path = Buffer.from('a\\bc', 'utf16le')
    const { decoded } = assertRoundTrip(SymbolicLinkErrorResponse, {
      symLinkLength: 24 + path.length, reparseDataLength: 12 + path.length, unparsedPathLength: 0,
      substituteNameOffset: 0, substituteNameLength: path.length, printNameOffset: 0, printNameLength: 2, flags: 1, pathBuffer: path,
    })
    expect([decoded.substituteName, decoded.printName]).toEqual(['a\\bc', 'a'])
    const v6 = { type: 2, address: Buffer.from('20010db8000000000000000000000001', 'hex') }
    expect(formatMoveDstIpAddr(assertRoundTrip(MoveDstIpAddr, v6).decoded)).toBe('2001:db8:0:0:0:0:0:1')
    const { decoded: sr, bytes } = assertRoundTrip(ShareRedirectErrorContext, { notificationType: 3, targetType: 0, ipAddrMoveList: [v6, { type: 1, address: Buffer.alloc(16, 0) }], resourceName: '\\\\s\\x' })
    expect([sr.structureSize, sr.ipAddrCount, sr.resourceNameOffset]).toEqual([48, 2, 24 + 48])
    expect(bytes.length).toBe(24 + 48 + 10)
  })

  it('round-trips built error bodies', () => {
    const input: ErrorResponseInput = { errorContextCount: 1, errorData: { kind: 'contexts', contexts: [{ errorId: 0, errorContextData: { kind: 'bufferTooSmall', requiredBufferLength: 10 } }] } }
    const { bytes } = assertRoundTrip(ErrorResponse, input, { status: BUFFER_TOO_SMALL, pduStart: -64 })
    expect(bytes.toString('hex')).toBe('0900' + '01' + '00' + '0c000000' + '04000000' + '00000000' + '0a000000')
    expect(assertRoundTrip(ErrorResponse, { errorContextCount: 0, errorData: { kind: 'raw', data: Buffer.alloc(0) } }).bytes.toString('hex')).toBe('090000000000000000')
  })

  it('applies the ERROR body rule (MS-SMB2 3.3.4.4) with the StructureSize at the body start', () => {
    const rsp = (command: number, status: number) => ({ command, status, flags: 1 })
    expect(isErrorBody(rsp(5, 0xc0000034), 9)).toBe(true)
    expect(isErrorBody(rsp(5, 0), 9)).toBe(false)
    expect(isErrorBody({ command: 5, status: 0xc0000034, flags: 0 }, 9)).toBe(false)
    expect(isErrorBody(rsp(1, 0xc0000016), 9)).toBe(false) // MORE_PROCESSING_REQUIRED: the SESSION_SETUP body
    expect(isErrorBody(rsp(1, 0xc000006d), 9)).toBe(true)
    expect(isErrorBody(rsp(0x10, 0x80000005), 9)).toBe(false) // BUFFER_OVERFLOW on QUERY_INFO
    expect(isErrorBody(rsp(0x10, 0x103), 9)).toBe(true) // interim STATUS_PENDING
    expect(isErrorBody(rsp(8, 0x80000005), 17)).toBe(false) // READ's own body
    expect(isErrorBody(rsp(0x0b, 0xc000000d), 49)).toBe(false) // IOCTL copychunk answer with its own body
    expect(isErrorBody(rsp(0x0b, 0xc0000225), 9)).toBe(true)
  })
})
