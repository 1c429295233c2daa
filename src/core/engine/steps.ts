import {END, type Step} from '../journey/model.js'
import {pickVariant} from './assignment.js'
import {checkProfileExits, completeActive, exitActive, segmentMatches} from './criteria.js'
import {type ActiveEntry, addTrace, bindingsAt, type CustomerState, evaluateValue, holds} from './customer-state.js'
import {iso, nextLocalTime, quietHoursEnd, resolveZone} from './local-time.js'
import type {CustomerEvent} from './types.js'

type SendStep = Extract<Step, {kind: 'send'}>
type UpdateStep = Extract<Step, {kind: 'update'}>

/**
 * Walks the active entry from `stepId` at instant `at` until it waits (wait, wait_for,
 * a send deferred by quiet hours), completes, or leaves (an update met an exit criterion).
 */
export function runSteps(state: CustomerState, active: ActiveEntry, stepId: string, at: number): void {
  let current = stepId
  while (state.active === active) {
    if (current === END) {
      completeActive(state, at)
      return
    }
    const step = state.compiled.steps.get(current)
    if (step === undefined) {
      // A loaded journey resolves every `next`; an unknown id can only come from a bad model.
      addTrace(state, at, 'complete', `step "${current}" does not exist; completing`, current, active.index)
      completeActive(state, at)
      return
    }
    if (!passGuard(state, active, at, step.id)) return
    active.record.path.push(step.id)
    active.at = step.id
    addTrace(state, at, 'step', () => `arrived at ${step.kind}`, step.id, active.index)
    const following = take(state, active, step, at)
    if (following === undefined) return
    current = following
  }
}

/** Performs one step; returns where to go next, or undefined when the customer waits here or left. */
function take(state: CustomerState, active: ActiveEntry, step: Step, at: number): string | undefined {
  switch (step.kind) {
    case 'wait': {
      const wait = step.wait
      let resumeAt: number
      if (wait.kind === 'duration') {
        resumeAt = at + wait.ms
      } else {
        const zone = resolveZone(state.compiled.journey.settings.timezone, state.profile)
        resumeAt = nextLocalTime(at, wait.minute, zone, wait.days)
      }
      active.timer = {at: resumeAt, kind: 'wait'}
      const what = () =>
        wait.kind === 'duration' ? `for ${wait.ms}ms` : `until ${wait.time}${wait.days ? ` on ${wait.days.join(',')}` : ''}`
      addTrace(state, at, 'wait', () => `waiting ${what()}; resumes at ${iso(resumeAt)}`, step.id, active.index)
      return undefined
    }
    case 'wait_for':
      active.timer = {at: at + step.timeoutMs, kind: 'timeout'}
      addTrace(state, at, 'wait', () => `waiting for event ${step.event}; times out at ${iso(at + step.timeoutMs)}`, step.id, active.index)
      return undefined
    case 'branch':
      return chooseCase(state, active, step, at)
    case 'split':
      return chooseVariant(state, active, step, at)
    case 'send':
      return reachSend(state, active, step, at) ? step.next : undefined
    case 'update':
      applyUpdate(state, active, step, at)
      return state.active === active ? step.next : undefined
  }
}

/** Loop guard: a validated journey cannot spin at one instant, but a bad model must not hang the run. */
function passGuard(state: CustomerState, active: ActiveEntry, at: number, stepId: string): boolean {
  if (active.instant !== at) {
    active.instant = at
    active.stepsAtInstant = 0
  }
  active.stepsAtInstant += 1
  if (active.stepsAtInstant <= state.maxStepsPerInstant) return true
  active.record.stopped = 'loop_guard'
  active.at = stepId
  exitActive(state, at, undefined, `stopped: more than ${state.maxStepsPerInstant} steps at one instant (a loop without a wait)`)
  return false
}

function chooseCase(state: CustomerState, active: ActiveEntry, step: Extract<Step, {kind: 'branch'}>, at: number): string {
  const conditions = state.compiled.cases.get(step.id) ?? []
  const bindings = bindingsAt(state, at, {enteredAt: active.record.enteredAt, event: active.lastEvent})
  for (const [i, c] of step.cases.entries()) {
    const condition = conditions[i]
    if (condition !== undefined && holds(state, condition, bindings, active.index)) {
      active.record.branches.push({stepId: step.id, case: i, at})
      addTrace(state, at, 'branch', () => `case ${i} held: ${c.when} -> ${c.next}`, step.id, active.index)
      return c.next
    }
  }
  active.record.branches.push({stepId: step.id, case: 'else', at})
  addTrace(state, at, 'branch', () => `no case held -> else ${step.else}`, step.id, active.index)
  return step.else
}

function chooseVariant(state: CustomerState, active: ActiveEntry, step: Extract<Step, {kind: 'split'}>, at: number): string {
  const pinned = state.overrides.variants?.[step.id]
  const chosen =
    (pinned === undefined ? undefined : step.variants.find((v) => v.variant === pinned)) ??
    pickVariant(state.compiled.journey.id, step.id, state.customerId, step.variants)
  active.record.variants.push({stepId: step.id, variant: chosen.variant, at})
  const why = pinned !== undefined && pinned === chosen.variant ? 'pinned' : 'by hash'
  addTrace(state, at, 'split', () => `variant ${chosen.variant} (${why}) -> ${chosen.next}`, step.id, active.index)
  return chosen.next
}

/**
 * Reaching a send: inside quiet hours it is deferred to their end (the customer waits
 * here); otherwise it goes out now or is suppressed. Returns true when the customer goes on.
 */
