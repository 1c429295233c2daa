import type {Journey} from '../journey/model.js'
import {isHeldOut} from './assignment.js'
import {compileJourney} from './compiled-journey.js'
import {convert, describeExit, eventExit, exitActive, goalReached, profileExit, segmentMatches} from './criteria.js'
import {type ActiveEntry, addTrace, bindingsAt, type CustomerState, DEFAULT_MAX_STEPS_PER_INSTANT, holds} from './customer-state.js'
import {iso, resolveZone} from './local-time.js'
import {createScheduleTicker, firstTickAtOrAfter} from './schedule.js'
import {fireTimer, offerToWaitFor, runSteps} from './steps.js'
import type {CustomerEvent, CustomerResult, CustomerTimeline, EntryRecord, RunOptions, ScheduleTicker} from './types.js'

/**
 * Replays one customer's timeline through a journey and says what happened to them.
 *
 * Time: events with `timestamp <= until` and timers due at or before `until` are
 * processed, in time order; at equal timestamps events (in input order) come before
 * timers, and the entry's own timer before a schedule tick. Events before `from` only
 * build the profile (identify) and make the customer known: nobody enters before
 * `from` and no criteria are checked there, so a run starts with nobody in the journey.
 *
 * The profile starts as `customer.profile` (or `{}`); `identify` merges its properties
 * at its instant, before anything else looks at that event. An initial profile counts
 * as a profile change at the first event in the window (so a segment entry can fire).
 *
 * Entries: the entry kind decides the trigger (entry event and `when`; a segment that
 * starts to match after a profile change from an identify; a schedule tick for a known
 * customer, one with an event at or before the tick, whose profile matches the audience).
 * A customer is never in the journey twice: a trigger while they are in it is ignored.
 * `reentry: never` allows one entry per run, `always` any number, `after` one per
 * cooldown measured from the previous entry time.
 *
 * Every event after the entering one is checked, in this order, for: the goal (of the
 * entry in the journey, and of earlier entries still inside `goal.within`), exit
 * criteria (event criteria, then profile criteria),
 * a waiting wait_for, and finally a new entry. The goal wins over an exit on the same
 * event; with `goal.exit: false` the customer converts and the exit still removes them.
 *
 * Segments: a match counts only as a transition (not matching -> matching) seen at a
 * profile change; a transition while the customer is in the journey is used up, and an
 * `update` step refreshes the match state but never (re-)enters its own journey.
 * Holdouts: the group is a hash of (journey id, customer id) unless pinned; a held-out
 * entry runs no steps and is followed only for the goal, for `goal.within` when set,
 * else until the end of the run; meanwhile it counts as being in the journey.
 */
export function runCustomer(journey: Journey, customer: CustomerTimeline, options: RunOptions): CustomerResult {
  const compiled = compileJourney(journey)
  const events = [...customer.events].sort((a, b) => a.timestamp - b.timestamp)
  const from = options.from ?? Number.NEGATIVE_INFINITY
  const until = options.until
  const state: CustomerState = {
    compiled,
    customerId: customer.customerId,
    from,
    until,
    maxStepsPerInstant: options.maxStepsPerInstant ?? DEFAULT_MAX_STEPS_PER_INSTANT,
    overrides: options.overrides ?? {},
    profile: {...(customer.profile ?? {})},
    entries: [],
    sendTimes: [],
    trace: [],
    tracing: options.trace !== false,
    exprErrors: [],
    segmentMatched: false,
  }
  const firstEventAt = events[0]?.timestamp
  const schedule = scheduleCursor(journey, options, from, until, firstEventAt)
  let initialProfilePending = customer.profile !== undefined && Object.keys(customer.profile).length > 0
  let known = false
  let eventsInWindow = 0
  let next = 0
  for (;;) {
    const event = events[next]
    const eventAt = event !== undefined && event.timestamp <= until ? event.timestamp : undefined
    const timer = state.active?.timer
    const timerAt = timer !== undefined && timer.at <= until ? timer.at : undefined
    const tickAt = schedule?.peek(state)
    if (eventAt !== undefined && (timerAt === undefined || eventAt <= timerAt) && (tickAt === undefined || eventAt <= tickAt)) {
      next += 1
      known = true
      if (eventAt < from) {
        if (event!.type === 'identify') Object.assign(state.profile, event!.properties)
        continue
      }
      eventsInWindow += 1
      const changed = initialProfilePending || event!.type === 'identify'
      initialProfilePending = false
      processEvent(state, event!, changed)
      schedule?.seen(eventAt)
    } else if (timerAt !== undefined && (tickAt === undefined || timerAt <= tickAt)) {
      fireTimer(state, state.active as ActiveEntry, timerAt)
    } else if (tickAt !== undefined) {
      schedule!.consume(tickAt)
      if (known && canEnter(state, tickAt)) {
        const audience = compiled.entryCondition
        if (audience === undefined || holds(state, audience, bindingsAt(state, tickAt)))
          enter(state, tickAt, undefined, () => `schedule tick ${iso(tickAt)}`)
      }
    } else {
      break
    }
  }
  const active = state.active
  if (active !== undefined && active.group === 'treatment') {
    if (active.at !== undefined) active.record.waitingAt = active.at
  }
  return {
    customerId: customer.customerId,
    entries: state.entries,
    trace: state.trace,
    exprErrors: state.exprErrors,
    profile: state.profile,
    eventsInWindow,
    ...(firstEventAt === undefined ? {} : {firstEventAt}),
  }
}

