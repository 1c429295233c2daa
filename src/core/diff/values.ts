import {formatDuration as formatShortest} from '../journey/duration.js'
import type {Entry, ExitCriterion, Goal, Journey, Reentry, Step, WaitSpec} from '../journey/model.js'
import type {DiffValue} from './types.js'

/**
 * The model turned back into the journey format's own shape, for showing old and
 * new values: durations as `2d`, keys as written in YAML.
 */

const DAY = 86_400_000

/** A duration as people write them in journeys: days rather than weeks (`7d`, not `1w`). */
export function formatDuration(ms: number): string {
  return ms !== 0 && ms % DAY === 0 ? `${ms / DAY}d` : formatShortest(ms)
}

/** JSON with sorted object keys: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

const opt = <K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} =>
  (value === undefined ? {} : {[key]: value}) as {[P in K]?: V}

export function entryValue(entry: Entry): DiffValue {
  switch (entry.kind) {
    case 'event':
      return {event: entry.event, ...opt('when', entry.when)}
    case 'segment':
      return {segment: entry.segment}
    default:
      return {schedule: {cron: entry.cron, ...opt('audience', entry.audience)}}
  }
}

export function reentryValue(reentry: Reentry): DiffValue {
  return reentry.kind === 'after' ? {after: formatDuration(reentry.afterMs)} : reentry.kind
}

export function exitValue(criterion: ExitCriterion): DiffValue {
  return criterion.kind === 'event' ? {event: criterion.event, ...opt('when', criterion.when)} : {when: criterion.when}
}

export function goalValue(goal: Goal): {[key: string]: DiffValue} {
  return {
    event: goal.event,
    ...opt('when', goal.when),
    ...opt('within', goal.withinMs === undefined ? undefined : formatDuration(goal.withinMs)),
    exit: goal.exit,
  }
}

/** Journey settings by their YAML key; absent settings are left out. */
export function settingsValue(journey: Journey): {[key: string]: DiffValue} {
  const s = journey.settings
  return {
    timezone: s.timezone,
    ...opt('quiet_hours', s.quietHours ? {start: s.quietHours.start, end: s.quietHours.end} : undefined),
    ...opt('frequency_cap', s.frequencyCap ? {limit: s.frequencyCap.limit, per: formatDuration(s.frequencyCap.perMs)} : undefined),
    holdout: s.holdout,
    ...opt('consent', s.consent),
  }
}

export function waitValue(wait: WaitSpec): DiffValue {
  return wait.kind === 'duration' ? formatDuration(wait.ms) : {until: wait.time, ...opt('days', wait.days)}
}

/** The step's action key and its value, e.g. `{send: {channel: 'email', template: 'x'}}`. */
export function actionValue(step: Step): {[key: string]: DiffValue} {
  switch (step.kind) {
    case 'wait':
      return {wait: waitValue(step.wait)}
    case 'wait_for':
      return {
        wait_for: {event: step.event, ...opt('when', step.when), timeout: formatDuration(step.timeoutMs), on_timeout: step.onTimeout},
      }
    case 'branch':
      return {branch: {cases: step.cases.map((c) => ({when: c.when, next: c.next})), else: step.else}}
    case 'split':
      return {split: step.variants.map((v) => ({variant: v.variant, percent: v.percent, next: v.next}))}
    case 'send':
      return {
        send: {channel: step.channel, template: step.template, ...opt('data', Object.keys(step.data).length > 0 ? step.data : undefined)},
      }
    default:
      return {update: {set: step.set}}
  }
}

/**
 * What a step does, without where it leads: the key that finds a renamed step
 * (same action, new id). Targets of branches, splits and timeouts are left out so
 * a renamed step whose targets were renamed too is still found.
 */
export function actionKey(step: Step): string {
  switch (step.kind) {
    case 'wait_for':
      return canonical({kind: step.kind, event: step.event, when: step.when ?? null, timeoutMs: step.timeoutMs})
    case 'branch':
      return canonical({kind: step.kind, cases: step.cases.map((c) => c.when)})
    case 'split':
      return canonical({kind: step.kind, variants: step.variants.map((v) => [v.variant, v.percent])})
    default:
      return canonical(actionValue(step))
  }
}

/** A whole step as it would be written: id, action, next, labels. */
export function stepValue(step: Step): {[key: string]: DiffValue} {
  return {
    id: step.id,
    ...opt('name', step.name),
    ...opt('description', step.description),
    ...actionValue(step),
    ...(step.kind === 'branch' || step.kind === 'split' ? {} : {next: step.next}),
  }
}

/** Whether customers can be waiting at this step between two instants (spec section 7 cares). */
export function canHoldCustomers(step: Step, journey: Journey): boolean {
  return step.kind === 'wait' || step.kind === 'wait_for' || (step.kind === 'send' && journey.settings.quietHours !== undefined)
}
