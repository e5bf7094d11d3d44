/**
 * A scripted SMB2 "server" for engine tests without Samba: it answers each request with the response the
 * capture holds for it, with every server-chosen id (SessionId, TreeId, FileId) changed by a fixed
 * transformation, and checks that the requests it gets carry the transformed ids — the proof that the
 * engine mapped captured ids to live ones. The final SESSION_SETUP response is made a guest session, so the
 * client has no key and signs nothing (the scripted server cannot sign).
 *
 * The n-th connection accepted plays the n-th captured connection. Breaks and interim answers are not played.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { NetbiosFramer } from '../../dissect/capture/index.js'
import { Smb2Command } from '../../dissect/smb2/constants/command.js'
import { NtStatus } from '../../dissect/smb2/constants/status.js'
import { decodeChain, encodeMessage } from '../../dissect/smb2/message.js'
import type { Smb2Header } from '../../dissect/smb2/header.js'
import { Writer } from '../../dissect/wire/index.js'
import { patchFileId, patchHeader, readFileId } from '../patch.js'
import type { Plan, PlanStep } from '../plan.js'

const ONES = 0xffff_ffff_ffff_ffffn
const mid = (h: Smb2Header): bigint => h.messageId
export const liveSession = (s: bigint): bigint => (s === 0n || s === ONES ? s : s ^ 0x1111_0000_0000n)
export const liveTree = (t: number): number => (t === 0 || t === 0xffff_ffff ? t : (t ^ 0x0022_0000) >>> 0)
export const liveFile = (f: { persistent: bigint; volatile: bigint }) =>
  f.persistent === ONES && f.volatile === ONES ? f : { persistent: f.persistent ^ (0x33n << 32n), volatile: f.volatile ^ (0x44n << 32n) }

export interface ScriptedServer {
  port: number
  /** Requests whose ids were not the transformed captured ones, or that came out of order. */
  problems: string[]
  /** Requests answered. */
  answered: number
  close(): Promise<void>
}

export interface ScriptOptions {
  /** Answer the last leg of the first authentication with STATUS_LOGON_FAILURE. */
  refuseAuth?: boolean
}

export async function startScriptedServer(plan: Plan, opts: ScriptOptions = {}): Promise<ScriptedServer> {
  let refused = false
  const byConn = new Map<string, PlanStep[]>()
  for (const s of plan.steps) {
    let l = byConn.get(s.conn)
    if (!l) byConn.set(s.conn, (l = []))
    l.push(s)
  }
  const conns = [...plan.connections.keys()]
  // FileIds the capture's server handed out: only those are expected to come back transformed.
  const handedOut = new Set<string>()
  for (const s of plan.steps) {
    const f = (s.response?.record.body as { fileId?: { persistent: bigint; volatile: bigint } } | undefined)?.fileId
    if (f && s.command === Smb2Command.Create) handedOut.add(`${f.persistent}:${f.volatile}`)
  }
  const result: ScriptedServer = { port: 0, problems: [], answered: 0, close: async () => {} }
  const sockets = new Set<Socket>()
  let accepted = 0
  const server: Server = createServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    const captured = conns[accepted++]
    const steps = captured ? [...(byConn.get(captured) ?? [])] : []
    const framer = new NetbiosFramer()
    sock.on('data', (chunk) => {
      try {
        onData(chunk)
      } catch (e) {
        result.problems.push(`scripted server: ${(e as Error).message}`)
      }
    })
    const onData = (chunk: Buffer): void => {
      for (const out of framer.push(chunk)) {
        if (out.kind !== 'message') continue
        const chain = decodeChain(out.data, { spans: true })
        const replies: Buffer[] = []
        for (const m of chain.messages) {
          const step = steps.shift()
          if (!step || step.command !== m.header.command) {
            result.problems.push(`${captured}: got ${m.header.command}, expected ${step?.cmd ?? 'nothing'}`)
            continue
          }
          const h = m.header
          if (h.command !== Smb2Command.SessionSetup || step.header.sessionId !== 0n) {
            if (h.sessionId !== liveSession(step.header.sessionId)) result.problems.push(`frame ${step.frame}: SessionId 0x${h.sessionId.toString(16)}`)
          }
          if (!(h.flags & 2) && h.treeId !== liveTree(step.header.treeId)) result.problems.push(`frame ${step.frame}: TreeId 0x${h.treeId.toString(16)}`)
          for (const p of step.patches) {
            if (p.kind !== 'fileId' && p.kind !== 'reconnectFileId') continue
            const cap = readFileId(step.raw, p.span)
            if (!handedOut.has(`${cap.persistent}:${cap.volatile}`)) continue
            const got = readFileId(out.data, { start: m.start + p.span.start, end: m.start + p.span.end })
            const want = liveFile(cap)
            if (got.persistent !== want.persistent || got.volatile !== want.volatile) result.problems.push(`frame ${step.frame}: ${p.kind} ${got.persistent.toString(16)}`)
          }
          if (h.command === Smb2Command.Cancel || !step.response) continue
          if (opts.refuseAuth && !refused && h.command === Smb2Command.SessionSetup && step.response.header.status === NtStatus.Success) {
            refused = true
            const header = { ...step.response.header, messageId: mid(h), sessionId: liveSession(step.response.header.sessionId), status: NtStatus.LogonFailure, flags: 1, nextCommand: 0, signature: Buffer.alloc(16) }
            replies.push(encodeMessage({ header, body: { structureSize: 9, errorContextCount: 0, reserved: 0, byteCount: 0, errorData: Buffer.alloc(0) } }))
            continue
          }
          replies.push(answer(step, h.messageId))
          result.answered++
        }
        if (!replies.length) continue
        const body = replies.length === 1 ? replies[0]! : chainOf(replies)
        const hdr = Buffer.alloc(4)
        hdr.writeUInt32BE(body.length)
        sock.write(Buffer.concat([hdr, body]))
      }
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  result.port = (server.address() as { port: number }).port
  result.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  return result
}

/** The captured response of `step`, for MessageId `mid`, with transformed ids. */
function answer(step: PlanStep, mid: bigint): Buffer {
  const e = step.response!
  const raw = Buffer.from(e.raw)
  const m = decodeChain(raw, { spans: true }).messages[0]!
  patchHeader(raw, 0, (h) => ({ ...h, messageId: mid, nextCommand: 0, sessionId: liveSession(h.sessionId), treeId: h.flags & 2 ? h.treeId : liveTree(h.treeId) }))
  for (const s of m.spans ?? []) {
    const span = { start: s.start, end: s.end }
    if (s.path === 'body.fileId') patchFileId(raw, span, liveFile(readFileId(raw, span)))
    if (s.path === 'body.sessionFlags' && e.header.status === NtStatus.Success) {
      const w = new Writer(2)
      w.u16(0x0001) // SMB2_SESSION_FLAG_IS_GUEST: no session key, nothing signed
      w.finish().copy(raw, span.start)
    }
  }
  return raw
}

function chainOf(messages: Buffer[]): Buffer {
  const parts = messages.map((m, i) => {
    const last = i === messages.length - 1
    const padded = !last && m.length % 8 ? Buffer.concat([m, Buffer.alloc(8 - (m.length % 8))]) : m
    patchHeader(padded, 0, (h) => ({ ...h, nextCommand: last ? 0 : padded.length }))
    return padded
  })
  return Buffer.concat(parts)
}
