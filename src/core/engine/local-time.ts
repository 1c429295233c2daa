import {DateTime, IANAZone} from 'luxon'
import {type QuietHours, WEEKDAYS, type Weekday} from '../journey/model.js'
import {LruCache} from '../lru.js'

const MINUTE_MS = 60_000

/**
 * The IANA zone local times are read in. `settings.timezone: profile` uses the
 * profile's `timezone` as of that moment when it is a known IANA zone, else UTC;
 * an unknown configured zone (validate refuses it) also falls back to UTC.
 */
export function resolveZone(setting: string, profile: Record<string, unknown>): string {
  const zone = setting === 'profile' ? profile.timezone : setting
  if (typeof zone !== 'string' || zone === '') return 'UTC'
  return isKnownZone(zone) ? zone : 'UTC'
}

const DAY_MINUTES = 24 * 60
const DAY_MS = DAY_MINUTES * MINUTE_MS
/**
 * Every cache here is an LRU of fixed size, so memory stays bounded however long a server runs and
 * whatever zones and days its customers bring: zones kept, and per zone, days (and local instants).
 * A simulation touches a few zones and a few hundred days; a zone's caches hold a few megabytes at most.
 */
export const LOCAL_TIME_CACHE_LIMITS = {zones: 64, daysPerZone: 20_000, knownZones: 1_000} as const

/** A zone's offset over one UTC day: the same all day, or one change (at most one a day, see cachedOffset). */
type DayOffset = number | {before: number; after: number; changeAt: number}

/** What is memoized per zone: the Intl lookups behind offsets are the engine's hottest path. */
interface ZoneCache {
  iana: IANAZone
  /** UTC day number -> the zone's offset that day. */
  dayOffsets: LruCache<number, DayOffset>
  /** See localInstant; keyed by local day * DAY_MINUTES + minute. */
  instants: LruCache<number, number>
}

// Checking a zone builds an Intl formatter; runs ask about the same few zones millions of times.
const knownZones = new LruCache<string, boolean>(LOCAL_TIME_CACHE_LIMITS.knownZones)
const zoneCaches = new LruCache<string, ZoneCache>(LOCAL_TIME_CACHE_LIMITS.zones)
/** The zone looked up last: runs ask about one zone many times in a row. */
let lastZone: {zone: string; cache: ZoneCache} | undefined

function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone)
  if (known === undefined) {
    known = IANAZone.isValidZone(zone)
    knownZones.set(zone, known)
  }
  return known
}

function zoneCache(zone: string): ZoneCache {
  if (lastZone?.zone === zone) return lastZone.cache
  let cache = zoneCaches.get(zone)
  if (cache === undefined) {
    const limit = LOCAL_TIME_CACHE_LIMITS.daysPerZone
    cache = {iana: IANAZone.create(zone), dayOffsets: new LruCache(limit), instants: new LruCache(limit)}
    zoneCaches.set(zone, cache)
  }
  lastZone = {zone, cache}
  return cache
}

/** How many entries the caches hold now (tests: they stay within LOCAL_TIME_CACHE_LIMITS). */
export function localTimeCacheSizes(): {zones: number; knownZones: number; largestZone: number} {
  let largestZone = 0
  for (const cache of zoneCaches.values()) largestZone = Math.max(largestZone, cache.dayOffsets.size, cache.instants.size)
  return {zones: zoneCaches.size, knownZones: knownZones.size, largestZone}
}

/** The zone's UTC offset in minutes at `at` (see cachedOffset); the schedule ticker reads offsets here too. */
export function offsetMinutes(at: number, zone: string): number {
  return cachedOffset(zoneCache(zone), at)
}

/**
 * The zone's UTC offset in minutes at `at`. A UTC day whose first and last millisecond have the
 * same offset is taken to have it throughout: in the IANA data for 1970-2040 a zone's offset
 * changes at most once a week (checked for every zone). On a day with a change, the instant of the
 * change is found once (offsets are whole seconds apart, so a search to the millisecond is exact).
 */
function cachedOffset(cache: ZoneCache, at: number): number {
  const day = Math.floor(at / DAY_MS)
  let offset = cache.dayOffsets.get(day)
  if (offset === undefined) {
    offset = dayOffset(cache.iana, day * DAY_MS)
    cache.dayOffsets.set(day, offset)
  }
  if (typeof offset === 'number') return offset
  return at < offset.changeAt ? offset.before : offset.after
}

