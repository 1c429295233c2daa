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
  status: 400 | 401 | 413
  code: string
  message: string
  /** Where in the body, e.g. `batch[3].userId`. */
  location?: string
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

/**
 * The write key of a request: HTTP Basic auth's user name (Segment's clients), else `writeKey` in
 * the body. Compared in constant time with the environment's keys.
 */
export function authorize(
  authorization: string | undefined,
  bodyKey: string | undefined,
  keys: readonly string[],
): IngestProblem | undefined {
  let key = bodyKey
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
    key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded
  }
  if (keys.length === 0) {
    return {status: 401, code: 'unauthorized', message: 'this environment accepts no write keys: add `write_keys` to it in joe.config.yaml'}
  }
  if (key === undefined || key === '') {
    return {
      status: 401,
      code: 'unauthorized',
      message: 'no write key: send it as the HTTP Basic auth user name, or as `writeKey` in the body',
    }
  }
  const given = Buffer.from(key)
  const known = keys.some((k) => {
    const expected = Buffer.from(k)
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
  return known ? undefined : {status: 401, code: 'unauthorized', message: 'the write key is not one of this environment’s'}
}
