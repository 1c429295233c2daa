/**
 * The loaded journey model: what simulate, test, diff and deploy work on.
 * Built only from a journey that validated without errors; durations are
 * milliseconds, every `next` is resolved (explicit, the following step, or `end`).
 */

/** The pseudo step that completes the journey. */
export const END = 'end'

export const CHANNELS = ['email', 'sms', 'push', 'in_app', 'webhook'] as const
export type Channel = (typeof CHANNELS)[number]

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** A CEL expression as written by the user. */
export type Expression = string

export interface Journey {
  version: 1
  id: string
  name: string
  /** Present when the file sets it. */
  description?: string
  owner?: string
  tags: string[]
  entry: Entry
  reentry: Reentry
  exit: ExitCriterion[]
  goal?: Goal
  settings: Settings
  /** In file order; `steps[0]` is where customers start. */
  steps: Step[]
  /** Old step id -> step id or `end`, for customers waiting at removed steps (spec section 7). */
  moved: Record<string, string>
}

export type Entry =
  | {kind: 'event'; event: string; when?: Expression}
  | {kind: 'segment'; segment: Expression}
  /** `audience` absent means every known customer. */
  | {kind: 'schedule'; cron: string; audience?: Expression}

export type Reentry = {kind: 'never'} | {kind: 'always'} | {kind: 'after'; afterMs: number}

export type ExitCriterion =
  /** Leave when such an event arrives (and `when` holds, if given). */
  | {kind: 'event'; event: string; when?: Expression}
  /** Leave when the profile matches, checked after each profile change. */
  | {kind: 'profile'; when: Expression}

export interface Goal {
  event: string
  when?: Expression
  /** Conversion window from entry; absent: only while in the journey. */
  withinMs?: number
  /** Reaching the goal ends the journey (default true). */
  exit: boolean
}

export interface QuietHours {
  /** "HH:MM" local time, and the same as minutes after midnight. */
  start: string
  end: string
  startMinute: number
  endMinute: number
}

export interface Settings {
  /** 'UTC', an IANA zone, or 'profile' (profile.timezone, else UTC). */
  timezone: string
  quietHours?: QuietHours
  frequencyCap?: {limit: number; perMs: number}
  /** Percent 0..50 of entrants kept as a control group. */
  holdout: number
  consent?: Expression
}

interface StepCommon {
  id: string
  /** Optional human label and notes; cosmetic. */
  name?: string
  description?: string
  /** Where the customer goes after this step: a step id or `end`. */
  next: string
  /** Whether `next` was written in the file (false: the following step). */
  nextExplicit: boolean
}

export type WaitSpec =
  | {kind: 'duration'; ms: number}
  /** Until the next local time of day `time` ("HH:MM"), on one of `days` when given. */
  | {kind: 'until'; time: string; minute: number; days?: Weekday[]}

export type Step =
  | (StepCommon & {kind: 'wait'; wait: WaitSpec})
  | (StepCommon & {kind: 'wait_for'; event: string; when?: Expression; timeoutMs: number; onTimeout: string})
  | (StepCommon & {kind: 'branch'; cases: BranchCase[]; else: string})
  | (StepCommon & {kind: 'split'; variants: SplitVariant[]})
  | (StepCommon & {kind: 'send'; channel: Channel; template: string; data: Record<string, Expression>})
  | (StepCommon & {kind: 'update'; set: Record<string, Expression>})

export type StepKind = Step['kind']
export const STEP_KINDS: readonly StepKind[] = ['wait', 'wait_for', 'branch', 'split', 'send', 'update']

export interface BranchCase {
  when: Expression
  next: string
}

export interface SplitVariant {
  variant: string
  percent: number
  next: string
}

/** Every step id a step can lead to, in a stable order. */
export function successors(step: Step): string[] {
  switch (step.kind) {
    case 'branch':
      return [...step.cases.map((c) => c.next), step.else]
    case 'split':
      return step.variants.map((v) => v.next)
    case 'wait_for':
      return [step.next, step.onTimeout]
    default:
      return [step.next]
  }
}
