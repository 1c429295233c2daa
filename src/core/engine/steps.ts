import {iso} from '../instant.js'
import {END, type Step} from '../journey/model.js'
import {pickVariant} from './assignment.js'
import {addTrace, bindingsAt, emit, entryBindings, evaluateValue, holds, type JourneyContext, markSeen} from './context.js'
import {checkProfileExits, completeActive, exitActive, segmentMatches} from './criteria.js'
import {nextLocalTime, quietHoursEnd, resolveZone} from './local-time.js'
import type {ActiveEntry} from './state.js'
import type {CustomerEvent} from './types.js'

type SendStep = Extract<Step, {kind: 'send'}>
type UpdateStep = Extract<Step, {kind: 'update'}>

/**
 * Walks the active entry from `stepId` at instant `at` until it waits (wait, wait_for,
 * a send deferred by quiet hours), completes, or leaves (an update met an exit criterion).
 */
export function runSteps(ctx: JourneyContext, active: ActiveEntry, stepId: string, at: number): void {
  let current = stepId
  while (ctx.state.active === active) {
    if (current === END) {
      completeActive(ctx, at)
      return
    }
    const step = ctx.compiled.steps.get(current)
    if (step === undefined) {
      // A loaded journey resolves every `next`; an unknown id can only come from a bad model.
      addTrace(ctx, at, 'complete', `step "${current}" does not exist; completing`, current, active.index)
      completeActive(ctx, at, 'reached end')
      return
    }
    if (!passGuard(ctx, active, at, step.id)) return
    active.at = step.id
    emit(ctx, {kind: 'step', journey: ctx.id, at, entry: active.index, step: step.id})
    addTrace(ctx, at, 'step', () => `arrived at ${step.kind}`, step.id, active.index)
    const following = take(ctx, active, step, at)
    if (following === undefined) return
    current = following
  }
}

/** Performs one step; returns where to go next, or undefined when the customer waits here or left. */
function take(ctx: JourneyContext, active: ActiveEntry, step: Step, at: number): string | undefined {
  switch (step.kind) {
    case 'wait': {
      const wait = step.wait
      let resumeAt: number
      if (wait.kind === 'duration') {
        resumeAt = at + wait.ms
      } else {
        const zone = resolveZone(ctx.compiled.journey.settings.timezone, ctx.customer.profile)
        resumeAt = nextLocalTime(at, wait.minute, zone, wait.days)
      }
      active.timer = {at: resumeAt, kind: 'wait'}
      const what = () =>
        wait.kind === 'duration' ? `for ${wait.ms}ms` : `until ${wait.time}${wait.days ? ` on ${wait.days.join(',')}` : ''}`
      addTrace(ctx, at, 'wait', () => `waiting ${what()}; resumes at ${iso(resumeAt)}`, step.id, active.index)
      return undefined
    }
    case 'wait_for':
      active.timer = {at: at + step.timeoutMs, kind: 'timeout'}
      addTrace(ctx, at, 'wait', () => `waiting for event ${step.event}; times out at ${iso(at + step.timeoutMs)}`, step.id, active.index)
      return undefined
    case 'branch':
      return chooseCase(ctx, active, step, at)
    case 'split':
      return chooseVariant(ctx, active, step, at)
    case 'send':
      return reachSend(ctx, active, step, at) ? step.next : undefined
    case 'update':
      applyUpdate(ctx, active, step, at)
      return ctx.state.active === active ? step.next : undefined
  }
}

/** Loop guard: a validated journey cannot spin at one instant, but a bad model must not hang the run. */
function passGuard(ctx: JourneyContext, active: ActiveEntry, at: number, stepId: string): boolean {
  if (active.instant !== at) {
    active.instant = at
    active.stepsAtInstant = 0
  }
  active.stepsAtInstant += 1
  if (active.stepsAtInstant <= ctx.machine.maxStepsPerInstant) return true
  active.at = stepId
  exitActive(
    ctx,
    at,
    {loopGuard: true},
    `stopped: more than ${ctx.machine.maxStepsPerInstant} steps at one instant (a loop without a wait)`,
  )
  return false
}

