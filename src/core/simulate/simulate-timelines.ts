import type {ReplayTimeline} from '../engine/replay-customer.js'
import type {CustomerResult} from '../engine/types.js'
import type {Journey} from '../journey/model.js'
import type {MessagePolicy} from './policy.js'
import {createReplayContext, mergePartials} from './replay.js'
import type {SimulationReport} from './report.js'

export interface TimelinesOptions {
  /** Epoch ms; absent: every event is in the window (and the report's window starts at the earliest event). */
  from?: number
  until: number
  policy?: MessagePolicy
  /** Called with every customer's result per journey (with traces). */
  onResult?: (journeyId: string, result: CustomerResult) => void
}

/**
 * Simulates customers given in memory (rather than read from an event store) through journeys
 * together: the same replay and report as `joe simulate`, for drivers that build timelines
 * themselves and for tests.
 */
export function simulateTimelines(
  journeys: Journey[],
  customers: Iterable<ReplayTimeline>,
  options: TimelinesOptions,
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
