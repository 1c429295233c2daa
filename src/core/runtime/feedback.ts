import type {OutboxMessage} from '../connectors/connector.js'
import {type DeliveryFeedback, type DeliveryReport, feedbackOf, optOutTraits} from '../connectors/feedback/delivery-events.js'
import type {SqlExecutor} from '../deploy/sql-connection.js'
import type {NewEvent} from '../store/store-types.js'
import type {RuntimeContext} from './context.js'
import {appendInTransaction} from './events-log.js'
import {outboxMessage} from './outbox.js'

/** A message of the outbox found by the key in a link or callback, or by the provider's id for it. */
export async function findMessage(
  ctx: RuntimeContext,
  by: {idempotencyKey?: string; providerId?: string},
): Promise<OutboxMessage | undefined> {
  return findIn(ctx, ctx.conn, by)
}

async function findIn(
  ctx: RuntimeContext,
  on: SqlExecutor,
  by: {idempotencyKey?: string; providerId?: string},
): Promise<OutboxMessage | undefined> {
  if (by.idempotencyKey !== undefined) {
    const found = await outboxMessage(on, ctx.env, 'idempotency_key', by.idempotencyKey)
    if (found) return found
  }
  if (by.providerId !== undefined) return outboxMessage(on, ctx.env, 'provider_id', by.providerId)
  return undefined
}

/**
 * Records what customers and providers did with messages: each feedback's event (message_delivered,
 * message_bounced, unsubscribed, ...) goes into the customer's log, and an opt-out (hard bounce,
 * complaint, unsubscribe) is recorded as an `identify` adding the channel to `profile.opt_outs`, so
 * the journeys' consent suppresses later sends (spec section 2's example consent expression). One
 * transaction: all or nothing.
 */
export async function recordFeedback(ctx: RuntimeContext, feedback: readonly DeliveryFeedback[]): Promise<number> {
  if (feedback.length === 0) return 0
  return ctx.conn.transaction(async (tx) => {
    const events: NewEvent[] = []
    const optedOut = new Map<string, Record<string, unknown>>()
    for (const item of feedback) {
      events.push({
        customer_id: item.event.customer_id,
        type: item.event.type,
        timestamp: item.event.timestamp,
        properties: item.event.properties,
      })
      if (item.optOut === undefined) continue
      const profile = optedOut.get(item.event.customer_id) ?? (await storedProfile(tx, ctx.env, item.event.customer_id))
      const traits = optOutTraits(profile, item.optOut)
      if (traits === undefined) continue
      optedOut.set(item.event.customer_id, {...profile, ...traits})
      events.push({customer_id: item.event.customer_id, type: 'identify', timestamp: item.event.timestamp, properties: traits})
    }
    const appended = await appendInTransaction(ctx, tx, events, {source: 'joe'})
    return appended.accepted
  })
}

/** Reports of a delivery callback as feedback, for the messages of this environment they name (unknown ones are skipped). */
export async function feedbackOfReports(
  ctx: RuntimeContext,
  reports: readonly DeliveryReport[],
): Promise<{feedback: DeliveryFeedback[]; unknown: number}> {
  const feedback: DeliveryFeedback[] = []
  let unknown = 0
  for (const report of reports) {
    const message = await findMessage(ctx, {
      ...(report.messageId === undefined ? {} : {idempotencyKey: report.messageId}),
      ...(report.providerId === undefined ? {} : {providerId: report.providerId}),
    })
    if (message === undefined) {
      unknown++
      continue
    }
    feedback.push(feedbackOf(report, message, ctx.wall()))
  }
  return {feedback, unknown}
}

/** The profile as the worker last stored it (the opt-out list is extended from it). */
async function storedProfile(tx: SqlExecutor, env: string, customerId: string): Promise<Record<string, unknown>> {
  const [row] = await tx.query<{state: string}>('SELECT state FROM joe_customers WHERE env = $1 AND customer_id = $2', [env, customerId])
  if (row === undefined) return {}
  const state = JSON.parse(row.state) as {profile?: Record<string, unknown>}
  return state.profile ?? {}
}
