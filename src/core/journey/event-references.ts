import type {Journey} from './model.js'
import {isObject} from './rules/rule-context.js'
import type {YamlPath} from './source.js'

/** An event type a journey names, and where. */
export interface EventReference {
  type: string
  path: YamlPath
}

/** Every event type a raw journey names: its entry, exit criteria, goal and wait_for steps. */
export function eventReferences(raw: unknown): EventReference[] {
  if (!isObject(raw)) return []
  const found: EventReference[] = []
  const add = (value: unknown, path: YamlPath) => {
    if (typeof value === 'string') found.push({type: value, path})
  }
  if (isObject(raw.entry)) add(raw.entry.event, ['entry', 'event'])
  if (Array.isArray(raw.exit)) {
    raw.exit.forEach((criterion, i) => {
      if (isObject(criterion)) add(criterion.event, ['exit', i, 'event'])
    })
  }
  if (isObject(raw.goal)) add(raw.goal.event, ['goal', 'event'])
  if (Array.isArray(raw.steps)) {
    raw.steps.forEach((step, i) => {
      if (isObject(step) && isObject(step.wait_for)) add(step.wait_for.event, ['steps', i, 'wait_for', 'event'])
    })
  }
  return found
}

/** The event types a compiled journey names (entry, exit criteria, goal, wait_for steps), each once, in that order. */
export function journeyEventTypes(journey: Journey): string[] {
  const types = [
    'event' in journey.entry ? journey.entry.event : undefined,
    ...journey.exit.map((criterion) => ('event' in criterion ? criterion.event : undefined)),
    journey.goal?.event,
    ...journey.steps.map((step) => (step.kind === 'wait_for' ? step.event : undefined)),
  ]
  return [...new Set(types.filter((type): type is string => typeof type === 'string'))]
}
