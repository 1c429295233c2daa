import {environmentNow, type RuntimeContext} from './context.js'

/** What the environment's store says about the work in hand, for `GET /metrics` (read-only). */
export interface StoreGauges {
  /** Environment time since the oldest received event the worker has not applied was received (0: none), seconds. */
  lagSeconds: number
  /** Customers with something due (a timer, a tick) before the environment's time that no worker has run yet. */
  overdueCustomers: number
  /** Environment time since the most overdue of them came due (0: none), seconds. */
  overdueSeconds: number
  /** Messages waiting in the outbox (due now or retrying later). */
  outboxPending: number
  /** Messages that gave up: a permanent failure or their last attempt (`joe outbox --status dead`). */
  deadLetters: number
}

/**
 * Reads the gauges in one statement, each part on an index: the first event past the dispatch
 * watermark (instants never go down along the log, so it is the oldest of them), the first
 * unapplied event of each pending customer, the due index, and the outbox's status index. A
 * timer counts as overdue once the clock has passed its instant, as the worker fires it.
 */
export async function readStoreGauges(ctx: RuntimeContext): Promise<StoreGauges> {
  const now = await environmentNow(ctx)
  const [row] = await ctx.conn.query<{
    undispatched_at: number | null
    pending_at: number | null
    overdue: number | null
    oldest_due: number | null
    pending: number | null
    dead: number | null
  }>(
    `SELECT
       (SELECT e.received_at FROM joe_events e JOIN joe_runtime r ON r.env = e.env
          WHERE e.env = $1 AND e.seq > r.dispatched_seq ORDER BY e.seq LIMIT 1) AS undispatched_at,
       (SELECT MIN((SELECT e.received_at FROM joe_events e
                      WHERE e.env = c.env AND e.customer_id = c.customer_id AND e.seq > c.processed_seq
                      ORDER BY e.seq LIMIT 1))
          FROM joe_customers c WHERE c.env = $1 AND c.pending = 1) AS pending_at,
       (SELECT COUNT(*) FROM joe_customers WHERE env = $1 AND next_due < $2) AS overdue,
       (SELECT MIN(next_due) FROM joe_customers WHERE env = $1 AND next_due < $2) AS oldest_due,
       (SELECT COUNT(*) FROM joe_outbox WHERE env = $1 AND status = 'pending') AS pending,
       (SELECT COUNT(*) FROM joe_outbox WHERE env = $1 AND status = 'dead') AS dead`,
    [ctx.env, now ?? Number.MIN_SAFE_INTEGER],
  )
  const oldest = [row?.undispatched_at, row?.pending_at]
    .filter((at): at is number => at !== null && at !== undefined)
    .map(Number)
    .reduce((min, at) => Math.min(min, at), Number.POSITIVE_INFINITY)
  const age = (since: number | null | undefined) =>
    now === undefined || since === null || since === undefined || !Number.isFinite(Number(since))
      ? 0
      : Math.max(0, (now - Number(since)) / 1000)
  return {
    lagSeconds: age(Number.isFinite(oldest) ? oldest : null),
    overdueCustomers: Number(row?.overdue ?? 0),
    overdueSeconds: age(row?.oldest_due),
    outboxPending: Number(row?.pending ?? 0),
    deadLetters: Number(row?.dead ?? 0),
  }
}
