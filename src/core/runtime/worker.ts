import {hash} from 'node:crypto'
import type {SqlExecutor} from '../deploy/sql-connection.js'
import {activationAt, type Machine} from '../engine/machine.js'
import {advanceCustomer, type TimedEvent} from '../engine/replay-customer.js'
import type {CustomerState} from '../engine/state.js'
import {nextDue} from '../engine/transition.js'
import type {Effect} from '../engine/types.js'
import {activationsLockKey, activationsVersion, loadMachine, readActivations} from './activations.js'
import {environmentNow, type RuntimeContext} from './context.js'
import {customerStateText, type InstanceRow, instanceRows, restoreCustomerState} from './instance-state.js'
import {type Dialect, forUpdate, jsonList, jsonRows, skipLocked} from './sql.js'

/** Journal lines kept per customer for `joe inspect` (older ones are dropped as new ones come). */
export const JOURNAL_LINES = 500
/** Events of the log marked per dispatch. */
const DISPATCH_LIMIT = 50_000

/** What one batch did, for logs and metrics. */
export interface BatchResult {
  /** The environment's time the batch ran at; absent when a manual clock was never set. */
  now?: number
  customers: number
  events: number
  /** Transitions at instants something came due (timers, ticks, activations). */
  dues: number
  sends: number
  /** Inputs that made the engine fail (recorded and skipped). */
  errors: number
}

/** The machine of the environment's current activations, rebuilt only when they change. */
export interface MachineCache {
  current(tx: SqlExecutor): Promise<Machine>
}

export function createMachineCache(env: string): MachineCache {
  let version: string | undefined
  let machine: Machine | undefined
  return {
    async current(tx) {
      const rows = await readActivations(tx, env)
      const now = activationsVersion(rows)
      if (machine === undefined || now !== version) {
        machine = await loadMachine(tx, rows)
        version = now
      }
      return machine
    },
  }
}

/**
 * Marks the customers of newly received events as pending. Events get sequence numbers in commit
 * order, so everything below the counter is committed and a watermark never skips one.
 */
export async function dispatchEvents(ctx: RuntimeContext): Promise<number> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  // Usually there is nothing new, or everything is: a read decides whether to write.
  const [state] = await ctx.conn.query<{dispatched_seq: number | null; next_seq: number | null}>(
    'SELECT (SELECT dispatched_seq FROM joe_runtime WHERE env = $1) AS dispatched_seq, (SELECT next_seq FROM joe_sequences WHERE env = $1) AS next_seq',
    [env],
  )
  if (Number(state?.next_seq ?? 1) - 1 <= Number(state?.dispatched_seq ?? 0)) return 0
  return ctx.conn.transaction(async (tx) => {
    if (dialect === 'postgres') {
      const [lock] = await tx.query<{ok: boolean}>("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || ':' || $1)) AS ok", [
        `joe-dispatch:${env}`,
      ])
      if (lock?.ok !== true) return 0
      // What this transaction writes is derived from the durable event log and redone from
      // dispatched_seq if lost, so it need not wait for its own WAL flush: the worker's next
      // (synchronous) commit flushes it anyway. Saves one fsync on the path of every event.
      await tx.query('SET LOCAL synchronous_commit TO OFF')
    }
    const [runtime] = await tx.query<{dispatched_seq: number}>(
      `SELECT dispatched_seq FROM joe_runtime WHERE env = $1${forUpdate(dialect)}`,
      [env],
    )
    const [counter] = await tx.query<{next_seq: number}>('SELECT next_seq FROM joe_sequences WHERE env = $1', [env])
    if (runtime === undefined || counter === undefined) return 0
    const from = Number(runtime.dispatched_seq)
    const upto = Math.min(Number(counter.next_seq) - 1, from + DISPATCH_LIMIT)
    if (upto <= from) return 0
    const marked = await tx.query(
      `INSERT INTO joe_customers (env, customer_id, state, processed_seq, pending, updated_at)
       SELECT $1, customer_id, '{}', 0, 1, $4 FROM joe_events WHERE env = $1 AND seq > $2 AND seq <= $3 GROUP BY customer_id
       ON CONFLICT (env, customer_id) DO UPDATE SET pending = 1
       RETURNING customer_id`,
      [env, from, upto, ctx.wall()],
    )
    await tx.query('UPDATE joe_runtime SET dispatched_seq = $2 WHERE env = $1', [env, upto])
    return marked.length
  })
}