function chooseCase(ctx: JourneyContext, active: ActiveEntry, step: Extract<Step, {kind: 'branch'}>, at: number): string {
  const conditions = ctx.compiled.cases.get(step.id) ?? []
  const bindings = entryBindings(ctx, active, at)
  for (const [i, c] of step.cases.entries()) {
    const condition = conditions[i]
    if (condition !== undefined && holds(ctx, condition, bindings, active.index)) {
      emit(ctx, {kind: 'branch', journey: ctx.id, at, entry: active.index, step: step.id, case: i})
      addTrace(ctx, at, 'branch', () => `case ${i} held: ${c.when} -> ${c.next}`, step.id, active.index)
      return c.next
    }
  }
  emit(ctx, {kind: 'branch', journey: ctx.id, at, entry: active.index, step: step.id, case: 'else'})
  addTrace(ctx, at, 'branch', () => `no case held -> else ${step.else}`, step.id, active.index)
  return step.else
}

function chooseVariant(ctx: JourneyContext, active: ActiveEntry, step: Extract<Step, {kind: 'split'}>, at: number): string {
  const pinned = ctx.overrides.variants?.[step.id]
  const chosen =
    (pinned === undefined ? undefined : step.variants.find((v) => v.variant === pinned)) ??
    pickVariant(ctx.id, step.id, ctx.customer.customerId, step.variants)
  emit(ctx, {kind: 'variant', journey: ctx.id, at, entry: active.index, step: step.id, variant: chosen.variant})
  const why = pinned !== undefined && pinned === chosen.variant ? 'pinned' : 'by hash'
  addTrace(ctx, at, 'split', () => `variant ${chosen.variant} (${why}) -> ${chosen.next}`, step.id, active.index)
  return chosen.next
}

/**
 * Reaching a send: inside quiet hours it is deferred to their end (the customer waits
 * here); otherwise it goes out now or is suppressed. Returns true when the customer goes on.
 */
function reachSend(ctx: JourneyContext, active: ActiveEntry, step: SendStep, at: number): boolean {
  const settings = ctx.compiled.journey.settings
  if (settings.quietHours !== undefined) {
    const zone = resolveZone(settings.timezone, ctx.customer.profile)
    const end = quietHoursEnd(at, settings.quietHours, zone)
    if (end !== undefined) {
      emit(ctx, {kind: 'deferred', journey: ctx.id, at, entry: active.index, step: step.id, reason: 'quiet_hours', until: end})
      active.timer = {at: end, kind: 'quiet_hours'}
      const {start, end: until} = settings.quietHours
      addTrace(ctx, at, 'defer', () => `quiet hours ${start}-${until} ${zone}; deferred to ${iso(end)}`, step.id, active.index)
      return false
    }
  }
  deliver(ctx, active, step, at)
  return true
}

/**
 * The moment a message would go out: consent first, then the frequency cap (sends of
 * this journey that went out in `(at - per, at]`), then it goes out with its data.
 */
function deliver(ctx: JourneyContext, active: ActiveEntry, step: SendStep, at: number): void {
  const {consent} = ctx.compiled
  if (consent !== undefined && !holds(ctx, consent, entryBindings(ctx, active, at, step.channel), active.index)) {
    emit(ctx, {kind: 'suppressed', journey: ctx.id, at, entry: active.index, step: step.id, reason: 'consent'})
    addTrace(ctx, at, 'suppress', `consent did not hold for ${step.channel}`, step.id, active.index)
    return
  }
  const cap = ctx.compiled.journey.settings.frequencyCap
  if (cap !== undefined) {
    // Only sends inside the window matter now or later (time never goes back): keep just those.
    const recent = (ctx.state.sendTimes ?? []).filter((t) => t > at - cap.perMs && t <= at)
    if (recent.length >= cap.limit) {
      ctx.state.sendTimes = recent
      emit(ctx, {kind: 'suppressed', journey: ctx.id, at, entry: active.index, step: step.id, reason: 'frequency_cap'})
      addTrace(
        ctx,
        at,
        'suppress',
        `frequency cap: ${recent.length} sent in the last ${cap.perMs}ms (limit ${cap.limit})`,
        step.id,
        active.index,
      )
      return
    }
    recent.push(at)
    ctx.state.sendTimes = recent
  }
  const data: Record<string, unknown> = {}
  const bindings = entryBindings(ctx, active, at)
  for (const [name, expr] of ctx.compiled.data.get(step.id) ?? []) {
    const value = evaluateValue(ctx, expr, bindings, active.index)
    if (value !== undefined) data[name] = value
  }
  emit(ctx, {
    kind: 'send',
    journey: ctx.id,
    at,
    entry: active.index,
    step: step.id,
    channel: step.channel,
    template: step.template,
    data,
    profile: {...ctx.customer.profile},
  })
  addTrace(ctx, at, 'send', () => `${step.channel} ${step.template}`, step.id, active.index)
}

