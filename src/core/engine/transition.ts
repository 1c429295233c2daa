import {END} from '../journey/model.js'
import {addTrace, type JourneyContext, markSeen, type Output, seenVersion} from './context.js'
import {completeActive, exitActive} from './criteria.js'
import {journeyEvent, journeyProfileChanged, journeyTick} from './journey-input.js'
import {resolveZone} from './local-time.js'
import {type Activation, activationAfter, activationAt, type Machine, type MachinePlan} from './machine.js'
import type {CustomerState, JourneyState} from './state.js'
import {fireTimer} from './steps.js'
import type {CustomerEvent, Effect, EngineInput, JourneyTraceEvent} from './types.js'

/**
 * The engine's primitive: one input applied to one customer's stored state gives the new state
 * and the effects. `state` is taken over and updated in place (the returned state is the same
 * object); a caller that must keep the old one passes a copy. Simulate, joe test, diff --impact,
 * the policy gate and the live runtime all loop over this function; only the source of inputs
 * and the clock differ.
 *
 * Spec section 8: each input is offered to every active journey in journey-id order, over one
 * profile; an `update` in one journey is a profile change the others see at that instant.
 * Inputs never go back in time: an input older than the last one is applied at the last one's
 * instant. Inputs before the machine's `from` only build the profile and make the customer known.
 */
export function applyInput(machine: Machine, state: CustomerState, input: EngineInput): Transition {
  const at = state.lastAt === undefined ? input.at : Math.max(input.at, state.lastAt)
  state.lastAt = at
  const out: Output = {effects: [], ...(machine.tracing ? {trace: []} : {}), profileVersion: 0}
  if (input.kind === 'event') applyEvent(machine, state, input.event, at, out)
  else applyDue(machine, state, at, out)
  return {state, effects: out.effects, trace: out.trace ?? NO_TRACE}
}

/** The trace of a transition that records none: one shared, frozen empty list rather than one per input. */
const NO_TRACE = Object.freeze([]) as unknown as JourneyTraceEvent[]

export interface Transition {
  state: CustomerState
  effects: Effect[]
  /** Empty unless the machine records traces. */
  trace: JourneyTraceEvent[]
}

/** Propagation rounds after one input before the engine stops passing profile changes around (journeys updating each other forever). */
const MAX_PROPAGATION_ROUNDS = 16

function applyEvent(machine: Machine, state: CustomerState, event: CustomerEvent, at: number, out: Output): void {
  state.knownSince ??= at
  if (at < machine.from) {
    if (event.type === 'identify') Object.assign(state.profile, event.properties)
    return
  }
  if (state.profilePending) {
    delete state.profilePending
    out.profileVersion = 1
  }
  if (event.type === 'identify') {
    Object.assign(state.profile, event.properties)
    out.profileVersion = 1
    out.effects.push({kind: 'profile', at, source: 'identify', changes: event.properties})
  }
  for (const plan of machine.plans) {
    const ctx = contextFor(machine, plan, state, at, out)
    if (ctx === undefined) continue
    const changed = out.profileVersion > seenVersion(out, plan.id)
    markSeen(out, plan.id)
    journeyEvent(ctx, event, at, changed)
  }
  propagate(machine, state, at, out)
}

function applyDue(machine: Machine, state: CustomerState, at: number, out: Output): void {
  for (const plan of machine.plans) {
    const ctx = contextFor(machine, plan, state, at, out)
    if (ctx === undefined) continue
    const active = ctx.state.active
    const timer = active?.timer
    if (active !== undefined && timer !== undefined) {
      const due = effectiveDue(plan, timer.at)
      if (due !== undefined && due <= at) fireTimer(ctx, active, at)
    }
    const tick = nextTick(machine, plan, state)
    if (tick !== undefined && tick <= at) journeyTick(ctx, at)
  }
  propagate(machine, state, at, out)
}

/** Offers the profile changes of this input to every journey that has not reacted to them yet, until none is left. */
function propagate(machine: Machine, state: CustomerState, at: number, out: Output): void {
  for (let round = 0; round < MAX_PROPAGATION_ROUNDS; round++) {
    let offered = false
    for (const plan of machine.plans) {
      if (seenVersion(out, plan.id) >= out.profileVersion) continue
      markSeen(out, plan.id)
      const ctx = contextFor(machine, plan, state, at, out)
      if (ctx === undefined) continue
      journeyProfileChanged(ctx, at)
      offered = true
    }
    if (!offered) return
  }
}

/**
 * When anything of this customer is next due: a timer of an entry (a paused journey's timers come
 * due when it resumes), a schedule tick, or a new activation (revision, removal) of a journey the
 * customer is in. Undefined when nothing will ever be due without a new event.
 */
