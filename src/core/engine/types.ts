/**
 * Inputs and outputs of the journey interpreter. One engine serves simulate, test, diff --impact,
 * the policy gate and the live runtime; they differ only in where the inputs come from and when
 * the run stops. Its primitive is a transition (`transition.ts`): one input applied to a
 * customer's stored state gives the new state and the effects below.
 */

/** One event of one customer. `identify` merges `properties` into the profile at that instant. */
export interface CustomerEvent {
  type: string
  /** Epoch milliseconds. */
  timestamp: number
  properties: Record<string, unknown>
}

/** Everything the engine knows about one customer. */
export interface CustomerTimeline {
  customerId: string
  /**
   * In timestamp order; ties keep their input order (the engine sorts stably,
   * so an unsorted list is tolerated).
   */
  events: readonly CustomerEvent[]
  /**
   * The profile before the first event (`joe test` cases set it); absent means `{}`.
   * It is treated as a profile change at the first event's instant, so a segment
   * entry can fire on it.
   */
  profile?: Record<string, unknown>
}

export type Group = 'treatment' | 'holdout'

/**
 * Pins decisions that are otherwise a hash, so `joe test` cases stay meaningful
 * on journeys with holdouts and splits.
 */
export interface RunOverrides {
  /** Present: every entry of this customer goes to this group, whatever the hash says. */
  group?: Group
  /** Step id -> variant name; a pinned split step always takes that variant. */
  variants?: Record<string, string>
}

/** A journey's schedule: its ticks in each time zone, computed lazily and shared by every customer. */
export interface ScheduleTicker {
  /** The first tick at or after `at` in `zone`, or undefined when the cron never fires again. */
  next(zone: string, at: number): number | undefined
}

export interface RunOptions {
  /** Inclusive end of the run: events and timers at or before it are processed. */
  until: number
  /**
   * Inclusive start of the run. Events before it only build the profile: nobody
   * enters, no criteria are checked. Absent: every event is in the window.
   */
  from?: number
  overrides?: RunOverrides
  /**
   * For schedule entries: the journey's ticks. Drivers build it once per journey with
   * `createScheduleTicker` and share it between customers; absent, one is built for this run.
   */
  scheduleTicks?: ScheduleTicker
  /** Steps one entry may pass at one instant before it is stopped (default 1000). */
  maxStepsPerInstant?: number
  /**
   * Record `CustomerResult.trace` (default true). Drivers that only aggregate counts turn it off:
   * nothing else depends on the trace.
   */
  trace?: boolean
}

/** A message that went out. */
export interface SendRecord {
  stepId: string
  channel: string
  template: string
  /** Epoch ms the message went out (after quiet hours when deferred). */
  at: number
  /** `send.data` evaluated at `at`; a value whose expression failed is absent (and reported). */
  data: Record<string, unknown>
  /** The customer's profile when it went out (a copy). */
  profile: Record<string, unknown>
}

export type SuppressReason = 'frequency_cap' | 'consent'

export interface SuppressedRecord {
  stepId: string
  reason: SuppressReason
  at: number
}

export interface DeferredRecord {
  stepId: string
  reason: 'quiet_hours'
  /** When the send was reached. */
  from: number
  /** The end of quiet hours, when it goes out (or is suppressed). */
  to: number
}

export interface BranchTaken {
  stepId: string
  /** Index of the case that held, or `else`. */
  case: number | 'else'
  at: number
}

export interface VariantTaken {
  stepId: string
  variant: string
  at: number
}

/**
 * completed: reached `end`; exited: removed by an exit criterion (or the loop guard);
 * converted: reached the goal (wins over the others); in_flight: still waiting at `until`;
 * held_out: in the holdout group (may also have `convertedAt`).
 */
export type EntryOutcome = 'completed' | 'exited' | 'converted' | 'in_flight' | 'held_out'

/** One entry of one customer into the journey. */
export interface EntryRecord {
  enteredAt: number
  group: Group
  /** Step ids arrived at, in order; one item per arrival. Empty for holdouts. */
  path: string[]
  sends: SendRecord[]
  suppressed: SuppressedRecord[]
  deferred: DeferredRecord[]
  outcome: EntryOutcome
  /** Present when an exit criterion (or the loop guard) removed the customer. */
  exitedAt?: number
  /** Index into `journey.exit` of the criterion that held; absent for the loop guard. */
  exitCriterion?: number
  /** Present when the customer reached `end`. */
  completedAt?: number
  /** Present when the goal was reached (also for holdouts, and after completion within `goal.within`). */
  convertedAt?: number
  /** Present when the entry was still in the journey at `until`: the step it waits at. */
  waitingAt?: string
  /** Present when the loop guard stopped this entry. */
  stopped?: 'loop_guard'
  branches: BranchTaken[]
  variants: VariantTaken[]
}

