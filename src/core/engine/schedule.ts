import {CronExpressionParser} from 'cron-parser'
import type {ScheduleTicker} from './types.js'

/** Ticks beyond this many per zone are dropped: a run over years of `* * * * *` would not fit in memory. */
export const MAX_TICKS = 1_000_000

/**
 * The ticks of a standard 5-field cron expression in `[from, until]`, computed lazily
 * once per time zone and shared by every customer. With `settings.timezone: profile`
 * each customer is ticked in their own profile's zone, so one ticker serves all zones.
 */
export function createScheduleTicker(cron: string, window: {from: number; until: number}): ScheduleTicker {
  const cache = new Map<string, readonly number[]>()
  return {
    ticks(zone: string): readonly number[] {
      let ticks = cache.get(zone)
      if (ticks === undefined) {
        ticks = computeTicks(cron, zone, window.from, window.until)
        cache.set(zone, ticks)
      }
      return ticks
    },
  }
}

function computeTicks(cron: string, zone: string, from: number, until: number): number[] {
  if (until < from) return []
  // `next()` is strictly after currentDate, so start a millisecond early to include `from`.
  const expression = CronExpressionParser.parse(cron, {currentDate: new Date(from - 1), endDate: new Date(until), tz: zone})
  const ticks: number[] = []
  while (ticks.length < MAX_TICKS && expression.hasNext()) {
    const at = expression.next().getTime()
    if (at > until) break
    ticks.push(at)
  }
  return ticks
}

/** Index of the first tick `>= at` (ticks ascending); `ticks.length` when none. */
export function firstTickAtOrAfter(ticks: readonly number[], at: number): number {
  let lo = 0
  let hi = ticks.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ticks[mid] as number) < at) lo = mid + 1
    else hi = mid
  }
  return lo
}
