import {closest} from '../journey/suggest.js'
import {LruCache} from '../lru.js'
import type {EventStore} from './store-types.js'

/**
 * How `joe events import` treats event names: `none` stores them as sent; `snake_case` stores
 * Segment's "Order Completed" (and `orderCompleted`, `Order-Completed`) as `order_completed`, the
 * form journeys use.
 */
export type NameNormalization = 'none' | 'snake_case'

export const NAME_NORMALIZATIONS: readonly NameNormalization[] = ['none', 'snake_case']

/**
 * `Order Completed` -> `order_completed`: words split at spaces, punctuation and case changes
 * (`orderCompleted`, `SMSSent` -> `sms_sent`), lower-cased, joined by `_`. Letters and digits of
 * any script are kept; a name with none at all is returned unchanged rather than emptied.
 */
export function snakeCase(name: string): string {
  const words = name
    // lower or digit, then upper: orderCompleted, step2Completed
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    // an acronym, then a word: SMSSent
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
  return words.length === 0 ? name : words.join('_')
}

/** The event-name conversion of an import, or undefined for `none`; an import has few distinct names, converted once each. */
export function nameNormalizer(normalization: NameNormalization): ((name: string) => string) | undefined {
  if (normalization === 'none') return undefined
  const cache = new LruCache<string, string>(10_000)
  return (name) => {
    let normalized = cache.get(name)
    if (normalized === undefined) {
      normalized = snakeCase(name)
      cache.set(name, normalized)
    }
    return normalized
  }
}

/** Renamings reported per import (they also show in `--json`); a count says how many there were. */
export const MAX_REPORTED_RENAMES = 100

export interface NearEventType {
  /** The event type the store has. */
  type: string
  /** True when both names are the same in snake_case: only the spelling style differs. */
  sameWhenNormalized: boolean
}

/**
 * For an event name a journey uses that is not among `known` (the store's event types): the known
 * type it probably means, or undefined when it is known or nothing is near. A type that is the same
 * in snake_case wins over a likely typo.
 */
export function nearEventType(name: string, known: Iterable<string>): NearEventType | undefined {
  const types = [...known]
  if (types.includes(name)) return undefined
  const normalized = snakeCase(name)
  const sameStyle = types.find((type) => snakeCase(type) === normalized)
  if (sameStyle !== undefined) return {type: sameStyle, sameWhenNormalized: true}
  const typo = closest(name, types)
  return typo === undefined ? undefined : {type: typo, sameWhenNormalized: false}
}

/**
 * Every event type in the store. One pass over the events table (no index holds types): about
 * 0.1 s per million events on a laptop.
 */
export function storedEventTypes(store: EventStore): Set<string> {
  return new Set(store.db.prepare('SELECT DISTINCT type FROM events').pluck().all() as string[])
}
