import type {Journey} from '../journey/model.js'
import {type CompiledJourney, compileJourney} from './compiled-journey.js'
import {createScheduleTicker} from './schedule.js'
import type {RunOverrides, ScheduleTicker} from './types.js'

const DEFAULT_MAX_STEPS_PER_INSTANT = 1000

/** The instant a simulation's journeys are active from: the earliest a state can store as JSON (unlike -Infinity). */
export const BEGINNING_OF_TIME = Number.MIN_SAFE_INTEGER

/** One revision of a journey, compiled, with what the interpreter derives from it once. */
export interface MachineJourney {
  compiled: CompiledJourney
  /** Schedule entries: the cron's ticks. */
  ticker?: ScheduleTicker
  /**
   * Whether a step expression (branch case, consent, send data, update value) reads `event`;
   * only then does an entry keep the last event it saw.
   */
  readsEvent: boolean
}

/**
 * What a journey is in an environment from `since` on: a revision, paused or not, or removed
 * (`journey` null). A simulation has one activation from the beginning of time; the live runtime
 * records one each time a deploy, rollback, promote, pause or resume lands, at the environment
 * clock's instant, so a replay of the event log with the same activations decides the same.
 */
export interface Activation {
  since: number
  /** The revision hash; '' when not deployed (simulate, test). */
  revision: string
  journey: MachineJourney | null
  paused: boolean
}

export interface MachinePlan {
  id: string
  /** Ascending `since`; at least one. */
  activations: Activation[]
  overrides: RunOverrides
}

/**
 * The run configuration of the interpreter: everything a transition needs besides the customer's
 * state and the input. Built once per run (or per reload of the runtime) and shared by every
 * customer; never part of the state.
 */
export interface Machine {
  /** Sorted by journey id: each input is offered to the journeys in this order (spec section 8). */
  plans: MachinePlan[]
  /** Inputs before this instant only build the profile and make the customer known. */
  from: number
  /** Record trace lines (with their formatted details). */
  tracing: boolean
  maxStepsPerInstant: number
}

export interface MachineOptions {
  /** Epoch ms; absent: every input counts. */
  from?: number
  /** Record trace lines (default true). Drivers that only aggregate counts turn it off. */
  trace?: boolean
  maxStepsPerInstant?: number
  /** Pins per journey id (joe test cases). */
  overrides?: (journeyId: string) => RunOverrides | undefined
  /** Schedule tickers per journey id, to share them between machines (worker threads build their own). */
  tickers?: ReadonlyMap<string, ScheduleTicker>
}

/** A machine that runs `journeys` as they are, unpaused, from the beginning of time: simulate and test. */
export function createMachine(journeys: readonly Journey[], options: MachineOptions = {}): Machine {
  const plans = [...journeys]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(
      (journey): MachinePlan => ({
        id: journey.id,
        activations: [
          {
            since: BEGINNING_OF_TIME,
            revision: '',
            journey: machineJourney(journey, options.tickers?.get(journey.id)),
            paused: false,
          },
        ],
        overrides: options.overrides?.(journey.id) ?? {},
      }),
    )
  return machineOf(plans, options)
}

/** A machine over plans with activations (the live runtime). */
export function machineOf(plans: MachinePlan[], options: Omit<MachineOptions, 'overrides' | 'tickers'> = {}): Machine {
  return {
    plans: [...plans].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    from: options.from ?? BEGINNING_OF_TIME,
    tracing: options.trace !== false,
    maxStepsPerInstant: options.maxStepsPerInstant ?? DEFAULT_MAX_STEPS_PER_INSTANT,
  }
}

/** Compiles a journey for the machine; `ticker` reuses one built elsewhere. */
export function machineJourney(journey: Journey, ticker?: ScheduleTicker): MachineJourney {
  const compiled = compileJourney(journey)
  const entry = journey.entry
  const scheduled = entry.kind === 'schedule' ? (ticker ?? createScheduleTicker(entry.cron)) : undefined
  return {compiled, ...(scheduled ? {ticker: scheduled} : {}), readsEvent: stepsReadEvent(compiled)}
}

/** The activation in effect at `at` (the last with `since <= at`); undefined before the first. */
export function activationAt(plan: MachinePlan, at: number): Activation | undefined {
  const list = plan.activations
  if (list.length === 1) {
    const only = list[0] as Activation
    return only.since <= at ? only : undefined
  }
  let found: Activation | undefined
  for (const activation of list) {
    if (activation.since > at) break
    found = activation
  }
  return found
}

/** The first activation strictly after `since`, if any. */
export function activationAfter(plan: MachinePlan, since: number): Activation | undefined {
  for (const activation of plan.activations) if (activation.since > since) return activation
  return undefined
}

const READS_EVENT = /\bevent\b/

function stepsReadEvent(compiled: CompiledJourney): boolean {
  const sources: string[] = []
  for (const list of compiled.cases.values()) for (const c of list) sources.push(c.expr.source)
  for (const list of compiled.data.values()) for (const [, e] of list) sources.push(e.expr.source)
  for (const list of compiled.set.values()) for (const [, e] of list) sources.push(e.expr.source)
  if (compiled.consent) sources.push(compiled.consent.expr.source)
  // A conservative test: `event` inside a string literal only costs keeping an event for nothing.
  return sources.some((source) => READS_EVENT.test(source))
}
