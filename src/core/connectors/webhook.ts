import {createHmac} from 'node:crypto'
import type {Connector, DeliveryOutcome} from './connector.js'
import {messageJson} from './message-json.js'

export interface WebhookOptions {
  url: string
  /** Signs each request when set (`Joe-Signature`). */
  secret?: string
  headers: Record<string, string>
  timeoutMs: number
  /** Sent as User-Agent. */
  userAgent: string
  /** Epoch ms of the wall clock, for the signature's timestamp. */
  wall: () => number
}

/** The signature header's value for `body` sent at `seconds`: `t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">` (Stripe's scheme). */
export function webhookSignature(secret: string, seconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex')
  return `t=${seconds},v1=${mac}`
}

/**
 * POSTs each message as JSON. The idempotency key goes in `Idempotency-Key`, so a receiver that
 * honours it never acts on a message twice, whatever joe retries. Network errors, timeouts, 408,
 * 429 and 5xx are transient (retried, after `Retry-After` when given); any other status below 200
 * or from 300 up fails at once.
 */
export function createWebhookConnector(options: WebhookOptions): Connector {
  return {
    kind: 'webhook',
    async deliver(message, signal) {
      const body = JSON.stringify(messageJson(message))
      const seconds = Math.floor(options.wall() / 1000)
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': options.userAgent,
        'idempotency-key': message.idempotencyKey,
        ...options.headers,
      }
      if (options.secret !== undefined) headers['joe-signature'] = webhookSignature(options.secret, seconds, body)
      const timeout = AbortSignal.timeout(options.timeoutMs)
      let response: Response
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          redirect: 'manual',
        })
      } catch (error) {
        const reason = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : describeFetchError(error)
        return {status: 'retry', error: `POST ${redact(options.url)}: ${reason}`}
      }
      // Read (and drop) the body so the connection can be reused.
      const text = await response.text().catch(() => '')
      return outcomeOf(response.status, response.headers.get('retry-after'), text, options.wall(), redact(options.url))
    },
    async close() {},
  }
}

/** What an HTTP status means for a delivery (shared by every connector that speaks HTTP). */
export function outcomeOf(status: number, retryAfter: string | null, body: string, now: number, where: string): DeliveryOutcome {
  if (status >= 200 && status < 300) return {status: 'sent', detail: `HTTP ${status}`}
  const snippet = body.trim().slice(0, 200)
  const error = `POST ${where}: HTTP ${status}${snippet === '' ? '' : `: ${snippet}`}`
  if (status === 408 || status === 429 || status >= 500) {
    const wait = retryAfterMs(retryAfter, now)
    return {status: 'retry', error, ...(wait === undefined ? {} : {retryAfterMs: wait})}
  }
  return {status: 'failed', error}
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function describeFetchError(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error)
}

/** A URL for messages: user info and query string left out (they may hold secrets). */
function redact(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return '(the webhook URL)'
  }
}
