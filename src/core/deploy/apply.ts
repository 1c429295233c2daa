import {provenance} from './actor.js'
import {formatSummary} from './change-summary.js'
import type {ActiveChange} from './deploy-store.js'
import type {Actor, EnvState, LedgerHead} from './deploy-types.js'
import {type EnvOptions, withEnvStore} from './env-store.js'
import {assertForceExplained, type GateReport, gateRefusal} from './gates.js'
import type {DeployPlan, PlanChange} from './plan.js'
import {type DeployKind, mismatchError, type PreparedDeploy, sameHead, staleError} from './prepare.js'
import {DEPLOY_OUTPUT_VERSION, type LedgerRecord, toLedgerRecord} from './results.js'
import {assertIntact, verifySnapshot} from './verify.js'

/** The result of deploy, promote and rollback (also of their dry runs). */
export interface DeployResult {
  format_version: typeof DEPLOY_OUTPUT_VERSION
  env: string
  /** The store URL, credentials masked. */
  store: string
  kind: DeployKind
  /** False for a no-op (nothing to change), a dry run, and a plan the gates refuse. */
  applied: boolean
  /**
   * Why nothing was applied: `up-to-date`, `applied-concurrently` (another deploy made the same
   * changes meanwhile), `dry-run`, `refused` (a dry run that a gate would refuse); null when applied.
   */
  reason: 'up-to-date' | 'applied-concurrently' | 'dry-run' | 'refused' | null
  /** The ledger head the plan was computed against. */
  plan_head: LedgerHead | null
  changes: PlanChange[]
  unchanged: DeployPlan['unchanged']
  kept: DeployPlan['kept']
  gates: GateReport
  /** The ledger entries written, oldest first. */
  ledger: LedgerRecord[]
}

export interface ApplyOptions extends EnvOptions {
  actor: Actor
  /** `-m`: why, recorded in the ledger (required with --force on a protected environment). */
  message?: string
  lockTimeoutMs: number
}

function result(prepared: PreparedDeploy, applied: boolean, reason: DeployResult['reason'], ledger: LedgerRecord[]): DeployResult {
  const {plan} = prepared
  return {
    format_version: DEPLOY_OUTPUT_VERSION,
    env: plan.env,
    store: plan.store,
    kind: prepared.kind,
    applied,
    reason,
    plan_head: plan.head,
    changes: plan.changes,
    unchanged: plan.unchanged,
    kept: plan.kept,
    gates: prepared.gates,
    ledger,
  }
}

/** What a dry run reports: nothing applied, and whether the gates would let the deploy through. */
export function dryRunResult(prepared: PreparedDeploy): DeployResult {
  const reason = prepared.plan.changes.length === 0 ? 'up-to-date' : gateRefusal(prepared.gates) ? 'refused' : 'dry-run'
  return result(prepared, false, reason, [])
}

/**
 * Applies a prepared plan in one transaction holding the environment's deploy lock. It refuses a
 * plan a gate refuses, then, under the lock: a store that fails verification (JOE6018), a ledger
 * that moved since planning (a saved plan is then stale, JOE6006; an interactive plan whose changes
 * are all in place already is a no-op), and any change whose `from` is not the active revision (JOE6017).
 */
export async function applyPrepared(prepared: PreparedDeploy, options: ApplyOptions): Promise<DeployResult> {
  const {plan, gates} = prepared
  const refusal = gateRefusal(gates)
  if (refusal) throw refusal
  assertForceExplained(plan.env, gates, options.message)
  if (plan.changes.length === 0) return result(prepared, false, 'up-to-date', [])
  return withEnvStore({...options, env: plan.env}, (store) =>
    store.transaction(plan.env, options.lockTimeoutMs, async (tx) => {
      const snapshot = await tx.snapshot()
      assertIntact(plan.env, verifySnapshot(snapshot))
      const {state} = snapshot
      if (!sameHead(state.head, plan.head)) {
        if (!prepared.strict && alreadyInPlace(state, plan)) return result(prepared, false, 'applied-concurrently', [])
        throw staleError(plan.env, plan.head, state.head, prepared.strict)
      }
      const active = new Map(state.active.map((a) => [a.journey, a.revision]))
      const wrong = plan.changes.filter((c) => (active.get(c.journey) ?? null) !== c.from)
      if (wrong.length > 0)
        throw mismatchError(
          plan.env,
          wrong.map((c) => c.journey),
        )
      const ledger = await tx.write(plan.changes.map((change) => toActiveChange(change, prepared, options)))
      return result(prepared, true, null, ledger.map(toLedgerRecord))
    }),
  )
}

function toActiveChange(change: PlanChange, prepared: PreparedDeploy, options: ApplyOptions): ActiveChange {
  const {bypassed} = prepared.gates
  const drop = bypassed.allow_drop.find((d) => d.journey === change.journey)
  const details = {
    ...prepared.details,
    ...(change.summary ? {summary: formatSummary(change.summary)} : {}),
    ...(bypassed.force ? {force: true} : {}),
    ...(bypassed.skip_policies ? {skip_policies: true} : {}),
    ...(drop ? {allow_drop: drop.steps} : {}),
  }
  const document = change.to ? prepared.plan.documents[change.to] : undefined
  return {
    entry: {
      kind: prepared.kind,
      journey: change.journey,
      action: change.action,
      from: change.from,
      to: change.to,
      ...provenance(options.actor, options.now, options.message),
      details,
    },
    ...(change.to && document !== undefined ? {revision: {journey: change.journey, hash: change.to, document}} : {}),
  }
}

function alreadyInPlace(state: EnvState, plan: DeployPlan): boolean {
  const active = new Map(state.active.map((a) => [a.journey, a.revision]))
  return plan.changes.every((c) => (c.to === null ? !active.has(c.journey) : active.get(c.journey) === c.to))
}
