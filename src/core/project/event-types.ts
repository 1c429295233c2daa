import {existsSync} from 'node:fs'
import path from 'node:path'
import type {Diagnostic} from '../errors.js'
import {journeyEventTypes} from '../journey/event-references.js'
import type {Journey} from '../journey/model.js'
import {type NearEventType, nearEventType, storedEventTypes} from '../store/event-names.js'
import {openEventStore} from '../store/open-store.js'
import type {AnalyzedFile} from './analyze.js'
import type {JoeConfig} from './config.js'

/**
 * The event types in the project's local store (`store` in joe.config.yaml); undefined when there is
 * no store, or it cannot be read (it is not what validate checks: the commands that use it say why).
 */
export function localEventTypes(config: JoeConfig): Set<string> | undefined {
  const file = path.resolve(config.root, config.store)
  if (!existsSync(file)) return undefined
  let store: ReturnType<typeof openEventStore> | undefined
  try {
    store = openEventStore(file, {readonly: true})
    return storedEventTypes(store)
  } catch {
    return undefined
  } finally {
    store?.close()
  }
}

/**
 * JOE2070: a journey names an event type the store has never seen while it has one much like it
 * ("order_completed" vs Segment's "Order Completed", or a typo), so the journey would never see
 * those events. Names with nothing near are not reported: a store need not hold every event yet.
 */
export function eventTypeWarnings(file: AnalyzedFile, known: ReadonlySet<string>): Diagnostic[] {
  if (!file.source || known.size === 0) return []
  const warnings: Diagnostic[] = []
  for (const reference of file.events ?? []) {
    const near = nearEventType(reference.type, known)
    if (!near) continue
    warnings.push({
      code: 'JOE2070',
      severity: 'warning',
      ...nearMissText(reference.type, near),
      location: file.source.locate(reference.path),
    })
  }
  return warnings
}

/** JOE2070's words, for `joe validate` (at the journey's line) and `joe simulate` (for a journey nobody entered). */
export function nearMissText(type: string, near: NearEventType): {message: string; hint: string} {
  return {
    message: `the local event store has no "${type}" events, but has "${near.type}"`,
    hint: near.sameWhenNormalized
      ? `only the spelling style differs; import with \`joe events import --normalize-names snake_case\` (or set \`events: { normalize_names: snake_case }\` in joe.config.yaml) into a fresh store, or write "${near.type}" here`
      : `did you mean "${near.type}"? this journey never sees "${type}" events in this store`,
  }
}

/** A JOE2070 of `joe simulate`: a journey nobody entered names an event type the store has only spelled otherwise. */
export interface EventNameWarning {
  code: 'JOE2070'
  journey: string
  /** The name the journey uses. */
  event: string
  /** The store's event type it probably means. */
  near: string
  message: string
  hint: string
}

/**
 * JOE2070 for simulate: the near misses of journeys that no customer entered, read from the store
 * replayed. Only for those (the symptom a user sees, "0 entered"), so a normal run pays no extra pass
 * over the events table; `joe validate` checks every journey.
 */
export function eventNameWarnings(journeys: readonly Journey[], storePath: string): EventNameWarning[] {
  if (journeys.length === 0 || !existsSync(storePath)) return []
  let known: Set<string>
  const store = openEventStore(storePath, {readonly: true})
  try {
    known = storedEventTypes(store)
  } finally {
    store.close()
  }
  const warnings: EventNameWarning[] = []
  for (const journey of journeys) {
    for (const type of journeyEventTypes(journey)) {
      const near = nearEventType(type, known)
      if (near) warnings.push({code: 'JOE2070', journey: journey.id, event: type, near: near.type, ...nearMissText(type, near)})
    }
  }
  return warnings
}