/**
 * Sets profile attributes: every value is evaluated against the profile as it was
 * before the step, then all are merged at once. A value whose expression fails is
 * left unchanged (and reported). The change is a profile change: this journey's profile
 * exit criteria are checked and its segment state is refreshed (an update never enters
 * the journey it runs in); the customer's other journeys see it at the same instant.
 */
function applyUpdate(ctx: JourneyContext, active: ActiveEntry, step: UpdateStep, at: number): void {
  const bindings = entryBindings(ctx, active, at)
  const changes: Record<string, unknown> = {}
  for (const [name, expr] of ctx.compiled.set.get(step.id) ?? []) {
    const value = evaluateValue(ctx, expr, bindings, active.index)
    if (value !== undefined) changes[name] = value
  }
  Object.assign(ctx.customer.profile, changes)
  ctx.out.profileVersion += 1
  markSeen(ctx.out, ctx.id)
  emit(ctx, {kind: 'profile', journey: ctx.id, at, source: 'update', changes})
  addTrace(ctx, at, 'update', () => `set ${Object.keys(changes).join(', ') || 'nothing'}`, step.id, active.index)
  if (ctx.compiled.journey.entry.kind === 'segment') ctx.state.segmentMatched = segmentMatches(ctx, at)
  checkProfileExits(ctx, at)
}

/** The active entry's timer fired at `at` (events at `at` were applied first). */
export function fireTimer(ctx: JourneyContext, active: ActiveEntry, at: number): void {
  const timer = active.timer
  if (timer === undefined) return
  delete active.timer
  const step = active.at === undefined ? undefined : ctx.compiled.steps.get(active.at)
  if (timer.kind === 'holdout_end') {
    emit(ctx, {kind: 'released', journey: ctx.id, at, entry: active.index})
    addTrace(ctx, at, 'holdout', 'goal window over; no longer followed', undefined, active.index)
    delete ctx.state.active
    return
  }
  if (step === undefined) {
    completeActive(ctx, at, 'the step it waited at no longer exists; completing')
    return
  }
  if (timer.kind === 'moved' || !timerFits(timer.kind, step)) {
    // Spec section 7: the customer continues at this step (a `moved` target, or a step of the same
    // id whose kind a new revision changed): they arrive at it when the timer they had comes due.
    addTrace(ctx, at, 'resume', 'continues at this step (new revision)', step.id, active.index)
    runSteps(ctx, active, step.id, at)
    return
  }
  switch (timer.kind) {
    case 'wait':
      addTrace(ctx, at, 'resume', 'wait over', step.id, active.index)
      runSteps(ctx, active, step.next, at)
      return
    case 'timeout':
      if (step.kind !== 'wait_for') return
      addTrace(ctx, at, 'timeout', `no ${step.event} within the timeout -> ${step.onTimeout}`, step.id, active.index)
      runSteps(ctx, active, step.onTimeout, at)
      return
    case 'quiet_hours':
      if (step.kind !== 'send') return
      addTrace(ctx, at, 'resume', 'quiet hours over', step.id, active.index)
      deliver(ctx, active, step, at)
      if (ctx.state.active === active) runSteps(ctx, active, step.next, at)
      return
  }
}

/** Whether a timer was set by a step of this kind (a new revision may have changed the step's kind). */
function timerFits(kind: 'wait' | 'timeout' | 'quiet_hours', step: Step): boolean {
  return (
    (kind === 'wait' && step.kind === 'wait') ||
    (kind === 'timeout' && step.kind === 'wait_for') ||
    (kind === 'quiet_hours' && step.kind === 'send')
  )
}

/** An event while the customer waits at a wait_for: a matching one moves them on to `next`. */
export function offerToWaitFor(ctx: JourneyContext, active: ActiveEntry, event: CustomerEvent, at: number): void {
  const step = active.at === undefined ? undefined : ctx.compiled.steps.get(active.at)
  if (step?.kind !== 'wait_for' || active.timer?.kind !== 'timeout' || event.type !== step.event) return
  const when = ctx.compiled.waitForWhen.get(step.id)
  if (when !== undefined) {
    if (!holds(ctx, when, bindingsAt(ctx, at, {enteredAt: active.enteredAt, event}), active.index)) return
  }
  delete active.timer
  addTrace(ctx, at, 'resume', `event ${step.event} arrived${step.when ? ` with "${step.when}"` : ''}`, step.id, active.index)
  runSteps(ctx, active, step.next, at)
}
