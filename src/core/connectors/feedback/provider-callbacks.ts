import {createHmac, createPublicKey, timingSafeEqual, verify} from 'node:crypto'
import {idempotencyKeyOf} from '../email-message.js'
import {webhookSignature} from '../webhook.js'
import type {CallbackRequest, CallbackResult, DeliveryEventType, DeliveryReport} from './delivery-events.js'

/**
 * Parsers of delivery status callbacks, one per shape, each checking the request's signature
 * first. They are pure: the server passes the request and the clock, and records what they
 * return (or answers `status` with `reason` and records nothing).
 */

/** How one channel's callbacks are signed and shaped (the `events` option of its connector). */
export type CallbackSettings =
  /** joe's own JSON shape, signed as joe signs its webhooks: `Joe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">` (webhook.ts). */
  | {format: 'joe'; secrets: readonly string[]}
  /** Twilio's SMS status callback (form-encoded), signed with the account's auth token. */
  | {format: 'twilio'; authToken: string}
  /** SendGrid's Event Webhook (a JSON array), signed with ECDSA; `publicKey` is the base64 key SendGrid shows. */
  | {format: 'sendgrid'; publicKey: string}

export const CALLBACK_FORMATS = ['joe', 'twilio', 'sendgrid'] as const

/** Signed callbacks older (or newer) than this are refused, against replays. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000

export function parseDeliveryCallback(settings: CallbackSettings, request: CallbackRequest, now: number): CallbackResult {
  switch (settings.format) {
    case 'joe':
      return parseJoeCallback(settings.secrets, request, now)
    case 'twilio':
      return parseTwilioCallback(settings.authToken, request)
    case 'sendgrid':
      return parseSendgridCallback(settings.publicKey, request, now)
  }
}

const unauthorized = (reason: string): CallbackResult => ({ok: false, status: 401, reason})
const badRequest = (reason: string): CallbackResult => ({ok: false, status: 400, reason})

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

const JOE_TYPES: Readonly<Record<string, DeliveryEventType>> = {
  delivered: 'message_delivered',
  bounced: 'message_bounced',
  complained: 'message_complained',
  opened: 'message_opened',
  clicked: 'message_clicked',
  unsubscribed: 'unsubscribed',
}

/**
 * joe's generic shape, for providers joe has no parser for (a small relay maps theirs to it):
 * `{"events": [{"type": "delivered|bounced|complained|opened|clicked|unsubscribed",
 * "message_id": "<idempotency key>", "provider_id"?, "timestamp"? (ISO 8601 or epoch ms),
 * "bounce_type"? ("hard"|"soft"), "reason"?, "url"?}]}` (or one event object alone).
 */
export function parseJoeCallback(secrets: readonly string[], request: CallbackRequest, now: number): CallbackResult {
  const header = request.headers['joe-signature']
  if (!header) return unauthorized('missing Joe-Signature')
  const parts = header.split(',').map((p) => p.trim().split('='))
  const t = Number(parts.find(([k]) => k === 't')?.[1])
  const given = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v ?? '', 'hex'))
  if (!Number.isInteger(t) || given.length === 0) return unauthorized('malformed Joe-Signature')
  if (Math.abs(now - t * 1000) > SIGNATURE_TOLERANCE_MS) return unauthorized('Joe-Signature timestamp is too old or in the future')
  const valid = secrets.some((secret) => {
    const wanted = Buffer.from(webhookSignature(secret, t, request.body).split('v1=')[1] ?? '', 'hex')
    return given.some((g) => safeEqual(g, wanted))
  })
  if (!valid) return unauthorized('Joe-Signature does not match')
  let parsed: unknown
  try {
    parsed = JSON.parse(request.body)
  } catch {
    return badRequest('the body is not JSON')
  }
  const items = Array.isArray((parsed as {events?: unknown})?.events) ? (parsed as {events: unknown[]}).events : [parsed]
  const reports: DeliveryReport[] = []
  for (const [index, item] of items.entries()) {
    const e = item as Record<string, unknown>
    const type = typeof e?.type === 'string' ? JOE_TYPES[e.type] : undefined
    if (!type) return badRequest(`events[${index}].type must be one of ${Object.keys(JOE_TYPES).join(', ')}`)
    if (typeof e.message_id !== 'string' && typeof e.provider_id !== 'string')
      return badRequest(`events[${index}] needs message_id or provider_id`)
    const at = typeof e.timestamp === 'number' ? e.timestamp : typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : undefined
    if (at !== undefined && Number.isNaN(at)) return badRequest(`events[${index}].timestamp is not ISO 8601 or epoch milliseconds`)
    if (e.bounce_type !== undefined && e.bounce_type !== 'hard' && e.bounce_type !== 'soft')
      return badRequest(`events[${index}].bounce_type is hard or soft`)
    reports.push({
      type,
      provider: 'joe',
      ...(typeof e.message_id === 'string' ? {messageId: e.message_id} : {}),
      ...(typeof e.provider_id === 'string' ? {providerId: e.provider_id} : {}),
      ...(at !== undefined ? {at} : {}),
      ...(type === 'message_bounced' ? {bounce: (e.bounce_type as 'hard' | 'soft' | undefined) ?? 'hard'} : {}),
      ...(typeof e.reason === 'string' ? {reason: e.reason} : {}),
      ...(typeof e.url === 'string' ? {url: e.url} : {}),
    })
  }
  return {ok: true, reports, ignored: 0}
}

/** X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by every POST parameter, sorted by name, name then value. */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort()
  let data = url
  for (const key of keys) for (const value of params.getAll(key).sort()) data += key + value
  return createHmac('sha1', authToken).update(data).digest('base64')
}

