import {type ExprBindings, evaluateCondition} from '../expr/cel.js'
import type {CompiledJourney, LocatedExpression} from './compiled-journey.js'
import type {CustomerEvent, DeferredRecord, EntryRecord, ExprErrorRecord, Group, RunOverrides, TraceEvent, TraceKind} from './types.js'

export const DEFAULT_MAX_STEPS_PER_INSTANT = 1000

/** What a pending timer of the current entry does when it fires. */
export type TimerKind = 'wait' | 'timeout' | 'quiet_hours' | 'holdout_end'

export interface Timer {
  at: number
  kind: TimerKind
}

/** The entry a customer is in right now (treatment walking the steps, or holdout followed for the goal). */
export interface ActiveEntry {
  index: number
  record: EntryRecord
  group: Group
  /** The step the customer waits at (treatment only). */
  at?: string
  timer?: Timer | undefined
  /** A send deferred by quiet hours, waiting for `timer`. */
  deferred?: DeferredRecord | undefined
  /** The last event the customer saw in this entry (the entering one at first); branch cases bind it. */
  lastEvent?: CustomerEvent
  /** Loop guard: steps passed at `instant`. */
  instant: number
  stepsAtInstant: number
}

/** Everything the engine tracks for one customer during a run. */
export interface CustomerState {
  compiled: CompiledJourney
  customerId: string
  from: number
  until: number
  maxStepsPerInstant: number
  overrides: RunOverrides
  profile: Record<string, unknown>
  entries: EntryRecord[]
  active?: ActiveEntry | undefined
  /** Times of messages that went out (for the frequency cap), ascending. */
  sendTimes: number[]
  trace: TraceEvent[]
  /** False when the caller does not want the trace: addTrace records nothing. */
  tracing: boolean
  exprErrors: ExprErrorRecord[]
  /** Whether the segment matched at its last evaluation (segment entries). */
  segmentMatched: boolean
}

/** `detail` may be a function, so details that cost formatting are only made when traced. */
export function addTrace(
  state: CustomerState,
  at: number,
  kind: TraceKind,
  detail: string | (() => string),
  step?: string,
  entry?: number,
): void {
  if (!state.tracing) return
  const text = typeof detail === 'string' ? detail : detail()
  state.trace.push({at, kind, ...(entry === undefined ? {} : {entry}), ...(step === undefined ? {} : {step}), detail: text})
}

/** Bindings for an expression evaluated at `at`, inside `entry` when given. */
export function bindingsAt(
  state: CustomerState,
  at: number,
  options: {enteredAt?: number; event?: CustomerEvent | undefined; channel?: string} = {},
): ExprBindings {
  return {
    profile: state.profile,
    journey: {id: state.compiled.journey.id, entered_at: options.enteredAt ?? at},
    now: at,
    ...(options.event === undefined
      ? {}
      : {event: {type: options.event.type, timestamp: options.event.timestamp, properties: options.event.properties}}),
    ...(options.channel === undefined ? {} : {channel: options.channel}),
  }
}

function reportError(state: CustomerState, at: number, expr: LocatedExpression, message: string, entry?: number): void {
  state.exprErrors.push({at, where: expr.where, ...(expr.step === undefined ? {} : {step: expr.step}), message})
  addTrace(state, at, 'expr-error', `${expr.where}: ${message} (counted as false)`, expr.step, entry)
}

/** A condition's value; a run-time error counts as false and is reported. */
export function holds(state: CustomerState, expr: LocatedExpression, bindings: ExprBindings, entry?: number): boolean {
  let result: ReturnType<typeof evaluateCondition>
  try {
    result = evaluateCondition(expr.expr, bindings)
  } catch (error) {
    result = {ok: false, error: error instanceof Error ? error.message : String(error)}
  }
  if (result.ok) return result.value
  reportError(state, bindings.now, expr, result.error, entry)
  return false
}

/** A value expression's result (a plain JSON value, see EvalResult); undefined (and reported) on a run-time error. */
export function evaluateValue(state: CustomerState, expr: LocatedExpression, bindings: ExprBindings, entry?: number): unknown {
  try {
    const evaluated = expr.expr.evaluate(bindings)
    if (evaluated.ok) return evaluated.value
    reportError(state, bindings.now, expr, evaluated.error, entry)
  } catch (error) {
    reportError(state, bindings.now, expr, error instanceof Error ? error.message : String(error), entry)
  }
  return undefined
}
