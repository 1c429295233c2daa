import {CronExpressionParser} from 'cron-parser'
import {offsetMinutes} from './local-time.js'
import type {ScheduleTicker} from './types.js'

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
/**
 * Ticks kept in memory per ticker (all zones together) before the caches are dropped: a minute
 * cron over ten years is 5.3 million ticks, which a run walks day by day, never all at once.
 */
const CACHED_TICKS_LIMIT = 4_000_000
/** Empty local days looked at one by one before asking the cron library for the next tick. */
const EMPTY_DAYS_SCANNED = 8

/**
 * The ticks of a standard 5-field cron expression, computed lazily one local day at a time per
 * time zone and shared by every customer, so a run over any span neither holds nor truncates the
 * whole list. With `settings.timezone: profile` each customer is ticked in their own profile's
 * zone, so one ticker serves all zones.
 *
 * The semantics are cron-parser's: the library parses the expression and decides whether a day
 * matches (day of month, day of week, month, `L`, `#`); the ticks of a matching day are its local
 * times of day, with the library's rules for the days the offset changes (see localDayTicks).
 * That is arithmetic on the zone's offsets, where the library's own iteration takes about 60 µs
 * per tick (and, in zones with 30-minute DST shifts, misses days). Tests compare the two.
 */
export function createScheduleTicker(cron: string): ScheduleTicker {
  const zones = new Map<string, ZoneTicks>()
  const fields = cronFields(cron)
  let cachedTicks = 0
  const zoneTicks = (zone: string): ZoneTicks => {
    let ticks = zones.get(zone)
    if (ticks === undefined) {
      ticks = {
        zone,
        offsets: zoneOffsets(zone),
        matcher: dayMatcher(fields?.days, zone),
        days: new Map(),
        after: new Map(),
        recent: undefined,
      }
      zones.set(zone, ticks)
    }
    return ticks
  }
  const dayTicks = (cache: ZoneTicks, day: number): Float64Array => {
    let ticks = cache.days.get(day)
    if (ticks === undefined) {
      ticks = fields === undefined ? new Float64Array(0) : localDayTicks(fields, cache, day)
      cachedTicks += ticks.length + 1
      if (cachedTicks > CACHED_TICKS_LIMIT) {
        // Drop every zone's cache: rare, and recomputing a day is cheap next to a run.
        for (const other of zones.values()) {
          other.days.clear()
          other.after.clear()
        }
        cachedTicks = ticks.length + 1
      }
      cache.days.set(day, ticks)
    }
    return ticks
  }
  return {
    next(zone, at) {
      const cache = zoneTicks(zone)
      const recent = cache.recent
      let first: number
      if (recent !== undefined && at >= recent.start && at < recent.end) first = recent.day
      else {
        first = localDay(cache.offsets, at)
        cache.recent = {day: first, start: localMidnight(cache.offsets, first), end: localMidnight(cache.offsets, first + 1)}
      }
      for (let day = first; day <= first + EMPTY_DAYS_SCANNED; day++) {
        const ticks = dayTicks(cache, day)
        const index = firstAtOrAfter(ticks, at)
        if (index < ticks.length) return ticks[index]
      }
      // A sparse schedule (monthly, yearly): ask the cron library once, and remember the answer.
      const from = localMidnight(cache.offsets, first + EMPTY_DAYS_SCANNED + 1)
      let after = cache.after.get(first)
      if (after === undefined) {
        after = firstTickFrom(cron, zone, Math.max(from, at)) ?? null
        cache.after.set(first, after)
      }
      return after ?? undefined
    },
  }
}

/** A zone's UTC offset in minutes at an instant (memoized per day in local-time.ts). */
interface ZoneOffsets {
  offset(at: number): number
}

function zoneOffsets(zone: string): ZoneOffsets {
  return {offset: (at) => offsetMinutes(at, zone)}
}

interface ZoneTicks {
  zone: string
  offsets: ZoneOffsets
  /** Whether the expression fires on the local day of an instant at local noon. */
  matcher: (at: number) => boolean
  /** Local day number (days since 1970-01-01 on the zone's calendar) -> its ticks, ascending. */
  days: Map<number, Float64Array>
  /** Local day number -> the first tick after the days scanned from it (null: none ever). */
  after: Map<number, number | null>
  /** The local day looked up last and its span: runs ask about the same day many times in a row. */
  recent: {day: number; start: number; end: number} | undefined
}

