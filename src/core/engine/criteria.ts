import type {CompiledExit} from './compiled-journey.js'
import {addTrace, bindingsAt, emit, holds, type JourneyContext} from './context.js'
import type {ActiveEntry} from './state.js'
import type {CustomerEvent} from './types.js'

/** Leaves the journey at once because an exit criterion held, the loop guard fired, or the journey was removed. */
export function exitActive(
  ctx: JourneyContext,
  at: number,
  reason: {criterion: CompiledExit} | {loopGuard: true} | {removed: true},
  detail: string,
): void {
  const active = ctx.state.active
  if (active === undefined) return
  if ('criterion' in reason) {
    emit(ctx, {kind: 'exited', journey: ctx.id, at, entry: active.index, reason: 'criterion', criterion: reason.criterion.index})
  } else {
    emit(ctx, {kind: 'exited', journey: ctx.id, at, entry: active.index, reason: 'loopGuard' in reason ? 'loop_guard' : 'removed'})
  }
  addTrace(ctx, at, 'loopGuard' in reason ? 'loop-guard' : 'exit', detail, active.at, active.index)
  leave(ctx, active, at)
}

/** Reaches `end` (or is dropped by a new revision that removed the step it waited at). */
export function completeActive(ctx: JourneyContext, at: number, detail = 'reached end', dropped = false): void {
  const active = ctx.state.active
  if (active === undefined) return
  emit(ctx, {kind: 'completed', journey: ctx.id, at, entry: active.index, ...(dropped ? {dropped} : {})})
  addTrace(ctx, at, 'complete', detail, dropped ? active.at : undefined, active.index)
  leave(ctx, active, at)
}

/**
 * The entry is no longer in the journey. With `goal.within` it stays watched for the goal until
 * the window closes (spec section 5), unless it converted already.
 */
function leave(ctx: JourneyContext, active: ActiveEntry, at: number): void {
  delete ctx.state.active
  const within = ctx.compiled.journey.goal?.withinMs
  if (within === undefined || active.convertedAt !== undefined || at > active.enteredAt + within) return
  const watched = ctx.state.watched ?? []
  watched.push({index: active.index, enteredAt: active.enteredAt, group: active.group})
  ctx.state.watched = watched
}

/** The first event exit criterion `event` meets, if any (checked in file order). */
export function eventExit(ctx: JourneyContext, active: ActiveEntry, event: CustomerEvent, at: number): CompiledExit | undefined {
  for (const exit of ctx.compiled.exits) {
    if (exit.criterion.kind !== 'event' || exit.criterion.event !== event.type) continue
    if (exit.when === undefined) return exit
    const bindings = bindingsAt(ctx, at, {enteredAt: active.enteredAt, event})
    if (holds(ctx, exit.when, bindings, active.index)) return exit
  }
  return undefined
}

/** The first profile exit criterion the current profile meets, if any. */
export function profileExit(ctx: JourneyContext, active: ActiveEntry, at: number): CompiledExit | undefined {
  for (const exit of ctx.compiled.exits) {
    if (exit.criterion.kind !== 'profile' || exit.when === undefined) continue
    if (holds(ctx, exit.when, bindingsAt(ctx, at, {enteredAt: active.enteredAt}), active.index)) return exit
  }
  return undefined
}

export function describeExit(exit: CompiledExit): string {
  const c = exit.criterion
  if (c.kind === 'profile') return `exit[${exit.index}]: profile matched "${c.when}"`
  return `exit[${exit.index}]: event ${c.event}${c.when === undefined ? '' : ` with "${c.when}"`}`
}

/**
 * After a profile change (identify, or an update in any journey), the treatment customer in the
 * journey leaves when a profile exit criterion now holds. Returns true when they left.
 */
export function checkProfileExits(ctx: JourneyContext, at: number): boolean {
  const active = ctx.state.active
  if (active === undefined || active.group !== 'treatment') return false
  const exit = profileExit(ctx, active, at)
  if (exit === undefined) return false
  exitActive(ctx, at, {criterion: exit}, describeExit(exit))
  return true
}

/**
 * Whether `event` reaches the goal for an entry that began at `enteredAt`. With `goal.within` the
 * goal is watched for exactly the window after entry (end inclusive), whatever happened to the
 * entry meanwhile; without it, only while the entry is in the journey. The entering event never
 * counts, and an entry converts once (callers pass only unconverted entries).
 */
export function goalReached(
  ctx: JourneyContext,
  entry: {index: number; enteredAt: number},
  event: CustomerEvent,
  at: number,
  inJourney: boolean,
): boolean {
  const goal = ctx.compiled.journey.goal
  if (goal === undefined || event.type !== goal.event) return false
  if (at < entry.enteredAt) return false
  const watched = goal.withinMs === undefined ? inJourney : at <= entry.enteredAt + goal.withinMs
  if (!watched) return false
  if (ctx.compiled.goalWhen === undefined) return true
  return holds(ctx, ctx.compiled.goalWhen, bindingsAt(ctx, at, {enteredAt: entry.enteredAt, event}), entry.index)
}

/** Records that an entry reached the goal. */
export function convert(ctx: JourneyContext, entry: number, at: number, step: string | undefined, note = ''): void {
  emit(ctx, {kind: 'converted', journey: ctx.id, at, entry})
  const goal = ctx.compiled.journey.goal
  const detail = goal === undefined ? 'goal' : `goal: event ${goal.event}${goal.when === undefined ? '' : ` with "${goal.when}"`}`
  addTrace(ctx, at, 'goal', `${detail}${note}`, step, entry)
}

/** Re-evaluates a segment entry condition; returns whether it matches now. */
export function segmentMatches(ctx: JourneyContext, at: number): boolean {
  const condition = ctx.compiled.entryCondition
  if (ctx.compiled.journey.entry.kind !== 'segment' || condition === undefined) return false
  return holds(ctx, condition, bindingsAt(ctx, at), ctx.state.active?.index)
}
