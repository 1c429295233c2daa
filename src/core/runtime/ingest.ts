import {timingSafeEqual} from 'node:crypto'
import {fromSegmentRecord, isObject} from '../store/parse-event.js'
import type {NewEvent} from '../store/store-types.js'

/** Segment's limits (HTTP Tracking API): one event, and one request. */
export const MAX_EVENT_BYTES = 32 * 1024
export const MAX_BATCH_BYTES = 500 * 1024

/** The calls of Segment's HTTP Tracking API that joe accepts. */
export const SEGMENT_CALLS = ['track', 'identify', 'page', 'screen', 'group', 'alias', 'batch'] as const
export type SegmentCall = (typeof SEGMENT_CALLS)[number]

/** Why a request is refused: an HTTP status and a reason a client can act on. */
export interface IngestProblem {
  status: 400 | 401 | 413 | 429
  code: string
  message: string
  /** Where in the body, e.g. `batch[3].userId`. */
  location?: string
  /** 429 only: whole seconds to wait (the Retry-After header). */
  retryAfterSeconds?: number
}

export type ParsedCall = {events: NewEvent[]; writeKey?: string} | {problem: IngestProblem}

/**
 * One request of Segment's HTTP Tracking API as joe events, all or nothing: a batch with one bad
 * event is refused whole, naming it. track, identify, page and screen map as `joe events import`
 * maps Segment's files; `group` is stored as a `group` event (the group id and traits as
 * properties); `alias` as an `alias` event with the previous id (joe keys customers by userId, else
 * anonymousId, and does not merge identities). A missing timestamp is the receiving time.
 */
export function parseSegmentCall(call: SegmentCall, body: unknown, receivedAt: number): ParsedCall {
  if (!isObject(body)) return {problem: bad('invalid_body', 'the body must be a JSON object')}
  const writeKey = typeof body.writeKey === 'string' ? body.writeKey : undefined
  const items: Array<{value: unknown; type: string; where: string}> = []
  if (call === 'batch') {
    if (!Array.isArray(body.batch)) return {problem: bad('invalid_body', '`batch` must be an array of calls', 'batch')}
    body.batch.forEach((value, i) => {
      items.push({value, type: isObject(value) && typeof value.type === 'string' ? value.type : '', where: `batch[${i}]`})
    })
  } else {
    items.push({value: body, type: call, where: ''})
  }
  const events: NewEvent[] = []
  for (const item of items) {
    const parsed = parseOne(item.type, item.value, receivedAt, item.where)
    if ('problem' in parsed) return parsed
    events.push(parsed.event)
  }
  return {events, ...(writeKey === undefined ? {} : {writeKey})}
}

function parseOne(type: string, value: unknown, receivedAt: number, where: string): {event: NewEvent} | {problem: IngestProblem} {
  const at = (key: string) => (where === '' ? key : `${where}.${key}`)
  if (!isObject(value)) return {problem: bad('invalid_event', 'each call must be a JSON object', where || undefined)}
  const size = Buffer.byteLength(JSON.stringify(value))
  if (size > MAX_EVENT_BYTES) {
    return {
      problem: bad('event_too_large', `the event is ${size} bytes; Segment's limit (and joe's) is 32 KB per event`, where || undefined),
    }
  }
  if (!(SEGMENT_CALLS as readonly string[]).includes(type) || type === 'batch') {
    return {
      problem: bad(
        'invalid_event',
        `unsupported call type ${JSON.stringify(type)}: use track, identify, page, screen, group or alias`,
        at('type'),
      ),
    }
  }
  const record: Record<string, unknown> = {...value, type}
  if (record.timestamp === undefined && record.originalTimestamp === undefined) record.timestamp = receivedAt
  if (type === 'group' || type === 'alias') {
    // Stored as events of their own type: journeys may react to them; identities are not merged.
    const properties =
      type === 'group'
        ? {...(isObject(value.traits) ? value.traits : {}), group_id: value.groupId ?? null}
        : {previous_id: value.previousId ?? null}
    record.type = 'page'
    record.properties = properties
    const parsed = fromSegmentRecord(record)
    if (parsed.event === undefined) return {problem: bad('invalid_event', parsed.error, where || undefined)}
    return {event: {...parsed.event, type, properties}}
  }
  const parsed = fromSegmentRecord(record)
  if (parsed.event === undefined) return {problem: bad('invalid_event', parsed.error, locate(parsed.error, at))}
  return {event: parsed.event}
}

/** Points a parse error at the field it names, when it names one. */
function locate(error: string, at: (key: string) => string): string {
  const field = /^(?:missing )?(userId|anonymousId|event|timestamp|properties|traits|messageId|type)\b/.exec(error)?.[1]
  return at(field ?? '')
}

function bad(code: string, message: string, location?: string): IngestProblem {
  return {status: 400, code, message, ...(location ? {location} : {})}
}

/** The write key a request presents: HTTP Basic auth's user name (Segment's clients), else `writeKey` in the body. */
function presentedKey(authorization: string | undefined, bodyKey: string | undefined): string | undefined {
  if (!authorization?.startsWith('Basic ')) return bodyKey
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  return decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded
}

/** The position of `key` among the environment's keys (compared in constant time), or -1. */
function writeKeyIndex(key: string | undefined, keys: readonly string[]): number {
  if (key === undefined || key === '') return -1
  const given = Buffer.from(key)
  let found = -1
  keys.forEach((k, i) => {
    const expected = Buffer.from(k)
    if (found < 0 && expected.length === given.length && timingSafeEqual(expected, given)) found = i
  })
  return found
}

/**
 * Which of the environment's write keys a request presents (its position in `write_keys`), or why
 * it is refused (401).
 */
export function authorize(
  authorization: string | undefined,
  bodyKey: string | undefined,
  keys: readonly string[],
): {key: number} | {problem: IngestProblem} {
  const key = presentedKey(authorization, bodyKey)
  if (keys.length === 0) {
    return {
      problem: {
        status: 401,
        code: 'unauthorized',
        message: 'this environment accepts no write keys: add `write_keys` to it in joe.config.yaml',
      },
    }
  }
  if (key === undefined || key === '') {
    return {
      problem: {
        status: 401,
        code: 'unauthorized',
        message: 'no write key: send it as the HTTP Basic auth user name, or as `writeKey` in the body',
      },
    }
  }
  const index = writeKeyIndex(key, keys)
  return index >= 0
    ? {key: index}
    : {problem: {status: 401, code: 'unauthorized', message: 'the write key is not one of this environment’s'}}
}
