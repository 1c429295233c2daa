import type {SqlConnection, SqlExecutor} from '../deploy/sql-connection.js'
import {JoeError} from '../errors.js'
import {iso, isoOrNull} from '../instant.js'
import type {NameNormalization} from '../store/event-names.js'

/** What every runtime operation of one environment needs: its store, its clock, and the wall clock. */
export interface RuntimeContext {
  conn: SqlConnection
  env: string
  /** The environment's clock (spec section 8): the wall clock, or a manual clock kept in the store. */
  clock: 'real' | 'manual'
  /**
   * Epoch ms of the wall clock (Date.now in the CLI), passed in so tests and core logic never read
   * it themselves. Real-clock instants come from it, and so do delivery's retry times on any clock.
   */
  wall: () => number
  /**
   * How event names are stored as they arrive (`events.normalize_names` of joe.config.yaml): the
   * same conversion `joe events import` applies, so live events and imported ones match the same
   * journeys. Absent means as sent.
   */
  eventNames?: NameNormalization
}

/** Creates the environment's runtime rows on first use. */
export async function ensureRuntimeRows(ctx: RuntimeContext): Promise<void> {
  await ctx.conn.query('INSERT INTO joe_runtime (env) VALUES ($1) ON CONFLICT (env) DO NOTHING', [ctx.env])
  await ctx.conn.query('INSERT INTO joe_sequences (env, next_seq, last_received_at) VALUES ($1, 1, 0) ON CONFLICT (env) DO NOTHING', [
    ctx.env,
  ])
}

/**
 * The environment's time: the wall clock, or the manual clock's value (undefined while a manual
 * clock was never set: it starts at the first event it receives).
 */
export async function environmentNow(ctx: RuntimeContext, tx: SqlExecutor = ctx.conn): Promise<number | undefined> {
  if (ctx.clock === 'real') return ctx.wall()
  const rows = await tx.query<{clock_now: number | null}>('SELECT clock_now FROM joe_runtime WHERE env = $1', [ctx.env])
  return rows[0]?.clock_now ?? undefined
}

/** What moving a manual clock did. */
export interface ClockMove {
  env: string
  /** Epoch ms before the move; absent when the clock was never set. */
  from?: number
  to: number
}

/**
 * Sets a manual clock (it only moves forward, like Stripe's test clocks): timers due before the
 * new time fire in order once the worker sees it.
 */
export async function setManualClock(ctx: RuntimeContext, to: number, tx?: SqlExecutor): Promise<ClockMove> {
  if (ctx.clock !== 'manual') {
    throw new JoeError('JOE7010', `environment "${ctx.env}" runs on the real clock, which joe cannot move`, {
      hint: 'set `clock: manual` on the environment in joe.config.yaml to rehearse on a clock you move yourself',
      exitCode: 2,
    })
  }
  const run = async (on: SqlExecutor): Promise<ClockMove> => {
    await on.query('INSERT INTO joe_runtime (env) VALUES ($1) ON CONFLICT (env) DO NOTHING', [ctx.env])
    const from = await environmentNow(ctx, on)
    if (from !== undefined && to < from) {
      throw new JoeError('JOE7011', `the manual clock of "${ctx.env}" is at ${iso(from)}; it cannot go back to ${iso(to)}`, {
        hint: 'a clock only moves forward; to rehearse from an earlier time, use a new environment (or a new store file)',
      })
    }
    await on.query('UPDATE joe_runtime SET clock_now = $2 WHERE env = $1', [ctx.env, to])
    return {env: ctx.env, ...(from === undefined ? {} : {from}), to}
  }
  return tx ? run(tx) : ctx.conn.transaction(run)
}

/** What `joe clock` shows. */
export interface ClockResult {
  format_version: 1
  env: string
  clock: 'real' | 'manual'
  /** The environment's time; null for a manual clock never set. */
  now: string | null
}

export async function readClock(ctx: RuntimeContext): Promise<ClockResult> {
  const now = await environmentNow(ctx)
  return {format_version: 1, env: ctx.env, clock: ctx.clock, now: isoOrNull(now)}
}
