// The one parser for dates and times that users type: flags (--from, --until, --as-of, --start),
// test files' `at` and `until`, and event timestamps at import. JavaScript's Date.parse rolls
// impossible dates over (2026-02-31 becomes March 3) and reads a time without a zone in the
// machine's zone; here both are errors, so an instant never depends on either.

/** Date, optionally a time with seconds and fraction and a zone (Z, ±HH, ±HHMM, ±HH:MM). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/
/** 400 Gregorian years repeat exactly: 146,097 days. */
const YEARS_400_MS = 146_097 * 86_400_000
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export type InstantProblem =
  /** Not ISO 8601 at all. */
  | {kind: 'format'}
  /** A date-time without Z or an offset. */
  | {kind: 'no-zone'}
  /** ISO 8601 in form, but no such date or time: the reason, e.g. "February 2026 has 28 days". */
  | {kind: 'impossible'; reason: string}
  /** A bare date where a time is required. */
  | {kind: 'date-only'}

export interface ParseInstantOptions {
  /** Accept a bare date (`2026-03-01`, midnight UTC); default true. */
  date?: boolean
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Epoch ms of an ISO 8601 date or date-time with a zone, or why it is not one. */
export function parseInstant(text: string, options: ParseInstantOptions = {}): number | InstantProblem {
  const m = ISO.exec(text.trim())
  if (m === null) return {kind: 'format'}
  const [, y, mo, d, h, mi, s, frac, zone] = m
  if (h === undefined && options.date === false) return {kind: 'date-only'}
  if (h !== undefined && zone === undefined) return {kind: 'no-zone'}
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  if (month < 1 || month > 12) return {kind: 'impossible', reason: `there is no month ${mo}`}
  const days = daysInMonth(year, month)
  if (day < 1 || day > days) return {kind: 'impossible', reason: `${MONTHS[month - 1]} ${y} has ${days} days`}
  if (hour > 23 || minute > 59 || second > 59)
    return {kind: 'impossible', reason: `${h}:${mi}${s === undefined ? '' : `:${s}`} is not a time of day`}
  let offsetMin = 0
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2))
    const om = Number(digits.slice(2) || '0')
    if (oh > 23 || om > 59) return {kind: 'impossible', reason: `${zone} is not a time zone offset`}
    offsetMin = sign * (oh * 60 + om)
  }
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  let utc = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  // Date.UTC reads years 0..99 as 1900..1999.
  if (year < 100) utc = Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - YEARS_400_MS
  return utc - offsetMin * 60_000
}

/** The problem in words, to follow `"<text>" `. */
export function describeInstantProblem(problem: InstantProblem): string {
  switch (problem.kind) {
    case 'format':
      return 'is not an ISO 8601 date or date-time'
    case 'no-zone':
      return 'has no time zone; add Z for UTC or an offset like +01:00'
    case 'date-only':
      return 'is a date without a time'
    case 'impossible':
      return `is not a real date or time: ${problem.reason}`
  }
}

/**
 * An epoch-ms instant as joe writes it everywhere (reports, traces, every `--json`): ISO 8601 in UTC
 * with milliseconds (docs/cli-output.md). Stores may hand over a BIGINT as text; it is read as a number.
 */
export function iso(at: number): string {
  return new Date(Number(at)).toISOString()
}

/** iso(), or null where there is no instant (a field without a value is null, never absent). */
export function isoOrNull(at: number | null | undefined): string | null {
  return at === null || at === undefined ? null : iso(at)
}
