/**
 * The replay module's public surface: plan a capture, run it against a live server (`ReplayEngine`, a
 * `ReplayDriver` the inspector can step), report (`formatReport`, `exitCodeOf`), record the live traffic
 * (`PcapRecorder`), and the `smbscope replay` command (`replayCommand`).
 *
 * ```ts
 * const engine = await ReplayEngine.fromFile('cap.pcap', { host: '127.0.0.1', port: 445, credentials: { user: 'bob', password: 'pw' } })
 * for await (const step of engine.runToDivergence()) console.log(step.frame, step.cmd, step.verdict)
 * await engine.close()
 * ```
 * @module
 */
export { buildPlan, PlanError, type Plan, type PlanEvent, type PlanStep, type Expectation, type PlanOptions } from './plan.js'
export { ReplayEngine, ReplayFatalError, type InjectSpec, type ReplayOptions } from './engine.js'
export { exitCodeOf, formatJunit, formatReport, formatText, matchedPercent, type ReportFormat } from './compare/report.js'
export { compareResponses, makeRules, responseView, type RuleOptions } from './compare/rules.js'
export { PcapRecorder } from './record-pcap.js'
export { IdMap } from './id-map.js'
export { credentials, credentialsFor, parseUser, type Credentials } from './session/authenticator.js'
export { createReplayDriver, runReplay, optionsFromArgs, UsageError, parseTarget, parseShareMap, parseUserMap, parseInject, type ReplayArgs } from './cli.js'
export { replayCommand } from './command.js'
export * from './types.js'
