/**
 * Logging to stderr with levels. One line per event: time, level, scope, message and `key=value` fields. Nothing is
 * formatted unless the level is enabled, so debug calls on the hot path cost a comparison.
 * @module
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug'
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

export type LogFields = Record<string, string | number | bigint | boolean | undefined | null>

export interface LogSink {
  write(line: string): unknown
}

export class Logger {
  private readonly rank: number

  constructor(
    readonly level: LogLevel = 'info',
    private readonly sink: LogSink = process.stderr,
    private readonly scope = 'server',
  ) {
    this.rank = RANK[level]
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] <= this.rank
  }

  /** A logger with the same level and sink whose lines carry `scope`. */
  child(scope: string): Logger {
    return new Logger(this.level, this.sink, scope)
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields)
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields)
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields)
  }
  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields)
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[level] > this.rank) return
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${this.scope}: ${msg}`
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue
        const s = typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v)
        line += ` ${k}=${/[\s"]/.test(s) ? JSON.stringify(s) : s}`
      }
    }
    this.sink.write(line + '\n')
  }
}

/** A logger that drops everything (tests). */
export const silentLogger = new Logger('error', { write: () => true })
