import {parse} from 'yaml'
import {createMachine} from '../../../src/core/engine/machine.js'
import {type ReplayTimeline, replayCustomer} from '../../../src/core/engine/replay-customer.js'
import {runCustomer} from '../../../src/core/engine/run-customer.js'
import type {CustomerEvent, CustomerResult, CustomerTimeline, RunOptions} from '../../../src/core/engine/types.js'
import {buildJourney} from '../../../src/core/journey/build-model.js'
import type {Journey} from '../../../src/core/journey/model.js'
import type {RawObject} from '../../../src/core/journey/rules/rule-context.js'
import type {MessagePolicy} from '../../../src/core/simulate/policy.js'
import {createReplayContext, mergePartials} from '../../../src/core/simulate/replay.js'
import {createReportBuilder, type SimulationReport} from '../../../src/core/simulate/report.js'

/** A journey model from inline YAML; `version`, `id` and `name` are filled in when missing. */
export function journey(yaml: string): Journey {
  const raw = parse(yaml) as RawObject
  return buildJourney({version: 1, id: 'test-journey', name: 'Test journey', ...raw})
}

/** Epoch ms of an ISO 8601 time. */
export function t(text: string): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new Error(`bad time ${text}`)
  return ms
}

export function ev(type: string, at: string, properties: Record<string, unknown> = {}): CustomerEvent {
  return {type, timestamp: t(at), properties}
}

export interface RunInput {
  events: CustomerEvent[]
  until: string
  from?: string
  customerId?: string
  profile?: Record<string, unknown>
  options?: Omit<RunOptions, 'until' | 'from'>
}

/** What a result was run from, so a report can be built over the same runs. */
const runs = new WeakMap<CustomerResult, CustomerRun>()

export interface CustomerRun {
  timeline: CustomerTimeline
  options: RunOptions
}

export function run(j: Journey, input: RunInput): CustomerResult {
  const timeline = {customerId: input.customerId ?? 'c1', events: input.events, ...(input.profile ? {profile: input.profile} : {})}
  const options = {until: t(input.until), ...(input.from ? {from: t(input.from)} : {}), ...input.options}
  const result = runCustomer(j, timeline, options)
  runs.set(result, {timeline, options})
  return result
}

/** Simulate's report over results that `run` produced (each customer replayed again, with its own pins). */
export function buildReport(j: Journey, results: CustomerResult[], window: {from?: number; until: number}): SimulationReport {
  return reportOf(
    j,
    results.map((result) => {
      const known = runs.get(result)
      if (known === undefined) throw new Error('buildReport takes results of run()')
      return known
    }),
    window,
  )
}

/** Simulate's report over customers replayed one by one, each with its own options (pins, window). */
export function reportOf(j: Journey, customers: CustomerRun[], window: {from?: number; until: number}): SimulationReport {
  const builder = createReportBuilder(j)
  for (const {timeline, options} of customers) {
    const overrides = options.overrides
    const machine = createMachine([j], {
      trace: false,
      ...(options.from === undefined ? {} : {from: options.from}),
      ...(overrides === undefined ? {} : {overrides: () => overrides}),
    })
    const outcome = replayCustomer(machine, timeline, options.until, (transition) => {
      for (const effect of transition.effects) builder.effect(effect)
    })
    builder.endCustomer(outcome)
  }
  return builder.build(window)
}

/** ISO text of epoch ms, for readable assertions. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

/** Sends of every entry as `template@iso`. */
export function sendsOf(result: CustomerResult): string[] {
  return result.entries.flatMap((e) => e.sends.map((s) => `${s.template}@${iso(s.at)}`))
}

/**
 * Customers given in memory through journeys together: the replay and report of `joe simulate`,
 * without an event store. `from` absent: every event is in the window.
 */
export function simulateTimelines(
  journeys: Journey[],
  customers: Iterable<ReplayTimeline>,
  options: {from?: number; until: number; policy?: MessagePolicy; onResult?: (journeyId: string, result: CustomerResult) => void},
): {reports: SimulationReport[]; customers: number} {
  const setup = {
    journeys,
    until: options.until,
    ...(options.from === undefined ? {} : {from: options.from}),
    ...(options.policy === undefined ? {} : {policy: options.policy}),
  }
  const replay = createReplayContext(setup).replay(options.onResult ? {onResult: options.onResult} : {})
  for (const customer of customers) replay.addTimeline(customer)
  const merged = mergePartials(setup, [replay.partial()])
  const window = {...(options.from === undefined ? {} : {from: options.from}), until: options.until}
  return {reports: merged.builders.map((builder) => builder.build(window)), customers: merged.customers}
}

/** Every customer through one journey, as `joe simulate` replays them: each one's result, and the report. */
export function runJourney(
  j: Journey,
  customers: CustomerTimeline[],
  options: {from?: number; until: number},
): {results: CustomerResult[]; report: SimulationReport} {
  const results: CustomerResult[] = []
  const {reports} = simulateTimelines([j], customers, {...options, onResult: (_, result) => results.push(result)})
  return {results, report: reports[0] as SimulationReport}
}
