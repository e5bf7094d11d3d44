import { describe, expect, it } from 'vitest'
import { onCleanup, runCleanup } from './cleanup.js'

describe('cleanup tasks', () => {
  it('run once each, in order, even when one fails; unregistered ones do not run', () => {
    const ran: string[] = []
    onCleanup(() => ran.push('spool'))
    onCleanup(() => {
      throw new Error('terminal already gone')
    })
    const off = onCleanup(() => ran.push('never'))
    onCleanup(() => ran.push('view'))
    off()
    runCleanup()
    runCleanup()
    expect(ran).toEqual(['spool', 'view'])
  })
})
