import {hash} from 'node:crypto'
import type {Channel, DeliveryOutcome, OutboxMessage} from '../connectors/connector.js'
import {messageEventProperties} from '../connectors/feedback/delivery-events.js'
import type {SqlExecutor} from '../deploy/sql-connection.js'
import {JoeError} from '../errors.js'
import {iso, isoOrNull} from '../instant.js'
import type {RuntimeContext} from './context.js'
import {appendInTransaction} from './events-log.js'
import {jsonList, skipLocked} from './sql.js'

/** How long a claimed message is reserved for one attempt: after it, a message whose sender died is tried again. */
export const DELIVERY_LEASE_MS = 60_000
const BACKOFF_BASE_MS = 1_000
const BACKOFF_CAP_MS = 3_600_000

interface OutboxRow {
  id: number
  env: string
  idempotency_key: string
  customer_id: string
  journey_id: string
  revision: string
  entry: number
  step_id: string
  channel: string
  template: string
  data: string
  profile: string
  decided_at: number
  created_at: number
  status: string
  attempts: number
  next_attempt_at: number
  last_error: string | null
  sent_at: number | null
  provider_id: string | null
}

const COLUMNS =
  'id, env, idempotency_key, customer_id, journey_id, revision, entry, step_id, channel, template, data, profile, decided_at, created_at, status, attempts, next_attempt_at, last_error, sent_at, provider_id'

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: Number(row.id),
    idempotencyKey: row.idempotency_key,
    env: row.env,
    customerId: row.customer_id,
    journeyId: row.journey_id,
    revision: row.revision,
    entry: Number(row.entry),
    stepId: row.step_id,
    channel: row.channel as Channel,
    template: row.template,
    data: JSON.parse(row.data) as Record<string, unknown>,
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    decidedAt: Number(row.decided_at),
    attempt: Number(row.attempts),
  }
}

/** One message of the outbox by its idempotency key or the provider's id for it. */
export async function outboxMessage(
  on: SqlExecutor,
  env: string,
  column: 'idempotency_key' | 'provider_id',
  value: string,
): Promise<OutboxMessage | undefined> {
  const [row] = await on.query<OutboxRow>(`SELECT ${COLUMNS} FROM joe_outbox WHERE env = $1 AND ${column} = $2 ORDER BY id DESC LIMIT 1`, [
    env,
    value,
  ])
  return row === undefined ? undefined : toMessage(row)
}

/**
 * Takes up to `limit` messages whose next attempt is due (wall clock) and reserves them for one
 * attempt each (the attempt is counted now, so a crash mid-delivery still counts it, and the lease
 * makes the message come due again if nobody records an outcome).
 */
