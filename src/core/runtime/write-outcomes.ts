// The storing half of the worker (worker.ts decides): a batch's outcomes written in the transaction
// that claimed its customers, so a state change and the sends it decided commit together (spec
// section 8).
import {hash} from 'node:crypto'
import type {SqlExecutor} from '../deploy/sql-connection.js'
import {activationAt, type Machine} from '../engine/machine.js'
import type {Effect} from '../engine/types.js'
import type {RuntimeContext} from './context.js'
import type {InstanceRow} from './instance-state.js'
import {type Dialect, jsonRows} from './sql.js'

/** Journal lines kept per customer for `joe inspect` (older ones are dropped as new ones come). */
export const JOURNAL_LINES = 500

/** One customer moved through the engine: what to store, and what it did. */
export interface Outcome {
  customerId: string
  /** The new state as stored: the customer row's text, the instance rows, and when it is next due. */
  stored: Stored
  processedSeq: number
  effects: Effect[]
  errors: Array<{seq: number | null; at: number; message: string}>
  events: number
  dues: number
}

export interface Stored {
  text: string
  rows: InstanceRow[]
  /** Absent: nothing due (or parked after a failure, until the next event). */
  due?: number
}

/** The idempotency key of a send (spec section 8): journey, revision, customer, entry, step and instant. */
export function idempotencyKey(journey: string, revision: string, customer: string, entry: number, step: string, at: number): string {
  return hash('sha256', JSON.stringify([journey, revision, customer, entry, step, at]), 'hex').slice(0, 32)
}

/**
 * Stores a batch's outcomes in the worker's transaction: the customers' states and their next due
 * instants, the changed and removed instance rows, the outbox rows of the sends (keyed by their
 * idempotency key, so a send decided twice is stored once), the journal, and the recorded errors.
 * `before` is what the batch read: each customer's journal length and instance rows.
 */