export function nextDue(machine: Machine, state: CustomerState): number | undefined {
  let due: number | undefined
  const consider = (at: number | undefined) => {
    if (at !== undefined && (due === undefined || at < due)) due = at
  }
  for (const plan of machine.plans) {
    const js = state.journeys[plan.id]
    const active = js?.active
    if (js !== undefined && active !== undefined) {
      if (plan.activations.length > 1) consider(activationAfter(plan, js.activationSince)?.since)
      if (active.timer !== undefined) consider(effectiveDue(plan, active.timer.at))
    }
    consider(nextTick(machine, plan, state))
  }
  return due
}

/** When a timer set for `at` fires: then, or when the journey resumes if it is paused at `at`. */
function effectiveDue(plan: MachinePlan, at: number): number | undefined {
  const activation = activationAt(plan, at)
  if (activation === undefined || !activation.paused) return at
  for (const later of plan.activations) if (later.since > at && (!later.paused || later.journey === null)) return later.since
  return undefined
}

/** The journey's next schedule tick for this customer (known customers only), skipping paused and removed stretches. */
function nextTick(machine: Machine, plan: MachinePlan, state: CustomerState): number | undefined {
  if (state.knownSince === undefined) return undefined
  const first = plan.activations[0]
  if (first === undefined || (plan.activations.length === 1 && first.journey?.ticker === undefined)) return undefined
  let cursor = state.journeys[plan.id]?.tickCursor ?? Math.max(machine.from, state.knownSince, first.since)
  for (let hops = 0; hops <= plan.activations.length; hops++) {
    const activation = activationAt(plan, cursor)
    const following = activation === undefined ? first : activationAfter(plan, activation.since)
    if (activation === undefined || activation.journey === null || activation.paused || activation.journey.ticker === undefined) {
      // Nothing ticks here: try from the next activation.
      if (following === undefined) return undefined
      cursor = Math.max(cursor, following.since)
      continue
    }
    const zone = resolveZone(activation.journey.compiled.journey.settings.timezone, state.profile)
    const tick = activation.journey.ticker.next(zone, cursor)
    if (tick === undefined) {
      if (following === undefined) return undefined
      cursor = following.since
      continue
    }
    if (following !== undefined && following.since <= tick) {
      cursor = following.since
      continue
    }
    return tick
  }
  return undefined
}

/**
 * The journey as it is at `at` for this customer, with their state brought up to date with every
 * activation since they were last seen; undefined when the journey is not active then (not
 * deployed yet, paused, removed).
 */
function contextFor(machine: Machine, plan: MachinePlan, customer: CustomerState, at: number, out: Output): JourneyContext | undefined {
  const activation = activationAt(plan, at)
  if (activation === undefined) return undefined
  let state = customer.journeys[plan.id]
  if (state !== undefined && state.activationSince < activation.since) catchUp(machine, plan, customer, state, at, out)
  if (activation.journey === null || activation.paused) return undefined
  if (state === undefined) {
    state = {entries: 0, activationSince: activation.since}
    customer.journeys[plan.id] = state
  }
  return journeyContext(machine, plan, activation, customer, state, out)
}

function journeyContext(
  machine: Machine,
  plan: MachinePlan,
  activation: Activation,
  customer: CustomerState,
  state: JourneyState,
  out: Output,
): JourneyContext {
  const journey = activation.journey as NonNullable<Activation['journey']>
  return {
    machine,
    journey,
    compiled: journey.compiled,
    id: plan.id,
    revision: activation.revision,
    overrides: plan.overrides,
    customer,
    state,
    out,
  }
}

/**
 * Applies the activations that took effect since the state was last seen, each at its own instant
 * (spec sections 7 and 8): a removed journey ends the entry inside it (exited); a new revision
 * keeps the customer at the step of the same id, or moves them where `moved` says (they arrive
 * there when the timer they had comes due: a pending timer keeps its instant), or completes them
 * at once when the step is gone without a `moved` entry (deploys that allow it say --allow-drop).
 */
function catchUp(machine: Machine, plan: MachinePlan, customer: CustomerState, state: JourneyState, at: number, out: Output): void {
  let current = activationAt(plan, state.activationSince)
  for (const next of plan.activations) {
    if (next.since <= state.activationSince) continue
    if (next.since > at) break
    const active = state.active
    if (active !== undefined && current?.journey) {
      const ctx = journeyContext(machine, plan, current, customer, state, out)
      if (next.journey === null) exitActive(ctx, next.since, {removed: true}, 'the journey was removed from the environment')
      else if (next.revision !== current.revision && active.at !== undefined && !next.journey.compiled.steps.has(active.at)) {
        const target = next.journey.compiled.journey.moved[active.at]
        if (target === undefined || target === END) {
          const why = target === undefined ? 'a new revision removed this step (allowed to drop)' : 'moved to end by a new revision'
          completeActive(ctx, next.since, why, target === undefined)
        } else {
          addTrace(ctx, next.since, 'resume', `moved to ${target} by a new revision`, active.at, active.index)
          active.at = target
          active.timer = {at: active.timer?.at ?? next.since, kind: 'moved'}
        }
      }
    }
    state.activationSince = next.since
    current = next
  }
}
