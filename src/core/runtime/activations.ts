import type {SqlExecutor} from '../deploy/sql-connection.js'
import {type Activation, BEGINNING_OF_TIME, type Machine, type MachinePlan, machineJourney, machineOf} from '../engine/machine.js'
import type {Journey} from '../journey/model.js'
import type {RuntimeContext} from './context.js'
import {forUpdate} from './sql.js'

/**
 * The environment's journeys over time, as the runtime records them: one activation each time a
 * deploy, rollback, promote, pause, resume or prune changes a journey (spec sections 7 and 8).
 * Each takes effect at an instant no input has been processed at yet, so a replay of the event log
 * with the same activations decides exactly what the live run decided.
 */
export interface ActivationRow {
  journey_id: string
  since: number
  /** null: removed from the environment. */
  revision: string | null
  paused: number
  ledger_id: number
}

/** The advisory lock between recording activations (exclusive) and processing batches (shared). */
export function activationsLockKey(env: string): string {
  return `joe-activations:${env}`
}

/** What recording activations did. */
export interface ObservedChanges {
  /** Journeys whose activation changed. */
  journeys: string[]
  since: number
}

/**
 * Turns ledger entries the runtime has not seen into activations. On a real clock a change takes
 * effect when it was deployed, unless inputs after that were processed already (then just after
 * the latest of them); on a manual clock just after the latest instant processed (or from the
 * beginning when nothing was). Customers waiting in a changed journey are marked due at that
 * instant, so removals, drops and resumes happen on time; a schedule journey marks everyone.
 */
export async function observeLedger(ctx: RuntimeContext): Promise<ObservedChanges | undefined> {
  const {env} = ctx
  const dialect = ctx.conn.dialect
  // Usually nothing changed: a read, without a transaction, decides.
  const [seen] = await ctx.conn.query<{ledger_seen: number | null; head: number | null}>(
    'SELECT (SELECT ledger_seen FROM joe_runtime WHERE env = $1) AS ledger_seen, (SELECT MAX(id) FROM joe_ledger WHERE env = $1) AS head',
    [env],
  )
  if (Number(seen?.head ?? 0) === Number(seen?.ledger_seen ?? 0)) return undefined
  return ctx.conn.transaction(async (tx) => {
    if (dialect === 'postgres')
      await tx.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || $1))", [activationsLockKey(env)])
    await tx.query('INSERT INTO joe_runtime (env) VALUES ($1) ON CONFLICT (env) DO NOTHING', [env])
    const [runtime] = await tx.query<{ledger_seen: number}>(`SELECT ledger_seen FROM joe_runtime WHERE env = $1${forUpdate(dialect)}`, [
      env,
    ])
    const [head] = await tx.query<{id: number | null}>('SELECT MAX(id) AS id FROM joe_ledger WHERE env = $1', [env])
    const headId = Number(head?.id ?? 0)
    if (headId === Number(runtime?.ledger_seen ?? 0)) return undefined
    const active = await tx.query<{journey_id: string; revision: string; paused: number; ledger_id: number; at: number}>(
      `SELECT a.journey_id, a.revision, a.paused, a.ledger_id, l.at
       FROM joe_active a JOIN joe_ledger l ON l.env = a.env AND l.id = a.ledger_id
       WHERE a.env = $1 ORDER BY a.journey_id`,
      [env],
    )
    const latest = new Map<string, ActivationRow>()
    for (const row of await readActivations(tx, env)) latest.set(row.journey_id, row)
    const [progress] = await tx.query<{through: number | null}>(
      'SELECT MAX(processed_through) AS through FROM joe_workers WHERE env = $1',
      [env],
    )
    const processed = progress?.through === null || progress?.through === undefined ? undefined : Number(progress.through)
    const changes: Array<{journey: string; revision: string | null; paused: boolean; ledgerId: number; deployedAt: number}> = []
    const current = new Set<string>()
    for (const row of active) {
      current.add(row.journey_id)
      const before = latest.get(row.journey_id)
      if (before?.revision === row.revision && Number(before.paused) === Number(row.paused)) continue
      changes.push({
        journey: row.journey_id,
        revision: row.revision,
        paused: Number(row.paused) === 1,
        ledgerId: row.ledger_id,
        deployedAt: row.at,
      })
    }
    for (const [journey, row] of latest) {
      if (current.has(journey) || row.revision === null) continue
      changes.push({journey, revision: null, paused: false, ledgerId: headId, deployedAt: await ledgerTime(tx, env, headId)})
    }
    const floor = processed === undefined ? BEGINNING_OF_TIME : processed + 1
    const deployed = Math.max(...changes.map((c) => c.deployedAt), BEGINNING_OF_TIME)
    const since = ctx.clock === 'real' ? Math.max(floor, deployed) : floor
    for (const change of changes) {
      await tx.query(
        `INSERT INTO joe_activations (env, journey_id, since, revision, paused, ledger_id) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (env, journey_id, since) DO UPDATE SET revision = $4, paused = $5, ledger_id = $6`,
        [env, change.journey, since, change.revision, change.paused ? 1 : 0, change.ledgerId],
      )
      await markDue(tx, env, change.journey, since, change.revision === null ? false : await isScheduled(tx, change.revision))
    }
    await tx.query('UPDATE joe_runtime SET ledger_seen = $2 WHERE env = $1', [env, headId])
    return {journeys: changes.map((c) => c.journey), since}
  })
}

