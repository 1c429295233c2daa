import {diffJourneys} from '../diff/diff-journeys.js'
import {type ClassCounts, countClasses} from '../diff/types.js'
import type {Journey, Step} from '../journey/model.js'
import {canonicalJson} from './canonical.js'

/** What a new revision changes: `joe diff` operation counts by class, and the steps touched. */
export interface ChangeSummary {
  /** `joe diff` operations by class (breaking-in-flight, behaviour, cosmetic). */
  classes: ClassCounts
  added: string[]
  removed: string[]
  /** Steps present in both whose definition differs. */
  changed: string[]
  /** Top-level keys other than `steps` whose value differs (entry, exit, goal, settings, …). */
  fields: string[]
}

export function summarizeChange(from: Journey, to: Journey): ChangeSummary {
  const before = new Map(from.steps.map((s) => [s.id, canonicalJson(s)]))
  const after = new Map(to.steps.map((s) => [s.id, canonicalJson(s)]))
  const keys = new Set([...Object.keys(from), ...Object.keys(to)])
  keys.delete('steps')
  const fields = [...keys]
    .filter(
      (k) =>
        canonicalJson((from as unknown as Record<string, unknown>)[k]) !== canonicalJson((to as unknown as Record<string, unknown>)[k]),
    )
    .sort()
  return {
    classes: countClasses(diffJourneys(from, to)),
    added: to.steps.filter((s) => !before.has(s.id)).map((s) => s.id),
    removed: from.steps.filter((s) => !after.has(s.id)).map((s) => s.id),
    changed: to.steps.filter((s) => before.has(s.id) && before.get(s.id) !== after.get(s.id)).map((s) => s.id),
    fields,
  }
}

/** One line, e.g. "1 breaking-in-flight, 2 behaviour: -1 step (wait-1h), ~1 step (email-1)". */
export function formatSummary(summary: ChangeSummary): string {
  const plural = (n: number) => `${n} step${n === 1 ? '' : 's'}`
  const classes = (['breaking-in-flight', 'behaviour', 'cosmetic'] as const)
    .filter((c) => summary.classes[c] > 0)
    .map((c) => `${summary.classes[c]} ${c}`)
    .join(', ')
  const parts = [
    ...(summary.added.length > 0 ? [`+${plural(summary.added.length)} (${summary.added.join(', ')})`] : []),
    ...(summary.removed.length > 0 ? [`-${plural(summary.removed.length)} (${summary.removed.join(', ')})`] : []),
    ...(summary.changed.length > 0 ? [`~${plural(summary.changed.length)} (${summary.changed.join(', ')})`] : []),
    ...(summary.fields.length > 0 ? [`${summary.fields.join(', ')} changed`] : []),
  ]
  const steps = parts.length > 0 ? parts.join(', ') : 'no step changes'
  return classes ? `${classes}: ${steps}` : steps
}

/** Whether customers can be waiting at this step of a running revision (spec section 7). */
export function canHoldCustomers(step: Step, journey: Journey): boolean {
  return step.kind === 'wait' || step.kind === 'wait_for' || (step.kind === 'send' && journey.settings.quietHours !== undefined)
}

/** Every step of a running revision where customers may be waiting: what removing the journey drops. */
export function waitingSteps(journey: Journey): string[] {
  return journey.steps.filter((s) => canHoldCustomers(s, journey)).map((s) => s.id)
}

/**
 * Steps of the active revision where customers may be waiting that the new revision removes
 * without a `moved` entry: their customers would be dropped. The deploy store cannot see customers,
 * so this is conservative: any such step counts, whether or not someone waits there now.
 */
export function droppedSteps(from: Journey, to: Journey): string[] {
  const kept = new Set(to.steps.map((s) => s.id))
  return from.steps.filter((s) => canHoldCustomers(s, from) && !kept.has(s.id) && to.moved[s.id] === undefined).map((s) => s.id)
}
