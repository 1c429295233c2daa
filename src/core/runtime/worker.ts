import type {SqlExecutor} from '../deploy/sql-connection.js'
import type {Machine} from '../engine/machine.js'
import {advanceCustomer, type TimedEvent} from '../engine/replay-customer.js'
import type {CustomerState} from '../engine/state.js'
import {nextDue} from '../engine/transition.js'
import type {Effect} from '../engine/types.js'
import {activationsLockKey, activationsVersion, loadMachine, readActivations} from './activations.js'
import {environmentNow, type RuntimeContext} from './context.js'
import {customerStateText, instanceRows, restoreCustomerState} from './instance-state.js'
import {forUpdate, jsonList, skipLocked} from './sql.js'
import {type Outcome, type Stored, writeOutcomes} from './write-outcomes.js'

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
    const journalLines = new Map(claimed.map((row) => [row.customer_id, Number(row.journal_lines)]))
    await writeOutcomes(ctx, tx, machine, outcomes, {journalLines, instancesOf})
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
  const step = (batch: typeof inputs, through: number): void => {
    const copy = structuredClone(state)
    const done = run(copy, batch, through)
    outcome.stored = store(copy)
    state = copy
    outcome.effects.push(...done.effects)
    outcome.dues += done.dues
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
