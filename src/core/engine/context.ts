import {type ExprBindings, evaluateCondition} from '../expr/cel.js'
import type {CompiledJourney, LocatedExpression} from './compiled-journey.js'
import type {Machine, MachineJourney} from './machine.js'
import type {ActiveEntry, CustomerState, JourneyState, KeptEvent} from './state.js'
import type {CustomerEvent, Effect, JourneyTraceEvent, RunOverrides, TraceKind} from './types.js'

/** Where a transition writes what it did, and what its journeys tell each other meanwhile. */
export interface Output {
  effects: Effect[]
  /** Present when the machine records traces. */
  trace?: JourneyTraceEvent[]
  /**
   * Profile changes during this input (an identify, an initial profile, update steps); each
   * journey reacts to the ones it has not seen yet (`seen`), so an update in one journey reaches
   * the others at the same instant. Scratch for one transition, never stored.
   */
  profileVersion: number
  /**
   * Per journey id: the profileVersion it has reacted to (0 when absent). Made on the first
   * profile change: most inputs change no profile, and a Map per input was a measurable cost.
   */
  seen?: Map<string, number>
}

/** The profileVersion journey `id` has reacted to in this transition. */
export function seenVersion(out: Output, id: string): number {
  return out.seen?.get(id) ?? 0
}

/** Journey `id` has reacted to every profile change so far in this transition. */
export function markSeen(out: Output, id: string): void {
  if (out.profileVersion === 0) return
  out.seen ??= new Map()
  out.seen.set(id, out.profileVersion)
}

/**
 * One journey's view of one transition: the machine's configuration for it, the customer's
 * state and this journey's part of it, and the output. Built per input and journey; it is
 * scaffolding for the step functions, never stored.
 */
export interface JourneyContext {
  machine: Machine
  journey: MachineJourney
  compiled: CompiledJourney
  /** The journey id. */
  id: string
  revision: string
  overrides: RunOverrides
  customer: CustomerState
  state: JourneyState
  out: Output
}

/** Records an effect. */
export function emit(ctx: JourneyContext, effect: Effect): void {
  ctx.out.effects.push(effect)
}

/** `detail` may be a function, so details that cost formatting are only made when traced. */
export function addTrace(
  ctx: JourneyContext,
  at: number,
  kind: TraceKind,
  detail: string | (() => string),
  step?: string,
  entry?: number,
): void {
  const trace = ctx.out.trace
  if (trace === undefined) return
  const text = typeof detail === 'string' ? detail : detail()
  trace.push({
    journey: ctx.id,
    at,
    kind,
    ...(entry === undefined ? {} : {entry}),
    ...(step === undefined ? {} : {step}),
    detail: text,
  })
}

/** Bindings for an expression evaluated at `at`, inside an entry that began at `enteredAt` when given. */
export function bindingsAt(
  ctx: JourneyContext,
  at: number,
  options: {enteredAt?: number; event?: CustomerEvent | KeptEvent | undefined; channel?: string} = {},
): ExprBindings {
  return {
    profile: ctx.customer.profile,
    journey: {id: ctx.id, entered_at: options.enteredAt ?? at},
    now: at,
    ...(options.event === undefined
      ? {}
      : {event: {type: options.event.type, timestamp: options.event.timestamp, properties: options.event.properties}}),
    ...(options.channel === undefined ? {} : {channel: options.channel}),
  }
}

/** Bindings for a step expression of the active entry: `event` is the last event it saw. */
export function entryBindings(ctx: JourneyContext, active: ActiveEntry, at: number, channel?: string): ExprBindings {
  return bindingsAt(ctx, at, {enteredAt: active.enteredAt, event: active.lastEvent, ...(channel === undefined ? {} : {channel})})
}

function reportError(ctx: JourneyContext, at: number, expr: LocatedExpression, message: string, entry?: number): void {
  emit(ctx, {
    kind: 'expr_error',
    journey: ctx.id,
    at,
    ...(entry === undefined ? {} : {entry}),
    where: expr.where,
    ...(expr.step === undefined ? {} : {step: expr.step}),
    message,
  })
  addTrace(ctx, at, 'expr-error', () => `${expr.where}: ${message} (counted as false)`, expr.step, entry)
}

/** A condition's value; a run-time error counts as false and is reported. */
export function holds(ctx: JourneyContext, expr: LocatedExpression, bindings: ExprBindings, entry?: number): boolean {
  let result: ReturnType<typeof evaluateCondition>
  try {
    result = evaluateCondition(expr.expr, bindings)
  } catch (error) {
    result = {ok: false, error: error instanceof Error ? error.message : String(error)}
  }
  if (result.ok) return result.value
  reportError(ctx, bindings.now, expr, result.error, entry)
  return false
}

/** A value expression's result (a plain JSON value, see EvalResult); undefined (and reported) on a run-time error. */
export function evaluateValue(ctx: JourneyContext, expr: LocatedExpression, bindings: ExprBindings, entry?: number): unknown {
  try {
    const evaluated = expr.expr.evaluate(bindings)
    if (evaluated.ok) return evaluated.value
    reportError(ctx, bindings.now, expr, evaluated.error, entry)
  } catch (error) {
    reportError(ctx, bindings.now, expr, error instanceof Error ? error.message : String(error), entry)
  }
  return undefined
}

/** A copy of an event for the state: plain data, properties parsed. */
export function keepEvent(event: CustomerEvent): KeptEvent {
  return {type: event.type, timestamp: event.timestamp, properties: event.properties}
}

/** Remembers the event an active entry saw last, for journeys whose step expressions read it. */
export function rememberEvent(ctx: JourneyContext, active: ActiveEntry, event: CustomerEvent): void {
  if (ctx.journey.readsEvent) active.lastEvent = keepEvent(event)
}
