import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildConfig, ConfigError, parseListen, parseShare, parseUser } from './config.js'

const dir = mkdtempSync(join(tmpdir(), 'smbscope-config-'))

describe('server config', () => {
  it('parses shares with options', () => {
    expect(parseShare('data=/srv/x,ca,ro')).toEqual({ name: 'data', path: '/srv/x', ca: true, readOnly: true, encrypt: false, guestOk: false })
    expect(() => parseShare('data')).toThrow(ConfigError)
    expect(() => parseShare('d=/x,zz')).toThrow(/unknown option "zz"/)
  })
  it('parses users and listen addresses', () => {
    expect(parseUser('LAB\\bob:pw:with:colons')).toEqual({ name: 'bob', domain: 'LAB', password: 'pw:with:colons' })
    expect(parseListen('127.0.0.1:4450')).toEqual({ host: '127.0.0.1', port: 4450 })
    expect(parseListen('[::1]:445')).toEqual({ host: '::1', port: 445 })
    expect(() => parseListen('x:99999')).toThrow(/out of range/)
  })
  it('validates the whole configuration with readable errors', () => {
    const c = buildConfig({ listen: '127.0.0.1:4450', share: [`share=${dir}`], user: ['u:p'] })
    expect(c.shares[0]!.path).toBe(dir)
    expect(c.dialects).toEqual({ min: 0x0202, max: 0x0311 })
    expect(() => buildConfig({ share: [`share=${dir}/nope`], user: ['u:p'] })).toThrow(/is not a directory/)
    expect(() => buildConfig({ share: [`a=${dir}`, `A=${dir}`], user: ['u:p'] })).toThrow(/configured twice/)
    expect(() => buildConfig({ share: [`a=${dir}`] })).toThrow(/no user configured/)
    expect(() => buildConfig({ share: [`ipc$=${dir}`], user: ['u:p'] })).toThrow(/built in/)
  })
  it('sessions: anonymous and multichannel on by default, expiry from --session-expiry', () => {
    const c = buildConfig({ share: [`share=${dir}`], user: ['u:p'] })
    expect(c.anonymous).toBe(true)
    expect(c.multichannel).toBe(true)
    expect(c.limits.sessionExpiryMs).toBe(0)
    expect(buildConfig({ share: [`share=${dir}`], user: ['u:p'], sessionExpiry: 1.5 }).limits.sessionExpiryMs).toBe(1500)
    expect(() => buildConfig({ share: [`share=${dir}`], user: ['u:p'], sessionExpiry: -1 })).toThrow(/session-expiry/)
  })
})
