import {DateTime, IANAZone} from 'luxon'
import {type QuietHours, WEEKDAYS, type Weekday} from '../journey/model.js'

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

// Checking a zone builds an Intl formatter; runs ask about the same few zones millions of times.
const knownZones = new Map<string, boolean>()

function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone)
  if (known === undefined) {
    known = IANAZone.isValidZone(zone)
    if (knownZones.size > 10_000) knownZones.clear()
    knownZones.set(zone, known)
  }
  return known
}

const DAY_MINUTES = 24 * 60
const OFFSET_SLOT_MS = 15 * MINUTE_MS
const offsets = new Map<string, number>()

/**
 * The zone's UTC offset in minutes at `at`. Every zone changes offset on a quarter
 * hour, so offsets are memoized per 15-minute slot (the Intl lookup behind them is
 * the engine's hottest path).
 */
function offsetMinutes(at: number, zone: string): number {
  const key = `${zone}@${Math.floor(at / OFFSET_SLOT_MS)}`
  let offset = offsets.get(key)
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(at)
    if (offsets.size > 100_000) offsets.clear()
    offsets.set(key, offset)
  }
  return offset
}

/** Minutes after local midnight of `at` in `zone` (seconds are ignored). */
export function localMinuteOfDay(at: number, zone: string): number {
  const minutes = Math.floor(at / MINUTE_MS) + offsetMinutes(at, zone)
  return ((minutes % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES
}

/**
 * The instant local wall-clock `minute` happens on the calendar day of `day` in `zone`.
 * DST: a time inside a spring-forward gap moves forward by the gap (02:30 -> 03:30);
 * a time that happens twice in a fall-back overlap is its first occurrence when
 * `earliestFrom` allows it, else the second.
 */
function wallClockInstant(day: DateTime, minute: number, zone: string, earliestFrom: number): number {
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
    const candidates = nextLocalCandidates(now, minute, zone)
    if (candidates !== null) for (const at of candidates) if (at >= now) return at
  }
  return nextLocalTimeSlow(now, minute, zone, days)
}

// Local `minute` on the local day of `now` and the two after it, per zone; null where a DST
// overlap makes the answer depend on `now` (then the slow path decides).
const candidateCache = new Map<string, readonly number[] | null>()

function nextLocalCandidates(now: number, minute: number, zone: string): readonly number[] | null {
  const localDay = Math.floor((now + offsetMinutes(now, zone) * MINUTE_MS) / (DAY_MINUTES * MINUTE_MS))
  const key = `${zone}|${minute}|${localDay}`
  let candidates = candidateCache.get(key)
  if (candidates === undefined) {
    const start = DateTime.fromMillis(now, {zone})
    const list: number[] = []
    for (let i = 0; i <= 2; i++) {
      const day = start.plus({days: i})
      const first = wallClockInstant(day, minute, zone, Number.NEGATIVE_INFINITY)
      if (first !== wallClockInstant(day, minute, zone, Number.POSITIVE_INFINITY)) break
      list.push(first)
    }
    candidates = list.length === 3 ? list : null
    if (candidateCache.size > 100_000) candidateCache.clear()
    candidateCache.set(key, candidates)
  }
  return candidates
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

/** ISO 8601 UTC text of an epoch-ms instant, for trace details and reports. */
export function iso(at: number): string {
  return new Date(at).toISOString()
}