async function ledgerTime(tx: SqlExecutor, env: string, id: number): Promise<number> {
  const [row] = await tx.query<{at: number}>('SELECT at FROM joe_ledger WHERE env = $1 AND id = $2', [env, id])
  return Number(row?.at ?? BEGINNING_OF_TIME)
}

async function isScheduled(tx: SqlExecutor, revision: string): Promise<boolean> {
  const [row] = await tx.query<{document: string}>('SELECT document FROM joe_revisions WHERE hash = $1', [revision])
  return row !== undefined && (JSON.parse(row.document) as Journey).entry.kind === 'schedule'
}

/** Customers in the journey (or, for a schedule journey, everyone) come due at `since` at the latest. */
async function markDue(tx: SqlExecutor, env: string, journey: string, since: number, everyone: boolean): Promise<void> {
  const who = everyone ? '' : 'AND customer_id IN (SELECT customer_id FROM joe_instances WHERE env = $1 AND journey_id = $3 AND active = 1)'
  await tx.query(
    `UPDATE joe_customers SET next_due = $2 WHERE env = $1 AND (next_due IS NULL OR next_due > $2) ${who}`,
    everyone ? [env, since] : [env, since, journey],
  )
}

export async function readActivations(tx: SqlExecutor, env: string): Promise<ActivationRow[]> {
  const rows = await tx.query<ActivationRow>(
    'SELECT journey_id, since, revision, paused, ledger_id FROM joe_activations WHERE env = $1 ORDER BY journey_id, since',
    [env],
  )
  return rows.map((row) => ({...row, since: Number(row.since), paused: Number(row.paused), ledger_id: Number(row.ledger_id)}))
}

/** A fingerprint of the activations, to tell when a loaded machine is out of date. */
export function activationsVersion(rows: readonly ActivationRow[]): string {
  return rows.map((r) => `${r.journey_id}@${r.since}:${r.revision ?? '-'}:${r.paused}`).join('|')
}

/** The machine that runs the environment: every journey's activations, with their revisions compiled. */
export async function loadMachine(tx: SqlExecutor, rows: readonly ActivationRow[]): Promise<Machine> {
  const revisions = new Map<string, Journey>()
  for (const hash of new Set(rows.map((r) => r.revision).filter((r): r is string => r !== null))) {
    const [row] = await tx.query<{document: string}>('SELECT document FROM joe_revisions WHERE hash = $1', [hash])
    if (row) revisions.set(hash, JSON.parse(row.document) as Journey)
  }
  const plans = new Map<string, MachinePlan>()
  for (const row of rows) {
    let plan = plans.get(row.journey_id)
    if (plan === undefined) {
      plan = {id: row.journey_id, activations: [], overrides: {}}
      plans.set(row.journey_id, plan)
    }
    const journey = row.revision === null ? undefined : revisions.get(row.revision)
    const activation: Activation = {
      since: row.since,
      revision: row.revision ?? '',
      journey: journey === undefined ? null : machineJourney(journey),
      paused: row.paused === 1,
    }
    plan.activations.push(activation)
  }
  // Journeys share compiled revisions: the same hash compiles once (compileJourney caches per model object).
  return machineOf([...plans.values()], {trace: false})
}
