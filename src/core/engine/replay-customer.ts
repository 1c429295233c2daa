import type {Machine} from './machine.js'
import {type CustomerState, newCustomerState} from './state.js'
import {applyInput, nextDue, type Transition} from './transition.js'
import type {CustomerEvent} from './types.js'

/** One customer's events for a replay. */
export interface ReplayTimeline {
  customerId: string
  /** In timestamp order (ties in input order); an unsorted list is sorted stably. */
  events: readonly CustomerEvent[]
  /** A starting profile (joe test cases); a profile change at the first event in the window. */
  profile?: Record<string, unknown>
}

/** What a replay tells its driver besides the transitions. */
export interface ReplayOutcome {
  state: CustomerState
  /** Events with `from <= timestamp <= until`. */
  eventsInWindow: number
  /** Timestamp of the first event overall; absent when there are none. */
  firstEventAt?: number
}

/**
 * Replays one customer on a virtual clock: events in timestamp order at their timestamps, and
 * whatever comes due in between, up to `until` (inclusive). Spec section 5: at equal timestamps,
 * events (in input order) come before timers. Each transition goes to `onTransition` as it
 * happens, so drivers aggregate without holding a customer's history.
 */
export function replayCustomer(
  machine: Machine,
  timeline: ReplayTimeline,
  until: number,
  onTransition: (transition: Transition) => void,
): ReplayOutcome {
  const state = newCustomerState(timeline.customerId, timeline.profile)
  const events = sortedByTime(timeline.events)
  let eventsInWindow = 0
  const inputs: TimedEvent[] = []
  for (const event of events) {
    if (event.timestamp > until) break
    if (event.timestamp >= machine.from) eventsInWindow += 1
    inputs.push({event, at: event.timestamp})
  }
  advanceCustomer(machine, state, inputs, {through: until, dueInclusive: true}, onTransition)
  const first = events[0]
  return {state, eventsInWindow, ...(first === undefined ? {} : {firstEventAt: first.timestamp})}
}

/** An event and the instant it is applied at (its timestamp in a replay, when it was received live). */
export interface TimedEvent {
  event: CustomerEvent
  at: number
}

/**
 * Moves one customer's stored state forward: the events in order, each at its instant, and whatever
 * comes due in between and after, up to `through` (spec sections 5 and 8: at one instant events come
 * before timers; a timer due before an event's instant fires first, however late this runs). Live,
 * dues at `through` itself wait (`dueInclusive: false`): an event may still arrive at that instant.
 */
export function advanceCustomer(
  machine: Machine,
  state: CustomerState,
  inputs: readonly TimedEvent[],
  options: {through: number; dueInclusive: boolean},
  onTransition: (transition: Transition) => void,
): void {
  for (const {event, at} of inputs) {
    drainDue(machine, state, at, false, onTransition)
    onTransition(applyInput(machine, state, {kind: 'event', event, at}))
  }
  drainDue(machine, state, options.through, options.dueInclusive, onTransition)
}

/** Fires what is due before `limit` (or at it, when `inclusive`). */
function drainDue(machine: Machine, state: CustomerState, limit: number, inclusive: boolean, onTransition: (t: Transition) => void): void {
  for (;;) {
    const due = nextDue(machine, state)
    if (due === undefined || due > limit || (due === limit && !inclusive)) return
    onTransition(applyInput(machine, state, {kind: 'due', at: due}))
  }
}

function sortedByTime(events: readonly CustomerEvent[]): readonly CustomerEvent[] {
  for (let i = 1; i < events.length; i++) {
    if ((events[i] as CustomerEvent).timestamp < (events[i - 1] as CustomerEvent).timestamp) {
      // Array.prototype.sort is stable: ties keep their input order.
      return [...events].sort((a, b) => a.timestamp - b.timestamp)
    }
  }
  return events
}