function processEvent(state: CustomerState, event: CustomerEvent, profileChanged: boolean): void {
  const at = event.timestamp
  const {journey} = state.compiled
  if (event.type === 'identify') Object.assign(state.profile, event.properties)
  const active = state.active
  // Earlier entries stay watched for the goal inside `goal.within`.
  state.entries.forEach((record, index) => {
    if (index !== active?.index && goalReached(state, record, index, event, false)) convert(state, record, index, at, undefined)
  })
  if (active !== undefined) {
    active.lastEvent = event
    if (active.group === 'holdout') holdoutSees(state, active, event)
    else treatmentSees(state, active, event)
  }
  const entry = journey.entry
  if (entry.kind === 'segment' && profileChanged) {
    const matched = segmentMatches(state, at)
    const was = state.segmentMatched
    state.segmentMatched = matched
    if (matched && !was && canEnter(state, at)) enter(state, at, event, () => `segment matched: ${entry.segment}`)
  }
  if (entry.kind === 'event' && event.type === entry.event && canEnter(state, at)) {
    const when = state.compiled.entryCondition
    if (when === undefined || holds(state, when, bindingsAt(state, at, {event}))) {
      enter(state, at, event, () => `event ${entry.event}${entry.when === undefined ? '' : ` with "${entry.when}"`}`)
    }
  }
}

function holdoutSees(state: CustomerState, active: ActiveEntry, event: CustomerEvent): void {
  if (!goalReached(state, active.record, active.index, event, true)) return
  const leaves = state.compiled.journey.goal?.exit !== false
  convert(state, active.record, active.index, event.timestamp, undefined, leaves ? '; no longer followed' : '')
  if (leaves) state.active = undefined
}

function treatmentSees(state: CustomerState, active: ActiveEntry, event: CustomerEvent): void {
  const at = event.timestamp
  const goal = state.compiled.journey.goal
  if (goalReached(state, active.record, active.index, event, true)) {
    const leaves = goal?.exit !== false
    convert(state, active.record, active.index, at, active.at, leaves ? '; leaves the journey' : '; stays (goal.exit: false)')
    if (leaves) {
      state.active = undefined
      return
    }
  }
  // Spec section 5: every event after the entering one is checked, profile criteria included.
  const exit = eventExit(state, active, event) ?? profileExit(state, active, at)
  if (exit !== undefined) {
    exitActive(state, at, exit, describeExit(exit))
    return
  }
  offerToWaitFor(state, active, event)
}

/** Not in the journey now, and `reentry` allows an entry at `at`. */
function canEnter(state: CustomerState, at: number): boolean {
  if (state.active !== undefined) return false
  const last = state.entries[state.entries.length - 1]
  if (last === undefined) return true
  const reentry = state.compiled.journey.reentry
  if (reentry.kind === 'never') return false
  if (reentry.kind === 'always') return true
  return at >= last.enteredAt + reentry.afterMs
}

function enter(state: CustomerState, at: number, event: CustomerEvent | undefined, detail: string | (() => string)): void {
  const {journey} = state.compiled
  const group = state.overrides.group ?? (isHeldOut(journey.id, state.customerId, journey.settings.holdout) ? 'holdout' : 'treatment')
  const record: EntryRecord = {
    enteredAt: at,
    group,
    path: [],
    sends: [],
    suppressed: [],
    deferred: [],
    outcome: group === 'holdout' ? 'held_out' : 'in_flight',
    branches: [],
    variants: [],
  }
  const index = state.entries.push(record) - 1
  const active: ActiveEntry = {index, record, group, ...(event === undefined ? {} : {lastEvent: event}), instant: at, stepsAtInstant: 0}
  state.active = active
  addTrace(state, at, 'enter', detail, undefined, index)
  if (group === 'holdout') {
    const within = journey.goal?.withinMs
    // Followed for the goal: for `goal.within` when set, else until the end of the run.
    if (within !== undefined) active.timer = {at: at + within, kind: 'holdout_end'}
    addTrace(state, at, 'holdout', 'held out: receives nothing, followed for the goal', undefined, index)
    return
  }
  const first = journey.steps[0]
  if (first === undefined) {
    addTrace(state, at, 'complete', 'the journey has no steps', undefined, index)
    state.active = undefined
    record.completedAt = at
    record.outcome = 'completed'
    return
  }
  runSteps(state, active, first.id, at)
}

interface ScheduleCursor {
  /** The next tick due (at or before `until`), for the customer's current zone. */
  peek(state: CustomerState): number | undefined
  /** A tick was handled; later ones only. */
  consume(at: number): void
  /** An event at `at` was handled; ticks before it can no longer fire. */
  seen(at: number): void
}

/**
 * Walks the schedule ticks for one customer. With `timezone: profile` the zone is the
 * profile's at each moment, so a customer who moves is ticked in their new zone.
 */
function scheduleCursor(
  journey: Journey,
  options: RunOptions,
  from: number,
  until: number,
  firstEventAt: number | undefined,
): ScheduleCursor | undefined {
  const entry = journey.entry
  if (entry.kind !== 'schedule' || firstEventAt === undefined) return undefined
  // Nobody is known before their first event, so earlier ticks never matter.
  let cursor = Math.max(from, firstEventAt)
  const ticker: ScheduleTicker = options.scheduleTicks ?? createScheduleTicker(entry.cron, {from: cursor, until})
  return {
    peek(state) {
      const zone = resolveZone(journey.settings.timezone, state.profile)
      const ticks = ticker.ticks(zone)
      const tick = ticks[firstTickAtOrAfter(ticks, cursor)]
      return tick !== undefined && tick <= until ? tick : undefined
    },
    consume(at) {
      cursor = at + 1
    },
    seen(at) {
      cursor = Math.max(cursor, at)
    },
  }
}
