/**
 * Test helpers for the file-system layer: a temporary share root and state directory, and shorthands for the
 * create parameters tests use most. Only tests import this module.
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Access, CreateOptions, Disposition, ShareAccess } from './constants.js'
import { LocalShare, type CreateParams, type LocalShareOptions } from './local-fs.js'
import { VfsError } from './status.js'

export interface TempShare {
  share: LocalShare
  /** Real path of the share root. */
  root: string
  stateDir: string
  /** The temporary parent of root and state directory (removed by `cleanup`). */
  base: string
  cleanup(): Promise<void>
}

/** A share on a fresh temporary directory, with its state directory beside (not inside) the root. */
export async function tempShare(opts: Partial<LocalShareOptions> = {}): Promise<TempShare> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'vfs-test-'))
  const rootDir = path.join(base, 'share')
  const stateDir = path.join(base, 'state')
  const fs = await import('node:fs/promises')
  await fs.mkdir(rootDir)
  const share = await LocalShare.open({ name: 'test', root: rootDir, stateDir, ...opts })
  return {
    share,
    root: share.rootPath,
    stateDir,
    base,
    async cleanup(this: TempShare) {
      await this.share.dispose()
      rmSync(base, { recursive: true, force: true })
    },
  }
}

/** Create parameters with test defaults: read/write/delete access, share all, OPEN_IF, owner "t". */
export function params(p: Partial<CreateParams> & { path: string }): CreateParams {
  return {
    desiredAccess: Access.FileReadData | Access.FileWriteData | Access.Delete | Access.FileReadAttributes | Access.FileWriteAttributes,
    shareAccess: ShareAccess.All,
    disposition: Disposition.OpenIf,
    createOptions: 0,
    owner: 't',
    ...p,
  }
}

/** Directory create parameters. */
export function dirParams(p: Partial<CreateParams> & { path: string }): CreateParams {
  return params({ desiredAccess: Access.FileReadData | Access.Delete | Access.FileReadAttributes, createOptions: CreateOptions.DirectoryFile, ...p })
}

/** The NTSTATUS a promise rejects with (fails the test when it resolves or rejects with another error). */
export async function statusOf(p: Promise<unknown> | (() => unknown)): Promise<number> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    if (e instanceof VfsError) return e.status
    throw e
  }
  throw new Error('expected a VfsError, but the operation succeeded')
}
