import type {CustomerResult, EntryRecord} from '../engine/types.js'
import {JoeError} from '../errors.js'
import {iso, isoOrNull} from '../instant.js'
import {eventStorePath} from '../project/config.js'
import {type EventNameWarning, eventNameWarnings} from '../project/event-types.js'
import {selectJourneys} from '../project/select-journeys.js'
import type {PolicyCheck} from './policy.js'
import type {SimulationReport} from './report.js'
import type {MessageLoad, SimulateOptions, SimulateResult} from './simulate.js'

/**
 * Version of `joe simulate --json` (docs/cli-output.md). 3: one shape for one journey and several
 * (`journeys`, `load`, `policy` and `customer` always present, null when empty), and `customer`
 * in snake_case with ISO 8601 times.
 */
export const SIMULATE_OUTPUT_VERSION = 3

/** What the replay needs; the CLI runs it on a worker thread, tests on this one. */
export interface ReplayRequest {
  options: Omit<SimulateOptions, 'onResult' | 'onProgress'>
  /** `--trace FILE`. */
  trace?: string
}

export interface RunSimulateOptions {
  cwd: string
  configPath?: string
  /** Journey ids, files, folders or globs (select-journeys.ts); none: every journey of the project. */
  names: readonly string[]
  /** `--store`: the event store to replay (default: `store` of the config). */
  store?: string
  from?: number
  until?: number
  /** `--customer`: only this customer, with every transition. */
  customer?: string
  /** `--check`: check the config's policies. */
  check?: boolean
  trace?: string
  /** Runs the replay of one event store. */
  replay: (request: ReplayRequest) => Promise<SimulateResult>
  /** `--env`: calls `fn` with an event store holding the environment's received events (runtime/simulate-env.ts). */
  environmentHistory?: <T>(fn: (storePath: string) => Promise<T>) => Promise<T>
}

/** `joe simulate`: its result, for the text renderer, and its `--json` output. */
export interface SimulateRun {
  result: SimulateResult
  /** JOE2070 near misses of the journeys nobody entered. */
  warnings: EventNameWarning[]
  output: SimulateOutput
}

/** One transition of `customer.results.<journey>.trace`. */
export interface TraceEventJson {
  at: string
  kind: string
  /** Index into `entries`, or null outside any entry. */
  entry: number | null
  step: string | null
  detail: string
}

/** One customer's run through one journey (`--customer`), in the JSON convention. */
export interface CustomerJourneyJson {
  entries: EntryJson[]
  trace: TraceEventJson[]
  expression_errors: {at: string; where: string; step: string | null; message: string}[]
  profile: Record<string, unknown>
  events_in_window: number
  first_event_at: string | null
}

export interface EntryJson {
  entered_at: string
  group: string
  path: string[]
  sends: {step: string; channel: string; template: string; at: string; data: Record<string, unknown>; profile: Record<string, unknown>}[]
  suppressed: {step: string; reason: string; at: string}[]
  deferred: {step: string; reason: string; from: string; to: string}[]
  outcome: string
  exited_at: string | null
  /** Index into the journey's `exit` list; null for the loop guard or when not exited. */
  exit_criterion: number | null
  completed_at: string | null
  converted_at: string | null
  waiting_at: string | null
  stopped: string | null
  branches: {step: string; case: number | 'else'; at: string}[]
  variants: {step: string; variant: string; at: string}[]
}

/** `--check`'s result; breaches sorted by customer id. */
export type PolicyCheckJson = Omit<PolicyCheck, 'breaches'> & {
  breaches: {customer_id: string; messages: number; from: string; until: string}[]
}

/** The envelope every `joe simulate --json` has, whatever the number of journeys. */
export interface SimulateEnvelope {
  format_version: typeof SIMULATE_OUTPUT_VERSION
  /** One report per journey (spec section 5), sorted by journey id. */
  journeys: SimulationReport[]
  /** The messages per customer across the journeys; null with one journey. */
  load: MessageLoad | null
  /** With `--check`, else null. */
  policy: PolicyCheckJson | null
  /** With `--customer`, else null. */
  customer: {id: string; results: Record<string, CustomerJourneyJson>} | null
  /** JOE2070: event names of journeys nobody entered that the store only has spelled otherwise; [] when none. */
  warnings: EventNameWarning[]
}

/**
 * What `joe simulate --json` prints: the envelope, and with exactly one journey its report's keys at
 * the top level too (the report object of spec section 5).
 */
export type SimulateOutput = SimulateEnvelope & Partial<Omit<SimulationReport, 'format_version'>>