interface ClaimedRow {
  customer_id: string
  state: string
  processed_seq: number
  journal_lines: number
}

interface EventRow {
  customer_id: string
  seq: number
  type: string
  ts: number
  received_at: number
  properties: string
}

interface Outcome {
  customerId: string
  /** The new state as stored: the customer row's text, the instance rows, and when it is next due. */
  stored: Stored
  processedSeq: number
  effects: Effect[]
  errors: Array<{seq: number | null; at: number; message: string}>
  events: number
  dues: number
}

interface Stored {
  text: string
  rows: InstanceRow[]
  /** Absent: nothing due (or parked after a failure, until the next event). */
  due?: number
}

/**
 * Claims up to `limit` customers with new events or something due before now, moves each one's
 * state forward through the engine, and writes the new states, the outbox rows of the sends it
 * decided, and its journal, all in one transaction (spec section 8: a send is decided in the same
 * transaction as the state change that caused it). On PostgreSQL, claimed customers are row-locked
 * (others skip them), so no customer is ever processed in two places at once.
 */
export async function processBatch(
  ctx: RuntimeContext,
  machines: MachineCache,
  options: {limit: number; worker: string},
): Promise<BatchResult> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  return ctx.conn.transaction(async (tx) => {
    if (dialect === 'postgres') {
      // Activations are recorded under the exclusive lock: none lands while this batch runs.
      await tx.query("SELECT pg_advisory_xact_lock_shared(hashtext(current_schema() || ':' || $1))", [activationsLockKey(env)])
    }
    const empty: BatchResult = {customers: 0, events: 0, dues: 0, sends: 0, errors: 0}
    const now = await environmentNow(ctx, tx)
    if (now === undefined) return empty
    const claimed = await tx.query<ClaimedRow>(
      `SELECT customer_id, state, processed_seq, journal_lines FROM joe_customers WHERE env = $1 AND pending = 1 LIMIT $2${skipLocked(dialect)}`,
      [env, options.limit],
    )
    if (claimed.length < options.limit) {
      const due = await tx.query<ClaimedRow>(
        `SELECT customer_id, state, processed_seq, journal_lines FROM joe_customers
         WHERE env = $1 AND next_due < $2 AND pending = 0 ORDER BY next_due LIMIT $3${skipLocked(dialect)}`,
        [env, now, options.limit - claimed.length],
      )
      claimed.push(...due)
    }
    if (claimed.length === 0) return {...empty, now}
    // Activations recorded later take effect after this instant (activations.ts): idle batches process nothing, so need not say.
    await recordProgress(tx, env, options.worker, now, ctx.wall())
    const machine = await machines.current(tx)
    const ids = JSON.stringify(claimed.map((row) => row.customer_id))
    const events = await tx.query<EventRow>(
      `SELECT e.customer_id, e.seq, e.type, e.ts, e.received_at, e.properties FROM joe_events e
       JOIN joe_customers c ON c.env = e.env AND c.customer_id = e.customer_id
       WHERE e.env = $1 AND e.customer_id IN (${jsonList(dialect, '$2')}) AND e.seq > c.processed_seq AND e.received_at <= $3
       ORDER BY e.customer_id, e.seq`,
      [env, ids, now],
    )
    const instances = await tx.query<{customer_id: string; journey_id: string; state: string}>(
      `SELECT customer_id, journey_id, state FROM joe_instances WHERE env = $1 AND customer_id IN (${jsonList(dialect, '$2')})`,
      [env, ids],
    )
    const eventsOf = groupBy(events, (e) => e.customer_id)
    const instancesOf = groupBy(instances, (i) => i.customer_id)
    const outcomes = claimed.map((row) =>
      advance(machine, row, eventsOf.get(row.customer_id) ?? [], instancesOf.get(row.customer_id) ?? [], now),
    )
    await writeOutcomes(ctx, tx, machine, claimed, outcomes, instancesOf)
    return {
      now,
      customers: outcomes.length,
      events: outcomes.reduce((n, o) => n + o.events, 0),
      dues: outcomes.reduce((n, o) => n + o.dues, 0),
      sends: outcomes.reduce((n, o) => n + o.effects.filter((e) => e.kind === 'send').length, 0),
      errors: outcomes.reduce((n, o) => n + o.errors.length, 0),
    }
  })
}

