import type {SqlExecutor} from '../deploy/sql-connection.js'
import {nameNormalizer} from '../store/event-names.js'
import type {NewEvent} from '../store/store-types.js'
import {environmentNow, type RuntimeContext} from './context.js'
import {forUpdate, jsonRows} from './sql.js'

/** Where a received event came from: the HTTP API, `joe events send`, or joe itself (delivery results, unsubscribes). */
export type EventSource = 'http' | 'cli' | 'delivery' | 'joe'

export interface AppendResult {
  /** Events stored. */
  accepted: number
  /** Events dropped because their message id was stored already (or repeated in the batch). */
  duplicates: number
  /** The instant they were received at (spec section 8), epoch ms. */
  receivedAt: number
}

export interface AppendOptions {
  source: EventSource
  /**
   * Manual clocks only (`joe events send --replay`): each event is received at its own timestamp
   * (never before the clock), the clock moving through them in order and ending at the last. The
   * events must be in timestamp order.
   */
  replay?: boolean
}

/**
 * Appends events to the environment's log in one transaction: all of them or none. Each gets the
 * next sequence numbers (taken under the counter row's lock, so they are assigned in commit order
 * and a reader never skips one) and one `received_at`: the environment's time, never earlier than
 * the last event's. A message id already stored makes its event a duplicate (Segment's dedupe).
 */
export async function appendEvents(ctx: RuntimeContext, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
  return ctx.conn.transaction((tx) => appendInTransaction(ctx, tx, events, options))
}

export async function appendInTransaction(
  ctx: RuntimeContext,
  tx: SqlExecutor,
  events: readonly NewEvent[],
  options: AppendOptions,
): Promise<AppendResult> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  await tx.query('INSERT INTO joe_sequences (env, next_seq, last_received_at) VALUES ($1, 1, 0) ON CONFLICT (env) DO NOTHING', [env])
  const [counter] = await tx.query<{next_seq: number; last_received_at: number}>(
    `SELECT next_seq, last_received_at FROM joe_sequences WHERE env = $1${forUpdate(dialect)}`,
    [env],
  )
  const floor = counter?.last_received_at ?? 0
  const receivedAt = Math.max(await receiveTime(ctx, tx, events, options), floor)
  const unique: NewEvent[] = []
  const seen = new Set<string>()
  for (const event of events) {
    if (event.message_id !== undefined) {
      if (seen.has(event.message_id)) continue
      seen.add(event.message_id)
    }
    unique.push(event)
  }
  const first = counter?.next_seq ?? 1
  // A replay receives each event at its own time; anything else receives the batch at one instant.
  const clockStart = options.replay ? Math.max(floor, (await environmentNow(ctx, tx)) ?? floor) : receivedAt
  let clock = clockStart
  const rename = nameNormalizer(ctx.eventNames ?? 'none')
  const rows = unique.map((event, i) => {
    if (options.replay) clock = Math.max(clock, event.timestamp)
    return {
      seq: first + i,
      received_at: options.replay ? clock : receivedAt,
      customer_id: event.customer_id,
      type: rename ? rename(event.type) : event.type,
      ts: event.timestamp,
      properties: JSON.stringify(event.properties),
      message_id: event.message_id ?? null,
    }
  })
  let accepted = 0
  if (rows.length > 0) {
    const inserted = await tx.query(
      `INSERT INTO joe_events (env, seq, customer_id, type, ts, received_at, properties, message_id, source)
       SELECT $1, x.seq, x.customer_id, x.type, x.ts, x.received_at, x.properties, x.message_id, $2
       FROM ${jsonRows(dialect, '$3', [
         ['seq', 'bigint'],
         ['received_at', 'bigint'],
         ['customer_id', 'text'],
         ['type', 'text'],
         ['ts', 'bigint'],
         ['properties', 'text'],
         ['message_id', 'text'],
       ])}
       WHERE true
       ON CONFLICT (env, message_id) DO NOTHING
       RETURNING seq`,
      [env, options.source, JSON.stringify(rows)],
    )
    accepted = inserted.length
  }
  const last = options.replay ? clock : receivedAt
  if (options.replay && last > clockStart) await tx.query('UPDATE joe_runtime SET clock_now = $2 WHERE env = $1', [env, last])
  await tx.query('UPDATE joe_sequences SET next_seq = $2, last_received_at = $3 WHERE env = $1', [env, first + rows.length, last])
  // Workers in other processes wake at once (delivered when the transaction commits).
  if (dialect === 'postgres' && accepted > 0) await tx.query("SELECT pg_notify('joe_events', $1)", [env])
  return {accepted, duplicates: events.length - accepted, receivedAt: last}
}

/** The environment's time for an append; a manual clock never set starts at the first event it receives. */
async function receiveTime(ctx: RuntimeContext, tx: SqlExecutor, events: readonly NewEvent[], options: AppendOptions): Promise<number> {
  if (ctx.clock === 'real') {
    if (options.replay) throw new Error('a replay needs a manual clock')
    return ctx.wall()
  }
  await tx.query('INSERT INTO joe_runtime (env) VALUES ($1) ON CONFLICT (env) DO NOTHING', [ctx.env])
  const now = await environmentNow(ctx, tx)
  const earliest = events.reduce((min, event) => Math.min(min, event.timestamp), Number.POSITIVE_INFINITY)
  if (now === undefined && Number.isFinite(earliest)) {
    await tx.query('UPDATE joe_runtime SET clock_now = $2 WHERE env = $1', [ctx.env, earliest])
    return earliest
  }
  return now ?? 0
}