export async function claimMessages(ctx: RuntimeContext, limit: number): Promise<OutboxMessage[]> {
  const dialect = ctx.conn.dialect
  return ctx.conn.transaction(async (tx) => {
    const now = ctx.wall()
    const rows = await tx.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM joe_outbox WHERE env = $1 AND status = 'pending' AND next_attempt_at <= $2
       ORDER BY next_attempt_at, id LIMIT $3${skipLocked(dialect)}`,
      [ctx.env, now, limit],
    )
    if (rows.length === 0) return []
    await tx.query(
      `UPDATE joe_outbox SET attempts = attempts + 1, next_attempt_at = $2 WHERE env = $1 AND CAST(id AS TEXT) IN (${jsonList(dialect, '$3')})`,
      [ctx.env, now + DELIVERY_LEASE_MS, JSON.stringify(rows.map((row) => String(row.id)))],
    )
    return rows.map((row) => toMessage({...row, attempts: Number(row.attempts) + 1}))
  })
}

/** The outcome of one attempt, with the channel's retry budget. */
export interface DeliveryRecord {
  message: OutboxMessage
  outcome: DeliveryOutcome
  maxAttempts: number
}

/**
 * What an attempt makes of its message: sent, tried again later, or a dead letter (a permanent
 * failure, or a transient one on the last attempt the channel allows).
 */
export function deliveryFate({message, outcome, maxAttempts}: DeliveryRecord): 'sent' | 'retry' | 'dead' {
  if (outcome.status === 'sent') return 'sent'
  return outcome.status === 'failed' || message.attempt >= maxAttempts ? 'dead' : 'retry'
}

/** How long to wait before attempt `attempt + 1`: exponential from 1 s, capped at an hour, with ±20% jitter hashed from the key (no randomness). */
export function backoffMs(idempotencyKey: string, attempt: number): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1))
  const unit = Number.parseInt(hash('sha256', `${idempotencyKey}:${attempt}`, 'hex').slice(0, 8), 16) / 2 ** 32
  return Math.round(base * (0.8 + 0.4 * unit))
}

/**
 * Records attempts: a sent message is marked sent, a transient failure waits for its backoff, and a
 * permanent one (or the last attempt) becomes a dead letter. Each result is also an event of the
 * customer (`message_sent`, `message_failed`), so journeys can react to it.
 */
export async function recordDeliveries(ctx: RuntimeContext, records: readonly DeliveryRecord[]): Promise<void> {
  if (records.length === 0) return
  await ctx.conn.transaction(async (tx) => {
    const now = ctx.wall()
    const events = []
    for (const {message, outcome, maxAttempts} of records) {
      const about = {...messageEventProperties(message), attempt: message.attempt}
      if (outcome.status === 'sent') {
        await tx.query(
          "UPDATE joe_outbox SET status = 'sent', sent_at = $3, provider_id = $4, last_error = NULL WHERE env = $1 AND id = $2",
          [ctx.env, message.id, now, outcome.providerId ?? null],
        )
        events.push(
          deliveryEvent(message, 'message_sent', now, {...about, ...(outcome.providerId ? {provider_id: outcome.providerId} : {})}),
        )
        continue
      }
      if (deliveryFate({message, outcome, maxAttempts}) === 'dead') {
        await tx.query("UPDATE joe_outbox SET status = 'dead', last_error = $3 WHERE env = $1 AND id = $2", [
          ctx.env,
          message.id,
          outcome.error,
        ])
        events.push(deliveryEvent(message, 'message_failed', now, {...about, error: outcome.error}))
        continue
      }
      const wait = Math.max(
        backoffMs(message.idempotencyKey, message.attempt),
        outcome.status === 'retry' ? (outcome.retryAfterMs ?? 0) : 0,
      )
      await tx.query('UPDATE joe_outbox SET next_attempt_at = $3, last_error = $4 WHERE env = $1 AND id = $2', [
        ctx.env,
        message.id,
        now + wait,
        outcome.error,
      ])
    }
    if (events.length > 0) await appendInTransaction(ctx, tx, events, {source: 'delivery'})
  })
}

function deliveryEvent(message: OutboxMessage, type: string, now: number, properties: Record<string, unknown>) {
  // One per attempt outcome; the message id makes a repeat of the same record a duplicate.
  return {customer_id: message.customerId, type, timestamp: now, properties, message_id: `joe:${type}:${message.idempotencyKey}`}
}

/** One line of `joe outbox`. */
export interface OutboxEntry {
  id: number
  status: 'pending' | 'sent' | 'dead'
  customer_id: string
  journey: string
  step: string
  channel: string
  template: string
  idempotency_key: string
  decided_at: string
  attempts: number
  next_attempt_at: string | null
  last_error: string | null
  sent_at: string | null
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: Number(row.id),
    status: row.status as OutboxEntry['status'],
    customer_id: row.customer_id,
    journey: row.journey_id,
    step: row.step_id,
    channel: row.channel,
    template: row.template,
    idempotency_key: row.idempotency_key,
    decided_at: iso(row.decided_at),
    attempts: Number(row.attempts),
    next_attempt_at: row.status === 'pending' ? isoOrNull(row.next_attempt_at) : null,
    last_error: row.last_error,
    sent_at: isoOrNull(row.sent_at),
  }
}

/** Messages in the outbox: pending and dead by default, newest last. */
export async function listOutbox(
  ctx: RuntimeContext,
  options: {statuses: ReadonlyArray<OutboxEntry['status']>; customer?: string; limit: number},
): Promise<{entries: OutboxEntry[]; counts: Record<OutboxEntry['status'], number>}> {
  const counts = {pending: 0, sent: 0, dead: 0}
  for (const row of await ctx.conn.query<{status: string; n: number}>(
    'SELECT status, COUNT(*) AS n FROM joe_outbox WHERE env = $1 GROUP BY status',
    [ctx.env],
  )) {
    if (row.status in counts) counts[row.status as keyof typeof counts] = Number(row.n)
  }
  const rows = await ctx.conn.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM joe_outbox WHERE env = $1 AND status IN (${jsonList(ctx.conn.dialect, '$2')})
     ${options.customer === undefined ? '' : 'AND customer_id = $4'} ORDER BY id DESC LIMIT $3`,
    options.customer === undefined
      ? [ctx.env, JSON.stringify(options.statuses), options.limit]
      : [ctx.env, JSON.stringify(options.statuses), options.limit, options.customer],
  )
  return {entries: rows.map(toEntry).reverse(), counts}
}

/** Sends dead letters again: all of them, or those with the given ids. Returns the ids re-queued. */
export async function retryDead(ctx: RuntimeContext, ids: readonly number[] | 'all'): Promise<number[]> {
  return ctx.conn.transaction(async (tx: SqlExecutor) => {
    const dead = await tx.query<{id: number}>(
      ids === 'all'
        ? "SELECT id FROM joe_outbox WHERE env = $1 AND status = 'dead' ORDER BY id"
        : `SELECT id FROM joe_outbox WHERE env = $1 AND status = 'dead' AND CAST(id AS TEXT) IN (${jsonList(ctx.conn.dialect, '$2')}) ORDER BY id`,
      ids === 'all' ? [ctx.env] : [ctx.env, JSON.stringify(ids.map(String))],
    )
    const found = dead.map((row) => Number(row.id))
    if (ids !== 'all') {
      const missing = ids.filter((id) => !found.includes(id))
      if (missing.length > 0) {
        throw new JoeError('JOE7020', `no dead letter with id ${missing.join(', ')} in environment "${ctx.env}"`, {
          hint: 'list them with `joe outbox --env NAME --status dead`',
        })
      }
    }
    if (found.length > 0) {
      await tx.query(
        `UPDATE joe_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2 WHERE env = $1 AND CAST(id AS TEXT) IN (${jsonList(ctx.conn.dialect, '$3')})`,
        [ctx.env, ctx.wall(), JSON.stringify(found.map(String))],
      )
    }
    return found
  })
}

/** Work the environment has not done yet: events received and not processed, customers with something due. */
export interface Backlog {
  /** Received events the worker has not applied yet. */
  events: number
  /** Customers with something due before the environment's time (timers, ticks) not yet processed. */
  customers_due: number
}

export async function runtimeBacklog(ctx: RuntimeContext, now: number | undefined): Promise<Backlog> {
  const [row] = await ctx.conn.query<{undispatched: number | null; pending: number | null; due: number | null}>(
    `SELECT
       (SELECT s.next_seq - 1 - r.dispatched_seq FROM joe_sequences s JOIN joe_runtime r ON r.env = s.env WHERE s.env = $1) AS undispatched,
       (SELECT COUNT(*) FROM joe_events e JOIN joe_customers c ON c.env = e.env AND c.customer_id = e.customer_id
          WHERE e.env = $1 AND c.pending = 1 AND e.seq > c.processed_seq) AS pending,
       (SELECT COUNT(*) FROM joe_customers WHERE env = $1 AND next_due < $2) AS due`,
    [ctx.env, now ?? Number.MIN_SAFE_INTEGER],
  )
  return {events: Number(row?.undispatched ?? 0) + Number(row?.pending ?? 0), customers_due: Number(row?.due ?? 0)}
}