function dayOffset(iana: IANAZone, start: number): DayOffset {
  const before = iana.offset(start)
  const after = iana.offset(start + DAY_MS - 1)
  if (before === after) return before
  // The first millisecond with the day's last offset.
  let [lo, hi] = [start, start + DAY_MS - 1]
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (iana.offset(mid) === before) lo = mid
    else hi = mid
  }
  return {before, after, changeAt: hi}
}

/** Minutes after local midnight of `at` in `zone` (seconds are ignored). */
export function localMinuteOfDay(at: number, zone: string): number {
  const minutes = Math.floor(at / MINUTE_MS) + offsetMinutes(at, zone)
  return ((minutes % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES
}

interface CalendarDay {
  year: number
  month: number
  day: number
}

/**
 * The instant local wall-clock `minute` happens on the calendar day of `day` in `zone`.
 * DST: a time inside a spring-forward gap moves forward by the gap (02:30 -> 03:30);
 * a time that happens twice in a fall-back overlap is its first occurrence when
 * `earliestFrom` allows it, else the second.
 */
function wallClockInstant(day: CalendarDay, minute: number, zone: string, earliestFrom: number): number {
  const target = DateTime.fromObject(
    {year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60},
    {zone},
  )
  const ms = target.toMillis()
  // Luxon resolves an ambiguous wall time to the later offset; look for an earlier
  // instant that shows the same wall clock (offsets shift by 30 or 60 minutes).
  for (const shift of [60, 30]) {
    const earlier = ms - shift * MINUTE_MS
    if (earlier < earliestFrom) continue
    const seen = DateTime.fromMillis(earlier, {zone})
    if (seen.day === target.day && seen.hour === target.hour && seen.minute === target.minute) return earlier
  }
  return ms
}

/**
 * The next instant at or after `now` whose local time in `zone` is `minute`
 * (minutes after midnight), on one of `days` when given. "Today's time if it has
 * not passed yet": a time exactly equal to `now` has not passed.
 */
export function nextLocalTime(now: number, minute: number, zone: string, days?: readonly Weekday[]): number {
  if (days === undefined || days.length === 0) {
    // Local `minute` on the local day of `now` and the two after it; a day where a DST overlap
    // makes the answer depend on `now` leaves it to the slow path.
    const cache = zoneCache(zone)
    const localDay = Math.floor((now + cachedOffset(cache, now) * MINUTE_MS) / DAY_MS)
    for (let i = 0; i <= 2; i++) {
      const at = localInstant(cache, zone, localDay + i, minute)
      if (Number.isNaN(at)) break
      if (at >= now) return at
    }
  }
  return nextLocalTimeSlow(now, minute, zone, days)
}

/** When local `minute` happens on local day `localDay` (days since 1970-01-01); NaN when it happens twice. */
function localInstant(cache: ZoneCache, zone: string, localDay: number, minute: number): number {
  const key = localDay * DAY_MINUTES + minute
  let at = cache.instants.get(key)
  if (at === undefined) {
    const date = new Date(localDay * DAY_MS)
    const day = {year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate()}
    const first = wallClockInstant(day, minute, zone, Number.NEGATIVE_INFINITY)
    at = first === wallClockInstant(day, minute, zone, Number.POSITIVE_INFINITY) ? first : Number.NaN
    cache.instants.set(key, at)
  }
  return at
}

function nextLocalTimeSlow(now: number, minute: number, zone: string, days?: readonly Weekday[]): number {
  const start = DateTime.fromMillis(now, {zone})
  // Eight calendar days always include every weekday after today's time has passed.
  for (let i = 0; i <= 8; i++) {
    const day = start.plus({days: i})
    if (days !== undefined && days.length > 0 && !days.includes(weekdayOf(day))) continue
    const at = wallClockInstant(day, minute, zone, now)
    if (at >= now) return at
  }
  // Unreachable for valid input (days is a non-empty subset of the week).
  return now
}

function weekdayOf(day: DateTime): Weekday {
  return WEEKDAYS[day.weekday - 1] as Weekday
}

/** True when local `minute` lies in `[start, end)`, which may wrap midnight. */
export function inQuietHours(minute: number, quiet: QuietHours): boolean {
  const {startMinute: start, endMinute: end} = quiet
  if (start === end) return false
  return start < end ? minute >= start && minute < end : minute >= start || minute < end
}

/**
 * When a send reached at `now` may go out: undefined when `now` is outside quiet
 * hours, else the next local `end` (DST-aware), exactly.
 */
export function quietHoursEnd(now: number, quiet: QuietHours, zone: string): number | undefined {
  if (!inQuietHours(localMinuteOfDay(now, zone), quiet)) return undefined
  return nextLocalTime(now, quiet.endMinute, zone)
}