/** Selects the journeys, checks the flags against the config, replays, and shapes the output. */
export async function runSimulate(options: RunSimulateOptions): Promise<SimulateRun> {
  const {config, journeys} = await selectJourneys({
    cwd: options.cwd,
    ...(options.configPath ? {configPath: options.configPath} : {}),
    names: options.names,
  })
  const policy = config.policies.maxMessagesPerCustomer
  if (options.check && !policy) {
    throw new JoeError('JOE4007', '--check was given but joe.config.yaml has no policies', {
      hint: 'add e.g. `policies: { max_messages_per_customer: { limit: 5, per: 7d } }` to joe.config.yaml',
      exitCode: 2,
    })
  }
  const replay = async (storePath: string) => {
    const result = await options.replay({
      options: {
        journeys: journeys.map((j) => j.journey),
        storePath,
        ...(options.from !== undefined ? {from: options.from} : {}),
        ...(options.until !== undefined ? {until: options.until} : {}),
        ...(options.customer !== undefined ? {customerId: options.customer} : {}),
        ...(options.check && policy ? {policy} : {}),
      },
      ...(options.trace !== undefined ? {trace: options.trace} : {}),
    })
    // While the store exists (--env's is removed after the replay).
    const nobodyEntered = new Set(result.reports.filter((r) => r.customers.entered === 0).map((r) => r.journey))
    const warnings = eventNameWarnings(
      journeys.map((j) => j.journey).filter((j) => nobodyEntered.has(j.id)),
      storePath,
    )
    return {result, warnings}
  }
  const {result, warnings} = options.environmentHistory
    ? await options.environmentHistory(replay)
    : await replay(eventStorePath(config, options.store, options.cwd))
  return {result, warnings, output: simulateOutput(result, warnings)}
}

/** The `--json` output of a simulation. */
export function simulateOutput(result: SimulateResult, warnings: EventNameWarning[] = []): SimulateOutput {
  const [only] = result.reports.length === 1 ? result.reports : []
  const envelope = {
    journeys: result.reports,
    load: result.load ?? null,
    policy: result.policy
      ? {
          ...result.policy,
          breaches: result.policy.breaches.map((b) => ({customer_id: b.customerId, messages: b.messages, from: b.from, until: b.until})),
        }
      : null,
    customer: result.customer
      ? {
          id: result.customer.id,
          results: Object.fromEntries(Object.entries(result.customer.results).map(([journey, r]) => [journey, customerJson(r)])),
        }
      : null,
    warnings,
  }
  if (!only) return {format_version: SIMULATE_OUTPUT_VERSION, ...envelope}
  const {format_version: _reportVersion, ...report} = only
  return {format_version: SIMULATE_OUTPUT_VERSION, ...report, ...envelope}
}

function customerJson(result: CustomerResult): CustomerJourneyJson {
  return {
    entries: result.entries.map(entryJson),
    trace: result.trace.map((t) => ({at: iso(t.at), kind: t.kind, entry: t.entry ?? null, step: t.step ?? null, detail: t.detail})),
    expression_errors: result.exprErrors.map((e) => ({at: iso(e.at), where: e.where, step: e.step ?? null, message: e.message})),
    profile: result.profile,
    events_in_window: result.eventsInWindow,
    first_event_at: isoOrNull(result.firstEventAt),
  }
}

function entryJson(entry: EntryRecord): EntryJson {
  return {
    entered_at: iso(entry.enteredAt),
    group: entry.group,
    path: entry.path,
    sends: entry.sends.map((s) => ({
      step: s.stepId,
      channel: s.channel,
      template: s.template,
      at: iso(s.at),
      data: s.data,
      profile: s.profile,
    })),
    suppressed: entry.suppressed.map((s) => ({step: s.stepId, reason: s.reason, at: iso(s.at)})),
    deferred: entry.deferred.map((d) => ({step: d.stepId, reason: d.reason, from: iso(d.from), to: iso(d.to)})),
    outcome: entry.outcome,
    exited_at: isoOrNull(entry.exitedAt),
    exit_criterion: entry.exitCriterion ?? null,
    completed_at: isoOrNull(entry.completedAt),
    converted_at: isoOrNull(entry.convertedAt),
    waiting_at: entry.waitingAt ?? null,
    stopped: entry.stopped ?? null,
    branches: entry.branches.map((b) => ({step: b.stepId, case: b.case, at: iso(b.at)})),
    variants: entry.variants.map((v) => ({step: v.stepId, variant: v.variant, at: iso(v.at)})),
  }
}
