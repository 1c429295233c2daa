import {iso} from '../instant.js'
import {isHeldOut} from './assignment.js'
import {addTrace, bindingsAt, emit, holds, type JourneyContext, keepEvent, rememberEvent} from './context.js'
import {checkProfileExits, convert, describeExit, eventExit, exitActive, goalReached, profileExit, segmentMatches} from './criteria.js'
import type {ActiveEntry} from './state.js'
import {offerToWaitFor, runSteps} from './steps.js'
import type {CustomerEvent} from './types.js'

/**
 * What one journey does with one input of a customer. Every event after the entering one is
 * checked, in this order, for: the goal (of the entry in the journey, and of earlier entries still
 * inside `goal.within`), exit criteria (event criteria, then profile criteria), a waiting
 * wait_for, and finally a new entry. The goal wins over an exit on the same event; with
 * `goal.exit: false` the customer converts and the exit still removes them.
 *
 * Segments: a match counts only as a transition (not matching -> matching) seen at a profile
 * change; a transition while the customer is in the journey is used up, and an `update` step
 * refreshes the match state but never (re-)enters its own journey. Holdouts: the group is a hash
 * of (journey id, customer id) unless pinned; a held-out entry runs no steps and is followed only
 * for the goal, for `goal.within` when set, else for good; meanwhile it counts as being in the
 * journey. A customer is never in a journey twice: a trigger while they are in it is ignored.
 */
export function journeyEvent(ctx: JourneyContext, event: CustomerEvent, at: number, profileChanged: boolean): void {
  watchedSee(ctx, event, at)
  const active = ctx.state.active
  if (active !== undefined) {
    rememberEvent(ctx, active, event)
    if (active.group === 'holdout') holdoutSees(ctx, active, event, at)
    else treatmentSees(ctx, active, event, at)
  }
  const entry = ctx.compiled.journey.entry
  if (entry.kind === 'segment' && profileChanged) segmentChanged(ctx, at, event)
  if (entry.kind === 'event' && event.type === entry.event && entryAllowed(ctx, at)) {
    const when = ctx.compiled.entryCondition
    if (when === undefined || holds(ctx, when, bindingsAt(ctx, at, {event}))) {
      enter(ctx, at, event, () => `event ${entry.event}${entry.when === undefined ? '' : ` with "${entry.when}"`}`)
    }
  }
}

/**
 * The profile changed at `at` without an event for this journey: another journey's `update`
 * (spec section 8). Profile exit criteria and a segment entry react as to an identify.
 */
export function journeyProfileChanged(ctx: JourneyContext, at: number): void {
  checkProfileExits(ctx, at)
  if (ctx.compiled.journey.entry.kind === 'segment') segmentChanged(ctx, at, undefined)
}

/** A schedule tick at `at`: a known customer whose profile matches the audience enters. */
export function journeyTick(ctx: JourneyContext, at: number): void {
  ctx.state.tickCursor = at + 1
  if (!entryAllowed(ctx, at)) return
  const audience = ctx.compiled.entryCondition
  if (audience === undefined || holds(ctx, audience, bindingsAt(ctx, at))) enter(ctx, at, undefined, () => `schedule tick ${iso(at)}`)
}

/** Earlier entries inside `goal.within` convert on a goal event; the ones whose window closed are forgotten. */
function watchedSee(ctx: JourneyContext, event: CustomerEvent, at: number): void {
  const watched = ctx.state.watched
  if (watched === undefined) return
  const within = ctx.compiled.journey.goal?.withinMs ?? 0
  const kept = watched.filter((entry) => {
    if (at > entry.enteredAt + within) return false
    if (!goalReached(ctx, entry, event, at, false)) return true
    convert(ctx, entry.index, at, undefined)
    return false
  })
  if (kept.length > 0) ctx.state.watched = kept
  else delete ctx.state.watched
}

function holdoutSees(ctx: JourneyContext, active: ActiveEntry, event: CustomerEvent, at: number): void {
  if (active.convertedAt !== undefined || !goalReached(ctx, active, event, at, true)) return
  const leaves = ctx.compiled.journey.goal?.exit !== false
  active.convertedAt = at
  convert(ctx, active.index, at, undefined, leaves ? '; no longer followed' : '')
  if (leaves) delete ctx.state.active
}

function treatmentSees(ctx: JourneyContext, active: ActiveEntry, event: CustomerEvent, at: number): void {
  const goal = ctx.compiled.journey.goal
  if (active.convertedAt === undefined && goalReached(ctx, active, event, at, true)) {
    const leaves = goal?.exit !== false
    active.convertedAt = at
    convert(ctx, active.index, at, active.at, leaves ? '; leaves the journey' : '; stays (goal.exit: false)')
    if (leaves) {
      delete ctx.state.active
      return
    }
  }
  // Spec section 5: every event after the entering one is checked, profile criteria included.
  const exit = eventExit(ctx, active, event, at) ?? profileExit(ctx, active, at)
  if (exit !== undefined) {
    exitActive(ctx, at, {criterion: exit}, describeExit(exit))
    return
  }
  offerToWaitFor(ctx, active, event, at)
}

function segmentChanged(ctx: JourneyContext, at: number, event: CustomerEvent | undefined): void {
  const entry = ctx.compiled.journey.entry
  if (entry.kind !== 'segment') return
  const matched = segmentMatches(ctx, at)
  const was = ctx.state.segmentMatched === true
  if (matched) ctx.state.segmentMatched = true
  else delete ctx.state.segmentMatched
  if (matched && !was && entryAllowed(ctx, at)) enter(ctx, at, event, () => `segment matched: ${entry.segment}`)
}

/** Not in the journey now, and `reentry` allows an entry at `at`. */
function entryAllowed(ctx: JourneyContext, at: number): boolean {
  const state = ctx.state
  if (state.active !== undefined) return false
  if (state.entries === 0 || state.lastEnteredAt === undefined) return true
  const reentry = ctx.compiled.journey.reentry
  if (reentry.kind === 'never') return false
  if (reentry.kind === 'always') return true
  return at >= state.lastEnteredAt + reentry.afterMs
}

function enter(ctx: JourneyContext, at: number, event: CustomerEvent | undefined, detail: string | (() => string)): void {
  const {journey} = ctx.compiled
  const group = ctx.overrides.group ?? (isHeldOut(ctx.id, ctx.customer.customerId, journey.settings.holdout) ? 'holdout' : 'treatment')
  const index = ctx.state.entries
  ctx.state.entries = index + 1
  ctx.state.lastEnteredAt = at
  const active: ActiveEntry = {
    index,
    enteredAt: at,
    group,
    ...(event !== undefined && ctx.journey.readsEvent ? {lastEvent: keepEvent(event)} : {}),
    instant: at,
    stepsAtInstant: 0,
  }
  ctx.state.active = active
  emit(ctx, {kind: 'entered', journey: ctx.id, at, entry: index, group})
  addTrace(ctx, at, 'enter', detail, undefined, index)
  if (group === 'holdout') {
    const within = journey.goal?.withinMs
    // Followed for the goal: for `goal.within` when set, else for good (to the end of a run).
    if (within !== undefined) active.timer = {at: at + within, kind: 'holdout_end'}
    addTrace(ctx, at, 'holdout', 'held out: receives nothing, followed for the goal', undefined, index)
    return
  }
  const first = journey.steps[0]
  if (first === undefined) {
    emit(ctx, {kind: 'completed', journey: ctx.id, at, entry: index})
    addTrace(ctx, at, 'complete', 'the journey has no steps', undefined, index)
    delete ctx.state.active
    return
  }
  runSteps(ctx, active, first.id, at)
}
