import {daysInMonth, describeInstantProblem, parseInstant} from '../instant.js'
import type {JsonObject, NewEvent} from './store-types.js'

/** A normalised event, or why the record is not one (a message for `file:line: message`). */
export type ParsedRecord = {event: NewEvent; error?: undefined} | {event?: undefined; error: string}

const SEGMENT_TYPES = new Set(['track', 'identify', 'page', 'screen'])

const MAX_EPOCH_MS = 8.64e15

/**
 * Epoch ms from an ISO 8601 string (`2026-03-02T10:00:00Z`, `...+01:00`, a bare date is UTC midnight)
 * or a number of epoch milliseconds. Returns an error message for anything else.
 */
export function parseTimestamp(value: unknown): number | {error: string} {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS)
      return {error: `timestamp ${value} is not a valid epoch milliseconds value`}
    return Math.floor(value)
  }
  if (typeof value !== 'string') return {error: `timestamp must be an ISO 8601 string or epoch milliseconds, got ${describe(value)}`}
  const fast = utcTimestamp(value)
  if (fast !== undefined) return fast
  const parsed = parseInstant(value)
  if (typeof parsed === 'number') return parsed
  if (parsed.kind === 'no-zone') {
    return {error: `timestamp ${JSON.stringify(value)} has no time zone; add Z for UTC or an offset like +01:00`}
  }
  if (parsed.kind === 'impossible') return {error: `timestamp ${JSON.stringify(value)} ${describeInstantProblem(parsed)}`}
  return badTimestamp(value)
}

/**
 * The form nearly every export uses, `2026-03-02T10:00:00.000Z` or `2026-03-02T10:00:00Z`, read
 * without a regular expression; undefined for anything else (other forms, years before 100,
 * impossible dates), which parseTimestamp's regular expression then reads, or explains. Same result
 * where it answers.
 */
export function utcTimestamp(value: string): number | undefined {
  const n = value.length
  if ((n !== 24 && n !== 20) || value.charCodeAt(n - 1) !== 90 /* Z */) return undefined
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return undefined
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58 || (n === 24 && value.charCodeAt(19) !== 46)) return undefined
  const digits = (from: number, count: number): number => {
    let result = 0
    for (let i = from; i < from + count; i++) {
      const d = value.charCodeAt(i) - 48
      if (d < 0 || d > 9) return -1
      result = result * 10 + d
    }
    return result
  }
  const year = digits(0, 4)
  const month = digits(5, 2)
  const day = digits(8, 2)
  const hour = digits(11, 2)
  const minute = digits(14, 2)
  const second = digits(17, 2)
  const fraction = n === 24 ? digits(20, 3) : 0
  if (year < 100 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || fraction < 0) return undefined
  if (month > 12 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined
  // Math.floor(Number(`0.${fff}`) * 1000), as parseTimestamp computes milliseconds, is fff for every three digits.
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction)
}

function badTimestamp(value: string): {error: string} {
  return {
    error: `timestamp ${JSON.stringify(value)} is not an ISO 8601 date-time with a time zone (e.g. 2026-03-02T10:00:00Z) or epoch milliseconds`,
  }
}

/**
 * How deep event properties may nest. JSON.parse reads any depth, but storing (JSON.stringify),
 * CEL and the simulator recurse into values; a 5,000-deep property overflowed the stack. Real
 * event payloads nest a handful of levels.
 */
export const MAX_PROPERTY_DEPTH = 64

/** Whether objects and arrays in `value` nest more than `max` deep; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, depth] = item
    if (depth > max) return true
    const children = Array.isArray(current) ? current : Object.values(current as object)
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
  return false
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  return `a ${typeof value}`
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function customerId(value: unknown, key: string): string | {error: string} {
  if (typeof value === 'string' && value.trim() !== '') return value
  // Numeric ids are common in exports; store their decimal form.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  if (value === undefined || value === null || value === '') return {error: `missing ${key}`}
  return {error: `${key} must be a non-empty string, got ${describe(value)}`}
}

function build(
  id: string | {error: string},
  type: unknown,
  typeKey: string,
  ts: unknown,
  properties: unknown,
  propertiesKey: string,
  messageId: unknown,
  messageKey: string,
): ParsedRecord {
  if (typeof id !== 'string') return id
  if (type === undefined || type === null || type === '') return {error: `missing ${typeKey}`}
  if (typeof type !== 'string') return {error: `${typeKey} must be a string, got ${describe(type)}`}
  if (ts === undefined || ts === null || ts === '') return {error: 'missing timestamp'}
  const timestamp = parseTimestamp(ts)
  if (typeof timestamp !== 'number') return timestamp
  if (properties !== undefined && properties !== null && !isObject(properties)) {
    return {error: `${propertiesKey} must be a JSON object, got ${describe(properties)}`}
  }
  if (properties !== undefined && properties !== null && nestedDeeperThan(properties, MAX_PROPERTY_DEPTH)) {
    return {error: `${propertiesKey} nest deeper than ${MAX_PROPERTY_DEPTH} levels of objects and arrays`}
  }
  const event: NewEvent = {customer_id: id, type, timestamp, properties: properties ?? {}}
  if (messageId !== undefined && messageId !== null && messageId !== '') {
    if (typeof messageId !== 'string') return {error: `${messageKey} must be a string, got ${describe(messageId)}`}
    event.message_id = messageId
  }
  return {event}
}

/** joe's own NDJSON: `{customer_id, type, timestamp, properties?, message_id?}`. */
export function fromJoeRecord(record: unknown): ParsedRecord {
  if (!isObject(record)) return {error: `expected a JSON object, got ${describe(record)}`}
  return build(
    customerId(record.customer_id, 'customer_id'),
    record.type,
    'type',
    record.timestamp,
    record.properties,
    'properties',
    record.message_id,
    'message_id',
  )
}

