// Helpers shared by the spec audit tests.
import {isHeldOut} from '../../../../src/core/engine/assignment.js'
import type {CustomerResult} from '../../../../src/core/engine/types.js'
import {iso} from '../helpers.js'
export const UNTIL = '2026-12-31T00:00:00Z'
export const paths = (r: CustomerResult): string[][] => r.entries.map((e) => e.path)
export const entryTimes = (r: CustomerResult): Array<string | undefined> => r.entries.map((e) => iso(e.enteredAt))
export const outcomes = (r: CustomerResult): string[] => r.entries.map((e) => e.outcome)

/** An id the holdout hash puts in (or out of) the holdout for `journeyId` at `percent`. */
export function customerIn(group: 'holdout' | 'treatment', journeyId: string, percent: number, prefix = 'c'): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `${prefix}-${i}`
    if (isHeldOut(journeyId, id, percent) === (group === 'holdout')) return id
  }
  throw new Error('no such customer')
}