function reachSend(state: CustomerState, active: ActiveEntry, step: SendStep, at: number): boolean {
  const settings = state.compiled.journey.settings
  if (settings.quietHours !== undefined) {
    const zone = resolveZone(settings.timezone, state.profile)
    const end = quietHoursEnd(at, settings.quietHours, zone)
    if (end !== undefined) {
      const deferred = {stepId: step.id, reason: 'quiet_hours' as const, from: at, to: end}
      active.record.deferred.push(deferred)
      active.deferred = deferred
      active.timer = {at: end, kind: 'quiet_hours'}
      const {start, end: until} = settings.quietHours
      addTrace(state, at, 'defer', () => `quiet hours ${start}-${until} ${zone}; deferred to ${iso(end)}`, step.id, active.index)
      return false
    }
  }
  deliver(state, active, step, at)
  return true
}

/**
 * The moment a message would go out: consent first, then the frequency cap (sends of
 * this journey that went out in `(at - per, at]`), then it goes out with its data.
 */
export function deliver(state: CustomerState, active: ActiveEntry, step: SendStep, at: number): void {
  const {consent} = state.compiled
  const record = active.record
  if (consent !== undefined) {
    const bindings = bindingsAt(state, at, {enteredAt: record.enteredAt, event: active.lastEvent, channel: step.channel})
    if (!holds(state, consent, bindings, active.index)) {
      record.suppressed.push({stepId: step.id, reason: 'consent', at})
      addTrace(state, at, 'suppress', `consent did not hold for ${step.channel}`, step.id, active.index)
      return
    }
  }
  const cap = state.compiled.journey.settings.frequencyCap
  if (cap !== undefined) {
    const recent = state.sendTimes.filter((t) => t > at - cap.perMs && t <= at).length
    if (recent >= cap.limit) {
      record.suppressed.push({stepId: step.id, reason: 'frequency_cap', at})
      addTrace(
        state,
        at,
        'suppress',
        `frequency cap: ${recent} sent in the last ${cap.perMs}ms (limit ${cap.limit})`,
        step.id,
        active.index,
      )
      return
    }
  }
  const data: Record<string, unknown> = {}
  const bindings = bindingsAt(state, at, {enteredAt: record.enteredAt, event: active.lastEvent})
  for (const [name, expr] of state.compiled.data.get(step.id) ?? []) {
    const value = evaluateValue(state, expr, bindings, active.index)
    if (value !== undefined) data[name] = value
  }
  record.sends.push({stepId: step.id, channel: step.channel, template: step.template, at, data})
  state.sendTimes.push(at)
  addTrace(state, at, 'send', () => `${step.channel} ${step.template}`, step.id, active.index)
}

/**
 * Sets profile attributes: every value is evaluated against the profile as it was
 * before the step, then all are merged at once. A value whose expression fails is
 * left unchanged (and reported). The change is a profile change: profile exit
 * criteria are checked and the segment state is refreshed (an update never enters
 * the journey it runs in).
 */
function applyUpdate(state: CustomerState, active: ActiveEntry, step: UpdateStep, at: number): void {
  const bindings = bindingsAt(state, at, {enteredAt: active.record.enteredAt, event: active.lastEvent})
  const changes: Record<string, unknown> = {}
  for (const [name, expr] of state.compiled.set.get(step.id) ?? []) {
    const value = evaluateValue(state, expr, bindings, active.index)
    if (value !== undefined) changes[name] = value
  }
  Object.assign(state.profile, changes)
  addTrace(state, at, 'update', () => `set ${Object.keys(changes).join(', ') || 'nothing'}`, step.id, active.index)
  if (state.compiled.journey.entry.kind === 'segment') state.segmentMatched = segmentMatches(state, at)
  checkProfileExits(state, at)
}

/** The active entry's timer fired at `at` (events at `at` were applied first). */
export function fireTimer(state: CustomerState, active: ActiveEntry, at: number): void {
  const timer = active.timer
  if (timer === undefined) return
  active.timer = undefined
  const step = active.at === undefined ? undefined : state.compiled.steps.get(active.at)
  switch (timer.kind) {
    case 'holdout_end':
      addTrace(state, at, 'holdout', 'goal window over; no longer followed', undefined, active.index)
      state.active = undefined
      return
    case 'wait':
      if (step === undefined) return
      addTrace(state, at, 'resume', 'wait over', step.id, active.index)
      runSteps(state, active, step.next, at)
      return
    case 'timeout':
      if (step?.kind !== 'wait_for') return
      addTrace(state, at, 'timeout', `no ${step.event} within the timeout -> ${step.onTimeout}`, step.id, active.index)
      runSteps(state, active, step.onTimeout, at)
      return
    case 'quiet_hours':
      if (step?.kind !== 'send') return
      active.deferred = undefined
      addTrace(state, at, 'resume', 'quiet hours over', step.id, active.index)
      deliver(state, active, step, at)
      runSteps(state, active, step.next, at)
      return
  }
}

/** An event while the customer waits at a wait_for: a matching one moves them on to `next`. */
export function offerToWaitFor(state: CustomerState, active: ActiveEntry, event: CustomerEvent): void {
  const step = active.at === undefined ? undefined : state.compiled.steps.get(active.at)
  if (step?.kind !== 'wait_for' || active.timer?.kind !== 'timeout' || event.type !== step.event) return
  const when = state.compiled.waitForWhen.get(step.id)
  if (when !== undefined) {
    const bindings = bindingsAt(state, event.timestamp, {enteredAt: active.record.enteredAt, event})
    if (!holds(state, when, bindings, active.index)) return
  }
  active.timer = undefined
  addTrace(state, event.timestamp, 'resume', `event ${step.event} arrived${step.when ? ` with "${step.when}"` : ''}`, step.id, active.index)
  runSteps(state, active, step.next, event.timestamp)
}
