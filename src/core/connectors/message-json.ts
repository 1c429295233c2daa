import {iso} from '../instant.js'
import type {OutboxMessage} from './connector.js'

/**
 * A message as joe hands it to webhooks and writes it to files and standard output: snake_case
 * keys, times in ISO 8601 (docs/cli-output.md). One shape everywhere a message leaves joe as JSON.
 */
export function messageJson(message: OutboxMessage): Record<string, unknown> {
  return {
    id: message.id,
    idempotency_key: message.idempotencyKey,
    env: message.env,
    customer_id: message.customerId,
    journey: message.journeyId,
    revision: message.revision,
    entry: message.entry,
    step: message.stepId,
    channel: message.channel,
    template: message.template,
    data: message.data,
    profile: message.profile,
    decided_at: iso(message.decidedAt),
    attempt: message.attempt,
  }
}
