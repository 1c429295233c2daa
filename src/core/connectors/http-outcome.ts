import {redactSecrets} from '../secrets.js'
import type {DeliveryOutcome} from './connector.js'
import {outcomeOf} from './webhook.js'

/**
 * The outcome of a provider's HTTP response: webhook.ts's `outcomeOf` decides what a status means
 * (2xx sent; 408, 429 after Retry-After, and 5xx retried; anything else failed), for every
 * connector that speaks HTTP. Here it gains the provider's message id, read from a dot path of a
 * 2xx JSON body, and the request's own method in its error text.
 */
export function outcomeOfResponse(
  response: {status: number; headers: Headers; body: string},
  request: {method: string; where: string; now: number; providerIdPath?: string},
): DeliveryOutcome {
  const outcome = outcomeOf(response.status, response.headers.get('retry-after'), response.body, request.now, request.where)
  if (outcome.status !== 'sent') return {...outcome, error: outcome.error.replace(/^POST /, `${request.method} `)}
  const id = request.providerIdPath ? providerIdOf(response.body, request.providerIdPath) : undefined
  return id === undefined ? outcome : {...outcome, providerId: id}
}

/** A request that got no response: network errors and timeouts are transient; a shutdown is retried by the next process. */
export function outcomeOfRequestError(error: unknown, request: {method: string; where: string; timeoutMs: number}): DeliveryOutcome {
  const err = error as {name?: string; message?: string; cause?: {code?: string; message?: string}}
  const prefix = `${request.method} ${request.where}`
  if (err.name === 'TimeoutError') return {status: 'retry', error: `${prefix}: no answer within ${request.timeoutMs} ms`}
  if (err.name === 'AbortError') return {status: 'retry', error: `${prefix}: aborted (shutting down)`}
  return {status: 'retry', error: `${prefix}: ${err.cause?.code ?? err.cause?.message ?? err.message ?? String(error)}`}
}

/** An outcome whose error text is safe to store and show: every secret (a password, a token a provider echoed) masked. */
export function redactOutcome(outcome: DeliveryOutcome, secrets: readonly string[]): DeliveryOutcome {
  return outcome.status === 'sent' ? outcome : {...outcome, error: redactSecrets(outcome.error, secrets)}
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
