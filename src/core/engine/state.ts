/**
 * What the engine remembers about one customer between two inputs: plain JSON, with no closures,
 * class instances, lazy getters or shared references, so the live runtime can store it as text
 * and a replay can keep it in memory, with the same result (a property test checks it). Everything
 * that is configuration rather than memory (the compiled journeys, test overrides, tracing) lives
 * in the Machine instead.
 *
 * It holds only what later inputs need: the entry a customer is in, the earlier entries still
 * watched for the goal, the recent send times a frequency cap counts. What happened (paths,
 * sends, outcomes) leaves as effects, so its size does not grow with the steps a customer takes.
 */

import type {Group} from './types.js'

/** The state format; bumped when a stored state would be read differently. */
export const STATE_VERSION = 1

export interface CustomerState {
  v: typeof STATE_VERSION
  customerId: string
  /** Identify traits merged in order, and `update` steps of every journey: one profile across journeys (spec section 8). */
  profile: Record<string, unknown>
  /** The instant of the customer's first event: schedule ticks admit known customers only. */
  knownSince?: number
  /** A starting profile (joe test's `profile`) not yet announced: it is a profile change at the first event in the window. */
  profilePending?: true
  /** The latest instant an input was applied at (epoch ms); inputs never go back before it. */
  lastAt?: number
  /** Per journey id, created when the journey first has something to remember. */
  journeys: Record<string, JourneyState>
}

export interface JourneyState {
  /** Entries so far (the next entry's index). */
  entries: number
  /** When the latest entry happened (reentry rules). */
  lastEnteredAt?: number
  /** The entry the customer is in now, if any. */
  active?: ActiveEntry
  /** Earlier entries still inside `goal.within` and not converted: a goal event converts them too. */
  watched?: WatchedEntry[]
  /** Instants of this journey's sends that went out inside the frequency cap's window, ascending. */
  sendTimes?: number[]
  /** Whether the segment matched at its last evaluation (segment entries). */
  segmentMatched?: boolean
  /** Schedule entries: ticks at or after this instant have not been taken yet. */
  tickCursor?: number
  /** The `since` of the activation (revision, pause state) this state was last brought up to date with. */
  activationSince: number
}

/** What a pending timer does when it fires. `moved`: the customer arrives at `ActiveEntry.at` (spec section 7). */
export type TimerKind = 'wait' | 'timeout' | 'quiet_hours' | 'holdout_end' | 'moved'

export interface Timer {
  at: number
  kind: TimerKind
}

/** An event as the state keeps it: a copy with its properties parsed. */
export interface KeptEvent {
  type: string
  timestamp: number
  properties: Record<string, unknown>
}

export interface ActiveEntry {
  index: number
  enteredAt: number
  group: Group
  /** The step the customer waits at (treatment only). */
  at?: string
  timer?: Timer
  /**
   * The last event the customer saw in this entry (the entering one at first), which branch
   * cases, consent, send data and updates bind as `event`; kept only for journeys whose step
   * expressions read `event`.
   */
  lastEvent?: KeptEvent
  /** Present once the goal was reached (a holdout, or a treatment entry with `goal.exit: false`). */
  convertedAt?: number
  /** Loop guard: steps passed at `instant`. */
  instant: number
  stepsAtInstant: number
}

export interface WatchedEntry {
  index: number
  enteredAt: number
  group: Group
}

/** A new customer: nothing known yet. `profile` is a starting profile (joe test cases). */
export function newCustomerState(customerId: string, profile?: Record<string, unknown>): CustomerState {
  const hasProfile = profile !== undefined && Object.keys(profile).length > 0
  return {
    v: STATE_VERSION,
    customerId,
    profile: hasProfile ? structuredClone(profile) : {},
    ...(hasProfile ? {profilePending: true as const} : {}),
    journeys: {},
  }
}