/**
 * Segment's spec: track -> the `event` name with `properties`; identify -> `identify` with `traits`;
 * page/screen -> `page`/`screen` with `properties` plus `name`. Customer is userId, else anonymousId.
 */
export function fromSegmentRecord(record: unknown): ParsedRecord {
  if (!isObject(record)) return {error: `expected a JSON object, got ${describe(record)}`}
  const kind = record.type
  if (typeof kind !== 'string' || !SEGMENT_TYPES.has(kind)) {
    return {error: `unsupported Segment type ${JSON.stringify(kind)}; joe imports track, identify, page and screen calls`}
  }
  const user = record.userId ?? record.anonymousId
  const id = user === undefined || user === null ? {error: 'missing userId and anonymousId'} : customerId(user, 'userId')
  const ts = record.timestamp ?? record.originalTimestamp ?? record.receivedAt
  if (kind === 'track') {
    return build(id, record.event, 'event (the track call name)', ts, record.properties, 'properties', record.messageId, 'messageId')
  }
  if (kind === 'identify') return build(id, 'identify', 'type', ts, record.traits, 'traits', record.messageId, 'messageId')
  const result = build(id, kind, 'type', ts, record.properties, 'properties', record.messageId, 'messageId')
  if (result.event !== undefined && typeof record.name === 'string') {
    result.event.properties = {...result.event.properties, name: record.name}
  }
  return result
}

/** Where each CSV column goes; extra columns become string properties. */
export interface CsvColumns {
  customerId: number
  type: number
  timestamp: number
  properties: number | undefined
  messageId: number | undefined
  extra: {index: number; name: string}[]
}

const CSV_ALIASES: Record<string, keyof Omit<CsvColumns, 'extra'>> = {
  customer_id: 'customerId',
  userid: 'customerId',
  user_id: 'customerId',
  type: 'type',
  event: 'type',
  timestamp: 'timestamp',
  properties: 'properties',
  message_id: 'messageId',
  messageid: 'messageId',
}

/** Maps a header row; returns the missing required columns instead when there are any. */
export function csvColumns(header: string[]): CsvColumns | {missing: string[]} {
  const found: Partial<Record<keyof Omit<CsvColumns, 'extra'>, number>> = {}
  const extra: {index: number; name: string}[] = []
  header.forEach((raw, index) => {
    const name = raw.trim()
    const key = CSV_ALIASES[name.toLowerCase()]
    if (key !== undefined && found[key] === undefined) found[key] = index
    else if (name !== '') extra.push({index, name})
  })
  const missing = (['customerId', 'type', 'timestamp'] as const)
    .filter((key) => found[key] === undefined)
    .map((key) => ({customerId: 'customer_id', type: 'type', timestamp: 'timestamp'})[key])
  if (found.customerId === undefined || found.type === undefined || found.timestamp === undefined) return {missing}
  return {
    customerId: found.customerId,
    type: found.type,
    timestamp: found.timestamp,
    properties: found.properties,
    messageId: found.messageId,
    extra,
  }
}

/** A CSV data row; `timestamp` may be ISO or digits (epoch ms), `properties` a JSON object string. */
export function fromCsvRecord(fields: string[], columns: CsvColumns): ParsedRecord {
  const rawTs = fields[columns.timestamp]?.trim()
  const ts = rawTs !== undefined && /^-?\d+$/.test(rawTs) ? Number(rawTs) : rawTs
  let properties: unknown
  const rawProps = columns.properties === undefined ? undefined : fields[columns.properties]?.trim()
  if (rawProps !== undefined && rawProps !== '') {
    try {
      properties = JSON.parse(rawProps)
    } catch (error) {
      return {error: `properties is not valid JSON: ${(error as Error).message}`}
    }
  }
  if (columns.extra.length > 0 && (properties === undefined || isObject(properties))) {
    const merged: JsonObject = {}
    for (const {index, name} of columns.extra) {
      const value = fields[index]
      if (value !== undefined && value !== '') merged[name] = value
    }
    properties = {...merged, ...(properties as JsonObject | undefined)}
  }
  const id = fields[columns.customerId]
  return build(
    customerId(id === undefined ? undefined : id.trim(), 'customer_id'),
    fields[columns.type]?.trim(),
    'type',
    ts,
    properties,
    'properties',
    columns.messageId === undefined ? undefined : fields[columns.messageId]?.trim(),
    'message_id',
  )
}