export async function writeOutcomes(
  ctx: RuntimeContext,
  tx: SqlExecutor,
  machine: Machine,
  outcomes: Outcome[],
  before: {journalLines: ReadonlyMap<string, number>; instancesOf: ReadonlyMap<string, Array<{journey_id: string; state: string}>>},
): Promise<void> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  const wall = ctx.wall()
  const {journalLines: journalFrom, instancesOf} = before
  const customers: Array<Record<string, unknown>> = []
  const upserts: Array<InstanceRow & {customer_id: string}> = []
  const deletes: Array<{customer_id: string; journey_id: string}> = []
  const outbox: Array<Record<string, unknown>> = []
  const journal: Array<Record<string, unknown>> = []
  const errors: Array<Record<string, unknown>> = []
  for (const outcome of outcomes) {
    const id = outcome.customerId
    let line = journalFrom.get(id) ?? 0
    for (const effect of outcome.effects) {
      line += 1
      const {kind, at, ...rest} = effect
      const journey = 'journey' in effect ? effect.journey : null
      journal.push({customer_id: id, line, journey_id: journey, at, kind, detail: JSON.stringify(rest)})
      if (effect.kind !== 'send') continue
      const plan = machine.plans.find((p) => p.id === effect.journey)
      const revision = plan === undefined ? '' : (activationAt(plan, effect.at)?.revision ?? '')
      outbox.push({
        idempotency_key: idempotencyKey(effect.journey, revision, id, effect.entry, effect.step, effect.at),
        customer_id: id,
        journey_id: effect.journey,
        revision,
        entry: effect.entry,
        step_id: effect.step,
        channel: effect.channel,
        template: effect.template,
        data: JSON.stringify(effect.data),
        profile: JSON.stringify(effect.profile),
        decided_at: effect.at,
      })
    }
    for (const error of outcome.errors) errors.push({customer_id: id, seq: error.seq, at: error.at, message: error.message})
    customers.push({
      customer_id: id,
      state: outcome.stored.text,
      processed_seq: outcome.processedSeq,
      next_due: outcome.stored.due ?? null,
      journal_lines: line,
      keep_after: line - JOURNAL_LINES,
    })
    const before = new Map((instancesOf.get(id) ?? []).map((row) => [row.journey_id, row.state]))
    const rows = outcome.stored.rows
    for (const row of rows) if (before.get(row.journey_id) !== row.state) upserts.push({...row, customer_id: id})
    const kept = new Set(rows.map((row) => row.journey_id))
    for (const journey of before.keys()) if (!kept.has(journey)) deletes.push({customer_id: id, journey_id: journey})
  }
  // An upsert of rows that all exist: both databases walk the batch and find each row by its key.
  await tx.query(
    `INSERT INTO joe_customers (env, customer_id, state, processed_seq, pending, next_due, journal_lines, updated_at)
     SELECT $1, x.customer_id, x.state, x.processed_seq,
       CASE WHEN EXISTS (SELECT 1 FROM joe_events e WHERE e.env = $1 AND e.customer_id = x.customer_id AND e.seq > x.processed_seq) THEN 1 ELSE 0 END,
       x.next_due, x.journal_lines, $3
     FROM ${jsonRows(dialect, '$2', [
       ['customer_id', 'text'],
       ['state', 'text'],
       ['processed_seq', 'bigint'],
       ['next_due', 'bigint'],
       ['journal_lines', 'bigint'],
     ])}
     WHERE true
     ON CONFLICT (env, customer_id) DO UPDATE SET state = excluded.state, processed_seq = excluded.processed_seq,
       pending = excluded.pending, next_due = excluded.next_due, journal_lines = excluded.journal_lines, updated_at = excluded.updated_at`,
    [env, JSON.stringify(customers), wall],
  )
  if (upserts.length > 0) {
    await tx.query(
      `INSERT INTO joe_instances (env, journey_id, customer_id, revision, state, active, step, entered_at, timer_at, updated_at)
       SELECT $1, x.journey_id, x.customer_id, x.revision, x.state, x.active, x.step, x.entered_at, x.timer_at, $3
       FROM ${jsonRows(dialect, '$2', [
         ['journey_id', 'text'],
         ['customer_id', 'text'],
         ['revision', 'text'],
         ['state', 'text'],
         ['active', 'int'],
         ['step', 'text'],
         ['entered_at', 'bigint'],
         ['timer_at', 'bigint'],
       ])}
       WHERE true
       ON CONFLICT (env, journey_id, customer_id) DO UPDATE SET revision = excluded.revision, state = excluded.state,
         active = excluded.active, step = excluded.step, entered_at = excluded.entered_at, timer_at = excluded.timer_at,
         updated_at = excluded.updated_at`,
      [env, JSON.stringify(upserts), wall],
    )
  }
  if (deletes.length > 0) {
    await tx.query(
      `DELETE FROM joe_instances WHERE env = $1 AND (journey_id, customer_id) IN
         (SELECT x.journey_id, x.customer_id FROM ${jsonRows(dialect, '$2', [
           ['journey_id', 'text'],
           ['customer_id', 'text'],
         ])})`,
      [env, JSON.stringify(deletes)],
    )
  }
  if (outbox.length > 0) {
    await tx.query(
      `INSERT INTO joe_outbox (env, idempotency_key, customer_id, journey_id, revision, entry, step_id, channel, template, data, profile,
         decided_at, created_at, status, attempts, next_attempt_at)
       SELECT $1, x.idempotency_key, x.customer_id, x.journey_id, x.revision, x.entry, x.step_id, x.channel, x.template, x.data, x.profile,
         x.decided_at, $3, 'pending', 0, $3
       FROM ${jsonRows(dialect, '$2', [
         ['idempotency_key', 'text'],
         ['customer_id', 'text'],
         ['journey_id', 'text'],
         ['revision', 'text'],
         ['entry', 'int'],
         ['step_id', 'text'],
         ['channel', 'text'],
         ['template', 'text'],
         ['data', 'text'],
         ['profile', 'text'],
         ['decided_at', 'bigint'],
       ])}
       WHERE true
       ON CONFLICT (env, idempotency_key) DO NOTHING`,
      [env, JSON.stringify(outbox), wall],
    )
    if (dialect === 'postgres') await tx.query("SELECT pg_notify('joe_outbox', $1)", [env])
  }
  if (journal.length > 0) {
    await tx.query(
      `INSERT INTO joe_journal (env, customer_id, line, journey_id, at, kind, detail)
       SELECT $1, x.customer_id, x.line, x.journey_id, x.at, x.kind, x.detail
       FROM ${jsonRows(dialect, '$2', [
         ['customer_id', 'text'],
         ['line', 'bigint'],
         ['journey_id', 'text'],
         ['at', 'bigint'],
         ['kind', 'text'],
         ['detail', 'text'],
       ])}`,
      [env, JSON.stringify(journal)],
    )
    await trimJournal(
      tx,
      dialect,
      env,
      customers.filter((c) => (c.keep_after as number) > 0) as Array<{customer_id: string; keep_after: number}>,
    )
  }
  if (errors.length > 0) {
    await tx.query(
      `INSERT INTO joe_errors (env, customer_id, seq, at, message, recorded_at)
       SELECT $1, x.customer_id, x.seq, x.at, x.message, $3
       FROM ${jsonRows(dialect, '$2', [
         ['customer_id', 'text'],
         ['seq', 'bigint'],
         ['at', 'bigint'],
         ['message', 'text'],
       ])}`,
      [env, JSON.stringify(errors), wall],
    )
  }
}

/**
 * Drops journal lines beyond the newest JOURNAL_LINES of each customer. PostgreSQL joins the batch
 * in one statement; SQLite's planner would scan the journal for it, so it deletes by key per customer.
 */
async function trimJournal(
  tx: SqlExecutor,
  dialect: Dialect,
  env: string,
  trimmed: Array<{customer_id: string; keep_after: number}>,
): Promise<void> {
  if (trimmed.length === 0) return
  if (dialect === 'postgres') {
    await tx.query(
      `DELETE FROM joe_journal j USING ${jsonRows(dialect, '$2', [
        ['customer_id', 'text'],
        ['keep_after', 'bigint'],
      ])} WHERE j.env = $1 AND j.customer_id = x.customer_id AND j.line <= x.keep_after`,
      [env, JSON.stringify(trimmed)],
    )
    return
  }
  for (const {customer_id, keep_after} of trimmed) {
    await tx.query('DELETE FROM joe_journal WHERE env = $1 AND customer_id = $2 AND line <= $3', [env, customer_id, keep_after])
  }
}