/** Twilio error codes after which the number will not work (https://www.twilio.com/docs/api/errors). */
const TWILIO_HARD_ERRORS = new Set(['21211', '21610', '21614', '30004', '30005', '30006'])

/**
 * Twilio's SMS status callback (`StatusCallback`, form-encoded: MessageSid, MessageStatus,
 * ErrorCode). delivered -> message_delivered; undelivered and failed -> message_bounced (hard
 * for the error codes of numbers that will never work, soft otherwise); read -> message_opened;
 * queued, sending, sent and the like are ignored. joe's own StatusCallback URL carries the
 * idempotency key (`?message_id=`).
 */
export function parseTwilioCallback(authToken: string, request: CallbackRequest): CallbackResult {
  const signature = request.headers['x-twilio-signature']
  if (!signature) return unauthorized('missing X-Twilio-Signature')
  const params = new URLSearchParams(request.body)
  if (!safeEqual(Buffer.from(signature), Buffer.from(twilioSignature(authToken, request.url, params)))) {
    return unauthorized('X-Twilio-Signature does not match (is the URL the one Twilio called, behind any proxy?)')
  }
  const status = params.get('MessageStatus') ?? params.get('SmsStatus')
  const sid = params.get('MessageSid') ?? params.get('SmsSid')
  if (!status || !sid) return badRequest('not a Twilio status callback: MessageStatus and MessageSid are missing')
  let messageId: string | undefined
  try {
    messageId = new URL(request.url).searchParams.get('message_id') ?? undefined
  } catch {
    return badRequest('the callback URL is not a URL')
  }
  const base = {provider: 'twilio', providerId: sid, ...(messageId ? {messageId} : {})}
  const error = params.get('ErrorCode') ?? undefined
  switch (status) {
    case 'delivered':
      return {ok: true, reports: [{...base, type: 'message_delivered'}], ignored: 0}
    case 'read':
      return {ok: true, reports: [{...base, type: 'message_opened'}], ignored: 0}
    case 'undelivered':
    case 'failed':
      return {
        ok: true,
        reports: [
          {
            ...base,
            type: 'message_bounced',
            bounce: error !== undefined && TWILIO_HARD_ERRORS.has(error) ? 'hard' : 'soft',
            reason: `${status}${error ? ` (error ${error})` : ''}`,
          },
        ],
        ignored: 0,
      }
    default:
      return {ok: true, reports: [], ignored: 1}
  }
}

/**
 * SendGrid's Signed Event Webhook: a JSON array of events, signed with ECDSA over the timestamp
 * header followed by the raw body. delivered, bounce (type `blocked` is soft, else hard),
 * dropped (hard: SendGrid suppresses the address), spamreport, open, click, unsubscribe and
 * group_unsubscribe become reports; processed, deferred and the rest are ignored. The message is
 * found by a `joe_message_id` custom argument, else by the Message-ID joe set (`smtp-id`).
 */
export function parseSendgridCallback(publicKey: string, request: CallbackRequest, now: number): CallbackResult {
  const signature = request.headers['x-twilio-email-event-webhook-signature']
  const timestamp = request.headers['x-twilio-email-event-webhook-timestamp']
  if (!signature || !timestamp) return unauthorized('missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp')
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS) {
    return unauthorized('the event webhook timestamp is too old or in the future')
  }
  let valid = false
  try {
    const key = createPublicKey({key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki'})
    valid = verify('sha256', Buffer.from(timestamp + request.body), {key, dsaEncoding: 'der'}, Buffer.from(signature, 'base64'))
  } catch {
    valid = false
  }
  if (!valid) return unauthorized('the event webhook signature does not match')
  let events: unknown
  try {
    events = JSON.parse(request.body)
  } catch {
    return badRequest('the body is not JSON')
  }
  if (!Array.isArray(events)) return badRequest('the body is not a JSON array of events')
  const reports: DeliveryReport[] = []
  let ignored = 0
  for (const item of events) {
    const e = (item ?? {}) as Record<string, unknown>
    const report = sendgridReport(e)
    if (report) reports.push(report)
    else ignored++
  }
  return {ok: true, reports, ignored}
}

function sendgridReport(e: Record<string, unknown>): DeliveryReport | undefined {
  const smtpId = typeof e['smtp-id'] === 'string' ? idempotencyKeyOf(e['smtp-id']) : undefined
  const messageId = typeof e.joe_message_id === 'string' ? e.joe_message_id : smtpId
  const base: DeliveryReport = {
    type: 'message_delivered',
    provider: 'sendgrid',
    ...(messageId ? {messageId} : {}),
    ...(typeof e.sg_message_id === 'string' ? {providerId: e.sg_message_id} : {}),
    ...(typeof e.timestamp === 'number' ? {at: e.timestamp * 1000} : {}),
    ...(typeof e.reason === 'string' ? {reason: e.reason} : {}),
  }
  switch (e.event) {
    case 'delivered':
      return base
    case 'bounce':
      return {...base, type: 'message_bounced', bounce: e.type === 'blocked' ? 'soft' : 'hard'}
    case 'dropped':
      return {...base, type: 'message_bounced', bounce: 'hard'}
    case 'spamreport':
      return {...base, type: 'message_complained'}
    case 'open':
      return {...base, type: 'message_opened'}
    case 'click':
      return {...base, type: 'message_clicked', ...(typeof e.url === 'string' ? {url: e.url} : {})}
    case 'unsubscribe':
    case 'group_unsubscribe':
      return {...base, type: 'unsubscribed'}
    default:
      return undefined
  }
}