/** The expression's hours and minutes as minutes after local midnight, ascending; undefined when it does not parse. */
interface CronFields {
  minutesOfDay: number[]
  /** The day-of-month, month and day-of-week fields as written. */
  days: string
  /** The hour field is `*`. */
  everyHour: boolean
}

function cronFields(cron: string): CronFields | undefined {
  try {
    const {fields} = CronExpressionParser.parse(cron, {tz: 'UTC'})
    const minutesOfDay: number[] = []
    for (const hour of fields.hour.values) for (const minute of fields.minute.values) minutesOfDay.push(Number(hour) * 60 + Number(minute))
    const written = cron.trim().split(/\s+/)
    if (written.length !== 5) return undefined
    return {minutesOfDay: minutesOfDay.sort((a, b) => a - b), days: written.slice(2).join(' '), everyHour: fields.hour.isWildcard}
  } catch {
    return undefined
  }
}

/** The zone's local day number of instant `at`. */
function localDay(offsets: ZoneOffsets, at: number): number {
  return Math.floor((at + offsets.offset(at) * MINUTE_MS) / DAY_MS)
}

/** The instant local day `day` begins (its first existing minute). */
function localMidnight(offsets: ZoneOffsets, day: number): number {
  const guess = day * DAY_MS - offsets.offset(day * DAY_MS) * MINUTE_MS
  return guess - (offsets.offset(guess) - offsets.offset(day * DAY_MS)) * MINUTE_MS
}

function localDayTicks(fields: CronFields, cache: ZoneTicks, day: number): Float64Array {
  const start = localMidnight(cache.offsets, day)
  const end = localMidnight(cache.offsets, day + 1)
  const before = cache.offsets.offset(start)
  const after = cache.offsets.offset(end - 1)
  const ticks = new Set<number>()
  for (const minute of fields.minutesOfDay) {
    const wall = day * DAY_MS + minute * MINUTE_MS
    if (before === after) {
      ticks.add(wall - before * MINUTE_MS)
      continue
    }
    // The offset changes this day (DST). A wall time in the overlap happens twice: it ticks at both
    // instants when the hour field is `*` (every real hour counts), else at the first. One in the
    // gap does not exist: it moves forward by the gap (02:30 -> 03:30), as cron-parser has it.
    const real = [wall - before * MINUTE_MS, wall - after * MINUTE_MS].filter(
      (at) => at >= start && at < end && wall === at + cache.offsets.offset(at) * MINUTE_MS,
    )
    if (real.length === 0) ticks.add(wall - before * MINUTE_MS)
    else if (fields.everyHour) for (const at of real) ticks.add(at)
    else ticks.add(Math.min(...real))
  }
  const noon = day * DAY_MS + 12 * 60 * MINUTE_MS
  const noonAt = cache.offsets.offset(noon - before * MINUTE_MS) === before ? noon - before * MINUTE_MS : noon - after * MINUTE_MS
  if (ticks.size === 0 || !cache.matcher(noonAt)) return new Float64Array(0)
  return Float64Array.from([...ticks].sort((a, b) => a - b))
}

/** The library's test of month, day of month and day of week (`L`, `#` and names included), at local noon. */
function dayMatcher(days: string | undefined, zone: string): (at: number) => boolean {
  if (days === undefined) return () => false
  try {
    const expression = CronExpressionParser.parse(`0 12 ${days}`, {tz: zone})
    return (at) => expression.includesDate(new Date(at))
  } catch {
    return () => false
  }
}

function firstTickFrom(cron: string, zone: string, from: number): number | undefined {
  try {
    return CronExpressionParser.parse(cron, {currentDate: new Date(from - 1), tz: zone})
      .next()
      .getTime()
  } catch {
    return undefined
  }
}

/** Index of the first tick `>= at` (ticks ascending); `ticks.length` when none. */
function firstAtOrAfter(ticks: Float64Array, at: number): number {
  let lo = 0
  let hi = ticks.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ticks[mid] as number) < at) lo = mid + 1
    else hi = mid
  }
  return lo
}
