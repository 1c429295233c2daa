import type {Channel} from '../connector.js'

/**
 * What customers and providers do with a message, as events of the customer (so journeys can
 * branch or exit on them) and, for hard bounces, complaints and unsubscribes, a change of the
 * profile's opt-outs. The opt-out rule matches the consent expression of the spec's example,
 * `!(has(profile.opt_outs) && channel in profile.opt_outs)`: `opt_outs` is a list of channels.
 */

export type DeliveryEventType =
  | 'message_delivered'
  | 'message_bounced'
  | 'message_complained'
  | 'message_opened'
  | 'message_clicked'
  | 'unsubscribed'

/** One thing a provider reported about one message, before joe knows whose message it is. */
export interface DeliveryReport {
  type: DeliveryEventType
  /** The message's idempotency key, when the callback carries it (joe puts it where providers echo it). */
  messageId?: string
  /** The provider's id for the message (DeliveryOutcome.providerId), to look it up by otherwise. */
  providerId?: string
  /** Epoch ms the provider says it happened; absent: when it was received. */
  at?: number
  /** For bounces: hard (the address will never work) or soft (it may work later). */
  bounce?: 'hard' | 'soft'
  reason?: string
  /** For clicks. */
  url?: string
  /** Who reported it: `joe` (the generic shape), `twilio`, `sendgrid`. */
  provider: string
}

/** The message a report is about, as the outbox knows it. */
export interface ReportedMessage {
  idempotencyKey: string
  customerId: string
  journeyId: string
  stepId: string
  channel: Channel
  template: string
}

/** An event for the customer's timeline, in joe's own event shape. */
export interface CustomerEventRecord {
  customer_id: string
  type: DeliveryEventType
  /** Epoch ms. */
  timestamp: number
  properties: Record<string, unknown>
}

export interface DeliveryFeedback {
  event: CustomerEventRecord
  /** Present when the report opts the customer out of the channel (hard bounce, complaint, unsubscribe). */
  optOut?: Channel
}

/**
 * What every event about a message says of it, joe's own (`message_sent`, `message_failed`) and the
 * provider's alike: `message_id` is its idempotency key, the id links, Message-IDs and callbacks carry.
 */
export function messageEventProperties(message: ReportedMessage): Record<string, unknown> {
  return {
    message_id: message.idempotencyKey,
    journey: message.journeyId,
    step: message.stepId,
    template: message.template,
    channel: message.channel,
  }
}

/** The event (and opt-out) a report means for the customer whose message it is. */
export function feedbackOf(report: DeliveryReport, message: ReportedMessage, receivedAt: number): DeliveryFeedback {
  const properties: Record<string, unknown> = {...messageEventProperties(message), provider: report.provider}
  if (report.providerId !== undefined) properties.provider_id = report.providerId
  if (report.bounce !== undefined) properties.bounce_type = report.bounce
  if (report.reason !== undefined) properties.reason = report.reason
  if (report.url !== undefined) properties.url = report.url
  const optsOut =
    report.type === 'message_complained' ||
    report.type === 'unsubscribed' ||
    (report.type === 'message_bounced' && report.bounce === 'hard')
  return {
    event: {customer_id: message.customerId, type: report.type, timestamp: report.at ?? receivedAt, properties},
    ...(optsOut ? {optOut: message.channel} : {}),
  }
}

/**
 * The traits that opt a customer out of `channel`, to apply like an `identify`: the profile's
 * `opt_outs` list with the channel added. Undefined when the customer is opted out already.
 */
export function optOutTraits(profile: Record<string, unknown>, channel: Channel): {opt_outs: unknown[]} | undefined {
  const current = Array.isArray(profile.opt_outs) ? profile.opt_outs : []
  if (current.includes(channel)) return undefined
  return {opt_outs: [...current, channel]}
}

/** How a callback request came out: reports to record, or why the whole request is refused (nothing recorded). */
export type CallbackResult =
  | {
      ok: true
      reports: DeliveryReport[] /** Provider events that mean nothing for journeys (queued, processed, deferred). */
      ignored: number
    }
  | {ok: false; status: 400 | 401; reason: string}

/** A callback request as the server received it. */
export interface CallbackRequest {
  /** The full URL the provider requested (scheme, host, path and query), as it signed it. */
  url: string
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>
  /** The raw body, exactly as received (signatures cover the bytes). */
  body: string
}