async function recordProgress(tx: SqlExecutor, env: string, worker: string, now: number, wall: number): Promise<void> {
  await tx.query(
    `INSERT INTO joe_workers (env, worker, processed_through, seen_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (env, worker) DO UPDATE SET processed_through = $3, seen_at = $4`,
    [env, worker, now, wall],
  )
}

/**
 * One customer through the engine, and their new state serialised for the store. An input that
 * makes the engine (or storing its state) throw is a poison input: it is recorded with its error
 * and skipped, and the customer goes on with the others; something due that throws parks the
 * customer until their next event.
 */
function advance(
  machine: Machine,
  row: ClaimedRow,
  events: EventRow[],
  instances: Array<{journey_id: string; state: string}>,
  now: number,
): Outcome {
  const inputs: Array<TimedEvent & {seq: number}> = events.map((e) => ({
    seq: Number(e.seq),
    at: Number(e.received_at),
    event: {type: e.type, timestamp: Number(e.ts), properties: JSON.parse(e.properties) as Record<string, unknown>},
  }))
  const processedSeq = inputs.length > 0 ? (inputs[inputs.length - 1] as {seq: number}).seq : Number(row.processed_seq)
  const fresh = () => restoreCustomerState(row.customer_id, row.state, instances)
  const store = (state: CustomerState, parked = false): Stored => {
    const due = parked ? undefined : nextDue(machine, state)
    return {text: customerStateText(state), rows: instanceRows(machine, state), ...(due === undefined ? {} : {due})}
  }
  const run = (state: CustomerState, batch: typeof inputs, through: number) => {
    const effects: Effect[] = []
    let transitions = 0
    advanceCustomer(machine, state, batch, {through, dueInclusive: false}, (transition) => {
      for (const effect of transition.effects) effects.push(effect)
      transitions += 1
    })
    return {effects, dues: transitions - batch.length}
  }
  const base = {customerId: row.customer_id, processedSeq, events: inputs.length}
  try {
    const state = fresh()
    const done = run(state, inputs, now)
    return {...base, ...done, stored: store(state), errors: []}
  } catch {
    // Find the poison input(s): apply the inputs one at a time, each to a copy of the state.
  }
  let state = fresh()
  const outcome: Outcome = {...base, effects: [], dues: 0, errors: [], stored: store(state)}
  const step = (batch: typeof inputs, through: number): boolean => {
    const copy = structuredClone(state)
    const done = run(copy, batch, through)
    outcome.stored = store(copy)
    state = copy
    outcome.effects.push(...done.effects)
    outcome.dues += done.dues
    return true
  }
  for (const input of inputs) {
    try {
      step([input], input.at)
    } catch (error) {
      outcome.errors.push({seq: input.seq, at: input.at, message: describe(error)})
    }
  }
  try {
    step([], now)
  } catch (error) {
    outcome.errors.push({seq: null, at: now, message: describe(error)})
    outcome.stored = store(state, true)
  }
  return outcome
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** The idempotency key of a send (spec section 8): journey, revision, customer, entry, step and instant. */
export function idempotencyKey(journey: string, revision: string, customer: string, entry: number, step: string, at: number): string {
  return hash('sha256', JSON.stringify([journey, revision, customer, entry, step, at]), 'hex').slice(0, 32)
}

async function writeOutcomes(
  ctx: RuntimeContext,
  tx: SqlExecutor,
  machine: Machine,
  claimed: ClaimedRow[],
  outcomes: Outcome[],
  instancesOf: Map<string, Array<{journey_id: string; state: string}>>,
): Promise<void> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  const wall = ctx.wall()
  const journalFrom = new Map(claimed.map((row) => [row.customer_id, Number(row.journal_lines)]))
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

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    let list = groups.get(k)
    if (list === undefined) {
      list = []
      groups.set(k, list)
    }
    list.push(item)
  }
  return groups
}
