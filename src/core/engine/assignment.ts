import {hash} from 'node:crypto'
import type {SplitVariant} from '../journey/model.js'

/**
 * A stable number in [0, 1) for `key`: the first 32 bits of its SHA-256, big-endian,
 * divided by 2^32. Any implementation (a live runner in another language) can
 * reproduce it, and it never changes between runs or machines.
 */
export function unitHash(key: string): number {
  // The one-shot hash with hex output is about three times faster than createHash().digest().
  return Number.parseInt(hash('sha256', key, 'hex').slice(0, 8), 16) / 2 ** 32
}

/** The key a customer's holdout assignment hashes: `<journey id>:<customer id>`. */
function holdoutKey(journeyId: string, customerId: string): string {
  return `${journeyId}:${customerId}`
}

/** The key a split assignment hashes: `<journey id>:<step id>:<customer id>`. */
function splitKey(journeyId: string, stepId: string, customerId: string): string {
  return `${journeyId}:${stepId}:${customerId}`
}

/** True when the customer belongs to the holdout group: `unitHash(key) * 100 < percent`. */
export function isHeldOut(journeyId: string, customerId: string, percent: number): boolean {
  return percent > 0 && unitHash(holdoutKey(journeyId, customerId)) * 100 < percent
}

/**
 * The variant for a customer: variants take cumulative percent buckets in file order
 * (`[0, p1)`, `[p1, p1 + p2)`, ...) and `unitHash(key) * 100` picks one.
 */
export function pickVariant(journeyId: string, stepId: string, customerId: string, variants: readonly SplitVariant[]): SplitVariant {
  const point = unitHash(splitKey(journeyId, stepId, customerId)) * 100
  let upTo = 0
  for (const variant of variants) {
    upTo += variant.percent
    if (point < upTo) return variant
  }
  // Percents sum to 100 in a valid journey; rounding or a bad sum falls to the last variant.
  return variants[variants.length - 1] as SplitVariant
}
