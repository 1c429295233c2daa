import {redactSecrets} from '../secrets.js'
import type {DeliveryOutcome} from './connector.js'

/**
 * What an HTTP response means for a delivery, for every connector that calls an HTTP API (the
 * provider connector here, and the webhook connector should agree): 2xx sent; 408, 429 and 5xx
 * are worth another attempt (after Retry-After when given); any other status is permanent;
 * redirects are refused rather than followed, since a POST that is redirected becomes a GET.
 */
export function outcomeOfResponse(
  response: {status: number; headers: Headers; body: string},
  now: number,
  providerIdPath?: string,
): DeliveryOutcome {
  const {status} = response
  if (status >= 200 && status < 300) {
    const id = providerIdPath ? providerIdOf(response.body, providerIdPath) : undefined
    return {status: 'sent', ...(id === undefined ? {} : {providerId: id}), detail: `HTTP ${status}`}
  }
  const error = `HTTP ${status}${snippet(response.body)}`
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterMs(response.headers.get('retry-after'), now)
    return {status: 'retry', error, ...(after === undefined ? {} : {retryAfterMs: after})}
  }
  if (status >= 300 && status < 400) {
    return {status: 'failed', error: `${error}: redirected to ${response.headers.get('location') ?? '(nowhere)'}; configure the final URL`}
  }
  return {status: 'failed', error}
}

/** A request that got no response: network errors and timeouts are transient; a shutdown is retried by the next process. */
export function outcomeOfRequestError(error: unknown, timeoutMs: number): DeliveryOutcome {
  const err = error as {name?: string; message?: string; cause?: {code?: string; message?: string}}
  if (err.name === 'TimeoutError') return {status: 'retry', error: `no response within ${timeoutMs} ms`}
  if (err.name === 'AbortError') return {status: 'retry', error: 'aborted (shutting down)'}
  const cause = err.cause?.code ?? err.cause?.message
  return {status: 'retry', error: `${err.message ?? String(error)}${cause ? ` (${cause})` : ''}`}
}

/** Retry-After in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The value at a dot path (`sid`, `data.id`, `results.0.id`) of a JSON body, as a string. */
function providerIdOf(body: string, path: string): string | undefined {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return undefined
  }
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** The start of a response body, for the error a dead letter shows. */
function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim()
  if (text === '') return ''
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`
}

/** An outcome whose error text is safe to store and show: every secret (a password, a token a provider echoed) masked. */
export function redactOutcome(outcome: DeliveryOutcome, secrets: readonly string[]): DeliveryOutcome {
  return outcome.status === 'sent' ? outcome : {...outcome, error: redactSecrets(outcome.error, secrets)}
}
