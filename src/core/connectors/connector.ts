/**
 * The one interface every delivery connector implements (stdout, file, webhook, SMTP, provider HTTP).
 * The runtime's delivery loop takes a message out of the outbox, hands it to the connector of its
 * channel, and records the outcome: `sent` marks the row delivered (and records a `message_sent`
 * event for the customer), `retry` schedules another attempt with backoff, `failed` (or too many
 * retries) moves it to the dead letters (and records `message_failed`).
 */

/** The channels a `send` step may name (spec section 2.2). */
export type Channel = 'email' | 'sms' | 'push' | 'in_app' | 'webhook'

/** One message decided by the engine, as the outbox holds it. Plain JSON. */
export interface OutboxMessage {
  /** The outbox row's id (store-wide, ascending). */
  id: number
  /**
   * Stable across retries and crashes (spec section 8): journey, revision, customer, entry, step
   * and instant. Connectors pass it on (a header, the Message-ID) so a receiver can drop repeats.
   */
  idempotencyKey: string
  env: string
  customerId: string
  journeyId: string
  /** The revision hash whose step decided the send. */
  revision: string
  /** The entry's index (0 for the first entry of this customer into this journey). */
  entry: number
  stepId: string
  channel: Channel
  template: string
  /** `send.data`, evaluated when the send was decided. */
  data: Record<string, unknown>
  /** The customer's profile at the instant the send was decided. */
  profile: Record<string, unknown>
  /** Epoch ms: the instant the engine decided the send (after quiet hours when deferred). */
  decidedAt: number
  /** 1 for the first delivery attempt. */
  attempt: number
}

/** What one delivery attempt came to. */
export type DeliveryOutcome =
  /** The receiver accepted it. `providerId` is the receiver's id for it, when it gave one. */
  | {status: 'sent'; providerId?: string; detail?: string}
  /** A transient failure (network error, timeout, 429, 5xx): try again later, after `retryAfterMs` when the receiver said. */
  | {status: 'retry'; error: string; retryAfterMs?: number}
  /** A permanent failure (4xx other than 408/429, a template that does not render): no retry, straight to the dead letters. */
  | {status: 'failed'; error: string}

export interface Connector {
  /** The connector kind as configured (`stdout`, `file`, `webhook`, `smtp`, `http`). */
  readonly kind: string
  /** Delivers one message; never throws for delivery problems, which are outcomes. `signal` aborts on shutdown. */
  deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome>
  /** Releases pools and file handles; called once on shutdown. */
  close(): Promise<void>
}