export type TraceKind =
  | 'enter'
  | 'holdout'
  | 'step'
  | 'branch'
  | 'split'
  | 'send'
  | 'suppress'
  | 'defer'
  | 'wait'
  | 'resume'
  | 'timeout'
  | 'update'
  | 'exit'
  | 'goal'
  | 'complete'
  | 'expr-error'
  | 'loop-guard'

/** One transition, with the reason in `detail` (which condition held, what was decided). */
export interface TraceEvent {
  at: number
  kind: TraceKind
  /** Index into `CustomerResult.entries`; absent for events outside any entry. */
  entry?: number
  /** Present when the transition happened at a step. */
  step?: string
  detail: string
}

/** A CEL expression that failed at run time; it counted as false (or its value was left out). */
export interface ExprErrorRecord {
  at: number
  /** Where in the journey, e.g. `goal.when`, `steps.route.cases[0].when`, `settings.consent`. */
  where: string
  /** Present when the expression belongs to a step. */
  step?: string
  message: string
}

export interface CustomerResult {
  customerId: string
  /** Every entry, re-entries included, in time order. */
  entries: EntryRecord[]
  trace: TraceEvent[]
  exprErrors: ExprErrorRecord[]
  /** The profile after the last processed event or update. */
  profile: Record<string, unknown>
  /** Events with `from <= timestamp <= until`. */
  eventsInWindow: number
  /** Timestamp of the first event overall; absent when there are none. */
  firstEventAt?: number
}

/** One input of a customer: an event arriving, or the instant something is due (timers, schedule ticks). */
export type EngineInput = {kind: 'event'; event: CustomerEvent; at: number} | {kind: 'due'; at: number}

/**
 * What a transition did, in the order it happened. Every effect names its journey (but profile
 * changes from identify events, which belong to none) and the instant it happened at. Drivers
 * aggregate them (simulate's report), collect them per entry (joe test, traces), or store them
 * (the live runtime's outbox and journal).
 */
export type Effect =
  | {kind: 'entered'; journey: string; at: number; entry: number; group: Group}
  /** Arrived at a step (one per pass). */
  | {kind: 'step'; journey: string; at: number; entry: number; step: string}
  | {kind: 'branch'; journey: string; at: number; entry: number; step: string; case: number | 'else'}
  | {kind: 'variant'; journey: string; at: number; entry: number; step: string; variant: string}
  | {
      kind: 'send'
      journey: string
      at: number
      entry: number
      step: string
      channel: string
      template: string
      data: Record<string, unknown>
      /** The profile at `at` (a copy). */
      profile: Record<string, unknown>
    }
  | {kind: 'suppressed'; journey: string; at: number; entry: number; step: string; reason: SuppressReason}
  /** A send inside quiet hours, held until `until`. */
  | {kind: 'deferred'; journey: string; at: number; entry: number; step: string; reason: 'quiet_hours'; until: number}
  /** Profile attributes set by an identify event (no journey) or an update step. */
  | {kind: 'profile'; journey?: string; at: number; source: 'identify' | 'update'; changes: Record<string, unknown>}
  | {kind: 'converted'; journey: string; at: number; entry: number}
  /** `criterion` is the exit criterion's index; `loop_guard` a loop without a wait; `removed` the journey left the environment. */
  | {kind: 'exited'; journey: string; at: number; entry: number; reason: 'criterion' | 'loop_guard' | 'removed'; criterion?: number}
  | {kind: 'completed'; journey: string; at: number; entry: number; dropped?: boolean}
  /** A holdout entry is no longer followed for the goal. */
  | {kind: 'released'; journey: string; at: number; entry: number}
  | {kind: 'expr_error'; journey: string; at: number; entry?: number; where: string; step?: string; message: string}

export type EffectKind = Effect['kind']

/** A trace line of one journey. */
export interface JourneyTraceEvent extends TraceEvent {
  journey: string
}
