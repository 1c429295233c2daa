import type {Journey} from '../journey/model.js'
import {createCollector} from './collect.js'
import {createMachine} from './machine.js'
import {replayCustomer} from './replay-customer.js'
import type {CustomerResult, CustomerTimeline, RunOptions} from './types.js'

/**
 * Replays one customer's timeline through one journey and says what happened to them, entry by
 * entry (joe test, simulate --customer, traces). A loop over the engine's transitions
 * (`transition.ts`), collected per entry.
 *
 * Time: events with `timestamp <= until` and timers due at or before `until` are processed, in
 * time order; at equal timestamps events (in input order) come before timers, and the entry's own
 * timer before a schedule tick. Events before `from` only build the profile (identify) and make
 * the customer known: nobody enters before `from` and no criteria are checked there.
 *
 * The profile starts as `customer.profile` (or `{}`); `identify` merges its properties at its
 * instant, before anything else looks at that event. An initial profile counts as a profile
 * change at the first event in the window (so a segment entry can fire).
 */
export function runCustomer(journey: Journey, customer: CustomerTimeline, options: RunOptions): CustomerResult {
  const machine = createMachine([journey], {
    ...(options.from === undefined ? {} : {from: options.from}),
    trace: options.trace !== false,
    ...(options.maxStepsPerInstant === undefined ? {} : {maxStepsPerInstant: options.maxStepsPerInstant}),
    ...(options.overrides === undefined ? {} : {overrides: () => options.overrides}),
    ...(options.scheduleTicks === undefined ? {} : {tickers: new Map([[journey.id, options.scheduleTicks]])}),
  })
  const collector = createCollector([journey.id])
  const outcome = replayCustomer(machine, customer, options.until, (transition) => collector.add(transition))
  return collector.finish(outcome).get(journey.id) as CustomerResult
}
