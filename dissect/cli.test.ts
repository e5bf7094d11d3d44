import { describe, expect, it } from 'vitest'
import yargs from 'yargs'
import { dissectCommand, type DissectArgs } from './command.js'
import { parseDissectArgv } from './cli.js'

/** What yargs hands the `dissect` runner for these arguments (the runner itself is never started). */
async function viaYargs(argv: string[]): Promise<DissectArgs | Error> {
  let got: DissectArgs | undefined
  const cli = yargs(['dissect', ...argv])
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg)
    })
    .middleware((a) => {
      got = a as unknown as DissectArgs
      throw new Error('stop before the runner')
    })
  dissectCommand(cli)
  try {
    await cli.parseAsync()
  } catch (e) {
    if (got) return got
    return e as Error
  }
  throw new Error('the runner was reached')
}

const pick = (a: DissectArgs): DissectArgs => {
  const out: Record<string, unknown> = {}
  for (const k of ['file', 'format', 'password', 'keys', 'filter', 'color', 'progress'] as const) if (a[k] !== undefined) out[k] = a[k]
  return out as unknown as DissectArgs
}

describe('parseDissectArgv (the CLI fast path)', () => {
  const accepted = [
    ['cap.pcap'],
    ['cap.pcap', '--format', 'jsonl'],
    ['--format', 'jsonl', 'cap.pcap'],
    ['cap.pcap', '-f', 'json'],
    ['cap.pcap', '--format=summary'],
    ['cap.pcap', '-Y', 'CREATE && path~docx', '--keys', 'k.txt'],
    ['cap.pcap', '--filter=status!=SUCCESS', '-k', 'k.txt'],
    ['cap.pcap', '--no-color', '--progress'],
    ['cap.pcap', '--color', '--no-progress', '-f', 'text'],
    ['123'],
    ['cap.pcap', '--password', 'pw'],
    ['cap.pcap', '-p', 'pw', '-f', 'jsonl'],
    ['cap.pcap', '--password=pw'],
  ]
  for (const argv of accepted) {
    it(`takes ${JSON.stringify(argv)} as yargs does`, async () => {
      const fast = parseDissectArgv(argv)
      expect(fast).toBeDefined()
      const y = await viaYargs(argv)
      expect(y).not.toBeInstanceOf(Error)
      expect(fast).toEqual(pick(y as DissectArgs))
    })
  }

  const declined = [
    [],
    ['a.pcap', 'b.pcap'],
    ['cap.pcap', '--format', 'xml'],
    ['cap.pcap', '--format'],
    ['cap.pcap', '-f', 'jsonl', '-f', 'text'],
    ['--password', 'pw', 'cap.pcap'],
    ['-p', 'pw', 'pw2', 'cap.pcap'],
    ['cap.pcap', '-p', 'pw', '-p', 'pw2'],
    ['cap.pcap', '--password'],
    ['cap.pcap', '--help'],
    ['cap.pcap', '--bogus'],
    ['cap.pcap', '--filter', '-x'],
    ['cap.pcap', '--color=true'],
    ['cap.pcap', '--', 'x'],
    ['--format', 'jsonl'],
  ]
  for (const argv of declined) {
    it(`leaves ${JSON.stringify(argv)} to yargs`, () => {
      expect(parseDissectArgv(argv)).toBeUndefined()
    })
  }
})
